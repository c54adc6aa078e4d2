#pragma once
// Stress (issue 16 a), shared by the engine test (a plain thread trains, tests/engine) and the
// controller test (the window's worker QThread trains, tests/ui): random hyperparameter, option
// and description commands as a user's sliders and menus send them, and the check that every
// one came back as exactly one event, in the order submitted, at a step no earlier than the one
// training was at when it was sent; valid ones applied, invalid ones rejected with a reason.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/command.h"
#include "engine/session.h"

namespace larslab::test {

// Two runs named "LARS" (lars) and "SGD" (momentum), long enough not to finish: this model
// trains ~90,000 steps/s on a 2-core Zen 4, and once 200,000 steps ended before the 10,000
// commands did (the command thread shared the cores with another test). The store allocates
// its columns as steps arrive; 2,000,000 steps would take ~250 MB.
inline const char* kCommandStressExperiment = R"({
  "version": 1, "name": "stress",
  "dataset": {"kind": "spirals", "samples": 400},
  "model": {"layers": [{"type": "dense", "units": 16}, {"type": "tanh"}, {"type": "dense", "units": 2}]},
  "batch_size": 32, "steps": 2000000, "eval_every": 100, "seed": 3,
  "runs": [
    {"name": "LARS", "optimizer": {"type": "lars", "lr": 0.5, "eta": 0.001}},
    {"name": "SGD", "optimizer": {"type": "momentum", "lr": 0.05, "momentum": 0.9}}
  ]})";

class CommandStress {
 public:
  // Submits command number i (any thread but the one training).
  void submitOne(engine::Session& session, int i) {
    const long step = session.currentStep();
    const double pick = unit();
    const std::string run = unit() < 0.5 ? "LARS" : "SGD";
    if (pick < 0.6) {
      // In range: lr in [1e-4, 1e-1], momentum in [0, 0.99]; eta only exists for LARS.
      const bool eta = run == "LARS" && unit() < 0.5;
      const std::string h = eta ? "eta" : (unit() < 0.5 ? "lr" : "momentum");
      const double value = h == "momentum" ? 0.99 * unit() : 1e-4 * std::pow(1e3, unit());
      session.submit(engine::SetHyperparameter{run, h, value});
      sent_.push_back({run, true, step});
      lastValid_[{run, h}] = value;
    } else if (pick < 0.75) {
      // Rejected: out of range, unknown hyperparameter, unknown run.
      const int kind = static_cast<int>(unit() * 3);
      if (kind == 0) session.submit(engine::SetHyperparameter{run, "lr", -1.0});
      if (kind == 1) session.submit(engine::SetHyperparameter{run, "no_such_thing", 1.0});
      if (kind == 2) session.submit(engine::SetHyperparameter{"nobody", "lr", 0.1});
      sent_.push_back({kind == 2 ? "nobody" : run, false, step});
    } else if (pick < 0.85) {
      const bool valid = unit() < 0.7;
      session.submit(engine::SetOption{"LARS", "lr_placement", valid ? (unit() < 0.5 ? "inside" : "outside") : "sideways"});
      sent_.push_back({"LARS", valid, step});
    } else {
      session.submit(engine::Describe{"stress " + std::to_string(i), "a description"});
      sent_.push_back({"", true, step});
    }
  }

  // After every command has been applied (one more step taken once submitting stopped).
  void verify(const engine::MetricsStore& store, std::size_t eventsBefore) const {
    std::vector<engine::Event> events;
    for (const engine::Event& e : store.events(eventsBefore))
      if (e.kind != engine::EventKind::Diverged && e.kind != engine::EventKind::Warning) events.push_back(e);
    ASSERT_EQ(events.size(), sent_.size()) << "commands lost or duplicated";
    long previousStep = 0;
    int rejected = 0;
    for (std::size_t i = 0; i < sent_.size(); ++i) {
      const engine::Event& e = events[i];
      SCOPED_TRACE("command " + std::to_string(i) + ": " + e.detail);
      EXPECT_EQ(e.run, sent_[i].run);
      if (sent_[i].valid) {
        EXPECT_NE(e.kind, engine::EventKind::Rejected) << "a valid command was rejected";
      } else {
        EXPECT_EQ(e.kind, engine::EventKind::Rejected);
        EXPECT_FALSE(e.detail.empty()) << "rejected without a reason";
        ++rejected;
      }
      // Run events carry the run's step, describe events the session's: both at or after the
      // step training had reached when the command was sent, and in order.
      EXPECT_GE(e.step, sent_[i].stepBefore);
      EXPECT_GE(e.step, previousStep);
      previousStep = e.step;
    }
    for (const auto& [key, value] : lastValid_)
      EXPECT_DOUBLE_EQ(store.appliedHyperparameter(key.first, key.second), value) << key.first << " " << key.second;
    std::printf("%zu commands: %d rejected, applied over steps %ld..%ld\n", sent_.size(), rejected,
                sent_.empty() ? 0L : sent_.front().stepBefore, previousStep);
  }

 private:
  struct Sent {
    std::string run;  // empty for Describe
    bool valid = false;
    long stepBefore = 0;  // the session's step just before submit
  };
  double unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

  std::mt19937 random_{16};
  std::vector<Sent> sent_;
  std::map<std::pair<std::string, std::string>, double> lastValid_;
};

}  // namespace larslab::test
