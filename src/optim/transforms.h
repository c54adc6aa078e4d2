#pragma once
// Optax-style gradient transformations, composed at run time.
//
// An optimizer is a Chain of stages. Each stage maps the working update u (which starts as
// the raw gradient g) to a new u; the chain then applies w <- w - u. LARS, for example, is
//   chain(addDecayedWeights, scaleByTrustRatio, scaleByLearningRate, trace)
// and a LARS convention is simply a different chain or a different stage setting.
//
// Execution is fused: the chain walks each tensor in small cache-resident blocks and runs
// every stage on a block before moving on, so a tensor is read and written once per pass.
// A stage that needs a norm over the whole tensor before it can scale anything (the trust
// ratio) is a *barrier*: the chain then makes two passes over that tensor, a read-only one
// that advances the stages before the barrier and accumulates the norms, and the update pass.
// Stages before the barrier are *replayed* in the second pass: they recompute the same
// output from their already-advanced state, so no per-tensor scratch buffer is needed.
// Telemetry norms are accumulated (in double) inside these same passes.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/parameters.h"
#include "optim/optimizer.h"

namespace larslab::optim {

// A scalar a stage reads at every step: a live hyperparameter slot of its optimizer (so
// setHyperparameter between steps takes effect at the next step) or a constant.
class HyperRef {
 public:
  HyperRef() = default;  // the constant 0
  explicit HyperRef(const double* live) : live_(live) {}
  static HyperRef constant(double value) {
    HyperRef ref;
    ref.constant_ = value;
    return ref;
  }
  [[nodiscard]] double operator()() const { return live_ != nullptr ? *live_ : constant_; }

 private:
  const double* live_ = nullptr;
  double constant_ = 0.0;
};

// Per-tensor values of one step, shared by the stages of a chain. Stages communicate only
// through these named fields.
struct TensorStep {
  int index = 0;  // tensor index in the layout
  const nn::TensorInfo* info = nullptr;
  bool excluded = false;     // chain's exclusion mask: no adaptation, no weight decay
  long count = 0;            // 1-based step number (Adam bias correction)
  double lr = 0.0;           // global learning rate gamma_t of this step
  double weightDecay = 0.0;  // beta this tensor receives this step (set by addDecayedWeights)
  double weightNorm = 0.0;   // ||w|| before the update
  double gradNorm = 0.0;     // ||g||, raw gradient
  double inputNorm = 0.0;    // ||u|| entering the barrier stage (e.g. ||g + beta w||, LAMB ||r||)
  double trustRatio = 1.0;   // telemetry: ratio before clipping, 1 where none
  double trustFactor = 1.0;  // factor the trust stage multiplies by (after clipping)
  double localLr = 1.0;      // product of the per-tensor scalars applied (gamma x trust factor)
};

// One block of a tensor: the working update u and read-only views of w and g.
struct Block {
  std::size_t offset = 0;  // flat index of the block's first element; state buffers share it
  std::ptrdiff_t size = 0;
  const nn::Scalar* w = nullptr;
  const nn::Scalar* g = nullptr;
  nn::Scalar* u = nullptr;
};

class Transform {
 public:
  virtual ~Transform() = default;
  [[nodiscard]] virtual const char* name() const = 0;
  // Allocate (zeroed) per-element state for the layout. Called once, before the first step.
  virtual void init(const nn::ParameterLayout& layout) { (void)layout; }
  virtual void reset() {}
  [[nodiscard]] virtual bool isBarrier() const { return false; }
  // Barrier stages: whether atBarrier reads TensorStep::inputNorm.
  [[nodiscard]] virtual bool needsInputNorm() const { return false; }
  // Stages without per-element state need not run in the first pass unless inputNorm is needed.
  [[nodiscard]] virtual bool hasState() const { return false; }
  // Per tensor, before its first pass.
  virtual void beginTensor(TensorStep& t) const { (void)t; }
  // Barrier stages only: per tensor, after the first pass filled the norms of `t`.
  virtual void atBarrier(TensorStep& t) const { (void)t; }
  // Transform one block of u in place. `commit` is false when the chain replays a stage whose
  // state this step already advanced: the stage must then produce the same output again.
  virtual void apply(const Block& b, const TensorStep& t, bool commit) = 0;
  // A state buffer by name ("momentum", "first_moment", ...) for inspection; nullptr if none.
  [[nodiscard]] virtual const nn::Vector* state(const std::string& name) const {
    (void)name;
    return nullptr;
  }
};

using TransformPtr = std::unique_ptr<Transform>;

// ---- Stages -------------------------------------------------------------------------------

// u <- u + beta w. The same stage is L2 regularisation when placed before a preconditioner
// (SGD, Adam, LARS) and decoupled decay when placed after it (AdamW, LAMB).
// Excluded tensors get beta = 0.
TransformPtr addDecayedWeights(HyperRef weightDecay);

enum class TrustDenominator {
  GradPlusDecay,  // ||g|| + beta ||w||     (LARS paper, timm, apex, torchlars, TF-Addons)
  InputNorm,      // ||u|| of the stage's input: ||g + beta w|| (optax LARS), ||r|| (LAMB)
};
enum class ZeroNormPolicy {
  RatioOne,  // ||w|| = 0 or the denominator norm = 0: ratio := 1, decay still applied, clipping
             // still applied
  Skip,      // same condition: no adaptation, no clipping, no weight decay this step (apex LARC)
};
enum class TrustClipping {
  None,
  Larc,  // apex LARC: factor = min(ratio / gamma, 1), i.e. local LR = min(ratio, gamma)
};
enum class TrustPhi {
  Identity,  // phi(||w||) = ||w||
  Clamp,     // phi(||w||) = min(||w||, clampMax)   (LAMB; the lower bound is 0)
};

struct TrustRatioSettings {
  TrustDenominator denominator = TrustDenominator::GradPlusDecay;
  ZeroNormPolicy zeroNorm = ZeroNormPolicy::RatioOne;
  TrustClipping clipping = TrustClipping::None;
  TrustPhi phi = TrustPhi::Identity;
  HyperRef coefficient = HyperRef::constant(1.0);  // eta (LARS); 1 for LAMB
  HyperRef eps;                                    // added to the denominator
  HyperRef clampMax = HyperRef::constant(10.0);    // for TrustPhi::Clamp
};

// u <- factor * u with ratio = coefficient * phi(||w||) / (denominator + eps). A barrier.
// Excluded tensors: ratio 1, factor 1.
TransformPtr scaleByTrustRatio(TrustRatioSettings settings);

// u <- gamma_t u.
TransformPtr scaleByLearningRate();

// v <- m v + u; heavy ball: u <- v; Nesterov: u <- u + m v. State "momentum", zero-initialised,
// so the first step gives v = u exactly as PyTorch's clone-on-first-step buffer does.
TransformPtr trace(HyperRef momentum, bool nesterov);

// Adam moments with bias correction (Kingma & Ba 2015, Algorithm 1):
// m <- b1 m + (1-b1) u; v <- b2 v + (1-b2) u^2; u <- (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
// States "first_moment", "second_moment".
TransformPtr scaleByAdam(HyperRef beta1, HyperRef beta2, HyperRef eps);

// RMSProp as in PyTorch: s <- alpha s + (1-alpha) u^2; u <- u / (sqrt(s) + eps). State
// "mean_square".
TransformPtr scaleByRms(HyperRef alpha, HyperRef eps);

// Adagrad as in PyTorch: s <- s + u^2; u <- u / (sqrt(s) + eps). State "sum_of_squares".
TransformPtr scaleByRss(HyperRef eps);

// ---- Chain --------------------------------------------------------------------------------

enum class ExcludePolicy {
  None,
  Vectors,  // TensorKind Bias and Norm (the 1-D tensors) are excluded
};

class Chain {
 public:
  Chain() = default;
  explicit Chain(ExcludePolicy exclude) : exclude_(exclude) {}
  Chain(Chain&&) noexcept = default;
  Chain& operator=(Chain&&) noexcept = default;

  // At most one barrier stage and one addDecayedWeights stage per chain.
  Chain& add(TransformPtr stage);

  void init(const nn::ParameterLayout& layout);
  void reset();
  // One update of every trainable tensor with global LR `lr`; telemetry may be empty
  // (nothing recorded) or have one entry per tensor of the layout.
  void step(nn::ParameterStore& params, const nn::ParameterStore& grads, double lr,
            std::span<TensorTelemetry> telemetry);

  [[nodiscard]] long count() const { return count_; }
  [[nodiscard]] bool isExcluded(int tensor) const { return excluded_.at(tensor) != 0; }
  [[nodiscard]] const nn::Vector* state(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> stageNames() const;

 private:
  // The step runs over fixed chunks of each tensor, in parallel on TBB when the model is large
  // enough; per-chunk norms are summed in chunk order, so results never depend on threads.
  static constexpr std::size_t kChunk = std::size_t{1} << 14;
  static constexpr std::size_t kParallelThreshold = std::size_t{1} << 16;
  struct ChunkNorms {
    double wSq = 0.0, gSq = 0.0, uSq = 0.0, dSq = 0.0;
  };
  struct Chunk {
    int tensor = 0;
    std::size_t begin = 0, end = 0;  // flat indices
    ChunkNorms norms;
  };
  template <typename Work>
  void forEachChunk(Work&& work);
  [[nodiscard]] ChunkNorms sumChunks(int tensor) const;
  void measureChunk(Chunk& c, const nn::Scalar* w, const nn::Scalar* g);
  void updateChunk(Chunk& c, nn::Scalar* w, const nn::Scalar* g);

  ExcludePolicy exclude_ = ExcludePolicy::None;
  std::vector<TransformPtr> stages_;
  int barrier_ = -1;                  // index of the barrier stage, -1 when the chain is single-pass
  bool firstPassRunsStages_ = false;  // pass 1 must advance state or measure ||u||
  std::vector<nn::TensorInfo> tensors_;
  std::vector<char> excluded_;
  std::size_t totalSize_ = 0;
  long count_ = 0;
  std::vector<TensorStep> steps_;  // per tensor, this step
  std::vector<Chunk> chunks_;
  std::vector<int> firstChunk_;  // chunks of tensor i: [firstChunk_[i], firstChunk_[i + 1])
};

}  // namespace larslab::optim
