// The range test (engine/range_test.h): the documented value formula, a suggestion that is
// robust to spikes on a synthetic loss curve, and a real run whose steps use exactly v(t).
#include "engine/range_test.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/session.h"
#include "tiny_experiment.h"

namespace larslab::engine {
namespace {

TEST(RangeTest, ValueGrowsLogUniformlyFromTheLowerToTheUpperBound) {
  const RangeTestSpec spec{"", "lr", 1e-3, 10.0, 101};
  EXPECT_DOUBLE_EQ(rangeTestValue(spec, 0), 1e-3);
  EXPECT_NEAR(rangeTestValue(spec, 100), 10.0, 1e-12);
  EXPECT_NEAR(rangeTestValue(spec, 25), 1e-2, 1e-15);  // a quarter of four decades
  EXPECT_NEAR(rangeTestValue(spec, 50), 1e-1, 1e-14);
  const double ratio = std::pow(1e4, 1.0 / 100.0);
  for (long t = 0; t < 100; ++t)
    EXPECT_NEAR(rangeTestValue(spec, t + 1) / rangeTestValue(spec, t), ratio, 1e-12) << t;
  EXPECT_NEAR(rangeTestValue(spec, 500), 10.0, 1e-12);  // clamped
}

// A finder curve over 1e-4..10 in 200 steps: flat at 2, a fall to 0.5 centred on 10^-1.5, then a
// blow-up above 1; spikes from bad batches at steps 3 (burn-in) and 60 (at 10^-2.5, on the flat).
struct SyntheticCurve {
  std::vector<double> values, losses;
  explicit SyntheticCurve(bool spikes) {
    const RangeTestSpec spec{"", "lr", 1e-4, 10.0, 200};
    for (long t = 0; t < spec.steps; ++t) {
      const double v = rangeTestValue(spec, t);
      const double x = std::log10(v);
      double loss = 2.0 - 1.5 / (1.0 + std::exp(-8.0 * (x + 1.5)));
      if (x > 0.0) loss += std::pow(10.0, 2.0 * x) - 1.0;
      values.push_back(v);
      losses.push_back(loss);
    }
    if (spikes) {
      losses[3] = 50.0;
      losses[60] = 20.0;
    }
  }
};

TEST(RangeTest, SuggestionIsTheSteepestFallAndIgnoresSpikes) {
  for (const bool spikes : {false, true}) {
    const SyntheticCurve curve(spikes);
    const RangeTestSuggestion s = suggestRangeTestValue(curve.values, curve.losses);
    ASSERT_GE(s.step, 0) << s.reason;
    // The fall is steepest at 10^-1.5 = 0.032; the smoothing's lag moves the pick a little later,
    // never onto the spike at 10^-2.5 or past the fall.
    EXPECT_GT(s.value, 0.02) << "spikes " << spikes;
    EXPECT_LT(s.value, 0.1) << "spikes " << spikes;
    EXPECT_EQ(s.reason, "steepest descent of the smoothed loss");
    ASSERT_GE(s.blowUpStep, 0);
    EXPECT_GT(curve.values[static_cast<std::size_t>(s.blowUpStep)], 1.0);
  }
}

TEST(RangeTest, DespikingRemovesALoneSpikeButKeepsASustainedRise) {
  std::vector<double> losses(40, 1.0);
  losses[10] = 30.0;
  for (std::size_t i = 30; i < 40; ++i) losses[i] = 5.0;
  const std::vector<double> smoothed = smoothRangeTestLosses(losses);
  for (std::size_t i = 0; i < 30; ++i) EXPECT_DOUBLE_EQ(smoothed[i], 1.0) << i;
  EXPECT_GT(smoothed[39], 3.0);
}

TEST(RangeTest, WithoutAFallTheSuggestionIsTheMinimumOverTen) {
  const RangeTestSpec spec{"", "lr", 1e-3, 1.0, 50};
  std::vector<double> values, losses;
  for (long t = 0; t < spec.steps; ++t) {
    values.push_back(rangeTestValue(spec, t));
    losses.push_back(1.0 + 0.01 * static_cast<double>(t));
  }
  const RangeTestSuggestion s = suggestRangeTestValue(values, losses);
  ASSERT_GE(s.step, 0);
  EXPECT_DOUBLE_EQ(s.value, values[static_cast<std::size_t>(s.step)] / 10.0);
  EXPECT_NE(s.reason.find("/ 10"), std::string::npos);
}

TEST(RangeTest, ABlowUpInTheBurnInGivesNoSuggestion) {
  std::vector<double> values, losses;
  for (int t = 0; t < 50; ++t) {
    values.push_back(std::pow(10.0, t / 10.0));
    losses.push_back(t < 3 ? 1.0 : std::nan(""));
  }
  const RangeTestSuggestion s = suggestRangeTestValue(values, losses);
  EXPECT_EQ(s.step, -1);
  EXPECT_EQ(s.blowUpStep, 3);
  EXPECT_NE(s.reason.find("burn-in"), std::string::npos);
}

TEST(RangeTest, BadSpecsNameTheField) {
  const ExperimentSpec e = testing::tinySpec(20);
  const auto first = [&](const RangeTestSpec& s) {
    const auto issues = checkRangeTest(e, s);
    return issues.empty() ? std::string() : issues.front().path + ": " + issues.front().message;
  };
  EXPECT_EQ(first({"LARS", "eta", 1e-4, 0.1, 20}), "");
  EXPECT_EQ(first({"nope", "eta", 1e-4, 0.1, 20}).rfind("run: no run named 'nope'", 0), 0u);
  EXPECT_EQ(first({"Adam", "eta", 1e-4, 0.1, 20}).rfind("hyperparameter: 'eta' is not", 0), 0u);
  EXPECT_EQ(first({"LARS", "eta", 0.0, 0.1, 20}).rfind("from: must be > 0", 0), 0u);
  EXPECT_EQ(first({"LARS", "eta", 0.1, 0.1, 20}).rfind("to: must be > from", 0), 0u);
  EXPECT_EQ(first({"LARS", "eta", 1e-4, 0.1, 1}).rfind("steps: must be >= 2", 0), 0u);
  EXPECT_THROW(runRangeTest(e, {"Adam", "eta", 1e-4, 0.1, 20}), SpecError);
}

TEST(RangeTest, EveryStepTrainsWithItsValueFromTheExperimentsInitialWeights) {
  const ExperimentSpec e = testing::tinySpec(20);
  const RangeTestSpec spec{"SGD", "lr", 1e-3, 1.0, 30};
  long calls = 0;
  const RangeTestResult r = runRangeTest(e, spec, 1, [&](long done, long total) {
    ++calls;
    EXPECT_EQ(total, 30);
    EXPECT_EQ(done, calls);
  });
  EXPECT_EQ(r.status, "finished");
  EXPECT_EQ(r.optimizer, "momentum");
  ASSERT_EQ(r.values.size(), 30u);
  ASSERT_EQ(r.losses.size(), 30u);
  for (long t = 0; t < 30; ++t) EXPECT_EQ(r.values[t], rangeTestValue(spec, t));

  // The same run trained by hand with the same commands gives bitwise the same losses, and its
  // recorded learning rate per step is v(t): the value reaches the optimizer at step t.
  ExperimentSpec one = e;
  one.runs = {e.runs[1]};
  one.runs[0].optimizer.hyperparameters["lr"] = spec.from;
  one.steps = 30;
  one.evalEvery = 0;
  Session session(one, SessionOptions{2});
  for (long t = 0; t < 30; ++t) {
    if (t > 0) session.submit(SetHyperparameter{"SGD", "lr", rangeTestValue(spec, t)});
    session.step();
  }
  const auto store = session.metrics();
  for (long t = 0; t < 30; ++t) {
    EXPECT_EQ(store->value(0, RunMetric::Loss, t), static_cast<float>(r.losses[t])) << t;
    EXPECT_FLOAT_EQ(store->value(0, RunMetric::LearningRate, t),
                    static_cast<float>(rangeTestValue(spec, t)))
        << t;
  }
  // Step 0 is the experiment's own first step: same initial weights and first batch.
  Session plain(e, SessionOptions{1});
  plain.step();
  EXPECT_EQ(plain.metrics()->value(1, RunMetric::Loss, 0), static_cast<float>(r.losses[0]));
}

TEST(RangeTest, ALargeEtaIsWhereTheLarsLossBlowsUp) {
  const RangeTestResult r =
      runRangeTest(testing::tinySpec(20), {"LARS", "eta", 1e-4, 1.0, 120}, 1);
  ASSERT_FALSE(r.values.empty());
  EXPECT_GE(r.suggestion.blowUpStep, 0) << r.status;
  EXPECT_GE(r.suggestion.step, 0) << r.suggestion.reason;
  EXPECT_LT(r.suggestion.value, r.values[static_cast<std::size_t>(r.suggestion.blowUpStep)]);
}

TEST(RangeTest, CancelStopsBetweenSteps) {
  std::atomic<bool> cancel{false};
  const RangeTestResult r = runRangeTest(
      testing::tinySpec(20), {"SGD", "lr", 1e-3, 1.0, 50}, 1,
      [&](long done, long) {
        if (done == 10) cancel = true;
      },
      &cancel);
  EXPECT_EQ(r.status, "cancelled");
  EXPECT_EQ(r.values.size(), 10u);
}

}  // namespace
}  // namespace larslab::engine
