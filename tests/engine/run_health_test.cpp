// The health check: finite blow-ups and stalls flagged on real training runs (and on fed
// sequences for the rules' edges), healthy runs and the built-in examples not flagged, the
// "health" section of the experiment file, and the warning's round trip through events.csv.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unistd.h>

#include "engine/csv_export.h"
#include "engine/csv_log_reader.h"
#include "engine/experiment.h"
#include "engine/run_health.h"
#include "data/fashion_mnist.h"
#include "engine/session.h"

namespace larslab::engine {
namespace {

namespace fs = std::filesystem;

void runToEnd(Session& session) {
  while (session.step()) {
  }
}

const Event* findWarning(const MetricsStore& store, const std::string& run) {
  static std::vector<Event> events;
  events = store.events();
  for (const Event& e : events)
    if (e.kind == EventKind::Warning && e.run == run) return &e;
  return nullptr;
}

// A 2-32-2 tanh MLP on spirals. "LARS wild" (lr 10, eta 0.05, momentum 0.99, no weight decay)
// grows every |w| geometrically: before this check it ended "finished" with a loss of 4.7e10 and
// |w| of 1e11 after 300 steps. "Adam" is the healthy control.
std::string blowUpJson(long steps, const std::string& health = "") {
  return R"({"version": 1, "name": "blow-up",
    "dataset": {"kind": "spirals", "samples": 1000, "noise": 0.1},
    "model": {"layers": [{"type": "dense", "units": 32}, {"type": "tanh"}, {"type": "dense", "units": 2}],
              "loss": "cross_entropy"},
    "batch_size": 64, "steps": )" +
         std::to_string(steps) + R"(, "eval_every": 50, "seed": 3, )" + health + R"(
    "runs": [{"name": "LARS wild", "optimizer": {"type": "lars", "lr": 10, "eta": 0.05, "momentum": 0.99, "weight_decay": 0}},
             {"name": "Adam", "optimizer": {"type": "adam", "lr": 0.01}}]})";
}

TEST(RunHealth, AFiniteBlowUpIsFlaggedWithItsStepAndTensorAndTheRunKeepsTraining) {
  Session session(parseExperiment(blowUpJson(300), "blow.json"), SessionOptions{2});
  runToEnd(session);
  const auto store = session.metrics();
  const RunStatusInfo wild = store->status(0);
  ASSERT_FALSE(wild.diverged) << wild.describe();
  EXPECT_TRUE(wild.finished);
  EXPECT_EQ(store->stepCount(0), 300) << "a warning does not stop the run";
  const float lastLoss = store->value(0, RunMetric::Loss, 299);
  ASSERT_TRUE(std::isfinite(lastLoss));
  EXPECT_GT(lastLoss, 1e3f * store->value(0, RunMetric::Loss, 0)) << "the configuration really blows up";
  ASSERT_EQ(wild.warning, RunWarning::BlowUp) << wild.describe();
  EXPECT_GT(wild.warningAtStep, 0);
  EXPECT_LT(wild.warningAtStep, 100);
  EXPECT_EQ(wild.describe(), "finished; blew up at step " + std::to_string(wild.warningAtStep));
  // The tensor named is one of the model's and really grew by then.
  const int t = [&] {
    for (int i = 0; i < store->tensorCount(); ++i)
      if (store->tensors()[static_cast<std::size_t>(i)].name == wild.warningTensor) return i;
    return -1;
  }();
  ASSERT_GE(t, 0) << wild.warningTensor;
  EXPECT_GT(store->value(0, t, TensorMetric::WeightNorm, wild.warningAtStep),
            store->value(0, t, TensorMetric::WeightNorm, 0));
  // The smoothed loss is >10x the start at the flagged step, so the raw loss is high around it.
  EXPECT_GT(store->value(0, RunMetric::Loss, wild.warningAtStep), store->value(0, RunMetric::Loss, 0));
  const Event* event = findWarning(*store, "LARS wild");
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->step, wild.warningAtStep);
  EXPECT_EQ(event->detail, wild.warningDetail);
  EXPECT_EQ(event->detail.rfind("blew up at step " + std::to_string(wild.warningAtStep) + ": ", 0), 0u);
  EXPECT_NE(event->detail.find("first to grow: " + wild.warningTensor), std::string::npos);
  // The healthy control is not flagged.
  EXPECT_EQ(store->status(1).warning, RunWarning::None) << store->status(1).warningDetail;
  EXPECT_EQ(findWarning(*store, "Adam"), nullptr);
}

TEST(RunHealth, TheThresholdsComeFromTheExperimentFile) {
  // A blow-up factor so large only the weight rule is left, and that one moved far out too.
  Session session(parseExperiment(blowUpJson(60, R"("health": {"blowup_factor": 1e12, "weight_growth": 1e12},)"),
                                  "blow.json"),
                  SessionOptions{2});
  runToEnd(session);
  EXPECT_EQ(session.metrics()->status(0).warning, RunWarning::None) << session.metrics()->status(0).warningDetail;
  // With a low weight-growth threshold the weight rule fires first and names its tensor.
  Session weights(parseExperiment(blowUpJson(60, R"("health": {"blowup_factor": 1e12, "weight_growth": 3},)"),
                                  "blow.json"),
                  SessionOptions{2});
  runToEnd(weights);
  const RunStatusInfo st = weights.metrics()->status(0);
  ASSERT_EQ(st.warning, RunWarning::BlowUp);
  EXPECT_NE(st.warningDetail.find("|w| of " + st.warningTensor + " grew"), std::string::npos) << st.warningDetail;
  EXPECT_NE(st.warningDetail.find("past 3x at step " + std::to_string(st.warningAtStep)), std::string::npos)
      << st.warningDetail;
}

// Momentum SGD at lr 1 kills every ReLU of a 2-32-32-2 net within a few steps: the weight
// tensors' |g| is exactly 0 from then on and the loss sits at ln 2 with accuracy 1/2. (The
// output bias keeps a small gradient from each batch's label mix, which is why biases are not
// part of the gradient rule.) "tiny lr" (1e-6) does learn nothing either, but its gradients and
// its loss (0.78, above ln 2 from the initial logits) look alive: it is not flagged.
std::string stallJson(const std::string& health = "") {
  return R"({"version": 1, "name": "stall",
    "dataset": {"kind": "spirals", "samples": 1000, "noise": 0.1},
    "model": {"layers": [{"type": "dense", "units": 32}, {"type": "relu"}, {"type": "dense", "units": 32},
                         {"type": "relu"}, {"type": "dense", "units": 2}], "loss": "cross_entropy"},
    "batch_size": 64, "steps": 300, "eval_every": 50, "seed": 3, )" +
         health + R"(
    "runs": [{"name": "dead", "optimizer": {"type": "momentum", "lr": 1, "momentum": 0.9}},
             {"name": "SGD", "optimizer": {"type": "sgd", "lr": 1}},
             {"name": "tiny lr", "optimizer": {"type": "sgd", "lr": 1e-6}}]})";
}

TEST(RunHealth, AStallIsFlaggedWithItsStep) {
  Session session(parseExperiment(stallJson(), "stall.json"), SessionOptions{2});
  runToEnd(session);
  const auto store = session.metrics();
  const RunStatusInfo dead = store->status(0);
  ASSERT_EQ(dead.warning, RunWarning::Stall) << dead.describe();
  EXPECT_TRUE(dead.finished);
  EXPECT_EQ(store->stepCount(0), 300);
  // Burn-in 100 + patience 100: never before step 199, and exactly 100 steps after the weight
  // gradients died.
  EXPECT_GE(dead.warningAtStep, 199) << dead.warningDetail;
  EXPECT_EQ(dead.describe(), "finished; stalled at step " + std::to_string(dead.warningAtStep));
  EXPECT_NE(dead.warningDetail.find("|g| is below"), std::string::npos) << dead.warningDetail;
  const long died = dead.warningAtStep - 99;
  bool aliveBefore = false;
  for (int t = 0; t < store->tensorCount(); ++t) {
    if (store->tensors()[static_cast<std::size_t>(t)].kind != nn::TensorKind::Weight) continue;
    aliveBefore |= store->value(0, t, TensorMetric::GradNorm, died - 1) > 0.0f;
    for (long k = died; k <= dead.warningAtStep; ++k)
      ASSERT_EQ(store->value(0, t, TensorMetric::GradNorm, k), 0.0f) << k;
  }
  EXPECT_TRUE(aliveBefore || died == HealthSpec{}.burnInSteps) << "the streak starts where the gradients died";
  EXPECT_EQ(store->status(1).warning, RunWarning::None) << store->status(1).warningDetail;
  EXPECT_EQ(store->status(2).warning, RunWarning::None) << store->status(2).warningDetail;

}

TEST(RunHealth, ALossAtChanceIsAStallButAPlateauAboveChanceIsNot) {
  HealthSpec spec;
  spec.burnInSteps = 10;
  spec.patienceSteps = 30;
  // Live gradients, a loss of ln 3 and an accuracy of 1/3: at chance for 3 classes.
  RunHealth health(spec, {{"w", true}, {"b", false}}, 3);
  std::optional<HealthWarning> w;
  long step = 0;
  for (; step < 200 && !w; ++step) {
    health.setTensor(0, 1.0, 0.5);
    health.setTensor(1, 0.1, 0.5);
    w = health.observe(step, std::log(3.0) * (step % 2 ? 1.01 : 0.99), step % 3 == 0 ? 0.36 : 0.32);
  }
  ASSERT_TRUE(w);
  EXPECT_EQ(w->kind, RunWarning::Stall);
  EXPECT_EQ(w->step, spec.burnInSteps + spec.patienceSteps - 1);
  EXPECT_NE(w->detail.find("the loss is at chance"), std::string::npos) << w->detail;
  EXPECT_NE(w->detail.find("ln 3"), std::string::npos) << w->detail;
  // The default example's SGD plateau: loss 0.663 (near ln 2) but accuracy 0.61: learning.
  RunHealth plateau(spec, {{"w", true}}, 2);
  for (long k = 0; k < 500; ++k) {
    plateau.setTensor(0, 1.0, 0.5);
    ASSERT_FALSE(plateau.observe(k, 0.663, 0.61)) << k;
  }
}

TEST(RunHealth, OneWildBatchIsNotABlowUpButASustainedRiseIs) {
  const HealthSpec spec;
  RunHealth health(spec, {{"w", true}}, 0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  long step = 0;
  auto feed = [&](double loss) {
    health.setTensor(0, 1.0, 1.0);
    return health.observe(step++, loss, nan);
  };
  for (int i = 0; i < 150; ++i) ASSERT_FALSE(feed(1.0 - 0.001 * i));
  ASSERT_FALSE(feed(1e9)) << "a single spike is capped";
  ASSERT_FALSE(feed(1e9)) << "two in a row are still capped";
  for (int i = 0; i < 200; ++i) ASSERT_FALSE(feed(0.85)) << "it decays back";
  // A sustained rise: flagged within a few steps, once.
  std::optional<HealthWarning> w;
  int after = 0;
  while (!w && after < 50) {
    w = feed(1e9);
    ++after;
  }
  ASSERT_TRUE(w);
  EXPECT_LE(after, 6);
  EXPECT_EQ(w->kind, RunWarning::BlowUp);
  EXPECT_FALSE(feed(1e9)) << "each kind is raised once";
}

TEST(RunHealth, ALossFarAboveItsBestIsABlowUpButWobblingNearZeroIsNot) {
  HealthSpec spec;
  spec.burnInSteps = 10;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  {
    RunHealth health(spec, {{"w", true}}, 0);
    long step = 0;
    // Converges from 1 to 1e-4, then wobbles at 1e-3: 10x its best, but 1000x below its start.
    for (int i = 0; i < 100; ++i) {
      health.setTensor(0, 1.0, 1.0);
      ASSERT_FALSE(health.observe(step++, i < 50 ? 1.0 - i * 0.02 + 1e-4 : 1e-4, nan));
    }
    for (int i = 0; i < 300; ++i) {
      health.setTensor(0, 1.0, 1.0);
      ASSERT_FALSE(health.observe(step++, 1.5e-3, nan));
    }
  }
  {
    RunHealth health(spec, {{"w", true}}, 0);
    long step = 0;
    for (int i = 0; i < 100; ++i) {
      health.setTensor(0, 1.0, 1.0);
      ASSERT_FALSE(health.observe(step++, i < 50 ? 1.0 - i * 0.0198 : 0.01, nan));
    }
    // Back up to half the start: 50x its best.
    std::optional<HealthWarning> w;
    for (int i = 0; i < 100 && !w; ++i) {
      health.setTensor(0, 1.0, 1.0);
      w = health.observe(step++, 0.5, nan);
    }
    ASSERT_TRUE(w);
    EXPECT_NE(w->detail.find("x its best 0.01"), std::string::npos) << w->detail;
  }
}

TEST(RunHealth, TheBuiltInExamplesAreNotFlagged) {
  // The files every user starts from, a few hundred steps each (the Fashion-MNIST ones fewer:
  // they are slow on two cores; larslab-cli runs them for 300 steps in the byte-identity check).
  const fs::path dir = fs::path(LARSLAB_SOURCE_DIR) / "resources" / "experiments";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ExperimentSpec spec = loadExperiment(entry.path().string());
    if (spec.dataset.kind == "fashion_mnist" && !fs::exists(data::defaultFashionMnistDir())) continue;
    ++files;
    const bool slow = spec.dataset.kind == "fashion_mnist";
    spec.steps = slow ? (spec.model.layers.size() > 6 ? 20 : 60) : 300;
    spec.epochs = 0.0;
    Session session(spec, SessionOptions{2});
    runToEnd(session);
    const auto store = session.metrics();
    for (int r = 0; r < store->runCount(); ++r)
      EXPECT_EQ(store->status(r).warning, RunWarning::None)
          << entry.path().filename() << " " << store->runName(r) << ": " << store->status(r).warningDetail;
  }
  EXPECT_GE(files, 2);
}

TEST(RunHealth, TheWarningRoundTripsThroughEventsCsv) {
  Session session(parseExperiment(blowUpJson(120), "blow.json"), SessionOptions{2});
  runToEnd(session);
  const auto store = session.metrics();
  const RunStatusInfo before = store->status(0);
  ASSERT_EQ(before.warning, RunWarning::BlowUp);
  const fs::path out = fs::temp_directory_path() / ("larslab_health_" + std::to_string(::getpid()));
  fs::remove_all(out);
  exportMetricsCsv(*store, out.string());
  std::ifstream events(out / "events.csv");
  const std::string text((std::istreambuf_iterator<char>(events)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(",warning,"), std::string::npos) << text;
  const auto log = readMetricsLog(out.string());
  const int run = log->runIndex("LARS wild");
  ASSERT_GE(run, 0);
  const RunStatusInfo after = log->status(run);
  EXPECT_EQ(after.warning, RunWarning::BlowUp);
  EXPECT_EQ(after.warningAtStep, before.warningAtStep);
  EXPECT_EQ(after.warningTensor, before.warningTensor);
  EXPECT_EQ(after.warningDetail, before.warningDetail);
  EXPECT_EQ(after.describe(), before.describe());
  EXPECT_EQ(log->status(log->runIndex("Adam")).warning, RunWarning::None);
  bool found = false;
  for (const Event& e : log->events()) found |= e.kind == EventKind::Warning && e.run == "LARS wild";
  EXPECT_TRUE(found);
  fs::remove_all(out);
}

TEST(RunHealth, TheHealthSectionIsReadValidatedAndWrittenOnlyWhenNotDefault) {
  const std::string base = blowUpJson(10);
  const ExperimentSpec plain = parseExperiment(base, "a.json");
  EXPECT_EQ(plain.health, HealthSpec{});
  EXPECT_EQ(experimentToJson(plain).find("health"), std::string::npos);

  const ExperimentSpec tuned = parseExperiment(
      blowUpJson(10, R"("health": {"blowup_factor": 50, "weight_growth": 1000, "stall_grad_factor": 1e-5,
                                   "chance_tolerance": 0.1, "burn_in_steps": 7, "patience_steps": 9,
                                   "smoothing_steps": 3},)"),
      "b.json");
  EXPECT_EQ(tuned.health.blowupFactor, 50);
  EXPECT_EQ(tuned.health.weightGrowth, 1000);
  EXPECT_EQ(tuned.health.stallGradFactor, 1e-5);
  EXPECT_EQ(tuned.health.chanceTolerance, 0.1);
  EXPECT_EQ(tuned.health.burnInSteps, 7);
  EXPECT_EQ(tuned.health.patienceSteps, 9);
  EXPECT_EQ(tuned.health.smoothingSteps, 3);
  EXPECT_EQ(parseExperiment(experimentToJson(tuned), "c.json").health, tuned.health);
  // Only the fields that differ are written.
  ExperimentSpec one = plain;
  one.health.patienceSteps = 400;
  const std::string json = experimentToJson(one);
  EXPECT_NE(json.find("\"health\": {\n    \"patience_steps\": 400\n  }"), std::string::npos) << json;

  try {
    parseExperiment(blowUpJson(10, R"("health": {"blowup_factor": 1, "patience_steps": 0, "smoothing_step": 3},)"),
                    "bad.json");
    FAIL() << "expected a SpecError";
  } catch (const SpecError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad.json: health.blowup_factor: must be in (1, 1e+12], got 1"), std::string::npos) << what;
    EXPECT_NE(what.find("bad.json: health.patience_steps: must be >= 1, got 0"), std::string::npos) << what;
    EXPECT_NE(what.find("bad.json: health.smoothing_step: unknown field (did you mean smoothing_steps?)"), std::string::npos)
        << what;
  }
  EXPECT_THROW(parseExperiment(blowUpJson(10, R"("health": 3,)"), "bad.json"), SpecError);
}

}  // namespace
}  // namespace larslab::engine
