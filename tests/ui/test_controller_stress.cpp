// Stress (issue 16 a): 10,000 hyperparameter, option and description commands from the GUI
// thread while the controller's worker thread trains, with transport requests and store reads
// in between, as the window makes them. Every command must come back as exactly one event, in
// the order submitted, at a step no earlier than the one training was at when it was sent;
// valid ones applied, invalid ones rejected with a reason. The tsan preset runs this under
// ThreadSanitizer (with the QtCore-only controller library, no widgets).

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QThread>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/command.h"
#include "engine/experiment.h"
#include "session_controller.h"

namespace larslab::ui {
namespace {

const char* kExperiment = R"({
  "version": 1, "name": "stress",
  "dataset": {"kind": "spirals", "samples": 400},
  "model": {"layers": [{"type": "dense", "units": 16}, {"type": "tanh"}, {"type": "dense", "units": 2}]},
  "batch_size": 32, "steps": 200000, "eval_every": 100, "seed": 3,
  "runs": [
    {"name": "LARS", "optimizer": {"type": "lars", "lr": 0.5, "eta": 0.001}},
    {"name": "SGD", "optimizer": {"type": "momentum", "lr": 0.05, "momentum": 0.9}}
  ]})";

struct Sent {
  std::string run;   // empty for Describe
  bool valid = false;
  long stepBefore = 0;  // the session's step just before submit
};

TEST(ControllerStress, TenThousandCommandsWhileTrainingAreEachAppliedOrRejectedInOrder) {
  int argc = 1;
  char name[] = "test_controller_stress";
  char* argv[] = {name, nullptr};
  QCoreApplication app(argc, argv);

  QThread worker;
  auto* controller = new SessionController(2);
  controller->moveToThread(&worker);
  QObject::connect(&worker, &QThread::finished, controller, &QObject::deleteLater);
  worker.start();
  // However the test ends (a failed ASSERT returns early), stop training and join the worker:
  // a QThread destroyed while running aborts the process and hides the failure.
  struct StopWorker {
    SessionController* controller;
    QThread& worker;
    ~StopWorker() {
      controller->post(SessionController::Stop{}, SessionController::Delivery::Wait);
      worker.quit();
      worker.wait();
    }
  } stopWorker{controller, worker};
  controller->post(SessionController::Load{engine::parseExperiment(kExperiment, "stress.json"), true},
                   SessionController::Delivery::Wait);
  const std::shared_ptr<engine::Session> session = controller->session();
  ASSERT_NE(session, nullptr);
  const auto store = session->metrics();
  const std::size_t eventsBefore = store->eventCount();

  std::mt19937 random(16);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Sent> sent;
  std::map<std::pair<std::string, std::string>, double> lastValid;
  std::vector<float> poll;
  constexpr int kCommands = 10000;
  for (int i = 0; i < kCommands; ++i) {
    const long step = session->currentStep();
    const double pick = unit(random);
    const std::string run = unit(random) < 0.5 ? "LARS" : "SGD";
    if (pick < 0.6) {
      // In range: lr in [1e-4, 1e-1], momentum in [0, 0.99]; eta only exists for LARS.
      const bool eta = run == "LARS" && unit(random) < 0.5;
      const std::string h = eta ? "eta" : (unit(random) < 0.5 ? "lr" : "momentum");
      const double value = h == "momentum" ? 0.99 * unit(random) : 1e-4 * std::pow(1e3, unit(random));
      session->submit(engine::SetHyperparameter{run, h, value});
      sent.push_back({run, true, step});
      lastValid[{run, h}] = value;
    } else if (pick < 0.75) {
      // Rejected: out of range, unknown hyperparameter, unknown run.
      const int kind = static_cast<int>(unit(random) * 3);
      if (kind == 0) session->submit(engine::SetHyperparameter{run, "lr", -1.0});
      if (kind == 1) session->submit(engine::SetHyperparameter{run, "no_such_thing", 1.0});
      if (kind == 2) session->submit(engine::SetHyperparameter{"nobody", "lr", 0.1});
      sent.push_back({kind == 2 ? "nobody" : run, false, step});
    } else if (pick < 0.85) {
      const bool valid = unit(random) < 0.7;
      session->submit(engine::SetOption{"LARS", "lr_placement", valid ? (unit(random) < 0.5 ? "inside" : "outside") : "sideways"});
      sent.push_back({"LARS", valid, step});
    } else {
      session->submit(engine::Describe{"stress " + std::to_string(i), "a description"});
      sent.push_back({"", true, step});
    }
    // What the window does in between: read the store, pause and play, single steps.
    if (i % 50 == 0) store->read(0, engine::RunMetric::Loss, 0, store->stepCount(0), poll);
    if (i % 997 == 0) controller->post(SessionController::Pause{});
    if (i % 997 == 500) controller->post(SessionController::Step{3});
    if (i % 997 == 700) controller->post(SessionController::Play{});
    // Spread the commands over training, as a user dragging a slider does: while playing, every
    // tenth command waits for the next step (submitting faster would land them all in a few
    // steps and test nothing about commands meeting a step in progress).
    if (i % 10 == 9 && controller->state() == SessionController::State::Playing) {
      QDeadlineTimer stepDeadline(5'000);
      while (session->currentStep() == step && !stepDeadline.hasExpired()) QThread::yieldCurrentThread();
    }
  }
  // Flush: pause, then one more step applies whatever is still queued. Step only schedules the
  // worker's pump, so wait until the step has been taken and the pump has returned.
  controller->post(SessionController::Pause{}, SessionController::Delivery::Wait);
  const long flushTo = session->currentStep() + 1;
  controller->post(SessionController::Step{1}, SessionController::Delivery::Wait);
  QDeadlineTimer deadline(60'000);
  while (session->currentStep() < flushTo && !deadline.hasExpired()) QThread::msleep(1);
  ASSERT_GE(session->currentStep(), flushTo) << "the flushing step was never taken";
  controller->sync();

  std::vector<engine::Event> events;
  for (const engine::Event& e : store->events(eventsBefore))
    if (e.kind != engine::EventKind::Diverged && e.kind != engine::EventKind::Warning) events.push_back(e);
  ASSERT_EQ(events.size(), sent.size()) << "commands lost or duplicated";
  long previousStep = 0;
  int rejected = 0;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const engine::Event& e = events[i];
    SCOPED_TRACE("command " + std::to_string(i) + ": " + e.detail);
    EXPECT_EQ(e.run, sent[i].run);
    if (sent[i].valid) {
      EXPECT_NE(e.kind, engine::EventKind::Rejected) << "a valid command was rejected";
    } else {
      EXPECT_EQ(e.kind, engine::EventKind::Rejected);
      EXPECT_FALSE(e.detail.empty()) << "rejected without a reason";
      ++rejected;
    }
    // Run events carry the run's step, describe events the session's: both at or after the
    // step training had reached when the command was sent, and in order.
    EXPECT_GE(e.step, sent[i].stepBefore);
    EXPECT_GE(e.step, previousStep);
    previousStep = e.step;
  }
  for (const auto& [key, value] : lastValid)
    EXPECT_DOUBLE_EQ(store->appliedHyperparameter(key.first, key.second), value) << key.first << " " << key.second;
  std::printf("%zu commands: %d rejected, applied over steps %ld..%ld\n", sent.size(), rejected, sent.front().stepBefore,
              previousStep);

}

}  // namespace
}  // namespace larslab::ui
