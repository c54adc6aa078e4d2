// Properties every implementation must have, checked on random tensors (fixed seeds).

#include <gtest/gtest.h>

#include <tbb/task_arena.h>

#include <cmath>
#include <cstring>
#include <random>

#include "optim_test_util.h"

namespace larslab::optim {
namespace {

using testing::Problem;
using testing::TensorDef;

std::vector<double> randomValues(std::mt19937& rng, std::size_t n, double scale) {
  std::normal_distribution<double> normal(0.0, scale);
  std::vector<double> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

// Tensors larger than one 256-element block, so the two-pass chains cross block boundaries.
std::vector<TensorDef> mixedTensors(std::mt19937& rng) {
  return {{"dense1.weight", nn::TensorKind::Weight, randomValues(rng, 700, 0.3)},
          {"dense1.bias", nn::TensorKind::Bias, randomValues(rng, 20, 0.1)},
          {"bn1.gamma", nn::TensorKind::Norm, randomValues(rng, 20, 1.0)},
          {"bn1.running_mean", nn::TensorKind::Statistic, randomValues(rng, 20, 1.0)},
          {"dense2.weight", nn::TensorKind::Weight, randomValues(rng, 300, 2.0)}};
}

// Above Chain's parallel threshold: several 16384-element chunks, one tensor ending one element
// past a chunk boundary, and small tensors between the large ones.
std::vector<TensorDef> largeTensors(std::mt19937& rng) {
  return {{"conv1.weight", nn::TensorKind::Weight, randomValues(rng, 100000, 0.05)},
          {"conv1.bias", nn::TensorKind::Bias, randomValues(rng, 64, 0.1)},
          {"bn1.running_var", nn::TensorKind::Statistic, randomValues(rng, 64, 1.0)},
          {"dense1.weight", nn::TensorKind::Weight, randomValues(rng, 16385, 0.2)},
          {"dense1.bias", nn::TensorKind::Bias, randomValues(rng, 10, 0.1)}};
}

std::vector<std::vector<double>> randomGrads(std::mt19937& rng, const Problem& p, double scale) {
  std::vector<std::vector<double>> g;
  for (const auto& t : p.layout().tensors()) g.push_back(randomValues(rng, t.size, scale));
  return g;
}

double norm(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

// Population standard deviation, two passes (the engine sums in one).
double stdev(const std::vector<double>& v) {
  double mean = 0.0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double s = 0.0;
  for (double x : v) s += (x - mean) * (x - mean);
  return std::sqrt(s / static_cast<double>(v.size()));
}

double maxRelDiff(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i])));
  return worst;
}

// With beta = 0 and eps = 0 the LARS update of a tensor does not change when its gradient is
// scaled by any c > 0: lambda absorbs the scale (DESIGN.md section 2).
TEST(LarsProperties, ScaleInvarianceWithoutDecay) {
  for (const char* denominator : {"grad_plus_decay", "norm_of_sum"}) {
    for (const char* placement : {"inside", "outside"}) {
      std::vector<double> reference;
      for (double c : {1.0, 1e-3, 37.0, 1e4}) {
        std::mt19937 rng(7);
        Problem p({{"w", nn::TensorKind::Weight, randomValues(rng, 400, 1.0)}});
        auto opt = p.make("lars", "paper", {{"lr", 1.0}, {"eta", 0.01}, {"weight_decay", 0.0}, {"eps", 0.0}},
                          {{"denominator", denominator}, {"lr_placement", placement}});
        for (int s = 0; s < 4; ++s) {
          auto g = randomGrads(rng, p, 1.0);
          for (auto& x : g[0]) x *= c;
          p.step(*opt, g);
        }
        if (reference.empty()) {
          reference = p.values(0);
        } else {
          EXPECT_LT(maxRelDiff(p.values(0), reference), 2e-6) << denominator << "/" << placement << " c=" << c;
        }
      }
    }
  }
}

// The same experiment with beta > 0 is NOT invariant: the test above can fail.
TEST(LarsProperties, ScaleInvarianceBreaksWithDecay) {
  std::vector<std::vector<double>> finals;
  for (double c : {1.0, 37.0}) {
    std::mt19937 rng(7);
    Problem p({{"w", nn::TensorKind::Weight, randomValues(rng, 400, 1.0)}});
    auto opt = p.make("lars", "paper", {{"lr", 1.0}, {"eta", 0.01}, {"weight_decay", 0.05}});
    for (int s = 0; s < 4; ++s) {
      auto g = randomGrads(rng, p, 1.0);
      for (auto& x : g[0]) x *= c;
      p.step(*opt, g);
    }
    finals.push_back(p.values(0));
  }
  EXPECT_GT(maxRelDiff(finals[0], finals[1]), 1e-4);
}

// exclude = vectors: Bias and Norm tensors follow exactly the "momentum" optimizer without decay;
// the Weight tensors do not.
TEST(LarsProperties, ExcludedTensorsGetPlainMomentumWithoutDecay) {
  for (const char* preset : {"paper", "timm", "optax"}) {
    std::mt19937 rng(3);
    const auto defs = mixedTensors(rng);
    Problem lars(defs), plain(defs);
    auto a =
        lars.make("lars", preset, {{"lr", 0.2}, {"momentum", 0.9}, {"weight_decay", 0.01}}, {{"exclude", "vectors"}});
    auto b = plain.make("momentum", "", {{"lr", 0.2}, {"momentum", 0.9}, {"weight_decay", 0.0}});
    for (int s = 0; s < 5; ++s) {
      const auto g = randomGrads(rng, lars, 0.5);
      lars.step(*a, g);
      plain.step(*b, g);
    }
    for (int i : {1, 2}) {
      EXPECT_LT(maxRelDiff(lars.values(i), plain.values(i)), 1e-6) << preset << " tensor " << i;
      EXPECT_EQ(lars.telemetry[i].trustRatio, 1.0);
      EXPECT_NEAR(lars.telemetry[i].localLr, 0.2, 1e-12);
    }
    EXPECT_GT(maxRelDiff(lars.values(0), plain.values(0)), 1e-3) << preset << ": weights must be adapted";
  }
}

// Zero norm together with LARC clipping, gamma = 2: ratio_one keeps the clip (timm: local LR
// = gamma min(1/gamma, 1) = 1) and still decays; skip leaves the gradient alone (apex: local LR
// = gamma = 2, no decay). w = [3, 4], g = 0, beta = 0.1, momentum 0, LR outside:
//   timm_larc: w' = w - 2 * 0.5 * 0.1 w = 0.9 w = [2.7, 3.6];  apex_larc: w' = w.
TEST(LarsProperties, ZeroNormWithClipping) {
  for (const char* preset : {"timm_larc", "apex_larc"}) {
    Problem p({{"w", nn::TensorKind::Weight, {3.0, 4.0}}});
    auto opt = p.make("larc", preset, {{"lr", 2.0}, {"weight_decay", 0.1}, {"momentum", 0.0}});
    p.step(*opt, {{0.0, 0.0}});
    EXPECT_EQ(p.telemetry[0].trustRatio, 1.0);
    if (std::string(preset) == "timm_larc") {
      EXPECT_NEAR(p.telemetry[0].localLr, 1.0, 1e-12);
      testing::expectNear(p.values(0), {2.7, 3.6}, 1e-6, preset);
    } else {
      EXPECT_NEAR(p.telemetry[0].localLr, 2.0, 1e-12);
      testing::expectNear(p.values(0), {3.0, 4.0}, 0.0, preset);
    }
  }
}

// LARC: the local LR never exceeds the global LR, whatever the scales of w and g.
TEST(LarsProperties, LarcLocalLrNeverExceedsGlobalLr) {
  std::mt19937 rng(11);
  std::vector<TensorDef> defs;
  for (int i = 0; i < 8; ++i)
    defs.push_back({"t" + std::to_string(i), nn::TensorKind::Weight, randomValues(rng, 50, std::pow(10.0, i - 4))});
  for (const char* preset : {"apex_larc", "timm_larc"}) {
    Problem p(defs);
    auto opt = p.make("larc", preset, {{"lr", 0.3}, {"eta", 0.5}});
    std::uniform_real_distribution<double> factor(0.0, 1.5);
    int clipped = 0;
    for (int s = 0; s < 50; ++s) {
      auto g = randomGrads(rng, p, 1.0);
      for (std::size_t i = 0; i < g.size(); ++i)
        for (auto& x : g[i]) x *= std::pow(10.0, static_cast<double>((s + i) % 9) - 4.0);
      const double lrFactor = factor(rng);
      p.step(*opt, g, lrFactor);
      for (const auto& t : p.telemetry) {
        EXPECT_LE(t.localLr, 0.3 * lrFactor * (1.0 + 1e-12));
        clipped += t.trustRatio > 0.3 * lrFactor ? 1 : 0;
      }
    }
    EXPECT_GT(clipped, 20) << "the scales must actually trigger clipping";
  }
}

// Telemetry against norms computed here, independently, for every optimizer.
TEST(OptimizerProperties, TelemetryMatchesIndependentNorms) {
  for (const auto& info : optimizerRegistry()) {
    for (const bool large : {false, true}) {
      std::mt19937 rng(5);
      Problem p(large ? largeTensors(rng) : mixedTensors(rng));
      auto opt = p.make(info.type);
      for (int s = 0; s < 3; ++s) {
        const auto g = randomGrads(rng, p, 0.7);
        std::vector<std::vector<double>> before;
        for (int i = 0; i < p.layout().count(); ++i) before.push_back(p.values(i));
        p.step(*opt, g);
        for (int i = 0; i < p.layout().count(); ++i) {
          const auto& t = p.telemetry[i];
          const std::string what = info.type + " step " + std::to_string(s) + " tensor " + p.layout().tensor(i).name;
          if (!p.layout().tensor(i).trainable()) {
            EXPECT_EQ(p.values(i), before[i]) << what << ": statistics are never touched";
            EXPECT_EQ(t.weightNorm, 0.0) << what;
            EXPECT_EQ(t.localLr, 0.0) << what;
            continue;
          }
          // The stored values are floats: recompute norms from exactly those floats.
          std::vector<double> gf, delta;
          for (double x : g[i]) gf.push_back(static_cast<nn::Scalar>(x));
          const auto after = p.values(i);
          for (std::size_t j = 0; j < after.size(); ++j) delta.push_back(after[j] - before[i][j]);
          EXPECT_NEAR(t.weightNorm, norm(before[i]), 1e-9 * norm(before[i])) << what;
          EXPECT_NEAR(t.gradNorm, norm(gf), 1e-9 * norm(gf)) << what;
          EXPECT_NEAR(t.updateNorm, norm(delta), 1e-9 * norm(delta)) << what;
          EXPECT_NEAR(t.updateRatio, norm(delta) / norm(before[i]), 1e-9 * t.updateRatio) << what;
          // cs231n's update-to-data ratio, a log10: an absolute tolerance is a relative one on the ratio.
          EXPECT_NEAR(t.updateToData, std::log10(stdev(delta) / stdev(before[i])), 1e-7) << what;
          for (const TensorMetricInfo& m : kTensorMetrics) {  // every ratio of the table, exactly
            if (m.derived()) {
              EXPECT_EQ(telemetryValue(t, m.id), telemetryValue(t, m.numerator) / telemetryValue(t, m.denominator))
                  << what << ' ' << m.key;
            }
          }
          EXPECT_GT(t.updateNorm, 0.0) << what;
          if (info.type == "lars") {  // paper preset: lambda = eta ||w|| / (||g|| + beta ||w||)
            const double eta = opt->hyperparameter("eta"), beta = opt->hyperparameter("weight_decay");
            const double lambda = eta * norm(before[i]) / (norm(gf) + beta * norm(before[i]));
            EXPECT_NEAR(t.trustRatio, lambda, 1e-9 * lambda) << what;
            EXPECT_NEAR(t.localLr, opt->hyperparameter("lr") * lambda, 1e-9 * lambda) << what;
          } else if (info.type != "lamb" && info.type != "larc") {
            EXPECT_EQ(t.trustRatio, 1.0) << what;
            EXPECT_NEAR(t.localLr, opt->hyperparameter("lr"), 1e-15) << what;
          }
        }
      }
    }
  }
}

// Large models are stepped in parallel over fixed chunks: parameters, optimizer state and
// telemetry must be bitwise identical with 1 and 2 threads.
TEST(OptimizerProperties, ParallelStepIsIndependentOfThreadCount) {
  for (const auto& info : optimizerRegistry()) {
    auto run = [&](int threads) {
      std::mt19937 rng(9);
      Problem p(largeTensors(rng));
      auto opt = p.make(info.type);
      tbb::task_arena arena(threads);
      std::vector<TensorTelemetry> telemetry;
      for (int s = 0; s < 3; ++s) {
        const auto g = randomGrads(rng, p, 0.5);
        arena.execute([&] { p.step(*opt, g); });
        telemetry.insert(telemetry.end(), p.telemetry.begin(), p.telemetry.end());
      }
      return std::make_pair(p.params.flat(), telemetry);
    };
    const auto [params1, telemetry1] = run(1);
    const auto [params2, telemetry2] = run(2);
    ASSERT_EQ(params1.size(), params2.size());
    EXPECT_EQ(std::memcmp(params1.data(), params2.data(), sizeof(nn::Scalar) * params1.size()), 0) << info.type;
    ASSERT_EQ(telemetry1.size(), telemetry2.size());
    for (std::size_t i = 0; i < telemetry1.size(); ++i) {
      EXPECT_EQ(telemetry1[i].weightNorm, telemetry2[i].weightNorm) << info.type << " entry " << i;
      EXPECT_EQ(telemetry1[i].gradNorm, telemetry2[i].gradNorm) << info.type << " entry " << i;
      EXPECT_EQ(telemetry1[i].trustRatio, telemetry2[i].trustRatio) << info.type << " entry " << i;
      EXPECT_EQ(telemetry1[i].updateNorm, telemetry2[i].updateNorm) << info.type << " entry " << i;
    }
  }
}

// A diverged run reports NaN rather than hiding it, and does not throw.
TEST(OptimizerProperties, NonFiniteValuesAreReported) {
  Problem p({{"w", nn::TensorKind::Weight, {1.0, 2.0}}});
  auto opt = p.make("lars");
  p.step(*opt, {{std::nan(""), 1.0}});
  EXPECT_TRUE(std::isnan(p.telemetry[0].gradNorm));
  EXPECT_TRUE(std::isnan(p.telemetry[0].trustRatio));
  EXPECT_TRUE(std::isnan(p.telemetry[0].updateNorm));
  EXPECT_TRUE(std::isnan(p.values(0)[0]));
}

// setHyperparameter between steps keeps state: raising lr with setHyperparameter must equal
// keeping lr and passing the same factor through lrFactor, while a fresh optimizer (no state)
// started from the same weights differs.
TEST(OptimizerProperties, LrChangeMidRunKeepsState) {
  for (const auto& info : optimizerRegistry()) {
    std::mt19937 rng(9);
    const auto defs = mixedTensors(rng);
    std::vector<std::vector<std::vector<double>>> grads;
    {
      Problem shape(defs);
      for (int s = 0; s < 4; ++s) grads.push_back(randomGrads(rng, shape, 0.5));
    }
    Problem viaSet(defs), viaFactor(defs);
    auto a = viaSet.make(info.type);
    auto b = viaFactor.make(info.type);
    const double lr = a->hyperparameter("lr");
    for (int s = 0; s < 3; ++s) {
      viaSet.step(*a, grads[s]);
      viaFactor.step(*b, grads[s]);
    }
    Problem fresh(defs);
    fresh.params = viaSet.params;
    auto c = fresh.make(info.type, "", {{"lr", lr * 2.0}});
    a->setHyperparameter("lr", lr * 2.0);
    EXPECT_EQ(a->hyperparameter("lr"), lr * 2.0);
    EXPECT_EQ(a->stepCount(), 3);
    viaSet.step(*a, grads[3]);
    viaFactor.step(*b, grads[3], 2.0);
    fresh.step(*c, grads[3]);
    for (int i = 0; i < viaSet.layout().count(); ++i) {
      EXPECT_LT(maxRelDiff(viaSet.values(i), viaFactor.values(i)), 1e-6) << info.type << " tensor " << i;
    }
    if (info.type != "sgd") {
      EXPECT_GT(maxRelDiff(viaSet.values(0), fresh.values(0)), 1e-6) << info.type << ": state must matter";
    }
  }
}

// Changing the momentum coefficient uses the existing buffer: v4 = m_new v3 + g4 exactly.
TEST(OptimizerProperties, MomentumChangeMidRunUsesBuffer) {
  Problem p({{"w", nn::TensorKind::Weight, {1.0, -1.0, 0.5}}});
  auto opt = p.make("momentum", "", {{"lr", 0.1}, {"momentum", 0.9}});
  p.step(*opt, {{0.5, 0.25, -1.0}});
  p.step(*opt, {{0.5, 0.25, -1.0}});
  const nn::Vector v2 = *opt->state("momentum");  // 1.9 g
  opt->setHyperparameter("momentum", 0.5);
  p.step(*opt, {{1.0, 2.0, 3.0}});
  const nn::Vector& v3 = *opt->state("momentum");
  EXPECT_FLOAT_EQ(v3[0], 0.5f * v2[0] + 1.0f);
  EXPECT_FLOAT_EQ(v3[1], 0.5f * v2[1] + 2.0f);
  EXPECT_FLOAT_EQ(v3[2], 0.5f * v2[2] + 3.0f);
  EXPECT_FLOAT_EQ(v2[0], 0.95f);
}

// Changing eta keeps the LARS momentum: v3 = m v2 + gamma lambda_new d, lambda_new with the new
// eta.
TEST(OptimizerProperties, EtaChangeMidRunKeepsLarsMomentum) {
  Problem p({{"w", nn::TensorKind::Weight, {3.0, 4.0}}});
  auto opt = p.make("lars", "paper", {{"lr", 0.5}, {"eta", 0.1}, {"weight_decay", 0.0}, {"momentum", 0.9}});
  p.step(*opt, {{1.2, -1.6}});  // lambda = 0.1*5/2 = 0.25, v1 = 0.125 g = [0.15, -0.2], w1 = [2.85, 4.2]
  opt->setHyperparameter("eta", 0.2);
  p.step(*opt, {{0.0, 1.0}});  // lambda = 0.2 ||w1|| / 1, ||w1|| = sqrt(2.85^2 + 4.2^2) = 5.075677294
  const double lambda = 0.2 * std::sqrt(2.85 * 2.85 + 4.2 * 4.2);
  EXPECT_NEAR(p.telemetry[0].trustRatio, lambda, 1e-6);
  testing::expectNear(testing::slice(*opt->state("momentum"), p.layout().tensor(0)),
                      {0.9 * 0.15, 0.9 * -0.2 + 0.5 * lambda}, 1e-6, "v2");
}

// Changing beta1 keeps the Adam moments: m2 = b1_new m1 + (1 - b1_new) g2.
TEST(OptimizerProperties, Beta1ChangeMidRunKeepsMoments) {
  Problem p({{"w", nn::TensorKind::Weight, {1.0, 2.0}}});
  auto opt = p.make("adam");
  p.step(*opt, {{1.0, -2.0}});  // m1 = 0.1 g1
  opt->setHyperparameter("beta1", 0.5);
  p.step(*opt, {{3.0, 1.0}});
  testing::expectNear(testing::slice(*opt->state("first_moment"), p.layout().tensor(0)),
                      {0.5 * 0.1 + 0.5 * 3.0, 0.5 * -0.2 + 0.5 * 1.0}, 1e-7, "m2");
}

TEST(OptimizerProperties, ResetForgetsState) {
  for (const auto& info : optimizerRegistry()) {
    Problem p({{"w", nn::TensorKind::Weight, {1.0, -2.0, 0.5}}});
    Problem q = p;
    auto opt = p.make(info.type);
    p.step(*opt, {{0.3, 0.1, -0.2}});
    p.step(*opt, {{0.1, 0.4, 0.2}});
    opt->reset();
    EXPECT_EQ(opt->stepCount(), 0) << info.type;
    q.params = p.params;
    auto fresh = q.make(info.type);
    p.step(*opt, {{0.5, -0.5, 0.25}});
    q.step(*fresh, {{0.5, -0.5, 0.25}});
    EXPECT_EQ(p.values(0), q.values(0)) << info.type;
  }
}

TEST(OptimizerProperties, BadHyperparameterChangesThrowNamingThem) {
  Problem p({{"w", nn::TensorKind::Weight, {1.0}}});
  auto opt = p.make("lars");
  try {
    opt->setHyperparameter("etta", 0.1);
    FAIL() << "unknown name accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'etta'"), std::string::npos) << e.what();
  }
  try {
    opt->setHyperparameter("momentum", 1.5);
    FAIL() << "out-of-range value accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'momentum'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(opt->setHyperparameter("lr", std::nan("")), std::invalid_argument);
  EXPECT_EQ(opt->hyperparameter("momentum"), 0.9);
}

TEST(OptimizerProperties, StepRejectsMismatchedStores) {
  Problem p({{"w", nn::TensorKind::Weight, {1.0, 2.0}}});
  Problem other({{"w", nn::TensorKind::Weight, {1.0, 2.0, 3.0}}});
  auto opt = p.make("sgd");
  EXPECT_THROW(opt->step(other.params, other.grads, 1.0, {}), std::invalid_argument);
  EXPECT_THROW(opt->step(p.params, p.grads, -1.0, {}), std::invalid_argument);
  std::vector<TensorTelemetry> wrong(3);
  EXPECT_THROW(opt->step(p.params, p.grads, 1.0, wrong), std::invalid_argument);
  EXPECT_NO_THROW(opt->step(p.params, p.grads, 1.0, {}));  // telemetry is optional
}

}  // namespace
}  // namespace larslab::optim
