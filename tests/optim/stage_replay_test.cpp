// The contract of the fused chain (transforms.h): a stage replayed after it advanced writes the
// same output again and leaves its state alone. Checked here for every StageKind, on blocks of
// random input, over several steps, including excluded tensors and zero norms.

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "optim/transforms.h"

namespace larslab::optim {
namespace {

using Floats = std::vector<nn::Scalar>;

struct StageCase {
  std::string label;
  std::function<TransformPtr()> make;  // a barrier is returned as a Transform; the test casts it back
};

// Every kind with every setting that changes its arithmetic.
std::map<StageKind, std::vector<StageCase>> stageCases() {
  const HyperRef beta = HyperRef::constant(0.05), eps = HyperRef::constant(1e-8);
  std::map<StageKind, std::vector<StageCase>> cases;
  cases[StageKind::AddDecayedWeights] = {{"beta 0.05", [=] { return addDecayedWeights(beta); }}};
  for (auto denominator : {TrustDenominator::GradPlusDecay, TrustDenominator::InputNorm})
    for (auto zeroNorm : {ZeroNormPolicy::RatioOne, ZeroNormPolicy::Skip})
      for (auto clipping : {TrustClipping::None, TrustClipping::Larc})
        for (auto phi : {TrustPhi::Identity, TrustPhi::Clamp}) {
          TrustRatioSettings s;
          s.denominator = denominator;
          s.zeroNorm = zeroNorm;
          s.clipping = clipping;
          s.phi = phi;
          s.weightDecay = beta;
          s.coefficient = HyperRef::constant(0.01);
          s.eps = eps;
          s.clampMax = HyperRef::constant(3.0);
          const std::string label = "trust " + std::to_string(static_cast<int>(denominator)) +
                                    std::to_string(static_cast<int>(zeroNorm)) +
                                    std::to_string(static_cast<int>(clipping)) + std::to_string(static_cast<int>(phi));
          cases[StageKind::ScaleByTrustRatio].push_back({label, [=] { return TransformPtr(scaleByTrustRatio(s)); }});
        }
  cases[StageKind::ScaleByLearningRate] = {{"lr", [] { return scaleByLearningRate(); }}};
  cases[StageKind::Trace] = {{"heavy ball", [] { return trace(HyperRef::constant(0.9), false); }},
                             {"nesterov", [] { return trace(HyperRef::constant(0.9), true); }}};
  cases[StageKind::ScaleByAdam] = {
      {"adam", [=] { return scaleByAdam(HyperRef::constant(0.9), HyperRef::constant(0.999), eps); }}};
  cases[StageKind::ScaleByRms] = {{"rms", [=] { return scaleByRms(HyperRef::constant(0.99), eps); }}};
  cases[StageKind::ScaleByRss] = {{"rss", [=] { return scaleByRss(HyperRef::constant(1e-10)); }}};
  return cases;
}

double norm(const Floats& x, std::size_t begin, std::size_t end) {
  double s = 0.0;
  for (std::size_t i = begin; i < end; ++i) s += static_cast<double>(x[i]) * x[i];
  return std::sqrt(s);
}

std::vector<Floats> snapshot(const Transform& stage) {
  std::vector<Floats> states;
  const auto& names = stageKindInfo(stage.kind()).stateNames;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const nn::Vector* v = stage.stateBuffer(k);
    EXPECT_NE(v, nullptr) << names[k];
    states.emplace_back(v->data(), v->data() + v->size());
  }
  return states;
}

TEST(StageKinds, TableFollowsTheEnumAndNamesEveryKindOnce) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < stageKinds().size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(stageKinds()[i].kind), i);
    EXPECT_TRUE(names.insert(stageKinds()[i].name).second) << stageKinds()[i].name;
    EXPECT_EQ(&stageKindInfo(stageKinds()[i].kind), &stageKinds()[i]);
  }
}

// Replay contract, for every stage kind.
TEST(StageReplay, EveryStageKindReproducesItsOutputAndKeepsItsState) {
  const auto cases = stageCases();
  std::set<StageKind> covered;
  for (const auto& [kind, list] : cases) covered.insert(kind);
  ASSERT_EQ(covered.size(), stageKinds().size()) << "a stage kind has no replay case";

  auto layout = std::make_shared<nn::ParameterLayout>();
  layout->add("w", nn::TensorKind::Weight, {700});  // three blocks of a chunk: 256 + 256 + 188
  layout->add("b", nn::TensorKind::Bias, {20});
  layout->add("z", nn::TensorKind::Weight, {30});  // all-zero weights and gradients: the zero-norm branch
  const std::ptrdiff_t kBlockSize = 256;

  for (const auto& [kind, list] : cases) {
    for (const auto& c : list) {
      TransformPtr stage = c.make();
      ASSERT_EQ(stage->kind(), kind) << c.label;
      auto* barrier = dynamic_cast<BarrierStage*>(stage.get());
      stage->init(*layout);
      std::mt19937 rng(17);
      std::normal_distribution<float> normal(0.0f, 1.0f);
      const std::size_t n = layout->totalSize();
      Floats w(n), g(n), input(n);
      bool stateMoved = false;
      for (long step = 1; step <= 4; ++step) {
        for (std::size_t i = 0; i < n; ++i) {
          const bool zero = i >= layout->tensor(2).offset;
          w[i] = zero ? 0.0f : normal(rng);
          g[i] = zero ? 0.0f : normal(rng);
          input[i] = zero ? 0.0f : normal(rng);
        }
        for (int ti = 0; ti < layout->count(); ++ti) {
          const nn::TensorInfo& info = layout->tensor(ti);
          TensorStep t;
          t.index = ti;
          t.info = &info;
          t.excluded = info.kind == nn::TensorKind::Bias && step % 2 == 0;
          t.count = step;
          t.lr = 0.5 / static_cast<double>(step);
          t.weightNorm = norm(w, info.offset, info.offset + info.size);
          t.gradNorm = norm(g, info.offset, info.offset + info.size);
          if (barrier != nullptr) {
            Floats x(input.begin() + static_cast<std::ptrdiff_t>(info.offset),
                     input.begin() + static_cast<std::ptrdiff_t>(info.offset + info.size));
            Block whole{info.offset, static_cast<std::ptrdiff_t>(info.size), w.data() + info.offset,
                        g.data() + info.offset, x.data()};
            barrier->prepareInput(whole, t);
            t.inputNorm = norm(x, 0, x.size());
            barrier->decide(t);
          }
          for (std::size_t start = info.offset; start < info.offset + info.size; start += kBlockSize) {
            const std::ptrdiff_t size =
                std::min<std::ptrdiff_t>(kBlockSize, static_cast<std::ptrdiff_t>(info.offset + info.size - start));
            Floats advanced(input.begin() + static_cast<std::ptrdiff_t>(start),
                            input.begin() + static_cast<std::ptrdiff_t>(start) + size);
            Floats replayed = advanced;
            const auto before = snapshot(*stage);
            stage->advance(Block{start, size, w.data() + start, g.data() + start, advanced.data()}, t);
            const auto after = snapshot(*stage);
            stateMoved = stateMoved || after != before;
            stage->replay(Block{start, size, w.data() + start, g.data() + start, replayed.data()}, t);
            const std::string what = c.label + " step " + std::to_string(step) + " tensor " + info.name;
            EXPECT_EQ(std::memcmp(advanced.data(), replayed.data(), sizeof(nn::Scalar) * advanced.size()), 0) << what;
            EXPECT_EQ(snapshot(*stage), after) << what << ": replay moved the state";
          }
        }
      }
      // The comparison above can fail: stateful stages do move their state when they advance.
      EXPECT_EQ(stateMoved, !stageKindInfo(kind).stateNames.empty()) << c.label;
    }
  }
}

// Who writes what: one stage applies weight decay, and a chain has one barrier.
TEST(ChainRules, WeightDecayHasOneOwnerAndThereIsOneBarrier) {
  TrustRatioSettings s;
  Chain decayTwice;
  decayTwice.add(addDecayedWeights(HyperRef::constant(0.1)));
  EXPECT_THROW(decayTwice.add(addDecayedWeights(HyperRef::constant(0.1))), std::invalid_argument);
  Chain decayAndTrust;
  decayAndTrust.add(addDecayedWeights(HyperRef::constant(0.1)));
  EXPECT_THROW(decayAndTrust.add(scaleByTrustRatio(s)), std::invalid_argument);
  Chain trustThenDecay;
  trustThenDecay.add(scaleByTrustRatio(s));
  EXPECT_THROW(trustThenDecay.add(addDecayedWeights(HyperRef::constant(0.1))), std::invalid_argument);
  Chain twoBarriers;
  twoBarriers.add(scaleByAdam(HyperRef::constant(0.9), HyperRef::constant(0.999), HyperRef::constant(1e-8)));
  twoBarriers.add(scaleByTrustRatio(s));
  EXPECT_THROW(twoBarriers.add(scaleByTrustRatio(s)), std::invalid_argument);
  EXPECT_EQ(twoBarriers.stageKinds(), (std::vector<StageKind>{StageKind::ScaleByAdam, StageKind::ScaleByTrustRatio}));
}

}  // namespace
}  // namespace larslab::optim
