// Stress (issue 16 b): every registered optimizer with every hyperparameter at both ends of its
// valid range, on three small workloads (a tanh MLP on spirals, a deep ReLU MLP on moons, a
// convolutional net with BatchNorm on Fashion-MNIST images). Whatever the values do, a run must
// end finite, or be flagged (diverged, blew up or stalled) with a reason; nothing may throw,
// crash or fail to finish. The asan preset runs this under ASan+UBSan.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/experiment.h"
#include "engine/session.h"
#include "optim/optimizer.h"

namespace larslab::engine {
namespace {

constexpr long kSteps = 40;

struct Workload {
  const char* name;
  std::string json;  // the experiment without its runs
};

std::vector<Workload> workloads() {
  const std::string tail = R"(, "batch_size": 8, "steps": 40, "eval_every": 20, "seed": 5)";
  // The Fashion-MNIST fixture holds 6 training images.
  const std::string imageTail = R"(, "batch_size": 4, "steps": 40, "eval_every": 20, "seed": 5)";
  return {
      {"spirals tanh MLP",
       R"({"version": 1, "dataset": {"kind": "spirals", "samples": 200},
           "model": {"layers": [{"type": "dense", "units": 8}, {"type": "tanh"},
                                {"type": "dense", "units": 8}, {"type": "tanh"}, {"type": "dense", "units": 2}]})" + tail},
      {"moons deep ReLU MLP",
       R"({"version": 1, "dataset": {"kind": "moons", "samples": 200},
           "model": {"layers": [{"type": "dense", "units": 8}, {"type": "relu"}, {"type": "dense", "units": 8},
                                {"type": "relu"}, {"type": "dense", "units": 8}, {"type": "relu"},
                                {"type": "dense", "units": 8}, {"type": "relu"}, {"type": "dense", "units": 2}]})" + tail},
      {"Fashion-MNIST CNN with BatchNorm",
       R"({"version": 1, "dataset": {"kind": "fashion_mnist", "path": ")" LARSLAB_FIXTURE_DIR R"(/fashion-tiny"},
           "model": {"layers": [{"type": "conv2d", "filters": 2, "kernel": 3, "padding": 1}, {"type": "batchnorm"},
                                {"type": "relu"}, {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
                                {"type": "dense", "units": 10}]})" + imageTail},
  };
}

// One run per hyperparameter and end, plus every hyperparameter at its minimum and at its maximum.
std::vector<RunSpec> extremeRuns(const optim::OptimizerInfo& info) {
  std::vector<RunSpec> runs;
  auto add = [&](const std::string& name, const std::map<std::string, double>& values) {
    RunSpec r;
    r.name = name;
    r.optimizer.type = info.type;
    r.optimizer.hyperparameters = values;
    runs.push_back(r);
  };
  std::map<std::string, double> allMin;
  std::map<std::string, double> allMax;
  for (const optim::HyperparameterSpec& h : info.hyperparameters) {
    add(h.name + " min", {{h.name, h.minValue}});
    add(h.name + " max", {{h.name, h.maxValue}});
    allMin[h.name] = h.minValue;
    allMax[h.name] = h.maxValue;
  }
  add("all min", allMin);
  add("all max", allMax);
  return runs;
}

bool allFinite(const MetricsStore& store, int run) {
  std::vector<float> values;
  store.read(run, RunMetric::Loss, 0, store.stepCount(run), values);
  for (float v : values)
    if (!std::isfinite(v)) return false;
  for (int t = 0; t < store.tensorCount(); ++t) {
    store.read(run, t, TensorMetric::WeightNorm, 0, store.stepCount(run), values);
    for (float v : values)
      if (!std::isfinite(v)) return false;
  }
  return true;
}

TEST(ExtremesStress, EveryOptimizerAtBothEndsOfEveryHyperparameterEndsFiniteOrFlagged) {
  int runsChecked = 0;
  int flagged = 0;
  for (const Workload& w : workloads()) {
    ExperimentSpec base = parseExperiment(w.json + R"(, "runs": [{"name": "x", "optimizer": {"type": "sgd"}}]})",
                                          std::string(w.name) + ".json");
    for (const optim::OptimizerInfo& info : optim::optimizerRegistry()) {
      SCOPED_TRACE(std::string(w.name) + ", " + info.type);
      ExperimentSpec spec = base;
      spec.runs = extremeRuns(info);
      try {
        Session session(spec, SessionOptions{.threads = 0});
        long calls = 0;
        while (session.step()) ASSERT_LT(++calls, kSteps + 5) << "the session does not finish";
        const auto store = session.metrics();
        ASSERT_EQ(store->runCount(), static_cast<int>(spec.runs.size()));
        for (int r = 0; r < store->runCount(); ++r) {
          const RunStatusInfo status = store->status(r);
          const bool isFlagged = status.diverged || status.warning != RunWarning::None;
          ++runsChecked;
          if (isFlagged) {
            ++flagged;
            EXPECT_FALSE(status.diverged ? status.reason.empty() : status.warningDetail.empty())
                << store->runName(r) << ": flagged without a reason";
            continue;
          }
          EXPECT_TRUE(status.finished) << store->runName(r);
          EXPECT_EQ(store->stepCount(r), kSteps) << store->runName(r);
          EXPECT_TRUE(allFinite(*store, r)) << store->runName(r) << ": non-finite values, not flagged";
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "escaped: " << e.what();
      }
    }
  }
  // Every registered optimizer has hyperparameters: each workload checks many runs, and the
  // extremes do break some of them (a test of this kind that flags nothing checks nothing).
  EXPECT_GT(runsChecked, 3 * static_cast<int>(optim::optimizerRegistry().size()) * 3);
  EXPECT_GT(flagged, 0);
  RecordProperty("runs", runsChecked);
  RecordProperty("flagged", flagged);
  std::printf("%d runs at extreme hyperparameters, %d flagged (diverged, blew up or stalled)\n", runsChecked, flagged);
}

}  // namespace
}  // namespace larslab::engine
