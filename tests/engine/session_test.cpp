// Session: identical starts and batches, determinism across thread counts, commands at step
// boundaries, reset, add/remove, divergence.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "engine/session.h"
#include "tiny_experiment.h"

namespace larslab::engine {
namespace {

using testing::tinySpec;

void runToEnd(Session& session) {
  int guard = 0;
  while (session.step() && ++guard < 100000) {
  }
}

std::vector<float> column(const MetricsStore& store, int run, RunMetric metric) {
  std::vector<float> out;
  store.read(run, metric, 0, store.stepCount(run), out);
  return out;
}

std::vector<float> column(const MetricsStore& store, int run, int tensor, TensorMetric metric) {
  std::vector<float> out;
  store.read(run, tensor, metric, 0, store.stepCount(run), out);
  return out;
}

bool bitwiseEqual(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool bitwiseEqual(const nn::ParameterStore& a, const nn::ParameterStore& b) {
  return a.flat().size() == b.flat().size() &&
         std::memcmp(a.flat().data(), b.flat().data(),
                     static_cast<std::size_t>(a.flat().size()) * sizeof(float)) == 0;
}

// Every run metric and tensor metric of every run, bitwise.
void expectSameMetrics(const MetricsStore& a, const MetricsStore& b) {
  ASSERT_EQ(a.runCount(), b.runCount());
  ASSERT_EQ(a.tensorCount(), b.tensorCount());
  for (int r = 0; r < a.runCount(); ++r) {
    ASSERT_EQ(a.stepCount(r), b.stepCount(r));
    for (int m = 0; m < kRunMetricCount; ++m)
      EXPECT_TRUE(bitwiseEqual(column(a, r, static_cast<RunMetric>(m)),
                               column(b, r, static_cast<RunMetric>(m))))
          << a.runName(r) << " " << runMetricName(static_cast<RunMetric>(m));
    for (int t = 0; t < a.tensorCount(); ++t)
      for (int m = 0; m < kTensorMetricCount; ++m)
        EXPECT_TRUE(bitwiseEqual(column(a, r, t, static_cast<TensorMetric>(m)),
                                 column(b, r, t, static_cast<TensorMetric>(m))))
            << a.runName(r) << " tensor " << t << " "
            << tensorMetricName(static_cast<TensorMetric>(m));
    const auto ea = a.evaluations(r), eb = b.evaluations(r);
    ASSERT_EQ(ea.size(), eb.size());
    for (std::size_t i = 0; i < ea.size(); ++i) {
      EXPECT_EQ(ea[i].step, eb[i].step);
      EXPECT_EQ(ea[i].loss, eb[i].loss);
    }
  }
}

TEST(Session, TrainsEveryRunToTheEndAndEvaluates) {
  Session session(tinySpec(100), SessionOptions{2});
  EXPECT_EQ(session.totalSteps(), 100);
  EXPECT_DOUBLE_EQ(session.stepsPerEpoch(), 9.0);  // floor(300 train samples / 32)
  runToEnd(session);
  EXPECT_TRUE(session.finished());
  EXPECT_EQ(session.currentStep(), 100);
  EXPECT_FALSE(session.step());
  const auto store = session.metrics();
  ASSERT_EQ(store->runCount(), 3);
  EXPECT_EQ(store->tensorCount(), 6);  // 3 dense layers x (weight, bias)
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(store->stepCount(r), 100);
    EXPECT_TRUE(store->status(r).finished);
    const auto evals = store->evaluations(r);
    ASSERT_EQ(evals.size(), 5u);  // steps 0, 25, 50, 75, 100
    EXPECT_EQ(evals.front().step, 0);
    EXPECT_EQ(evals.back().step, 100);
    EXPECT_GE(evals.back().accuracy, 0.0);
    EXPECT_LE(evals.back().accuracy, 1.0);
  }
  // Adam learns something on 100 steps: its test loss drops below the initial one.
  const auto adam = store->evaluations(store->runIndex("Adam"));
  EXPECT_LT(adam.back().loss, adam.front().loss);
  // The LR column carries the global LR of each step (constant schedule: the base LR).
  EXPECT_FLOAT_EQ(store->value(store->runIndex("SGD"), RunMetric::LearningRate, 10), 0.0625f);
}

TEST(Session, RunsStartFromIdenticalWeightsAndSeeIdenticalBatches) {
  ExperimentSpec spec = tinySpec(60);
  spec.runs[1] = spec.runs[0];  // two LARS runs with the same settings
  spec.runs[1].name = "LARS twin";
  Session session(spec, SessionOptions{2});
  // Step 0 loss equal for all runs: same initial weights, same first batch.
  session.step();
  const auto store = session.metrics();
  EXPECT_EQ(store->value(0, RunMetric::Loss, 0), store->value(2, RunMetric::Loss, 0));
  runToEnd(session);
  for (int m = 0; m < kRunMetricCount; ++m)
    EXPECT_TRUE(bitwiseEqual(column(*store, 0, static_cast<RunMetric>(m)),
                             column(*store, 1, static_cast<RunMetric>(m))));
  for (int t = 0; t < store->tensorCount(); ++t)
    EXPECT_TRUE(bitwiseEqual(column(*store, 0, t, TensorMetric::TrustRatio),
                             column(*store, 1, t, TensorMetric::TrustRatio)));
  EXPECT_TRUE(bitwiseEqual(session.parameters("LARS"), session.parameters("LARS twin")));
  EXPECT_FALSE(bitwiseEqual(session.parameters("LARS"), session.parameters("Adam")));
}

TEST(Session, SameSeedGivesBitwiseIdenticalMetricsWithOneAndTwoThreads) {
  Session one(tinySpec(80), SessionOptions{1});
  Session two(tinySpec(80), SessionOptions{2});
  EXPECT_EQ(one.threads(), 1);
  EXPECT_EQ(two.threads(), 2);
  runToEnd(one);
  runToEnd(two);
  expectSameMetrics(*one.metrics(), *two.metrics());
  for (const char* run : {"LARS", "SGD", "Adam"})
    EXPECT_TRUE(bitwiseEqual(one.parameters(run), two.parameters(run))) << run;
}

TEST(Session, DifferentSeedGivesDifferentMetrics) {
  ExperimentSpec other = tinySpec(10);
  other.seed = 4;
  Session a(tinySpec(10), SessionOptions{2});
  Session b(other, SessionOptions{2});
  runToEnd(a);
  runToEnd(b);
  EXPECT_FALSE(bitwiseEqual(column(*a.metrics(), 0, RunMetric::Loss),
                            column(*b.metrics(), 0, RunMetric::Loss)));
}

// Changing lr at step 40 from 0.0625 to 0.03125 must equal a step schedule that halves the LR at
// step 40 (schedules never touch optimizer state): bitwise, if and only if the momentum buffer
// is kept across the change.
TEST(Session, HyperparameterChangeAppliesAtTheNextStepAndKeepsOptimizerState) {
  ExperimentSpec tuned = tinySpec(80);
  tuned.runs.erase(tuned.runs.begin());  // SGD (momentum), Adam
  ExperimentSpec scheduled = tuned;
  scheduled.runs[0].schedule.kind = "step";
  scheduled.runs[0].schedule.stepSize = 40;
  scheduled.runs[0].schedule.gamma = 0.5;

  Session a(tuned, SessionOptions{2});
  Session b(scheduled, SessionOptions{2});
  for (int i = 0; i < 40; ++i) {
    a.step();
    b.step();
  }
  a.submit(SetHyperparameter{"SGD", "lr", 0.03125});
  EXPECT_EQ(a.metrics()->appliedHyperparameter("SGD", "lr"), 0.0625);  // queued, not applied yet
  a.step();
  EXPECT_EQ(a.metrics()->appliedHyperparameter("SGD", "lr"), 0.03125);
  runToEnd(a);
  runToEnd(b);
  const auto sa = a.metrics();
  const auto sb = b.metrics();
  EXPECT_TRUE(bitwiseEqual(column(*sa, 0, RunMetric::Loss), column(*sb, 0, RunMetric::Loss)));
  EXPECT_TRUE(bitwiseEqual(a.parameters("SGD"), b.parameters("SGD")));
  EXPECT_FLOAT_EQ(sa->value(0, RunMetric::LearningRate, 39), 0.0625f);
  EXPECT_FLOAT_EQ(sa->value(0, RunMetric::LearningRate, 40), 0.03125f);

  const auto events = sa->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].step, 40);
  EXPECT_EQ(events[0].run, "SGD");
  EXPECT_EQ(events[0].kind, EventKind::Set);
  EXPECT_EQ(events[0].detail, "lr 0.0625 -> 0.03125");
  // The saved experiment carries the tuned value.
  EXPECT_EQ(sa->experiment()->runs[0].optimizer.hyperparameters.at("lr"), 0.03125);
}

// Name and description are what Save writes: a command changes them in the experiment record,
// logs one event, and leaves training alone.
TEST(Session, DescribeRenamesTheRecordedExperimentWithoutTouchingTraining) {
  Session a(tinySpec(10), SessionOptions{1});
  Session b(tinySpec(10), SessionOptions{1});
  a.submit(Describe{"Renamed", "A new description."});
  a.submit(Describe{"", "no name"});
  a.step();
  b.step();
  const auto record = a.metrics()->experiment();
  EXPECT_EQ(record->name, "Renamed");
  EXPECT_EQ(record->description, "A new description.");
  const auto events = a.metrics()->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventKind::Described);
  EXPECT_EQ(events[0].detail, "name \"" + tinySpec(10).name + "\" -> \"Renamed\", description");
  EXPECT_EQ(events[1].kind, EventKind::Rejected);
  EXPECT_EQ(a.metrics()->value(0, RunMetric::Loss, 0), b.metrics()->value(0, RunMetric::Loss, 0));
  // Unchanged text: nothing to record.
  a.submit(Describe{"Renamed", "A new description."});
  a.step();
  EXPECT_EQ(a.metrics()->events().size(), 2u);
}

TEST(Session, InvalidCommandsAreRejectedWithAnEventNotAnException) {
  Session session(tinySpec(20), SessionOptions{1});
  session.submit(SetHyperparameter{"LARS", "eta", -1.0});
  session.submit(SetHyperparameter{"LARS", "etta", 0.01});
  session.submit(SetHyperparameter{"nobody", "lr", 0.1});
  session.submit(SetOption{"LARS", "denominator", "sideways"});
  session.submit(RemoveRun{"nobody"});
  RunSpec bad;
  bad.name = "bad";
  bad.optimizer.type = "warp_drive";
  session.submit(AddRun{bad});
  EXPECT_NO_THROW(session.step());
  const auto events = session.metrics()->events();
  ASSERT_EQ(events.size(), 6u);
  for (const Event& e : events) EXPECT_EQ(e.kind, EventKind::Rejected) << e.detail;
  EXPECT_NE(events[0].detail.find("eta: must be in"), std::string::npos) << events[0].detail;
  EXPECT_NE(events[1].detail.find("did you mean eta?"), std::string::npos) << events[1].detail;
  EXPECT_EQ(session.metrics()->appliedHyperparameter("LARS", "eta"), 0.01);
  EXPECT_EQ(session.metrics()->runCount(), 3);
  EXPECT_THROW((void)session.metrics()->appliedHyperparameter("LARS", "nope"),
               std::invalid_argument);
}

TEST(Session, OptionChangeRebuildsTheOptimizer) {
  Session session(tinySpec(20), SessionOptions{1});
  session.step();
  session.submit(SetOption{"LARS", "denominator", "norm_of_sum"});
  session.step();
  const auto events = session.metrics()->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::Option);
  EXPECT_EQ(events[0].step, 1);
  EXPECT_EQ(session.metrics()->experiment()->runs[0].optimizer.options.at("denominator"),
            "norm_of_sum");
}

// Reset is a new session built from the experiment the store records (session.h).
TEST(Session, ResetRestoresTheInitialWeightsAndRepeatsTheRun) {
  Session session(tinySpec(40), SessionOptions{2});
  for (int i = 0; i < 15; ++i) session.step();
  const auto before = session.metrics();
  std::vector<float> firstLoss = column(*before, 1, RunMetric::Loss);
  EXPECT_FALSE(bitwiseEqual(session.parameters("SGD"), session.initialParameters()));

  Session reset(*before->experiment(), SessionOptions{2});
  EXPECT_EQ(session.metrics(), before);  // the running session is untouched
  reset.step();
  const auto after = reset.metrics();
  EXPECT_NE(after, before);
  EXPECT_EQ(reset.currentStep(), 1);
  EXPECT_EQ(after->stepCount(1), 1);
  EXPECT_EQ(before->stepCount(1), 15);  // the old store is still readable
  for (int i = 1; i < 15; ++i) reset.step();
  EXPECT_TRUE(
      bitwiseEqual(column(*after, 1, RunMetric::Loss), firstLoss));  // same batches, same start
  EXPECT_TRUE(after->events().empty());  // a fresh start, without the old command history

  // After a reset the weights equal a fresh session's after the same number of steps.
  Session fresh(tinySpec(40), SessionOptions{1});
  for (int i = 0; i < 15; ++i) fresh.step();
  for (const char* run : {"LARS", "SGD", "Adam"})
    EXPECT_TRUE(bitwiseEqual(reset.parameters(run), fresh.parameters(run))) << run;
  EXPECT_TRUE(bitwiseEqual(reset.initialParameters(), fresh.initialParameters()));
}

TEST(Session, ResetKeepsTunedValuesOptionsAndAddedRunsAndDropsRemovedOnes) {
  Session session(tinySpec(40), SessionOptions{1});
  session.step();
  RunSpec late = session.metrics()->experiment()->runs[2];  // Adam
  late.name = "Adam late";
  session.submit(SetHyperparameter{"SGD", "lr", 0.03125});
  session.submit(SetOption{"LARS", "denominator", "norm_of_sum"});
  session.submit(AddRun{late});
  session.submit(RemoveRun{"Adam"});
  session.step();

  Session reset(*session.metrics()->experiment(), SessionOptions{1});
  const auto store = reset.metrics();
  EXPECT_EQ(reset.currentStep(), 0);
  ASSERT_EQ(store->runCount(), 3);
  EXPECT_EQ(store->runName(0), "LARS");
  EXPECT_EQ(store->runName(1), "SGD");
  EXPECT_EQ(store->runName(2), "Adam late");
  EXPECT_EQ(store->appliedHyperparameter("SGD", "lr"), 0.03125);
  EXPECT_EQ(store->experiment()->runs[0].optimizer.options.at("denominator"), "norm_of_sum");
  EXPECT_TRUE(bitwiseEqual(reset.parameters("Adam late"), reset.initialParameters()));
}

TEST(Session, AddedRunReplaysFromTheInitialWeightsAndRemovedRunStops) {
  Session session(tinySpec(100), SessionOptions{2});
  for (int i = 0; i < 30; ++i) session.step();
  RunSpec copy = session.metrics()->experiment()->runs[2];  // Adam
  copy.name = "Adam late";
  session.submit(AddRun{copy});
  session.submit(RemoveRun{"LARS"});
  session.step();
  const auto store = session.metrics();
  ASSERT_EQ(store->runCount(), 4);
  const int late = store->runIndex("Adam late");
  EXPECT_EQ(late, 3);
  EXPECT_TRUE(store->status(store->runIndex("LARS")).removed);
  EXPECT_EQ(store->stepCount(store->runIndex("LARS")), 30);
  EXPECT_THROW((void)session.parameters("LARS"), std::invalid_argument);
  runToEnd(session);
  EXPECT_EQ(store->stepCount(late), 100);
  // The late run saw the same start and batches as the original Adam run.
  EXPECT_TRUE(
      bitwiseEqual(column(*store, 2, RunMetric::Loss), column(*store, late, RunMetric::Loss)));
  EXPECT_TRUE(bitwiseEqual(session.parameters("Adam"), session.parameters("Adam late")));
  const ExperimentSpec current = *store->experiment();
  ASSERT_EQ(current.runs.size(), 3u);
  EXPECT_EQ(current.runs[0].name, "SGD");
  EXPECT_EQ(current.runs[2].name, "Adam late");
  const auto events = store->events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventKind::Added);
  EXPECT_EQ(events[1].kind, EventKind::Removed);
  EXPECT_EQ(events[1].step, 30);
}

TEST(Session, DivergingRunIsMarkedAndTheOthersContinue) {
  ExperimentSpec spec = parseExperiment(R"({
    "version": 1, "name": "diverge",
    "dataset": {"kind": "regression_saddle", "samples": 300, "noise": 0.0},
    "model": {"layers": [{"type": "dense", "units": 16}, {"type": "relu"}, {"type": "dense", "units": 1}],
              "loss": "mse"},
    "batch_size": 16, "steps": 60, "eval_every": 10,
    "runs": [{"name": "SGD huge", "optimizer": {"type": "sgd", "lr": 10}},
             {"name": "Adam", "optimizer": {"type": "adam", "lr": 0.001}}]})",
                                        "diverge.json");
  Session session(spec, SessionOptions{2});
  runToEnd(session);
  const auto store = session.metrics();
  const RunStatusInfo huge = store->status(0);
  ASSERT_TRUE(huge.diverged);
  EXPECT_GT(huge.divergedAtStep, 0);
  EXPECT_LT(huge.divergedAtStep, 60);
  EXPECT_EQ(store->stepCount(0), huge.divergedAtStep + 1);  // the diverging step is recorded
  if (huge.reason.rfind("loss", 0) == 0) {
    EXPECT_FALSE(std::isfinite(store->value(0, RunMetric::Loss, huge.divergedAtStep)));
  }
  EXPECT_EQ(
      huge.describe().rfind("diverged at step " + std::to_string(huge.divergedAtStep) + ": ", 0),
      0u);
  EXPECT_TRUE(huge.reason.rfind("loss is ", 0) == 0 || huge.reason.rfind("parameter ", 0) == 0)
      << huge.reason;
  EXPECT_FALSE(store->status(1).diverged);
  EXPECT_TRUE(store->status(1).finished);
  EXPECT_EQ(store->stepCount(1), 60);
  // Regression: accuracy is not defined and is recorded as NaN.
  EXPECT_TRUE(std::isnan(store->value(1, RunMetric::Accuracy, 0)));
  bool event = false;
  for (const Event& e : store->events())
    event |= e.kind == EventKind::Diverged && e.run == "SGD huge" && e.step == huge.divergedAtStep;
  EXPECT_TRUE(event);
}

TEST(Session, BadDataOrModelIsReportedAtConstruction) {
  ExperimentSpec spec = tinySpec(10);
  spec.batchSize = 301;
  try {
    Session session(spec);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("batch_size:", 0), 0u) << e.what();
  }
  spec = tinySpec(10);
  spec.dataset.kind = "csv";
  spec.dataset.path = "/nonexistent/data.csv";
  try {
    Session session(spec);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/data.csv"), std::string::npos) << e.what();
  }
}

TEST(Session, CommandsFromAnotherThreadWhileTraining) {
  Session session(tinySpec(200), SessionOptions{2});
  std::thread gui([&] {
    for (int i = 0; i < 50; ++i) {
      session.submit(SetHyperparameter{"LARS", "eta", 0.001 * (1 + i % 5)});
      const auto store = session.metrics();
      std::vector<float> out;
      store->read(0, RunMetric::Loss, 0, store->stepCount(0), out);
      (void)store->experiment();
      (void)store->appliedHyperparameter("LARS", "eta");
    }
  });
  runToEnd(session);
  gui.join();
  runToEnd(session);  // apply anything queued after the last step
  EXPECT_EQ(session.metrics()->stepCount(0), 200);
  std::size_t sets = 0;
  for (const Event& e : session.metrics()->events()) sets += e.kind == EventKind::Set;
  EXPECT_EQ(sets, 50u);
}

}  // namespace
}  // namespace larslab::engine
