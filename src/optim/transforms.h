#pragma once
// Optax-style gradient transformations, composed at run time.
//
// An optimizer is a Chain of stages. Each stage maps the working update u (which starts as
// the raw gradient g) to a new u; the chain then applies w <- w - u. LARS, for example, is
//   chain(scaleByTrustRatio (with its weight decay), scaleByLearningRate, trace)
// (optax's add_decayed_weights, scale_by_trust_ratio, ...), and a LARS convention is simply a
// different chain or a different stage setting.
//
// Execution is fused: the chain walks each tensor in small cache-resident blocks and runs
// every stage on a block before moving on, so a tensor is read and written once per pass.
// A stage that needs a norm over the whole tensor before it can scale anything (the trust
// ratio) is a *barrier*: the chain then makes two passes over that tensor, a read-only one
// that advances the stages before the barrier and accumulates the norms, and the update pass.
// Stages before the barrier are *replayed* in the second pass: they recompute the same
// output from their already-advanced state, so no per-tensor scratch buffer is needed.
// Telemetry norms are accumulated (in double) inside these same passes.
//
// Data flow: the chain alone writes TensorStep (step number, LR, exclusion, measured norms);
// each stage keeps its own per-tensor decisions and exposes them through scale() and, for
// the barrier, ratio(). No stage writes a value another stage reads.

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

// Every kind of stage a chain is built from. Chain rules, state lookup and tests go by kind.
enum class StageKind {
  AddDecayedWeights,
  ScaleByTrustRatio,
  ScaleByLearningRate,
  Trace,
  ScaleByAdam,
  ScaleByRms,
  ScaleByRss,
};

// What is fixed by a stage's kind, defined once.
struct StageKindInfo {
  StageKind kind;
  const char* name;                     // optax's name of the transform
  bool appliesWeightDecay;              // adds beta w to u (a chain has one such stage at most)
  std::vector<const char*> stateNames;  // per-element state buffers, for Optimizer::state();
                                        // a stage without any is replayed for free
};
// One entry per StageKind, in declaration order.
const std::vector<StageKindInfo>& stageKinds();
const StageKindInfo& stageKindInfo(StageKind kind);

// Per-tensor inputs of one step. Only the chain writes them; stages read them, and keep what
// they decide per tensor (a trust ratio, say) to themselves.
struct TensorStep {
  int index = 0;  // tensor index in the layout
  const nn::TensorInfo* info = nullptr;
  bool excluded = false;   // chain's exclusion mask: no adaptation, no weight decay
  long count = 0;          // 1-based step number (Adam bias correction)
  double lr = 0.0;         // global learning rate gamma_t of this step
  // Measured by the first pass of a two-pass chain (NaN when not measured):
  double weightNorm = 0.0;  // ||w|| before the update
  double gradNorm = 0.0;    // ||g||, raw gradient
  double inputNorm = 0.0;   // ||x|| of the barrier's measured input (BarrierStage::prepareInput)
};

// One block of a tensor: the working update u and read-only views of w and g.
struct Block {
  std::size_t offset = 0;  // flat index of the block's first element; state buffers share it
  std::ptrdiff_t size = 0;
  const nn::Scalar* w = nullptr;
  const nn::Scalar* g = nullptr;
  nn::Scalar* u = nullptr;
};

// A stage maps the working update u of a block to a new u. The replay contract: after
// advance(b, t) has moved the stage's state, replay(b, t) on the same input u writes the same
// output u. replay() is const, so it cannot move the state; a test checks the output for
// every stage kind (tests/optim/stage_replay_test.cpp).
class Transform {
 public:
  explicit Transform(StageKind kind) : kind_(kind) {}
  virtual ~Transform() = default;
  [[nodiscard]] StageKind kind() const { return kind_; }
  // Allocate (zeroed) per-element state for the layout. Called once, before the first step.
  virtual void init(const nn::ParameterLayout& layout) { (void)layout; }
  virtual void reset() {}
  // Advance the per-element state (if any) with this block and transform u; once per element and step.
  virtual void advance(const Block& b, const TensorStep& t) = 0;
  // Transform u as advance() did, from the state as advance() left it.
  virtual void replay(const Block& b, const TensorStep& t) const = 0;
  // The per-tensor scalar this stage multiplied u by this step (1 for element-wise stages);
  // the local LR of the telemetry is the product over the chain.
  [[nodiscard]] virtual double scale(const TensorStep& t) const {
    (void)t;
    return 1.0;
  }
  // State buffer `k` of stageKindInfo(kind()).stateNames.
  [[nodiscard]] virtual const nn::Vector* stateBuffer(std::size_t k) const {
    (void)k;
    return nullptr;
  }

 private:
  StageKind kind_;
};

// A stage that needs norms over the whole tensor before it can scale any element: the chain
// then makes two passes, a measuring one and the update pass (see the top of this file).
class BarrierStage : public Transform {
 public:
  using Transform::Transform;
  // Whether decide() reads TensorStep::inputNorm, which costs the first pass a run of the stages before it.
  [[nodiscard]] virtual bool measuresInput() const = 0;
  // First pass: turn u (the output of the stages before) into the vector whose norm is inputNorm.
  virtual void prepareInput(const Block& b, const TensorStep& t) const = 0;
  // Between the passes, once per tensor: fix this step's scaling of the tensor from the norms in t.
  virtual void decide(const TensorStep& t) = 0;
  // Telemetry: the ratio decided this step for tensor `index`, before any clipping; 1 where none.
  [[nodiscard]] virtual double ratio(int index) const = 0;
};

using TransformPtr = std::unique_ptr<Transform>;
using BarrierPtr = std::unique_ptr<BarrierStage>;

// ---- Stages -------------------------------------------------------------------------------

// u <- u + beta w. The same stage is L2 regularisation when placed before a preconditioner
// (SGD, Adam) and decoupled decay when placed after it (AdamW). Excluded tensors get beta = 0.
// Chains with a trust ratio have none: that stage owns its decay (below).
TransformPtr addDecayedWeights(HyperRef weightDecay);

enum class TrustDenominator {
  GradPlusDecay,  // ||g|| + beta ||w||     (LARS paper, timm, apex, torchlars, TF-Addons)
  InputNorm,      // ||x|| of x = u + beta w: ||g + beta w|| (optax LARS), ||r|| (LAMB)
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
  HyperRef weightDecay;                            // beta, added to u before scaling (0: none)
  HyperRef coefficient = HyperRef::constant(1.0);  // eta (LARS); 1 for LAMB
  HyperRef eps;                                    // added to the denominator
  HyperRef clampMax = HyperRef::constant(10.0);    // for TrustPhi::Clamp
};

// u <- factor * (u + beta w), ratio = coefficient * phi(||w||) / (denominator + eps). A barrier.
// It owns its weight decay because both its denominator and the zero-norm policy (which
// withholds the decay) depend on it. Excluded tensors: beta 0, ratio 1, factor 1.
BarrierPtr scaleByTrustRatio(TrustRatioSettings settings);

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

  // At most one barrier per chain and one stage that applies weight decay: an
  // addDecayedWeights stage or the trust ratio, never both. Throws std::invalid_argument.
  Chain& add(TransformPtr stage);
  Chain& add(BarrierPtr stage);

  void init(const nn::ParameterLayout& layout);
  void reset();
  // One update of every trainable tensor with global LR `lr`; telemetry may be empty
  // (nothing recorded) or have one entry per tensor of the layout.
  void step(nn::ParameterStore& params, const nn::ParameterStore& grads, double lr,
            std::span<TensorTelemetry> telemetry);

  [[nodiscard]] long count() const { return count_; }
  [[nodiscard]] bool isExcluded(int tensor) const { return excluded_.at(tensor) != 0; }
  [[nodiscard]] const nn::Vector* state(const std::string& name) const;
  [[nodiscard]] std::vector<StageKind> stageKinds() const;

 private:
  // The step runs over fixed chunks of each tensor, in parallel on TBB when the model is large
  // enough; per-chunk norms are summed in chunk order, so results never depend on threads.
  // Summation order of every norm (tests/optim/reference_optimizers.cpp repeats it): squares in
  // double, 16 interleaved lanes per block of kBlock elements (transforms.cpp), block sums in
  // order within a chunk, chunk sums in order. ||w|| and ||g|| of a barrier chain whose first
  // pass runs no stage take the whole chunk as one block.
  static constexpr std::size_t kChunk = std::size_t{1} << 14;
  static constexpr std::size_t kParallelThreshold = std::size_t{1} << 16;
  struct ChunkNorms {
    double wSq = 0.0, gSq = 0.0, uSq = 0.0, dSq = 0.0;
    double wSum = 0.0, dSum = 0.0;  // plain sums of w and of the change: standard deviations
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

  void append(TransformPtr stage, BarrierStage* barrier);

  ExcludePolicy exclude_ = ExcludePolicy::None;
  std::vector<TransformPtr> stages_;
  int barrier_ = -1;                  // index of the barrier stage, -1 when the chain is single-pass
  BarrierStage* barrierStage_ = nullptr;  // stages_[barrier_]
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
