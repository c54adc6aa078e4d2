// The formula panel's text (engine/update_formula.h): on a real session, every number it shows is
// the store's value at that step printed the same way, λ recomputed from the shown inputs gives the
// shown λ, and the hyperparameters and options are the ones in force at that step (Set and Option
// events after it rolled back).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/session.h"
#include "engine/update_formula.h"
#include "text/format.h"

namespace larslab::engine {
namespace {

std::string fs(double x) { return text::formatShort(x); }

// Two spirals, MLP 2-16-16-2, every trust-ratio convention the panel writes, plus a plain run.
ExperimentSpec formulaSpec() {
  return parseExperiment(R"({
    "version": 1, "name": "formula",
    "dataset": {"kind": "spirals", "samples": 400, "noise": 0.1, "test_fraction": 0.25},
    "model": {"layers": [{"type": "dense", "units": 16}, {"type": "tanh"},
                         {"type": "dense", "units": 16}, {"type": "tanh"},
                         {"type": "dense", "units": 2}]},
    "batch_size": 32, "steps": 40, "eval_every": 20, "seed": 5,
    "runs": [
      {"name": "paper", "optimizer": {"type": "lars", "preset": "paper", "lr": 2.0, "eta": 0.01, "weight_decay": 0.0005}},
      {"name": "optax", "optimizer": {"type": "lars", "preset": "optax", "lr": 2.0, "eta": 0.01, "weight_decay": 0.001}},
      {"name": "larc", "optimizer": {"type": "larc", "lr": 0.1}},
      {"name": "lamb", "optimizer": {"type": "lamb", "lr": 0.01, "phi": "clamp", "clamp_max": 2}},
      {"name": "excluded", "optimizer": {"type": "lars", "preset": "paper", "lr": 2.0, "eta": 0.01, "exclude": "vectors",
                                         "lr_placement": "outside", "momentum_kind": "nesterov"}},
      {"name": "sgd", "optimizer": {"type": "momentum", "lr": 0.05}}
    ]})",
                         "formula.json");
}

// 40 steps; eta of "paper" 0.01 -> 0.02 before step 10, "optax" switched to LR outside before step 20.
class UpdateFormulaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    session_ = new Session(formulaSpec(), SessionOptions{1, 64});
    for (int i = 0; i < 10; ++i) session_->step();
    session_->submit(SetHyperparameter{"paper", "eta", 0.02});
    for (int i = 0; i < 10; ++i) session_->step();
    session_->submit(SetOption{"optax", "lr_placement", "outside"});
    while (session_->step()) {
    }
  }
  static void TearDownTestSuite() {
    delete session_;
    session_ = nullptr;
  }
  static const MetricsStore& store() { return *session_->metrics(); }
  static int run(const std::string& name) { return store().runIndex(name); }
  static float metric(const std::string& r, int tensor, TensorMetric m, long step) {
    return store().value(run(r), tensor, m, step);
  }
  static double lr(const std::string& r, long step) { return store().value(run(r), RunMetric::LearningRate, step); }
  static UpdateFormula formula(const std::string& r, int tensor, long step) {
    UpdateFormula f = updateFormulaAt(store(), run(r), tensor, step);
    EXPECT_TRUE(f.unavailable.empty()) << f.unavailable;
    return f;
  }
  static std::string line(const UpdateFormula& f, const std::string& start) {
    for (const auto& l : f.lines)
      if (l.math.rfind(start, 0) == 0) return l.math;
    ADD_FAILURE() << "no line starting with " << start;
    return {};
  }
  // The number after the last " = " of a line.
  static double result(const std::string& math) { return std::stod(math.substr(math.rfind(" = ") + 3)); }
  static int tensorOfKind(nn::TensorKind kind) {
    for (int t = 0; t < store().tensorCount(); ++t)
      if (store().tensors()[static_cast<std::size_t>(t)].kind == kind) return t;
    return -1;
  }

  static Session* session_;
};
Session* UpdateFormulaTest::session_ = nullptr;

constexpr long kSteps[] = {0, 5, 15, 39};

TEST_F(UpdateFormulaTest, PaperRatioShowsTheStoredNumbersAndTheEtaInForce) {
  for (int t = 0; t < store().tensorCount(); ++t)
    for (long k : kSteps) {
      const UpdateFormula f = formula("paper", t, k);
      EXPECT_EQ(f.title, "LARS (paper conventions)");
      const double w = metric("paper", t, TensorMetric::WeightNorm, k);
      const double g = metric("paper", t, TensorMetric::GradNorm, k);
      const double lambda = metric("paper", t, TensorMetric::TrustRatio, k);
      const double eta = k < 10 ? 0.01 : 0.02;
      if (w == 0.0) {  // the biases start at 0: the zero-norm rule
        EXPECT_EQ(line(f, "\u03bb ="), "\u03bb = 1 (\u2016w\u2016 = 0, \u2016g\u2016 = " + fs(g) + ")");
        EXPECT_EQ(lambda, 1.0);
        continue;
      }
      EXPECT_EQ(line(f, "\u03bb ="), "\u03bb = \u03b7\u2016w\u2016/(\u2016g\u2016 + \u03b2\u2016w\u2016) = " + fs(eta) + " \u00d7 " +
                                        fs(w) + " / (" + fs(g) + " + 5e-4 \u00d7 " + fs(w) + ") = " + fs(lambda))
          << "tensor " << t << " step " << k;
      // The stored ratio is the paper's formula of the stored norms (to the digits shown) ...
      EXPECT_EQ(fs(eta * w / (g + 5e-4 * w)), fs(lambda));
      // ... and recomputed from the shown (rounded) inputs it lands within their rounding: three
      // inputs of 4 significant digits move a quotient by at most about 1e-3 of itself.
      const double shown = std::stod(fs(eta)) * std::stod(fs(w)) / (std::stod(fs(g)) + 5e-4 * std::stod(fs(w)));
      EXPECT_NEAR(shown, result(line(f, "\u03bb =")), 1.5e-3 * std::abs(shown));
      const double localLr = metric("paper", t, TensorMetric::LocalLr, k);
      EXPECT_EQ(line(f, "local LR"), "local LR = \u03b3\u03bb = " + fs(lr("paper", k)) + " \u00d7 " + fs(lambda) + " = " + fs(localLr));
      EXPECT_EQ(fs(lr("paper", k) * lambda), fs(localLr));
      EXPECT_EQ(line(f, "v \u2190"), "v \u2190 m\u00b7v + \u03b3\u03bb(g + \u03b2w) = 0.9\u00b7v + " + fs(localLr) +
                                           " \u00d7 (g + 5e-4\u00b7w);  w \u2190 w \u2212 v");
      EXPECT_EQ(line(f, "\u2016\u0394w\u2016"),
                "\u2016\u0394w\u2016 = " + fs(metric("paper", t, TensorMetric::UpdateNorm, k)) + ",  \u2016\u0394w\u2016/\u2016w\u2016 = " +
                    fs(metric("paper", t, TensorMetric::UpdateRatio, k)) + ",  log\u2081\u2080 std(\u0394w)/std(w) = " +
                    fs(metric("paper", t, TensorMetric::UpdateToData, k)));
    }
}

TEST_F(UpdateFormulaTest, OptaxDerivesTheNormOfTheDecayedGradientFromTheRatio) {
  for (int t = 0; t < store().tensorCount(); ++t)
    for (long k : kSteps) {
      const UpdateFormula f = formula("optax", t, k);
      const double w = metric("optax", t, TensorMetric::WeightNorm, k);
      const double lambda = metric("optax", t, TensorMetric::TrustRatio, k);
      if (w == 0.0) {
        EXPECT_EQ(line(f, "\u03bb =").rfind("\u03bb = 1 (\u2016w\u2016 = 0", 0), 0U);
        continue;
      }
      const std::string sum = line(f, "\u2016g + \u03b2w\u2016 =");
      EXPECT_EQ(sum, "\u2016g + \u03b2w\u2016 = \u03b7\u2016w\u2016/\u03bb = 0.01 \u00d7 " + fs(w) + " / " + fs(lambda) + " = " +
                         fs(0.01 * w / lambda));
      // ‖g + βw‖ lies within β‖w‖ of ‖g‖ (triangle inequality): the derived number is plausible.
      const double g = metric("optax", t, TensorMetric::GradNorm, k);
      EXPECT_LE(std::abs(result(sum) - g), 1e-3 * w * 1.01 + 1e-3 * g);
      EXPECT_EQ(line(f, "\u03bb ="), "\u03bb = \u03b7\u2016w\u2016/(\u2016g + \u03b2w\u2016) = 0.01 \u00d7 " + fs(w) + " / " +
                                        fs(0.01 * w / lambda) + " = " + fs(lambda));
      // Before the option change the LR sits inside the buffer, from step 20 outside.
      const std::string v = line(f, "v \u2190");
      if (k < 20) {
        EXPECT_EQ(f.title, "LARS (optax conventions)");
        EXPECT_NE(v.find("w \u2190 w \u2212 v"), std::string::npos) << v;
      } else {
        EXPECT_EQ(f.title, "LARS (custom conventions)");
        EXPECT_EQ(v, "v \u2190 m\u00b7v + \u03bb(g + \u03b2w) = 0.9\u00b7v + " + fs(lambda) + " \u00d7 (g + 0.001\u00b7w);  w \u2190 w \u2212 \u03b3v = w \u2212 " +
                         fs(lr("optax", k)) + "\u00b7v");
      }
    }
}

TEST_F(UpdateFormulaTest, LarcShowsTheClipAndTheLocalRateItGives) {
  bool clipped = false, unclipped = false;
  for (int t = 0; t < store().tensorCount(); ++t)
    for (long k : kSteps) {
      const UpdateFormula f = formula("larc", t, k);
      EXPECT_EQ(f.title, "LARC (apex_larc conventions)");
      const double lambda = metric("larc", t, TensorMetric::TrustRatio, k);
      const double gamma = lr("larc", k);
      const double local = metric("larc", t, TensorMetric::LocalLr, k);
      const double w = metric("larc", t, TensorMetric::WeightNorm, k);
      const double g = metric("larc", t, TensorMetric::GradNorm, k);
      if (w == 0.0) {  // apex skips a zero-norm tensor: plain SGD step, no decay
        EXPECT_EQ(f.lines.front().math, "no trust ratio this step (\u2016w\u2016 = 0, \u2016g\u2016 = " + fs(g) + ")");
        EXPECT_EQ(line(f, "local LR"), "local LR = \u03b3 = " + fs(local));
        EXPECT_EQ(fs(gamma), fs(local));
        continue;
      }
      EXPECT_EQ(line(f, "\u03bb ="), "\u03bb = \u03b7\u2016w\u2016/(\u2016g\u2016 + \u03b2\u2016w\u2016 + \u03b5) = 0.02 \u00d7 " + fs(w) +
                                        " / (" + fs(g) + " + 5e-4 \u00d7 " + fs(w) + " + 1e-8) = " + fs(lambda));
      EXPECT_EQ(line(f, "f ="), "f = min(\u03bb/\u03b3, 1) = min(" + fs(lambda) + " / " + fs(gamma) + ", 1) = " +
                                    fs(std::min(lambda / gamma, 1.0)));
      EXPECT_EQ(line(f, "local LR"), "local LR = \u03b3f = min(\u03bb, \u03b3) = min(" + fs(lambda) + ", " + fs(gamma) + ") = " + fs(local));
      EXPECT_EQ(fs(std::min(lambda, gamma)), fs(local));
      (lambda < gamma ? clipped : unclipped) = true;
      // apex: LR outside the buffer.
      EXPECT_NE(line(f, "v \u2190").find("w \u2190 w \u2212 \u03b3v = w \u2212 " + fs(gamma) + "\u00b7v"), std::string::npos);
    }
  EXPECT_TRUE(clipped) << "the test should see the ratio lower the LR somewhere";
  (void)unclipped;
}

TEST_F(UpdateFormulaTest, LambShowsPhiTheDerivedNormOfRAndTheRatio) {
  for (int t = 0; t < store().tensorCount(); ++t)
    for (long k : kSteps) {
      const UpdateFormula f = formula("lamb", t, k);
      EXPECT_EQ(f.title, "LAMB (\u03c6 clamp)");
      const double w = metric("lamb", t, TensorMetric::WeightNorm, k);
      const double ratio = metric("lamb", t, TensorMetric::TrustRatio, k);
      const double phi = std::min(w, 2.0);
      if (w == 0.0) {
        EXPECT_EQ(line(f, "ratio ="), "ratio = 1 (\u2016w\u2016 = 0)");
        continue;
      }
      EXPECT_EQ(line(f, "\u03c6("), "\u03c6(\u2016w\u2016) = min(\u2016w\u2016, c) = min(" + fs(w) + ", 2) = " + fs(phi));
      EXPECT_EQ(line(f, "\u2016r\u2016"), "\u2016r\u2016 = \u03c6(\u2016w\u2016)/ratio = " + fs(phi) + " / " + fs(ratio) + " = " + fs(phi / ratio));
      EXPECT_EQ(line(f, "ratio ="), "ratio = \u03c6(\u2016w\u2016)/\u2016r\u2016 = " + fs(phi) + " / " + fs(phi / ratio) + " = " + fs(ratio));
      const double local = metric("lamb", t, TensorMetric::LocalLr, k);
      EXPECT_EQ(line(f, "local LR"), "local LR = \u03b3\u00b7ratio = " + fs(lr("lamb", k)) + " \u00d7 " + fs(ratio) + " = " + fs(local));
      EXPECT_EQ(fs(lr("lamb", k) * ratio), fs(local));
      // The bias correction uses the optimizer's 1-based step count.
      EXPECT_NE(line(f, "r =").find("0.9^" + std::to_string(k + 1) + ")"), std::string::npos);
    }
}

TEST_F(UpdateFormulaTest, ExcludedVectorsGetThePlainRuleAndWeightsTheRatio) {
  const int bias = tensorOfKind(nn::TensorKind::Bias);
  const int weight = tensorOfKind(nn::TensorKind::Weight);
  ASSERT_GE(bias, 0);
  for (long k : kSteps) {
    const UpdateFormula b = formula("excluded", bias, k);
    EXPECT_EQ(b.lines.front().math, "\u03bb = 1, \u03b2 = 0");
    EXPECT_EQ(line(b, "local LR"), "local LR = \u03b3 = " + fs(metric("excluded", bias, TensorMetric::LocalLr, k)));
    EXPECT_EQ(fs(lr("excluded", k)), fs(metric("excluded", bias, TensorMetric::LocalLr, k)));
    EXPECT_EQ(line(b, "d ="), "d = g;  v \u2190 m\u00b7v + d;  w \u2190 w \u2212 \u03b3(d + m\u00b7v) = w \u2212 " + fs(lr("excluded", k)) +
                                  "\u00b7(d + 0.9\u00b7v)");
    const UpdateFormula w = formula("excluded", weight, k);
    const double lambda = metric("excluded", weight, TensorMetric::TrustRatio, k);
    EXPECT_EQ(line(w, "d ="), "d = \u03bb(g + \u03b2w) = " + fs(lambda) + " \u00d7 (g + 5e-4\u00b7w);  v \u2190 m\u00b7v + d;  w \u2190 w \u2212 \u03b3(d + m\u00b7v) = w \u2212 " +
                                  fs(lr("excluded", k)) + "\u00b7(d + 0.9\u00b7v)");
  }
}

TEST_F(UpdateFormulaTest, PlainOptimizerGetsOneUpdateLineAndTheGlobalRate) {
  const UpdateFormula f = formula("sgd", 0, 15);
  EXPECT_EQ(f.title, "SGD + momentum");
  EXPECT_EQ(f.lines.front().math, "v \u2190 m\u00b7v + (g + \u03b2w) = 0.9\u00b7v + (g + 0\u00b7w);  w \u2190 w \u2212 \u03b3v = w \u2212 0.05\u00b7v");
  EXPECT_EQ(line(f, "local LR"), "local LR = \u03b3 = " + fs(metric("sgd", 0, TensorMetric::LocalLr, 15)));
  EXPECT_EQ(fs(metric("sgd", 0, TensorMetric::LocalLr, 15)), fs(lr("sgd", 15)));
}

TEST_F(UpdateFormulaTest, RollsBackSetAndOptionEventsAfterTheStep) {
  const auto before = optimizerAtStep(store(), "paper", 9);
  const auto after = optimizerAtStep(store(), "paper", 10);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(before->config.hyperparameters.at("eta"), 0.01);
  EXPECT_EQ(after->config.hyperparameters.at("eta"), 0.02);
  EXPECT_EQ(store().appliedHyperparameter("paper", "eta"), 0.02);
  // The option: absent from the file (the preset's "inside" applied) until step 20.
  const auto optaxBefore = optimizerAtStep(store(), "optax", 19);
  const auto optaxAfter = optimizerAtStep(store(), "optax", 20);
  ASSERT_TRUE(optaxBefore && optaxAfter);
  EXPECT_EQ(optaxBefore->config.options.count("lr_placement"), 0U);
  EXPECT_EQ(optim::resolveOptimizerConfig(optaxBefore->config).options.at("lr_placement"), "inside");
  EXPECT_EQ(optaxAfter->config.options.at("lr_placement"), "outside");
  // The option change cleared the optimizer: its step count restarts at 1.
  EXPECT_EQ(optaxBefore->optimizerStep, 20);
  EXPECT_EQ(optaxAfter->optimizerStep, 1);
  EXPECT_EQ(optimizerAtStep(store(), "optax", 25)->optimizerStep, 6);
  EXPECT_FALSE(optimizerAtStep(store(), "no such run", 5));
}

TEST(EventDetail, SetAndOptionDetailsReadBack) {
  const std::string set = formatSetEventDetail({"eta", 0.001, 1e-08});
  EXPECT_EQ(set, "eta 0.001 -> 1e-08");
  const auto parsed = parseSetEventDetail(set);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->name, "eta");
  EXPECT_EQ(parsed->before, 0.001);
  EXPECT_EQ(parsed->after, 1e-08);
  EXPECT_FALSE(parseSetEventDetail("eta 0.001 ->"));
  EXPECT_FALSE(parseSetEventDetail("eta x -> 2"));
  EXPECT_FALSE(parseSetEventDetail("no arrow here"));
  const std::string option = formatOptionEventDetail({"denominator", kOptionDefault, "norm_of_sum"});
  EXPECT_EQ(option, "denominator default -> norm_of_sum (optimizer state cleared)");
  const auto o = parseOptionEventDetail(option);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->before, "default");
  EXPECT_EQ(o->after, "norm_of_sum");
  EXPECT_FALSE(parseOptionEventDetail("denominator default -> norm_of_sum"));
}

TEST(FormatShort, FourSignificantDigitsPlainOrCompactScientific) {
  EXPECT_EQ(text::formatShort(0.0277234), "0.02772");
  EXPECT_EQ(text::formatShort(8.48349), "8.483");
  EXPECT_EQ(text::formatShort(5e-4), "5e-4");
  EXPECT_EQ(text::formatShort(-1.23456e-7), "-1.235e-7");
  EXPECT_EQ(text::formatShort(9999.7), "1e4");
  EXPECT_EQ(text::formatShort(std::nan("")), "nan");
}

}  // namespace
}  // namespace larslab::engine
