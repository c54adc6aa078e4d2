#include "optim/transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "nn/float_mode.h"

namespace larslab::optim {

namespace {

using Array = Eigen::Array<nn::Scalar, Eigen::Dynamic, 1>;
using ArrayMap = Eigen::Map<Array>;
using ConstArrayMap = Eigen::Map<const Array>;

// Square roots are written as std::sqrt loops: Eigen's AVX-512 float sqrt is an rsqrt
// approximation, which would make results depend on the CPU.

// Elements per block: small enough that w, g, u and a few state slices stay in L1.
constexpr std::ptrdiff_t kBlock = 256;

// Norms are accumulated in double. kLanes independent accumulators let the compiler vectorise
// the float->double conversion and the sums without reassociating anything (a single running
// double sum would be bound by the add latency); the summation order stays fixed.
constexpr int kLanes = 16;

double sumLanes(const double (&lanes)[kLanes], double tail) {
  for (double lane : lanes) tail += lane;
  return tail;
}

double squaredNorm(const nn::Scalar* x, std::ptrdiff_t n) {
  double lanes[kLanes] = {};
  std::ptrdiff_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const double v = x[i + k];
      lanes[k] += v * v;
    }
  double tail = 0.0;
  for (; i < n; ++i) {
    const double v = x[i];
    tail += v * v;
  }
  return sumLanes(lanes, tail);
}

// squaredNorm (the same sums in the same order, so ||w|| is unchanged) plus the plain sum of the
// values, for the standard deviation of the update-to-data ratio.
double squaredNormAndSum(const nn::Scalar* x, std::ptrdiff_t n, double& sum) {
  double lanes[kLanes] = {};
  double sums[kLanes] = {};
  std::ptrdiff_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const double v = x[i + k];
      lanes[k] += v * v;
      sums[k] += v;
    }
  double tail = 0.0;
  double sumTail = 0.0;
  for (; i < n; ++i) {
    const double v = x[i];
    tail += v * v;
    sumTail += v;
  }
  sum += sumLanes(sums, sumTail);
  return sumLanes(lanes, tail);
}

// log10(std(dw) / std(w)), the update-to-data ratio of cs231n / Karpathy, from a tensor's sums:
// population standard deviations (the ratio is the same with N - 1). IEEE results: a tensor whose
// values are all equal (a zero-initialised bias) has std(w) = 0, hence +inf; no change gives -inf.
double updateToData(double wSq, double wSum, double dSq, double dSum, std::size_t count) {
  const double n = static_cast<double>(count);
  const double varW = std::max(0.0, wSq / n - (wSum / n) * (wSum / n));
  const double varD = std::max(0.0, dSq / n - (dSum / n) * (dSum / n));
  return std::log10(std::sqrt(varD) / std::sqrt(varW));
}

nn::Scalar toScalar(double x) { return static_cast<nn::Scalar>(x); }

// A zero-initialised buffer laid out like the parameters.
class StateBuffer {
 public:
  void allocate(const nn::ParameterLayout& layout) {
    values_ = nn::Vector::Zero(static_cast<Eigen::Index>(layout.totalSize()));
  }
  void reset() { values_.setZero(); }
  [[nodiscard]] nn::Scalar* data(const Block& b) { return values_.data() + b.offset; }
  [[nodiscard]] const nn::Scalar* data(const Block& b) const { return values_.data() + b.offset; }
  [[nodiscard]] const nn::Vector& vector() const { return values_; }

 private:
  nn::Vector values_;
};

// Stateful stages run one kernel in both modes: advance() passes its state as Scalar*,
// replay() as const Scalar*, so a replay cannot write the state, and the output is computed
// by the same lines of code either way.
template <typename State>
constexpr bool kAdvancing = !std::is_const_v<State>;

// u <- u + beta w; beta = 0 adds nothing (not even 0 * w, which would turn an inf weight into NaN).
void addDecay(const Block& b, double beta) {
  if (beta == 0.0) return;
  ArrayMap(b.u, b.size) += toScalar(beta) * ConstArrayMap(b.w, b.size);
}

class AddDecayedWeights final : public Transform {
 public:
  explicit AddDecayedWeights(HyperRef beta) : Transform(StageKind::AddDecayedWeights), beta_(beta) {}
  void advance(const Block& b, const TensorStep& t) override { replay(b, t); }
  void replay(const Block& b, const TensorStep& t) const override { addDecay(b, t.excluded ? 0.0 : beta_()); }

 private:
  HyperRef beta_;
};

class ScaleByTrustRatio final : public BarrierStage {
 public:
  explicit ScaleByTrustRatio(TrustRatioSettings s) : BarrierStage(StageKind::ScaleByTrustRatio), s_(s) {}
  void init(const nn::ParameterLayout& layout) override {
    decisions_.assign(static_cast<std::size_t>(layout.count()), Decision{});
  }
  [[nodiscard]] bool measuresInput() const override { return s_.denominator == TrustDenominator::InputNorm; }
  // The measured input is u + beta w, with the decay the tensor would get: decide() may then withhold it.
  void prepareInput(const Block& b, const TensorStep& t) const override { addDecay(b, decayOf(t)); }

  // The one place the layer-wise ratio is defined (LARS, LARC and LAMB all come here).
  void decide(const TensorStep& t) override {
    Decision& d = decisions_[static_cast<std::size_t>(t.index)];
    d = Decision{decayOf(t), 1.0, 1.0};
    if (t.excluded) return;
    const bool gradPlusDecay = s_.denominator == TrustDenominator::GradPlusDecay;
    const double wNorm = t.weightNorm;
    // The zero test looks at the norms that enter the ratio, as every implementation does;
    // NaN is not zero, so a diverged tensor yields a NaN ratio that the telemetry shows.
    const double testedNorm = gradPlusDecay ? t.gradNorm : t.inputNorm;
    double ratio = 1.0;
    if (wNorm == 0.0 || testedNorm == 0.0) {
      if (s_.zeroNorm == ZeroNormPolicy::Skip) {
        d.decay = 0.0;  // apex LARC leaves the gradient alone: no adaptation, no decay
        return;
      }
    } else {
      const double phi = s_.phi == TrustPhi::Clamp ? std::min(wNorm, s_.clampMax()) : wNorm;
      const double denominator = gradPlusDecay ? t.gradNorm + d.decay * wNorm : t.inputNorm;
      ratio = s_.coefficient() * phi / (denominator + s_.eps());
    }
    double factor = ratio;
    // apex LARC: adaptive_lr = min(ratio / lr, 1) multiplies the gradient, and the wrapped SGD
    // multiplies by lr again, so the local LR is min(ratio, lr). std::min keeps a NaN ratio.
    if (s_.clipping == TrustClipping::Larc) factor = std::min(ratio / t.lr, 1.0);
    d.ratio = ratio;
    d.factor = factor;
  }
  void advance(const Block& b, const TensorStep& t) override { replay(b, t); }
  void replay(const Block& b, const TensorStep& t) const override {
    const Decision& d = decisions_[static_cast<std::size_t>(t.index)];
    addDecay(b, d.decay);
    ArrayMap(b.u, b.size) *= toScalar(d.factor);
  }
  [[nodiscard]] double scale(const TensorStep& t) const override {
    return decisions_[static_cast<std::size_t>(t.index)].factor;
  }
  [[nodiscard]] double ratio(int index) const override { return decisions_[static_cast<std::size_t>(index)].ratio; }

 private:
  // This step's choice for one tensor; written by decide() only.
  struct Decision {
    double decay = 0.0;   // beta added to u (0: excluded, or withheld by ZeroNormPolicy::Skip)
    double ratio = 1.0;   // before clipping
    double factor = 1.0;  // multiplies u + decay w
  };
  [[nodiscard]] double decayOf(const TensorStep& t) const { return t.excluded ? 0.0 : s_.weightDecay(); }

  TrustRatioSettings s_;
  std::vector<Decision> decisions_;  // per tensor of the layout
};

class ScaleByLearningRate final : public Transform {
 public:
  ScaleByLearningRate() : Transform(StageKind::ScaleByLearningRate) {}
  void advance(const Block& b, const TensorStep& t) override { replay(b, t); }
  void replay(const Block& b, const TensorStep& t) const override { ArrayMap(b.u, b.size) *= toScalar(t.lr); }
  [[nodiscard]] double scale(const TensorStep& t) const override { return t.lr; }
};

class Trace final : public Transform {
 public:
  Trace(HyperRef momentum, bool nesterov) : Transform(StageKind::Trace), momentum_(momentum), nesterov_(nesterov) {}
  void init(const nn::ParameterLayout& layout) override { v_.allocate(layout); }
  void reset() override { v_.reset(); }
  void advance(const Block& b, const TensorStep& /*t*/) override { run(b, v_.data(b)); }
  void replay(const Block& b, const TensorStep& /*t*/) const override { run(b, v_.data(b)); }
  [[nodiscard]] const nn::Vector* stateBuffer(std::size_t k) const override { return k == 0 ? &v_.vector() : nullptr; }

 private:
  template <typename State>
  void run(const Block& b, State* state) const {
    ArrayMap u(b.u, b.size);
    Eigen::Map<std::conditional_t<kAdvancing<State>, Array, const Array>> v(state, b.size);
    const nn::Scalar m = toScalar(momentum_());
    if constexpr (kAdvancing<State>) v = m * v + u;
    if (nesterov_) {
      u += m * v;
    } else {
      u = v;
    }
  }

  HyperRef momentum_;
  bool nesterov_;
  StateBuffer v_;
};

class ScaleByAdam final : public Transform {
 public:
  ScaleByAdam(HyperRef beta1, HyperRef beta2, HyperRef eps)
      : Transform(StageKind::ScaleByAdam), beta1_(beta1), beta2_(beta2), eps_(eps) {}
  void init(const nn::ParameterLayout& layout) override {
    m_.allocate(layout);
    v_.allocate(layout);
  }
  void reset() override {
    m_.reset();
    v_.reset();
  }
  void advance(const Block& b, const TensorStep& t) override { run(b, t, m_.data(b), v_.data(b)); }
  void replay(const Block& b, const TensorStep& t) const override { run(b, t, m_.data(b), v_.data(b)); }
  [[nodiscard]] const nn::Vector* stateBuffer(std::size_t k) const override {
    return k == 0 ? &m_.vector() : k == 1 ? &v_.vector() : nullptr;
  }

 private:
  template <typename State>
  void run(const Block& b, const TensorStep& t, State* m, State* v) const {
    nn::Scalar* u = b.u;
    const double b1 = beta1_();
    const double b2 = beta2_();
    const nn::Scalar decay1 = toScalar(b1), rest1 = toScalar(1.0 - b1);
    const nn::Scalar decay2 = toScalar(b2), rest2 = toScalar(1.0 - b2);
    const double steps = static_cast<double>(t.count);
    const nn::Scalar invCorrection1 = toScalar(1.0 / (1.0 - std::pow(b1, steps)));
    const nn::Scalar invCorrection2 = toScalar(1.0 / (1.0 - std::pow(b2, steps)));
    const nn::Scalar eps = toScalar(eps_());
    for (std::ptrdiff_t i = 0; i < b.size; ++i) {
      if constexpr (kAdvancing<State>) {
        m[i] = decay1 * m[i] + rest1 * u[i];
        v[i] = decay2 * v[i] + rest2 * u[i] * u[i];
      }
      u[i] = (invCorrection1 * m[i]) / (std::sqrt(invCorrection2 * v[i]) + eps);
    }
  }

  HyperRef beta1_, beta2_, eps_;
  StateBuffer m_, v_;
};

class ScaleByRms final : public Transform {
 public:
  ScaleByRms(HyperRef alpha, HyperRef eps) : Transform(StageKind::ScaleByRms), alpha_(alpha), eps_(eps) {}
  void init(const nn::ParameterLayout& layout) override { s_.allocate(layout); }
  void reset() override { s_.reset(); }
  void advance(const Block& b, const TensorStep& /*t*/) override { run(b, s_.data(b)); }
  void replay(const Block& b, const TensorStep& /*t*/) const override { run(b, s_.data(b)); }
  [[nodiscard]] const nn::Vector* stateBuffer(std::size_t k) const override { return k == 0 ? &s_.vector() : nullptr; }

 private:
  template <typename State>
  void run(const Block& b, State* s) const {
    nn::Scalar* u = b.u;
    const nn::Scalar decay = toScalar(alpha_()), rest = toScalar(1.0 - alpha_());
    const nn::Scalar eps = toScalar(eps_());
    for (std::ptrdiff_t i = 0; i < b.size; ++i) {
      if constexpr (kAdvancing<State>) s[i] = decay * s[i] + rest * u[i] * u[i];
      u[i] /= std::sqrt(s[i]) + eps;
    }
  }

  HyperRef alpha_, eps_;
  StateBuffer s_;
};

class ScaleByRss final : public Transform {
 public:
  explicit ScaleByRss(HyperRef eps) : Transform(StageKind::ScaleByRss), eps_(eps) {}
  void init(const nn::ParameterLayout& layout) override { s_.allocate(layout); }
  void reset() override { s_.reset(); }
  void advance(const Block& b, const TensorStep& /*t*/) override { run(b, s_.data(b)); }
  void replay(const Block& b, const TensorStep& /*t*/) const override { run(b, s_.data(b)); }
  [[nodiscard]] const nn::Vector* stateBuffer(std::size_t k) const override { return k == 0 ? &s_.vector() : nullptr; }

 private:
  template <typename State>
  void run(const Block& b, State* s) const {
    nn::Scalar* u = b.u;
    const nn::Scalar eps = toScalar(eps_());
    for (std::ptrdiff_t i = 0; i < b.size; ++i) {
      if constexpr (kAdvancing<State>) s[i] += u[i] * u[i];
      u[i] /= std::sqrt(s[i]) + eps;
    }
  }

  HyperRef eps_;
  StateBuffer s_;
};

// w <- w - u on one block; returns ||w_new - w_old||^2 of the change actually stored, with the
// difference of the two floats formed exactly in double.
// w <- w - u; returns the sum of squared changes and adds the sum of the changes to `changeSum`.
double applyUpdate(nn::Scalar* w, const nn::Scalar* u, std::ptrdiff_t n, double& changeSum) {
  double lanes[kLanes] = {};
  double sums[kLanes] = {};
  std::ptrdiff_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const nn::Scalar updated = w[i + k] - u[i + k];
      const double change = static_cast<double>(updated) - static_cast<double>(w[i + k]);
      lanes[k] += change * change;
      sums[k] += change;
      w[i + k] = updated;
    }
  double tail = 0.0;
  double sumTail = 0.0;
  for (; i < n; ++i) {
    const nn::Scalar updated = w[i] - u[i];
    const double change = static_cast<double>(updated) - static_cast<double>(w[i]);
    tail += change * change;
    sumTail += change;
    w[i] = updated;
  }
  changeSum += sumLanes(sums, sumTail);
  return sumLanes(lanes, tail);
}

}  // namespace

TransformPtr addDecayedWeights(HyperRef weightDecay) { return std::make_unique<AddDecayedWeights>(weightDecay); }
BarrierPtr scaleByTrustRatio(TrustRatioSettings settings) { return std::make_unique<ScaleByTrustRatio>(settings); }
TransformPtr scaleByLearningRate() { return std::make_unique<ScaleByLearningRate>(); }
TransformPtr trace(HyperRef momentum, bool nesterov) { return std::make_unique<Trace>(momentum, nesterov); }
TransformPtr scaleByAdam(HyperRef beta1, HyperRef beta2, HyperRef eps) {
  return std::make_unique<ScaleByAdam>(beta1, beta2, eps);
}
TransformPtr scaleByRms(HyperRef alpha, HyperRef eps) { return std::make_unique<ScaleByRms>(alpha, eps); }
TransformPtr scaleByRss(HyperRef eps) { return std::make_unique<ScaleByRss>(eps); }

const std::vector<StageKindInfo>& stageKinds() {
  static const std::vector<StageKindInfo> kinds = [] {
    std::vector<StageKindInfo> all{
        {StageKind::AddDecayedWeights, "add_decayed_weights", true, {}},
        {StageKind::ScaleByTrustRatio, "scale_by_trust_ratio", true, {}},
        {StageKind::ScaleByLearningRate, "scale_by_learning_rate", false, {}},
        {StageKind::Trace, "trace", false, {"momentum"}},
        {StageKind::ScaleByAdam, "scale_by_adam", false, {"first_moment", "second_moment"}},
        {StageKind::ScaleByRms, "scale_by_rms", false, {"mean_square"}},
        {StageKind::ScaleByRss, "scale_by_rss", false, {"sum_of_squares"}},
    };
    for (std::size_t i = 0; i < all.size(); ++i)
      if (static_cast<std::size_t>(all[i].kind) != i) throw std::logic_error("stageKinds(): not in StageKind order");
    return all;
  }();
  return kinds;
}

const StageKindInfo& stageKindInfo(StageKind kind) { return stageKinds().at(static_cast<std::size_t>(kind)); }

Chain& Chain::add(TransformPtr stage) {
  if (!stage) throw std::invalid_argument("Chain::add: null stage");
  append(std::move(stage), nullptr);
  return *this;
}

Chain& Chain::add(BarrierPtr stage) {
  if (!stage) throw std::invalid_argument("Chain::add: null stage");
  if (barrier_ >= 0) throw std::invalid_argument("Chain::add: a chain supports one barrier stage");
  BarrierStage* barrier = stage.get();
  append(std::move(stage), barrier);
  return *this;
}

void Chain::append(TransformPtr stage, BarrierStage* barrier) {
  const StageKindInfo& info = stageKindInfo(stage->kind());
  if (info.appliesWeightDecay)
    for (const auto& s : stages_)
      if (stageKindInfo(s->kind()).appliesWeightDecay)
        throw std::invalid_argument(std::string("Chain::add: ") + info.name + " after " + stageKindInfo(s->kind()).name +
                                    ": a chain applies weight decay in one stage");
  if (barrier != nullptr) {
    barrier_ = static_cast<int>(stages_.size());
    barrierStage_ = barrier;
  }
  stages_.push_back(std::move(stage));
  firstPassRunsStages_ = false;
  if (barrier_ >= 0) {
    firstPassRunsStages_ = barrierStage_->measuresInput();
    for (int s = 0; s < barrier_; ++s)
      firstPassRunsStages_ = firstPassRunsStages_ || !stageKindInfo(stages_[s]->kind()).stateNames.empty();
  }
}

void Chain::init(const nn::ParameterLayout& layout) {
  tensors_ = layout.tensors();
  totalSize_ = layout.totalSize();
  excluded_.assign(tensors_.size(), 0);
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    const auto kind = tensors_[i].kind;
    excluded_[i] = exclude_ == ExcludePolicy::Vectors && (kind == nn::TensorKind::Bias || kind == nn::TensorKind::Norm);
  }
  for (auto& s : stages_) s->init(layout);
  count_ = 0;
  steps_.assign(tensors_.size(), TensorStep{});
  chunks_.clear();
  firstChunk_.assign(tensors_.size() + 1, 0);
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    firstChunk_[i] = static_cast<int>(chunks_.size());
    if (!tensors_[i].trainable()) continue;
    const std::size_t begin = tensors_[i].offset, end = begin + tensors_[i].size;
    for (std::size_t c = begin; c < end; c += kChunk)
      chunks_.push_back(Chunk{static_cast<int>(i), c, std::min(c + kChunk, end), {}});
  }
  firstChunk_[tensors_.size()] = static_cast<int>(chunks_.size());
}

void Chain::reset() {
  for (auto& s : stages_) s->reset();
  count_ = 0;
}

const nn::Vector* Chain::state(const std::string& name) const {
  for (const auto& s : stages_) {
    const auto& names = stageKindInfo(s->kind()).stateNames;
    for (std::size_t k = 0; k < names.size(); ++k)
      if (name == names[k]) return s->stateBuffer(k);
  }
  return nullptr;
}

std::vector<StageKind> Chain::stageKinds() const {
  std::vector<StageKind> kinds;
  kinds.reserve(stages_.size());
  for (const auto& s : stages_) kinds.push_back(s->kind());
  return kinds;
}

void Chain::step(nn::ParameterStore& params, const nn::ParameterStore& grads, double lr,
                 std::span<TensorTelemetry> telemetry) {
  const auto total = static_cast<Eigen::Index>(totalSize_);
  if (params.flat().size() != total)
    throw std::invalid_argument("optimizer step: parameters have " + std::to_string(params.flat().size()) +
                                " values, the optimizer was created for " + std::to_string(total));
  if (grads.flat().size() != total)
    throw std::invalid_argument("optimizer step: gradients have " + std::to_string(grads.flat().size()) +
                                " values, expected " + std::to_string(total));
  if (!telemetry.empty() && telemetry.size() != tensors_.size())
    throw std::invalid_argument("optimizer step: telemetry has " + std::to_string(telemetry.size()) +
                                " entries, expected one per tensor (" + std::to_string(tensors_.size()) + ")");
  ++count_;
  const nn::FlushDenormals flush;  // as in the forward/backward pass; chunk tasks set it too
  nn::Scalar* w = params.flat().data();
  const nn::Scalar* g = grads.flat().data();

  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    TensorStep& t = steps_[i];
    t = TensorStep{};
    t.index = static_cast<int>(i);
    t.info = &tensors_[i];
    t.excluded = excluded_[i] != 0;
    t.count = count_;
    t.lr = lr;
  }

  if (barrier_ >= 0) {
    forEachChunk([&](Chunk& c) { measureChunk(c, w, g); });
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
      if (!tensors_[i].trainable()) continue;
      TensorStep& t = steps_[i];
      const ChunkNorms n = sumChunks(static_cast<int>(i));
      t.weightNorm = std::sqrt(n.wSq);
      t.gradNorm = std::sqrt(n.gSq);
      t.inputNorm = barrierStage_->measuresInput() ? std::sqrt(n.uSq) : std::numeric_limits<double>::quiet_NaN();
      barrierStage_->decide(t);
    }
  }
  forEachChunk([&](Chunk& c) { updateChunk(c, w, g); });

  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    TensorTelemetry* out = telemetry.empty() ? nullptr : &telemetry[i];
    if (out == nullptr) continue;
    if (!tensors_[i].trainable()) {
      *out = TensorTelemetry{0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
      continue;
    }
    TensorStep& t = steps_[i];
    const ChunkNorms n = sumChunks(static_cast<int>(i));
    if (barrier_ < 0) {
      t.weightNorm = std::sqrt(n.wSq);
      t.gradNorm = std::sqrt(n.gSq);
    }
    out->weightNorm = t.weightNorm;
    out->gradNorm = t.gradNorm;
    out->trustRatio = barrierStage_ != nullptr ? barrierStage_->ratio(t.index) : 1.0;
    double localLr = 1.0;
    for (const auto& stage : stages_) localLr *= stage->scale(t);
    out->localLr = localLr;
    out->updateNorm = std::sqrt(n.dSq);
    out->updateToData = updateToData(n.wSq, n.wSum, n.dSq, n.dSum, tensors_[i].size);
    deriveTelemetry(*out);
  }
}

template <typename Work>
void Chain::forEachChunk(Work&& work) {
  // Chunk boundaries are fixed by the layout and every chunk writes only its own norms, so
  // the result does not depend on how many threads share the chunks.
  if (totalSize_ < kParallelThreshold) {
    for (Chunk& c : chunks_) work(c);
    return;
  }
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      const nn::FlushDenormals flush;
                      for (std::size_t k = range.begin(); k != range.end(); ++k) work(chunks_[k]);
                    });
}

Chain::ChunkNorms Chain::sumChunks(int tensor) const {
  ChunkNorms sum;
  for (int k = firstChunk_[tensor]; k < firstChunk_[tensor + 1]; ++k) {
    sum.wSq += chunks_[k].norms.wSq;
    sum.gSq += chunks_[k].norms.gSq;
    sum.uSq += chunks_[k].norms.uSq;
    sum.dSq += chunks_[k].norms.dSq;
    sum.wSum += chunks_[k].norms.wSum;
    sum.dSum += chunks_[k].norms.dSum;
  }
  return sum;
}

namespace {

// The working update u of one block starts as a copy of the gradient.
Block loadBlock(std::size_t offset, std::ptrdiff_t size, const nn::Scalar* w, const nn::Scalar* g, nn::Scalar* buffer) {
  Block b;
  b.offset = offset;
  b.size = size;
  b.w = w + offset;
  b.g = g + offset;
  b.u = buffer;
  std::memcpy(buffer, b.g, static_cast<std::size_t>(size) * sizeof(nn::Scalar));
  return b;
}

}  // namespace

// Pass 1 of a barrier chain: read-only over w and g; advances the stages before the barrier
// if they have state or the barrier needs the norm of their output (else just two reductions).
void Chain::measureChunk(Chunk& c, const nn::Scalar* w, const nn::Scalar* g) {
  c.norms = ChunkNorms{};
  const TensorStep& t = steps_[c.tensor];
  if (!firstPassRunsStages_) {
    c.norms.wSq = squaredNormAndSum(w + c.begin, static_cast<std::ptrdiff_t>(c.end - c.begin), c.norms.wSum);
    c.norms.gSq = squaredNorm(g + c.begin, static_cast<std::ptrdiff_t>(c.end - c.begin));
    return;
  }
  alignas(64) nn::Scalar buffer[kBlock];
  for (std::size_t start = c.begin; start < c.end; start += kBlock) {
    const Block b = loadBlock(start, std::min<std::ptrdiff_t>(kBlock, c.end - start), w, g, buffer);
    c.norms.wSq += squaredNormAndSum(b.w, b.size, c.norms.wSum);
    c.norms.gSq += squaredNorm(b.g, b.size);
    for (int s = 0; s < barrier_; ++s) stages_[s]->advance(b, t);
    if (barrierStage_->measuresInput()) {
      barrierStage_->prepareInput(b, t);
      c.norms.uSq += squaredNorm(b.u, b.size);
    }
  }
}

// The update pass: replays the stages before the barrier (their state already advanced in
// pass 1), runs the rest and writes w. Single-pass chains also measure ||w|| and ||g|| here.
void Chain::updateChunk(Chunk& c, nn::Scalar* w, const nn::Scalar* g) {
  const TensorStep& t = steps_[c.tensor];
  const int stageCount = static_cast<int>(stages_.size());
  double wSq = 0.0, gSq = 0.0, dSq = 0.0, wSum = 0.0, dSum = 0.0;
  alignas(64) nn::Scalar buffer[kBlock];
  for (std::size_t start = c.begin; start < c.end; start += kBlock) {
    const Block b = loadBlock(start, std::min<std::ptrdiff_t>(kBlock, c.end - start), w, g, buffer);
    if (barrier_ < 0) {
      wSq += squaredNormAndSum(b.w, b.size, wSum);
      gSq += squaredNorm(b.g, b.size);
    }
    // Stages before the barrier advanced in pass 1; here they replay.
    for (int s = 0; s < stageCount; ++s) {
      if (s < barrier_) {
        stages_[s]->replay(b, t);
      } else {
        stages_[s]->advance(b, t);
      }
    }
    dSq += applyUpdate(w + start, buffer, b.size, dSum);
  }
  c.norms.dSq = dSq;
  c.norms.dSum = dSum;
  if (barrier_ < 0) {
    c.norms.wSq = wSq;
    c.norms.wSum = wSum;
    c.norms.gSq = gSq;
  }
}

}  // namespace larslab::optim
