// Hand-derived vectors for the non-LARS optimizers and for LAMB over three steps.
// Common setting: one Weight tensor w0 = [3, -2] (||w0|| = sqrt(13) = 3.605551275),
// g1 = [0.6, -0.8], g2 = [0.3, 0.4], g3 = [-0.2, 0.1].

#include <gtest/gtest.h>

#include "optim_test_util.h"

namespace larslab::optim {
namespace {

using testing::expectNear;
using testing::Problem;

constexpr double kTol = 1e-6;
const std::vector<std::vector<std::vector<double>>> kGrads{{{0.6, -0.8}}, {{0.3, 0.4}}, {{-0.2, 0.1}}};

Problem problem() { return Problem({{"w", nn::TensorKind::Weight, {3.0, -2.0}}}); }

// SGD, lr 0.1, weight_decay 0.1:
//   d1 = [0.6 + 0.3, -0.8 - 0.2] = [0.9, -1.0];      w1 = [2.91, -1.9]
//   d2 = [0.3 + 0.291, 0.4 - 0.19] = [0.591, 0.21];  w2 = [2.8509, -1.921]
TEST(AdaptiveVectors, SgdWithL2) {
  Problem p = problem();
  auto opt = p.make("sgd", "", {{"lr", 0.1}, {"weight_decay", 0.1}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.91, -1.9}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.8509, -1.921}, kTol, "w2");
  EXPECT_NEAR(p.telemetry[0].localLr, 0.1, 1e-12);
  EXPECT_EQ(p.telemetry[0].trustRatio, 1.0);
}

// Heavy ball, PyTorch convention, lr 0.1, m 0.9: v1 = g1, w1 = [2.94, -1.92];
//   v2 = 0.9 g1 + g2 = [0.84, -0.32], w2 = [2.856, -1.888]
TEST(AdaptiveVectors, Momentum) {
  Problem p = problem();
  auto opt = p.make("momentum", "", {{"lr", 0.1}, {"momentum", 0.9}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.94, -1.92}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.856, -1.888}, kTol, "w2");
  expectNear(testing::slice(*opt->state("momentum"), p.layout().tensor(0)), {0.84, -0.32}, kTol, "v2");
}

// Nesterov, lr 0.1, m 0.9: v1 = g1, step = g1 + 0.9 v1 = [1.14, -1.52], w1 = [2.886, -1.848];
//   v2 = [0.84, -0.32], step = g2 + 0.9 v2 = [1.056, 0.112], w2 = [2.7804, -1.8592]
TEST(AdaptiveVectors, Nesterov) {
  Problem p = problem();
  auto opt = p.make("nesterov", "", {{"lr", 0.1}, {"momentum", 0.9}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.886, -1.848}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.7804, -1.8592}, kTol, "w2");
}

// RMSProp, lr 0.01, alpha 0.99, eps 1e-8, momentum 0:
//   s1 = 0.01 g1^2 = [0.0036, 0.0064]; u1 = g1/(sqrt(s1) + eps) = [9.9999983, -9.9999988]; w1 = [2.9000000, -1.9000000]
//   s2 = 0.99 s1 + 0.01 g2^2 = [0.004464, 0.007936]; u2 = [0.3/0.0668132..., 0.4/0.0890842...] = [4.4901319, 4.4901320]
//   w2 = [2.8550987, -1.9449013]
TEST(AdaptiveVectors, RmsProp) {
  Problem p = problem();
  auto opt = p.make("rmsprop", "", {{"lr", 0.01}, {"alpha", 0.99}, {"eps", 1e-8}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.9000000167, -1.9000000125}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.8550986979, -1.9449013330}, kTol, "w2");
  expectNear(testing::slice(*opt->state("mean_square"), p.layout().tensor(0)), {0.004464, 0.007936}, 1e-8, "s2");
}

// Adagrad, lr 0.1, eps 1e-10: s1 = g1^2 = [0.36, 0.64], u1 = [1, -1], w1 = [2.9, -1.9];
//   s2 = [0.45, 0.8], u2 = [0.3/sqrt(0.45), 0.4/sqrt(0.8)] = [0.4472135955, 0.4472135955]
//   w2 = [2.8552786405, -1.9447213595]
TEST(AdaptiveVectors, Adagrad) {
  Problem p = problem();
  auto opt = p.make("adagrad", "", {{"lr", 0.1}, {"eps", 1e-10}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.9, -1.9}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.8552786405, -1.9447213595}, kTol, "w2");
}

// Adam, lr 0.1, b1 0.9, b2 0.999, eps 1e-6 (chosen large enough to show), no decay.
// t=1: m = 0.1 g1 = [0.06, -0.08], v = 0.001 g1^2 = [3.6e-4, 6.4e-4]; m^ = g1, v^ = g1^2
//      u = g1/(|g1| + 1e-6) = [0.9999983333, -0.9999987500]; w1 = [2.9000001667, -1.9000001250]
// t=2: m = 0.9 m + 0.1 g2 = [0.084, -0.032]; v = 0.999 v + 0.001 g2^2 = [4.4964e-4, 7.9936e-4]
//      m^ = m/0.19 = [0.4421052632, -0.1684210526]; v^ = v/0.001999 = [0.2249324662, 0.3998799400]
//      u = [0.9321776733, -0.2663366185]; w2 = [2.8067823993, -1.8733664632]
// t=3: m = [0.0556, -0.0188]; v = [4.891903600e-4, 8.085606400e-4]
//      m^ = m/0.271 = [0.2051660517, -0.0693726937]; v^ = v/0.002997001 = [0.1632266256, 0.2697899133]
//      u = [0.5078189750, -0.1335595257]; w3 = [2.7560005018, -1.8600105106]
TEST(AdaptiveVectors, AdamThreeSteps) {
  Problem p = problem();
  auto opt = p.make("adam", "", {{"lr", 0.1}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-6}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.9000001667, -1.9000001250}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.8067823993, -1.8733664632}, kTol, "w2");
  p.step(*opt, kGrads[2]);
  expectNear(p.values(0), {2.7560005018, -1.8600105106}, kTol, "w3");
  expectNear(testing::slice(*opt->state("first_moment"), p.layout().tensor(0)), {0.0556, -0.0188}, 1e-7, "m3");
  expectNear(testing::slice(*opt->state("second_moment"), p.layout().tensor(0)), {4.891903600e-4, 8.085606400e-4},
             1e-9, "v3");
  EXPECT_NEAR(p.telemetry[0].localLr, 0.1, 1e-12);
}

// Adam with L2 decay 0.1 (eps 1e-8): the decay enters the moments. t=1: d = g1 + 0.1 w0 = [0.9, -1.0],
// u = [0.9999999889, -0.9999999900], w1 = [2.9000000011, -1.9000000010].
// t=2: d = g2 + 0.1 w1 = [0.59, 0.21]; m = [0.14, -0.069]; v = [1.15729e-3, 1.0431e-3]
//      m^ = [0.7368421053, -0.3631578948], v^ = [0.5789344673, 0.5218109054]; u = [0.9684110267, -0.5027347531]
//      w2 = [2.8031588984, -1.8497265257]
// t=3: d = g3 + 0.1 w2 = [0.0803158898, -0.0849726526]; w3 = [2.7237499834, -1.8056997486]
TEST(AdaptiveVectors, AdamL2ThreeSteps) {
  Problem p = problem();
  auto opt = p.make("adam", "", {{"lr", 0.1}, {"eps", 1e-8}, {"weight_decay", 0.1}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.9000000011, -1.9000000010}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.8031588984, -1.8497265257}, kTol, "w2");
  p.step(*opt, kGrads[2]);
  expectNear(p.values(0), {2.7237499834, -1.8056997486}, kTol, "w3");
}

// AdamW, lr 0.1, eps 1e-8, weight_decay 0.1: moments as plain Adam on g, then w <- w - 0.1 (u + 0.1 w).
// t=1: u = [0.9999999833, -0.9999999875]; w1 = [3 - 0.1(0.9999999833 + 0.3), -2 - 0.1(-0.9999999875 - 0.2)]
//      = [2.8700000017, -1.8800000013]
// t=2: u = [0.9321796192, -0.2663370354]; w2 = w1 - 0.1 (u + 0.1 w1) = [2.7480820397, -1.8345662977]
// t=3: u = [0.5078202194, -0.1335597802]; w3 = [2.6698191974, -1.8028646567]
TEST(AdaptiveVectors, AdamWThreeSteps) {
  Problem p = problem();
  auto opt = p.make("adamw", "", {{"lr", 0.1}, {"eps", 1e-8}, {"weight_decay", 0.1}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.8700000017, -1.8800000013}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.7480820397, -1.8345662977}, kTol, "w2");
  p.step(*opt, kGrads[2]);
  expectNear(p.values(0), {2.6698191974, -1.8028646567}, kTol, "w3");
}

// LAMB, lr 0.1, b1 0.9, b2 0.999, eps 1e-6, weight_decay 0.01, phi identity. The Adam direction u is
// the one of AdamThreeSteps (same gradients); r = u + 0.01 w; w <- w - 0.1 ||w||/||r|| r.
// t=1: r = [0.9999983333 + 0.03, -0.9999987500 - 0.02] = [1.0299983333, -1.0199987500], ||r|| = 1.4495840840
//      ratio = 3.6055512755/1.4495840840 = 2.4873005403; w1 = w0 - 0.24873005403 r = [2.7438084589, -1.7462956558]
// t=2: ||w1|| = 3.2523888723; r = [0.9321776733 + 0.0274380846, -0.2663366185 - 0.0174629566]
//      = [0.9596157579, -0.2837995750], ||r|| = 1.0007020544, ratio = 3.2501071204
//      w2 = [2.4319230581, -1.6540577538]
// t=3: ||w2|| = 2.9411148930; r = [0.5321382056, -0.1501001032], ||r|| = 0.5529024424, ratio = 5.3194102020
//      w3 = [2.1488569182, -1.5742133518]
TEST(AdaptiveVectors, LambThreeSteps) {
  Problem p = problem();
  auto opt = p.make("lamb", "", {{"lr", 0.1}, {"eps", 1e-6}, {"weight_decay", 0.01}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.7438084589, -1.7462956558}, kTol, "w1");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 2.4873005403, 1e-6);
  EXPECT_NEAR(p.telemetry[0].localLr, 0.24873005403, 1e-7);
  // LAMB moves every tensor by gamma ||w|| per step.
  EXPECT_NEAR(p.telemetry[0].updateNorm, 0.1 * std::sqrt(13.0), 1e-6);
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.4319230581, -1.6540577538}, kTol, "w2");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 3.2501071204, 1e-5);
  p.step(*opt, kGrads[2]);
  expectNear(p.values(0), {2.1488569182, -1.5742133518}, kTol, "w3");
  EXPECT_NEAR(p.telemetry[0].trustRatio, 5.3194102020, 1e-5);
}

// LAMB with phi = clamp, clamp_max 2: ratio = min(||w||, 2)/||r||.
// t=1: ratio = 2/1.4495840840 = 1.3797060978; w1 = w0 - 0.13797060978 r = [2.8578905019, -1.8592701505]
// t=2: ||w1|| = 3.4094608977 > 2; r = [0.9321776733 + 0.0285789050, -0.2663366185 - 0.0185927015]
//      = [0.9607565783, -0.2849293200], ||r|| = 1.0021167198, ratio = 1.9957755024; w2 = [2.6661450576, -1.8024046548]
// t=3: r = [0.5344804256, -0.1515835722], ||r|| = 0.5555599920, ratio = 3.5999712520; w3 = [2.4737336409, -1.7478350046]
TEST(AdaptiveVectors, LambClampThreeSteps) {
  Problem p = problem();
  auto opt = p.make("lamb", "", {{"lr", 0.1}, {"eps", 1e-6}, {"weight_decay", 0.01}, {"clamp_max", 2.0}},
                    {{"phi", "clamp"}});
  p.step(*opt, kGrads[0]);
  expectNear(p.values(0), {2.8578905019, -1.8592701505}, kTol, "w1");
  p.step(*opt, kGrads[1]);
  expectNear(p.values(0), {2.6661450576, -1.8024046548}, kTol, "w2");
  p.step(*opt, kGrads[2]);
  expectNear(p.values(0), {2.4737336409, -1.7478350046}, kTol, "w3");
}

// LAMB exclusion: a Bias tensor gets the plain Adam step (no decay, ratio 1); same numbers as AdamThreeSteps.
TEST(AdaptiveVectors, LambExcludedTensorTakesAdamStep) {
  Problem p({{"b", nn::TensorKind::Bias, {3.0, -2.0}}});
  auto opt = p.make("lamb", "", {{"lr", 0.1}, {"eps", 1e-6}, {"weight_decay", 0.01}}, {{"exclude", "vectors"}});
  for (const auto& g : kGrads) p.step(*opt, g);
  expectNear(p.values(0), {2.7560005018, -1.8600105106}, kTol, "w3");
  EXPECT_EQ(p.telemetry[0].trustRatio, 1.0);
}

}  // namespace
}  // namespace larslab::optim
