// LARS against published vectors and against vectors derived by hand for every convention.
//
// Common setting of the hand-derived tests (one 2-element Weight tensor):
//   w0 = [3, 4] (||w0|| = 5),  g1 = [1.2, -1.6] (||g1|| = 2),  g2 = [0.5, 1.2] (||g2|| = 1.3)
//   gamma = 0.5, eta = 0.1, beta = 0.1, m = 0.9, eps = 0
// Values below 6 decimals were carried with 10 significant digits.

#include <gtest/gtest.h>

#include "optim_test_util.h"

namespace larslab::optim {
namespace {

using testing::expectNear;
using testing::Problem;

constexpr double kTol = 1e-6;       // float storage, double norms
constexpr double kRatioTol = 1e-7;  // ratios of norms of float inputs such as 1.2f

std::map<std::string, double> handHyper() {
  return {{"lr", 0.5}, {"eta", 0.1}, {"weight_decay", 0.1}, {"momentum", 0.9}, {"eps", 0.0}};
}

Problem handProblem() { return Problem({{"w", nn::TensorKind::Weight, {3.0, 4.0}}}); }

const std::vector<std::vector<double>> kG1{{1.2, -1.6}};
const std::vector<std::vector<double>> kG2{{0.5, 1.2}};

// ---- Published vectors ----------------------------------------------------------------------

// torchlars tests/test_compute_adaptive_lr.py::test_specific_case:
// param_norm 1.234, grad_norm 5.678, weight_decay 1e-4, eps 1e-8, trust_coef 1e-3 -> 0.000217325.
// One-element tensors give exactly these norms; torchlars then scales the decayed gradient
// and torch.optim.SGD applies lr (LR outside): w' = w - lr * ratio * (g + beta w).
TEST(LarsPublished, TorchlarsTrustRatio) {
  Problem p({{"w", nn::TensorKind::Weight, {1.234}}});
  auto opt = p.make("lars", "torchlars", {{"lr", 0.1}, {"weight_decay", 1e-4}, {"eta", 1e-3}, {"momentum", 0.0}});
  EXPECT_EQ(opt->hyperparameter("eps"), 1e-8);  // from the preset
  p.step(*opt, {{5.678}});
  EXPECT_NEAR(p.telemetry[0].trustRatio, 2.17325e-4, 5e-10);  // the published 6 digits
  EXPECT_NEAR(p.telemetry[0].localLr, 0.1 * 2.17325e-4, 1e-10);
  // ratio = 1e-3 * 1.234 / (5.678 + 1.234e-4 + 1e-8) = 2.173253223e-4
  // w' = 1.234 - 0.1 * 2.173253223e-4 * (5.678 + 1.234e-4) = 1.2338766 (for one positive element
  // the ratio turns g + beta w into eta w, up to eps: w' = w (1 - lr eta)).
  expectNear(p.values(0), {1.234 - 0.1 * 2.173253223e-4 * (5.678 + 1.234e-4)}, kTol, "w'");
}

// tensorflow/addons tensorflow_addons/optimizers/tests/lars_test.py::test_sparse. Reading of its
// arguments: learning_rate=0.1 is gamma, weight_decay=0.1 is beta, eeta=0.1 is eta, epsilon=1e-5
// is added to ||g|| + beta ||w|| (nonzero, so TF-Addons does not replace it by the Keras 1e-7),
// momentum=0.9 is m. The variable is [[1, 1, 2]] and tf.expand_dims turns the IndexedSlices
// gradient into the dense [[0.1, 0, 0.1]], so the dense path runs: ratio =
// 0.1 * sqrt(6) / (sqrt(0.02) + 0.1 sqrt(6) + 1e-5) = 0.6339581882, scaled_lr = 0.06339581882,
// and ResourceApplyMomentum(lr=1, grad=scaled_lr (g + beta w)) stores the momentum slot
// accum = scaled_lr [0.2, 0.1, 0.3] and sets var -= accum. So the published "momentum" is our
// momentum buffer with the LR inside (tf_addons preset), and w' = w - v.
TEST(LarsPublished, TfAddonsOneStep) {
  Problem p({{"w", nn::TensorKind::Weight, {1.0, 1.0, 2.0}}});
  auto opt = p.make("lars", "tf_addons",
                    {{"lr", 0.1}, {"momentum", 0.9}, {"weight_decay", 0.1}, {"eps", 1e-5}, {"eta", 0.1}});
  p.step(*opt, {{0.1, 0.0, 0.1}});
  expectNear(p.values(0), {0.98732084, 0.99366039, 1.98098123}, kTol, "w'");
  expectNear(testing::slice(*opt->state("momentum"), p.layout().tensor(0)), {0.01267916, 0.00633958, 0.01901875},
             kTol, "momentum");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 0.6339581882, kRatioTol);
}

TEST(LarsPublished, TfAddonsDefaultEpsilonIsKerasEpsilon) {
  Problem p({{"w", nn::TensorKind::Weight, {1.0}}});
  EXPECT_EQ(p.make("lars", "tf_addons")->hyperparameter("eps"), 1e-7);
}

// ---- Paper convention, 2 steps --------------------------------------------------------------

// Step 1: lambda = 0.1*5 / (2 + 0.1*5) = 0.2;  d = g + 0.1 w = [1.5, -1.2]
//   v1 = gamma lambda d = 0.5*0.2*[1.5, -1.2] = [0.15, -0.12];  w1 = [2.85, 4.12]
// Step 2: ||w1|| = sqrt(2.85^2 + 4.12^2) = sqrt(25.0969) = 5.009680629
//   lambda = 0.5009680629 / (1.3 + 0.5009680629) = 0.2781659893;  d = [0.785, 1.612]
//   v2 = 0.9 v1 + 0.5*0.2781659893*d = [0.135, -0.108] + [0.1091801508, 0.2242017874]
//      = [0.2441801508, 0.1162017874];  w2 = [2.6058198492, 4.0037982126]
TEST(LarsConventions, PaperTwoSteps) {
  Problem p = handProblem();
  auto opt = p.make("lars", "paper", handHyper());
  p.step(*opt, kG1);
  expectNear(p.values(0), {2.85, 4.12}, kTol, "w1");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 0.2, kRatioTol);
  EXPECT_NEAR(p.telemetry[0].localLr, 0.1, kRatioTol);
  EXPECT_NEAR(p.telemetry[0].updateNorm, 0.1920937271, 1e-7);
  p.step(*opt, kG2);
  expectNear(p.values(0), {2.6058198492, 4.0037982126}, kTol, "w2");
  expectNear(testing::slice(*opt->state("momentum"), p.layout().tensor(0)), {0.2441801508, 0.1162017874}, kTol, "v2");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 0.2781659893, kRatioTol);
  EXPECT_NEAR(p.telemetry[0].weightNorm, 5.009680629, 1e-6);
}

// denominator = norm_of_sum: lambda = eta ||w|| / ||g + beta w||.
// Step 1: ||d|| = ||[1.5, -1.2]|| = sqrt(3.69) = 1.920937271; lambda = 0.5/1.920937271 = 0.2602896031
//   v1 = 0.5*0.2602896031*d = [0.1952172024, -0.1561737619]; w1 = [2.8047827976, 4.1561737619]
//   (||v1|| = gamma eta ||w|| = 0.25 exactly: the ratio normalises the step.)
// Step 2: ||w1|| = 5.014038979; d = g2 + 0.1 w1 = [0.7804782798, 1.6156173762], ||d|| = 1.794259137
//   lambda = 0.5014038979/1.794259137 = 0.2794489868
//   v2 = 0.9 v1 + 0.5*0.2794489868*d = [0.2847474144, 0.0851849337]; w2 = [2.5200353833, 4.0709888282]
TEST(LarsConventions, NormOfSumDenominator) {
  Problem p = handProblem();
  auto opt = p.make("lars", "paper", handHyper(), {{"denominator", "norm_of_sum"}});
  p.step(*opt, kG1);
  expectNear(p.values(0), {2.8047827976, 4.1561737619}, kTol, "w1");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 0.2602896031, kRatioTol);
  EXPECT_NEAR(p.telemetry[0].updateNorm, 0.25, 1e-7);
  p.step(*opt, kG2);
  expectNear(p.values(0), {2.5200353833, 4.0709888282}, kTol, "w2");
}

// lr_placement: with a constant gamma inside and outside agree; they differ when gamma changes.
// Step 1 at gamma 0.5, step 2 at gamma 0.25 (lrFactor 0.5). Step 1 is the paper step: w1 = [2.85, 4.12].
//   inside:  v1 = [0.15, -0.12];  v2 = 0.9 v1 + 0.25*0.2781659893*[0.785, 1.612]
//            = [0.135, -0.108] + [0.0545900754, 0.1121008937] = [0.1895900754, 0.0041008937]
//            w2 = [2.6604099246, 4.1158991063]
//   outside: v1 = lambda d = [0.3, -0.24];  v2 = 0.9 v1 + 0.2781659893 d = [0.4883603016, 0.2324035747]
//            w2 = w1 - 0.25 v2 = [2.7279099246, 4.0618991063]
// The difference is m (gamma1 - gamma2) v1_outside = 0.9*0.25*[0.3, -0.24] = [0.0675, -0.054].
TEST(LarsConventions, LrPlacementMattersWhenLrChanges) {
  for (const char* placement : {"inside", "outside"}) {
    Problem p = handProblem();
    auto opt = p.make("lars", "paper", handHyper(), {{"lr_placement", placement}});
    p.step(*opt, kG1, 1.0);
    expectNear(p.values(0), {2.85, 4.12}, kTol, std::string(placement) + " w1");
    p.step(*opt, kG2, 0.5);
    EXPECT_NEAR(p.telemetry[0].localLr, 0.25 * 0.2781659893, kRatioTol);
    if (std::string(placement) == "inside") {
      expectNear(p.values(0), {2.6604099246, 4.1158991063}, kTol, "inside w2");
      expectNear(testing::slice(*opt->state("momentum"), p.layout().tensor(0)), {0.1895900754, 0.0041008937}, kTol,
                 "inside v2");
    } else {
      expectNear(p.values(0), {2.7279099246, 4.0618991063}, kTol, "outside w2");
      expectNear(testing::slice(*opt->state("momentum"), p.layout().tensor(0)), {0.4883603016, 0.2324035747}, kTol,
                 "outside v2");
    }
  }
}

// Zero gradient after a normal step (step 1 = paper step: v1 = [0.15, -0.12], w1 = [2.85, 4.12]); g2 = 0.
//   ratio_one: lambda := 1, d = beta w1 = [0.285, 0.412]; v2 = [0.135, -0.108] + 0.5 d = [0.2775, 0.098]
//              w2 = [2.5725, 4.022]; telemetry ratio 1, local LR gamma = 0.5
//   skip:      no adaptation, no decay: d = 0; v2 = 0.9 v1 = [0.135, -0.108]; w2 = [2.715, 4.228]
TEST(LarsConventions, ZeroGradientPolicies) {
  for (const char* policy : {"ratio_one", "skip"}) {
    Problem p = handProblem();
    auto opt = p.make("lars", "paper", handHyper(), {{"zero_norm", policy}});
    p.step(*opt, kG1);
    p.step(*opt, {{0.0, 0.0}});
    EXPECT_EQ(p.telemetry[0].gradNorm, 0.0);
    EXPECT_EQ(p.telemetry[0].trustRatio, 1.0);
    EXPECT_NEAR(p.telemetry[0].localLr, 0.5, 1e-12);
    if (std::string(policy) == "ratio_one") {
      expectNear(p.values(0), {2.5725, 4.022}, kTol, "ratio_one w2");
    } else {
      expectNear(p.values(0), {2.715, 4.228}, kTol, "skip w2");
    }
  }
}

// Zero weights: w0 = [0, 0], g1 = [0.3, -0.4], g2 = [0.1, 0.2]. Both policies agree (beta w = 0).
// Step 1: lambda := 1; v1 = 0.5*[0.3, -0.4] = [0.15, -0.2]; w1 = [-0.15, 0.2] (||w1|| = 0.25)
// Step 2: lambda = 0.1*0.25 / (sqrt(0.05) + 0.025) = 0.025/0.2486067977 = 0.1005604039
//   d = [0.1 - 0.015, 0.2 + 0.02] = [0.085, 0.22]; v2 = [0.135, -0.18] + 0.5*0.1005604039*d
//   = [0.1392738172, -0.1689383556]; w2 = [-0.2892738172, 0.3689383556]
TEST(LarsConventions, ZeroWeightPolicies) {
  for (const char* policy : {"ratio_one", "skip"}) {
    Problem p({{"w", nn::TensorKind::Weight, {0.0, 0.0}}});
    auto opt = p.make("lars", "paper", handHyper(), {{"zero_norm", policy}});
    p.step(*opt, {{0.3, -0.4}});
    EXPECT_EQ(p.telemetry[0].weightNorm, 0.0);
    EXPECT_EQ(p.telemetry[0].trustRatio, 1.0);
    EXPECT_TRUE(std::isinf(p.telemetry[0].updateRatio)) << "||dw||/||w|| with ||w|| = 0 is reported as inf";
    expectNear(p.values(0), {-0.15, 0.2}, kTol, std::string(policy) + " w1");
    p.step(*opt, {{0.1, 0.2}});
    expectNear(p.values(0), {-0.2892738172, 0.3689383556}, kTol, std::string(policy) + " w2");
  }
}

// clipping = larc (apex): factor = min(lambda/gamma, 1), local LR = min(lambda, gamma).
// Tensor "a" (the hand setting): step 1 lambda = 0.2 < gamma: factor 0.4, local LR 0.2 (not gamma*lambda = 0.1)
//   v1 = 0.2*[1.5, -1.2] = [0.3, -0.24]; w1 = [2.7, 4.24]
//   step 2: ||w1|| = 5.026688771, lambda = 0.5026688771/1.8026688771 = 0.2788470381, d = [0.77, 1.624]
//   v2 = [0.27, -0.216] + 0.2788470381 d = [0.4847122194, 0.2368475899]; w2 = [2.2152877806, 4.0031524101]
// Tensor "c": w = [3, 4], g1 = [0.03, -0.04] (||g|| = 0.05): lambda = 0.5/0.55 = 0.9090909091 > gamma,
//   clipped: local LR = 0.5, v1 = 0.5*[0.33, 0.36] = [0.165, 0.18], w1 = [2.835, 3.82];
//   g2 = [0.06, 0]: ||w1|| = 4.757060542, lambda = 0.4757060542/(0.06 + 0.4757060542) = 0.887998279,
//   still clipped: v2 = [0.1485, 0.162] + 0.5*[0.3435, 0.382] = [0.32025, 0.353]; w2 = [2.51475, 3.467]
TEST(LarsConventions, LarcClipping) {
  Problem p({{"a", nn::TensorKind::Weight, {3.0, 4.0}}, {"c", nn::TensorKind::Weight, {3.0, 4.0}}});
  auto opt = p.make("lars", "paper", handHyper(), {{"clipping", "larc"}});
  p.step(*opt, {kG1[0], {0.03, -0.04}});
  expectNear(p.values(0), {2.7, 4.24}, kTol, "a w1");
  expectNear(p.values(1), {2.835, 3.82}, kTol, "c w1");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 0.2, kRatioTol);
  EXPECT_NEAR(p.telemetry[0].localLr, 0.2, kRatioTol);
  EXPECT_NEAR(p.telemetry[1].trustRatio, 0.9090909091, kRatioTol);  // reported before clipping
  EXPECT_NEAR(p.telemetry[1].localLr, 0.5, 1e-12);
  p.step(*opt, {kG2[0], {0.06, 0.0}});
  expectNear(p.values(0), {2.2152877806, 4.0031524101}, kTol, "a w2");
  expectNear(p.values(1), {2.51475, 3.467}, kTol, "c w2");
  EXPECT_NEAR(p.telemetry[1].trustRatio, 0.887998279, kRatioTol);
}

// exclude = vectors: the Bias tensor b0 = [0.5, -0.5], gb1 = [0.2, 0.4], gb2 = [-0.1, 0.3] gets plain
// SGD momentum without decay (LR inside, constant gamma): v1 = 0.5 gb1 = [0.1, 0.2], b1 = [0.4, -0.7];
// v2 = 0.9 v1 + 0.5 gb2 = [0.04, 0.33], b2 = [0.36, -1.03]. The weight follows the paper vector.
// Without exclusion the bias is adapted: lambda = 0.1*0.7071067812/(0.4472135955 + 0.07071067812)
// = 0.1365270595, v1 = 0.5*lambda*[0.25, 0.35] = [0.0170658824, 0.0238922354], b1 = [0.4829341176, -0.5238922354].
TEST(LarsConventions, ExcludeVectors) {
  const std::vector<testing::TensorDef> defs{{"w", nn::TensorKind::Weight, {3.0, 4.0}},
                                             {"b", nn::TensorKind::Bias, {0.5, -0.5}}};
  Problem p(defs);
  auto opt = p.make("lars", "paper", handHyper(), {{"exclude", "vectors"}});
  p.step(*opt, {kG1[0], {0.2, 0.4}});
  expectNear(p.values(0), {2.85, 4.12}, kTol, "w1");
  expectNear(p.values(1), {0.4, -0.7}, kTol, "b1");
  EXPECT_EQ(p.telemetry[1].trustRatio, 1.0);
  EXPECT_NEAR(p.telemetry[1].localLr, 0.5, 1e-12);
  p.step(*opt, {kG2[0], {-0.1, 0.3}});
  expectNear(p.values(0), {2.6058198492, 4.0037982126}, kTol, "w2");
  expectNear(p.values(1), {0.36, -1.03}, kTol, "b2");

  Problem q(defs);
  auto adapted = q.make("lars", "paper", handHyper(), {{"exclude", "none"}});
  q.step(*adapted, {kG1[0], {0.2, 0.4}});
  expectNear(q.values(1), {0.4829341176, -0.5238922354}, kTol, "adapted b1");
  EXPECT_NEAR(q.telemetry[1].trustRatio, 0.1365270595, kRatioTol);
}

// momentum_kind = nesterov, LR inside: u = gamma lambda d; v <- m v + u; w <- w - (u + m v).
// Step 1: u1 = [0.15, -0.12] = v1; w1 = w0 - 1.9 u1 = [2.715, 4.228]
// Step 2: ||w1|| = 5.024660088; lambda = 0.5024660088/1.8024660088 = 0.2787658721; d = [0.7715, 1.6228]
//   u2 = 0.5 lambda d = [0.1075339351, 0.2261906286]; v2 = 0.9 v1 + u2 = [0.2425339351, 0.1181906286]
//   w2 = w1 - (u2 + 0.9 v2) = [2.3891855232, 3.8954378057]
TEST(LarsConventions, Nesterov) {
  Problem p = handProblem();
  auto opt = p.make("lars", "paper", handHyper(), {{"momentum_kind", "nesterov"}});
  p.step(*opt, kG1);
  expectNear(p.values(0), {2.715, 4.228}, kTol, "w1");
  p.step(*opt, kG2);
  expectNear(p.values(0), {2.3891855232, 3.8954378057}, kTol, "w2");
  expectNear(testing::slice(*opt->state("momentum"), p.layout().tensor(0)), {0.2425339351, 0.1181906286}, kTol, "v2");
}

// eps = 0.01 (the top of its range, so that the effect shows): lambda = 0.5/(2 + 0.5 + 0.01) = 0.1992031873
//   v1 = 0.5 lambda [1.5, -1.2] = [0.1494023904, -0.1195219124]; w1 = [2.8505976096, 4.1195219124]
// Step 2: ||w1|| = 5.009627483; lambda = 0.5009627483/(1.3 + 0.5009627483 + 0.01) = 0.2766278593
//   d = g2 + 0.1 w1 = [0.785059761, 1.6119521912]; v2 = 0.9 v1 + 0.5 lambda d = [0.2430468519, 0.1153857208]
//   w2 = [2.6075507576, 4.0041361915]
TEST(LarsConventions, Eps) {
  Problem p = handProblem();
  auto hyper = handHyper();
  hyper["eps"] = 0.01;
  auto opt = p.make("lars", "paper", hyper);
  p.step(*opt, kG1);
  expectNear(p.values(0), {2.8505976096, 4.1195219124}, kTol, "w1");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 0.1992031873, kRatioTol);
  p.step(*opt, kG2);
  expectNear(p.values(0), {2.6075507576, 4.0041361915}, kTol, "w2");
}

// The "larc" registry type is LARS with the apex_larc preset: eta 0.02, eps 1e-8, skip, clipping,
// LR outside. One step, w = [3, 4], g = [1.2, -1.6], beta = 0.1, gamma = 0.5, m = 0.9:
//   adaptive_lr = 0.02*5/(2 + 0.5 + 1e-8) = 0.039999999840; clipped: min(0.04/0.5, 1) = 0.08
//   v1 = 0.08*[1.5, -1.2] = [0.12, -0.096]; w1 = w - 0.5 v1 = [2.94, 4.048]; local LR 0.04.
TEST(LarsConventions, LarcTypeIsApexLarc) {
  Problem p = handProblem();
  auto opt = p.make("larc", "", {{"lr", 0.5}, {"weight_decay", 0.1}, {"momentum", 0.9}});
  EXPECT_EQ(opt->options().at("zero_norm"), "skip");
  EXPECT_EQ(opt->options().at("clipping"), "larc");
  EXPECT_EQ(opt->options().at("lr_placement"), "outside");
  EXPECT_EQ(opt->hyperparameter("eta"), 0.02);
  p.step(*opt, kG1);
  expectNear(p.values(0), {2.94, 4.048}, kTol, "w1");
  EXPECT_NEAR(p.telemetry[0].localLr, 0.04, kRatioTol);
  expectNear(testing::slice(*opt->state("momentum"), p.layout().tensor(0)), {0.12, -0.096}, kTol, "v1");
}

}  // namespace
}  // namespace larslab::optim
