// The fused chain against the plain reference implementation (reference_optimizers.h): every
// optimizer, every LARS convention combination and preset, weight decay on and off, a warm-up
// and decay schedule, a mid-run LR change, over many steps on tensors that cross blocks and a
// chunk, 1-D tensors under exclusion, and zero-norm tensors. Parameters, optimizer state and
// telemetry must agree to at most 1 ulp per value.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>
#include <random>

#include "optim/schedule.h"
#include "optim_test_util.h"
#include "reference_optimizers.h"

namespace larslab::optim {
namespace {

using testing::Problem;
using testing::TensorDef;

constexpr int kSteps = 30;
constexpr long kMaxUlps = 1;

// Distance in units in the last place between two floats or two doubles (0 when both are NaN).
template <typename Real>
std::uint64_t ulps(Real a, Real b) {
  if (std::isnan(a) && std::isnan(b)) return 0;
  if (std::isnan(a) || std::isnan(b)) return UINT64_MAX;
  using Bits = std::conditional_t<sizeof(Real) == 4, std::uint32_t, std::uint64_t>;
  const auto ordered = [](Real x) {
    Bits bits;
    std::memcpy(&bits, &x, sizeof bits);
    const Bits sign = Bits{1} << (8 * sizeof(Bits) - 1);
    return static_cast<std::uint64_t>((bits & sign) != 0 ? ~bits : bits | sign);
  };
  const std::uint64_t x = ordered(a), y = ordered(b);
  return x > y ? x - y : y - x;
}

struct Case {
  std::string type, preset;
  std::map<std::string, double> hyper;
  std::map<std::string, std::string> options;
  [[nodiscard]] std::string label() const {
    std::string s = type + (preset.empty() ? "" : "/" + preset);
    for (const auto& [k, v] : options) s += " " + k + "=" + v;
    for (const auto& [k, v] : hyper) {
      char value[32];
      std::snprintf(value, sizeof value, "%g", v);
      s += " " + k + "=" + value;
    }
    return s;
  }
};

std::vector<Case> cases() {
  std::vector<Case> all;
  const auto both = [&](Case c, double decay) {  // weight decay on, then off
    c.hyper["weight_decay"] = decay;
    all.push_back(c);
    c.hyper["weight_decay"] = 0.0;
    all.push_back(c);
  };
  both({"sgd", "", {}, {}}, 0.01);
  both({"momentum", "", {}, {}}, 0.01);
  both({"nesterov", "", {}, {}}, 0.01);
  both({"adam", "", {}, {}}, 0.01);
  both({"adamw", "", {}, {}}, 0.01);
  both({"rmsprop", "", {}, {}}, 0.01);
  both({"rmsprop", "", {{"momentum", 0.9}}, {}}, 0.01);
  both({"adagrad", "", {}, {}}, 0.01);
  for (const char* phi : {"identity", "clamp"})
    for (const char* exclude : {"none", "vectors"})
      both({"lamb", "", {{"clamp_max", 0.5}}, {{"phi", phi}, {"exclude", exclude}}}, 0.01);
  // Every combination of the six LARS conventions, then every preset as it is, for both types.
  const OptimizerInfo& lars = *findOptimizer("lars");
  const std::size_t combinations = std::size_t{1} << lars.options.size();
  for (std::size_t bits = 0; bits < combinations; ++bits) {
    Case c{"lars", "paper", {{"lr", 0.5}, {"eta", 0.02}, {"eps", 1e-8}}, {}};
    for (std::size_t o = 0; o < lars.options.size(); ++o) {
      if (lars.options[o].choices.size() != 2) throw std::logic_error("extend the enumeration to more choices");
      c.options[lars.options[o].name] = lars.options[o].choices[(bits >> o) & 1];
    }
    both(c, 0.01);
  }
  for (const char* type : {"lars", "larc"}) {
    both({type, "", {{"lr", 0.5}}, {}}, 0.01);
    for (const auto& preset : lars.presets) both({type, preset.name, {{"lr", 0.5}}, {}}, 0.01);
  }
  return all;
}

std::vector<double> randomValues(std::mt19937& rng, std::size_t n, double scale) {
  std::normal_distribution<double> normal(0.0, scale);
  std::vector<double> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

std::vector<TensorDef> tensors(std::mt19937& rng) {
  return {{"dense1.weight", nn::TensorKind::Weight, randomValues(rng, 700, 0.3)},  // three blocks
          {"dense1.bias", nn::TensorKind::Bias, randomValues(rng, 20, 0.1)},
          {"bn1.gamma", nn::TensorKind::Norm, randomValues(rng, 16, 1.0)},
          {"bn1.running_mean", nn::TensorKind::Statistic, randomValues(rng, 16, 1.0)},
          {"zero.weight", nn::TensorKind::Weight, std::vector<double>(40, 0.0)},  // ||w|| = 0 at step 1
          {"scalar", nn::TensorKind::Weight, {0.75}},
          {"dense2.weight", nn::TensorKind::Weight, randomValues(rng, 16400, 0.05)}};  // crosses a chunk
}

struct Worst {
  std::uint64_t params = 0, state = 0, telemetry = 0;
  std::string where;
  template <typename Describe>
  void see(std::uint64_t& slot, std::uint64_t d, const Describe& what) {
    if (d > slot) slot = d;
    if (d > kMaxUlps && where.empty()) where = what();
  }
};

TEST(ReferenceOptimizers, FusedChainMatchesThePlainImplementation) {
  const std::vector<Case> all = cases();
  Worst worst;
  std::set<std::string> types;
  ScheduleConfig schedule;
  schedule.kind = "polynomial";
  schedule.warmupSteps = 5;
  schedule.totalSteps = kSteps + 5;  // the LR decays but never reaches 0
  for (const Case& c : all) {
    types.insert(c.type);
    std::mt19937 rng(21);
    Problem p(tensors(rng));
    auto fused = p.make(c.type, c.preset, c.hyper, c.options);
    OptimizerConfig config{c.type, c.preset, c.hyper, c.options};
    reference::ReferenceOptimizer oracle(resolveOptimizerConfig(config), p.layout());
    nn::ParameterStore params = p.params;
    std::vector<TensorTelemetry> telemetry;
    const int zeroIndex = p.layout().indexOf("zero.weight"), biasIndex = p.layout().indexOf("dense1.bias");
    for (int step = 0; step < kSteps; ++step) {
      std::vector<std::vector<double>> g;
      for (const auto& t : p.layout().tensors()) g.push_back(randomValues(rng, t.size, 1.0));
      if (step == 0 || step == 7) g[zeroIndex].assign(g[zeroIndex].size(), 0.0);  // ||w|| = ||g|| = 0, then ||g|| = 0
      if (step % 5 == 3) g[biasIndex].assign(g[biasIndex].size(), 0.0);          // ||g|| = 0 on a 1-D tensor
      if (step == 20) {  // a slider move between steps
        fused->setHyperparameter("lr", fused->hyperparameter("lr") * 0.5);
        oracle.setHyperparameter("lr", fused->hyperparameter("lr"));
      }
      const double lrFactor = scheduleFactor(schedule, step);
      p.step(*fused, g, lrFactor);
      oracle.step(params, p.grads, lrFactor, telemetry);

      const auto where = [&] { return c.label() + " step " + std::to_string(step + 1); };
      for (Eigen::Index j = 0; j < params.flat().size(); ++j)
        worst.see(worst.params, ulps(p.params.flat()[j], params.flat()[j]),
                  [&] { return where() + " parameter " + std::to_string(j); });
      for (const char* name : {"momentum", "first_moment", "second_moment", "mean_square", "sum_of_squares"}) {
        const nn::Vector* a = fused->state(name);
        const nn::Vector* b = oracle.state(name);
        ASSERT_EQ(a == nullptr, b == nullptr) << where() << " state " << name;
        if (a == nullptr) continue;
        for (Eigen::Index j = 0; j < a->size(); ++j)
          worst.see(worst.state, ulps((*a)[j], (*b)[j]),
                    [&] { return where() + " " + name + "[" + std::to_string(j) + "]"; });
      }
      for (int i = 0; i < p.layout().count(); ++i) {
        const TensorTelemetry& a = p.telemetry[i];
        const TensorTelemetry& b = telemetry[i];
        const auto tensor = [&] { return where() + " " + p.layout().tensor(i).name + " "; };
        worst.see(worst.telemetry, ulps(a.weightNorm, b.weightNorm), [&] { return tensor() + "||w||"; });
        worst.see(worst.telemetry, ulps(a.gradNorm, b.gradNorm), [&] { return tensor() + "||g||"; });
        worst.see(worst.telemetry, ulps(a.trustRatio, b.trustRatio), [&] { return tensor() + "trust ratio"; });
        worst.see(worst.telemetry, ulps(a.localLr, b.localLr), [&] { return tensor() + "local LR"; });
        worst.see(worst.telemetry, ulps(a.updateNorm, b.updateNorm), [&] { return tensor() + "||dw||"; });
        worst.see(worst.telemetry, ulps(a.updateRatio, b.updateRatio), [&] { return tensor() + "||dw||/||w||"; });
      }
    }
  }
  EXPECT_EQ(types.size(), optimizerRegistry().size()) << "every optimizer of the registry has an oracle case";
  EXPECT_LE(worst.params, kMaxUlps) << "first beyond 1 ulp: " << worst.where;
  EXPECT_LE(worst.state, kMaxUlps) << "first beyond 1 ulp: " << worst.where;
  EXPECT_LE(worst.telemetry, kMaxUlps) << "first beyond 1 ulp: " << worst.where;
  std::cout << all.size() << " (optimizer, convention, weight decay) cases x " << kSteps
            << " steps; max ulp difference: parameters " << worst.params << ", state " << worst.state
            << ", telemetry " << worst.telemetry << "\n";
}

}  // namespace
}  // namespace larslab::optim
