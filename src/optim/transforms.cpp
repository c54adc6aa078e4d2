#include "optim/transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

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

nn::Scalar toScalar(double x) { return static_cast<nn::Scalar>(x); }

// A zero-initialised buffer laid out like the parameters.
class StateBuffer {
 public:
  void allocate(const nn::ParameterLayout& layout) {
    values_ = nn::Vector::Zero(static_cast<Eigen::Index>(layout.totalSize()));
  }
  void reset() { values_.setZero(); }
  [[nodiscard]] ArrayMap slice(const Block& b) { return {data(b), b.size}; }
  [[nodiscard]] nn::Scalar* data(const Block& b) { return values_.data() + b.offset; }
  [[nodiscard]] const nn::Vector& vector() const { return values_; }

 private:
  nn::Vector values_;
};

class AddDecayedWeights final : public Transform {
 public:
  explicit AddDecayedWeights(HyperRef beta) : beta_(beta) {}
  [[nodiscard]] const char* name() const override { return "add_decayed_weights"; }
  void beginTensor(TensorStep& t) const override { t.weightDecay = t.excluded ? 0.0 : beta_(); }
  void apply(const Block& b, const TensorStep& t, bool /*commit*/) override {
    if (t.weightDecay == 0.0) return;
    ArrayMap(b.u, b.size) += toScalar(t.weightDecay) * ConstArrayMap(b.w, b.size);
  }

 private:
  HyperRef beta_;
};

class ScaleByTrustRatio final : public Transform {
 public:
  explicit ScaleByTrustRatio(TrustRatioSettings s) : s_(s) {}
  [[nodiscard]] const char* name() const override { return "scale_by_trust_ratio"; }
  [[nodiscard]] bool isBarrier() const override { return true; }
  [[nodiscard]] bool needsInputNorm() const override { return s_.denominator == TrustDenominator::InputNorm; }

  // The one place the layer-wise ratio is defined (LARS, LARC and LAMB all come here).
  void atBarrier(TensorStep& t) const override {
    t.trustRatio = 1.0;
    t.trustFactor = 1.0;
    if (t.excluded) return;
    const bool gradPlusDecay = s_.denominator == TrustDenominator::GradPlusDecay;
    const double wNorm = t.weightNorm;
    // The zero test looks at the norms that enter the ratio, as every implementation does;
    // NaN is not zero, so a diverged tensor yields a NaN ratio that the telemetry shows.
    const double testedNorm = gradPlusDecay ? t.gradNorm : t.inputNorm;
    double ratio = 1.0;
    if (wNorm == 0.0 || testedNorm == 0.0) {
      if (s_.zeroNorm == ZeroNormPolicy::Skip) {
        t.weightDecay = 0.0;  // replayed addDecayedWeights now adds nothing (apex LARC)
        return;
      }
    } else {
      const double phi = s_.phi == TrustPhi::Clamp ? std::min(wNorm, s_.clampMax()) : wNorm;
      const double denominator = gradPlusDecay ? t.gradNorm + t.weightDecay * wNorm : t.inputNorm;
      ratio = s_.coefficient() * phi / (denominator + s_.eps());
    }
    double factor = ratio;
    // apex LARC: adaptive_lr = min(ratio / lr, 1) multiplies the gradient, and the wrapped SGD
    // multiplies by lr again, so the local LR is min(ratio, lr). std::min keeps a NaN ratio.
    if (s_.clipping == TrustClipping::Larc) factor = std::min(ratio / t.lr, 1.0);
    t.trustRatio = ratio;
    t.trustFactor = factor;
    t.localLr *= factor;
  }
  void apply(const Block& b, const TensorStep& t, bool /*commit*/) override {
    ArrayMap(b.u, b.size) *= toScalar(t.trustFactor);
  }

 private:
  TrustRatioSettings s_;
};

class ScaleByLearningRate final : public Transform {
 public:
  [[nodiscard]] const char* name() const override { return "scale_by_learning_rate"; }
  void beginTensor(TensorStep& t) const override { t.localLr *= t.lr; }
  void apply(const Block& b, const TensorStep& t, bool /*commit*/) override { ArrayMap(b.u, b.size) *= toScalar(t.lr); }
};

class Trace final : public Transform {
 public:
  Trace(HyperRef momentum, bool nesterov) : momentum_(momentum), nesterov_(nesterov) {}
  [[nodiscard]] const char* name() const override { return nesterov_ ? "trace_nesterov" : "trace"; }
  [[nodiscard]] bool hasState() const override { return true; }
  void init(const nn::ParameterLayout& layout) override { v_.allocate(layout); }
  void reset() override { v_.reset(); }
  void apply(const Block& b, const TensorStep& /*t*/, bool commit) override {
    ArrayMap u(b.u, b.size);
    ArrayMap v = v_.slice(b);
    const nn::Scalar m = toScalar(momentum_());
    if (commit) v = m * v + u;
    if (nesterov_) {
      u += m * v;
    } else {
      u = v;
    }
  }
  [[nodiscard]] const nn::Vector* state(const std::string& name) const override {
    return name == "momentum" ? &v_.vector() : nullptr;
  }

 private:
  HyperRef momentum_;
  bool nesterov_;
  StateBuffer v_;
};

class ScaleByAdam final : public Transform {
 public:
  ScaleByAdam(HyperRef beta1, HyperRef beta2, HyperRef eps) : beta1_(beta1), beta2_(beta2), eps_(eps) {}
  [[nodiscard]] const char* name() const override { return "scale_by_adam"; }
  [[nodiscard]] bool hasState() const override { return true; }
  void init(const nn::ParameterLayout& layout) override {
    m_.allocate(layout);
    v_.allocate(layout);
  }
  void reset() override {
    m_.reset();
    v_.reset();
  }
  void apply(const Block& b, const TensorStep& t, bool commit) override {
    nn::Scalar* u = b.u;
    nn::Scalar* m = m_.data(b);
    nn::Scalar* v = v_.data(b);
    const double b1 = beta1_();
    const double b2 = beta2_();
    const nn::Scalar decay1 = toScalar(b1), rest1 = toScalar(1.0 - b1);
    const nn::Scalar decay2 = toScalar(b2), rest2 = toScalar(1.0 - b2);
    const double steps = static_cast<double>(t.count);
    const nn::Scalar invCorrection1 = toScalar(1.0 / (1.0 - std::pow(b1, steps)));
    const nn::Scalar invCorrection2 = toScalar(1.0 / (1.0 - std::pow(b2, steps)));
    const nn::Scalar eps = toScalar(eps_());
    for (std::ptrdiff_t i = 0; i < b.size; ++i) {
      if (commit) {
        m[i] = decay1 * m[i] + rest1 * u[i];
        v[i] = decay2 * v[i] + rest2 * u[i] * u[i];
      }
      u[i] = (invCorrection1 * m[i]) / (std::sqrt(invCorrection2 * v[i]) + eps);
    }
  }
  [[nodiscard]] const nn::Vector* state(const std::string& name) const override {
    if (name == "first_moment") return &m_.vector();
    if (name == "second_moment") return &v_.vector();
    return nullptr;
  }

 private:
  HyperRef beta1_, beta2_, eps_;
  StateBuffer m_, v_;
};

class ScaleByRms final : public Transform {
 public:
  ScaleByRms(HyperRef alpha, HyperRef eps) : alpha_(alpha), eps_(eps) {}
  [[nodiscard]] const char* name() const override { return "scale_by_rms"; }
  [[nodiscard]] bool hasState() const override { return true; }
  void init(const nn::ParameterLayout& layout) override { s_.allocate(layout); }
  void reset() override { s_.reset(); }
  void apply(const Block& b, const TensorStep& /*t*/, bool commit) override {
    nn::Scalar* u = b.u;
    nn::Scalar* s = s_.data(b);
    const nn::Scalar decay = toScalar(alpha_()), rest = toScalar(1.0 - alpha_());
    const nn::Scalar eps = toScalar(eps_());
    for (std::ptrdiff_t i = 0; i < b.size; ++i) {
      if (commit) s[i] = decay * s[i] + rest * u[i] * u[i];
      u[i] /= std::sqrt(s[i]) + eps;
    }
  }
  [[nodiscard]] const nn::Vector* state(const std::string& name) const override {
    return name == "mean_square" ? &s_.vector() : nullptr;
  }

 private:
  HyperRef alpha_, eps_;
  StateBuffer s_;
};

class ScaleByRss final : public Transform {
 public:
  explicit ScaleByRss(HyperRef eps) : eps_(eps) {}
  [[nodiscard]] const char* name() const override { return "scale_by_rss"; }
  [[nodiscard]] bool hasState() const override { return true; }
  void init(const nn::ParameterLayout& layout) override { s_.allocate(layout); }
  void reset() override { s_.reset(); }
  void apply(const Block& b, const TensorStep& /*t*/, bool commit) override {
    nn::Scalar* u = b.u;
    nn::Scalar* s = s_.data(b);
    const nn::Scalar eps = toScalar(eps_());
    for (std::ptrdiff_t i = 0; i < b.size; ++i) {
      if (commit) s[i] += u[i] * u[i];
      u[i] /= std::sqrt(s[i]) + eps;
    }
  }
  [[nodiscard]] const nn::Vector* state(const std::string& name) const override {
    return name == "sum_of_squares" ? &s_.vector() : nullptr;
  }

 private:
  HyperRef eps_;
  StateBuffer s_;
};

// w <- w - u on one block; returns ||w_new - w_old||^2 of the change actually stored, with the
// difference of the two floats formed exactly in double.
double applyUpdate(nn::Scalar* w, const nn::Scalar* u, std::ptrdiff_t n) {
  double lanes[kLanes] = {};
  std::ptrdiff_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const nn::Scalar updated = w[i + k] - u[i + k];
      const double change = static_cast<double>(updated) - static_cast<double>(w[i + k]);
      lanes[k] += change * change;
      w[i + k] = updated;
    }
  double tail = 0.0;
  for (; i < n; ++i) {
    const nn::Scalar updated = w[i] - u[i];
    const double change = static_cast<double>(updated) - static_cast<double>(w[i]);
    tail += change * change;
    w[i] = updated;
  }
  return sumLanes(lanes, tail);
}

}  // namespace

TransformPtr addDecayedWeights(HyperRef weightDecay) { return std::make_unique<AddDecayedWeights>(weightDecay); }
TransformPtr scaleByTrustRatio(TrustRatioSettings settings) { return std::make_unique<ScaleByTrustRatio>(settings); }
TransformPtr scaleByLearningRate() { return std::make_unique<ScaleByLearningRate>(); }
TransformPtr trace(HyperRef momentum, bool nesterov) { return std::make_unique<Trace>(momentum, nesterov); }
TransformPtr scaleByAdam(HyperRef beta1, HyperRef beta2, HyperRef eps) {
  return std::make_unique<ScaleByAdam>(beta1, beta2, eps);
}
TransformPtr scaleByRms(HyperRef alpha, HyperRef eps) { return std::make_unique<ScaleByRms>(alpha, eps); }
TransformPtr scaleByRss(HyperRef eps) { return std::make_unique<ScaleByRss>(eps); }

Chain& Chain::add(TransformPtr stage) {
  if (!stage) throw std::invalid_argument("Chain::add: null stage");
  if (stage->isBarrier()) {
    if (barrier_ >= 0) throw std::invalid_argument("Chain::add: a chain supports one barrier stage");
    barrier_ = static_cast<int>(stages_.size());
  }
  // TensorStep::weightDecay has a single owner.
  if (std::strcmp(stage->name(), "add_decayed_weights") == 0) {
    for (const auto& s : stages_)
      if (std::strcmp(s->name(), "add_decayed_weights") == 0)
        throw std::invalid_argument("Chain::add: a chain supports one add_decayed_weights stage");
  }
  stages_.push_back(std::move(stage));
  firstPassRunsStages_ = false;
  if (barrier_ >= 0) {
    firstPassRunsStages_ = stages_[barrier_]->needsInputNorm();
    for (int s = 0; s < barrier_; ++s) firstPassRunsStages_ = firstPassRunsStages_ || stages_[s]->hasState();
  }
  return *this;
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
  for (const auto& s : stages_)
    if (const nn::Vector* v = s->state(name)) return v;
  return nullptr;
}

std::vector<std::string> Chain::stageNames() const {
  std::vector<std::string> names;
  names.reserve(stages_.size());
  for (const auto& s : stages_) names.emplace_back(s->name());
  return names;
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
    if (tensors_[i].trainable())
      for (const auto& stage : stages_) stage->beginTensor(t);
  }

  if (barrier_ >= 0) {
    forEachChunk([&](Chunk& c) { measureChunk(c, w, g); });
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
      if (!tensors_[i].trainable()) continue;
      TensorStep& t = steps_[i];
      const ChunkNorms n = sumChunks(static_cast<int>(i));
      t.weightNorm = std::sqrt(n.wSq);
      t.gradNorm = std::sqrt(n.gSq);
      t.inputNorm = firstPassRunsStages_ ? std::sqrt(n.uSq) : std::numeric_limits<double>::quiet_NaN();
      stages_[barrier_]->atBarrier(t);
    }
  }
  forEachChunk([&](Chunk& c) { updateChunk(c, w, g); });

  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    TensorTelemetry* out = telemetry.empty() ? nullptr : &telemetry[i];
    if (out == nullptr) continue;
    if (!tensors_[i].trainable()) {
      *out = TensorTelemetry{0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
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
    out->trustRatio = t.trustRatio;
    out->localLr = t.localLr;
    out->updateNorm = std::sqrt(n.dSq);
    out->updateRatio = out->updateNorm / t.weightNorm;
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
    c.norms.wSq = squaredNorm(w + c.begin, static_cast<std::ptrdiff_t>(c.end - c.begin));
    c.norms.gSq = squaredNorm(g + c.begin, static_cast<std::ptrdiff_t>(c.end - c.begin));
    return;
  }
  alignas(64) nn::Scalar buffer[kBlock];
  for (std::size_t start = c.begin; start < c.end; start += kBlock) {
    const Block b = loadBlock(start, std::min<std::ptrdiff_t>(kBlock, c.end - start), w, g, buffer);
    c.norms.wSq += squaredNorm(b.w, b.size);
    c.norms.gSq += squaredNorm(b.g, b.size);
    for (int s = 0; s < barrier_; ++s) stages_[s]->apply(b, t, true);
    c.norms.uSq += squaredNorm(b.u, b.size);
  }
}

// The update pass: replays the stages before the barrier (their state already advanced in
// pass 1), runs the rest and writes w. Single-pass chains also measure ||w|| and ||g|| here.
void Chain::updateChunk(Chunk& c, nn::Scalar* w, const nn::Scalar* g) {
  const TensorStep& t = steps_[c.tensor];
  const int stageCount = static_cast<int>(stages_.size());
  double wSq = 0.0, gSq = 0.0, dSq = 0.0;
  alignas(64) nn::Scalar buffer[kBlock];
  for (std::size_t start = c.begin; start < c.end; start += kBlock) {
    const Block b = loadBlock(start, std::min<std::ptrdiff_t>(kBlock, c.end - start), w, g, buffer);
    if (barrier_ < 0) {
      wSq += squaredNorm(b.w, b.size);
      gSq += squaredNorm(b.g, b.size);
    }
    for (int s = 0; s < stageCount; ++s) stages_[s]->apply(b, t, barrier_ < 0 || s >= barrier_);
    dSq += applyUpdate(w + start, buffer, b.size);
  }
  c.norms.dSq = dSq;
  if (barrier_ < 0) {
    c.norms.wSq = wSq;
    c.norms.gSq = gSq;
  }
}

}  // namespace larslab::optim
