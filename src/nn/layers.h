#pragma once
// The concrete layers. Shapes follow PyTorch: a dense weight is (out, in) and the forward is
// out = in * W^T + b; a convolution kernel is (outC, inC, k, k). A flat feature vector has
// Shape{features, 1, 1}, so BatchNorm after a dense layer is per feature and after a
// convolution per channel with one code path.
//
// Constructors validate their arguments (std::invalid_argument); Network validates the spec
// first with messages that name the field.

#include <cstdint>
#include <string>

#include "nn/init.h"
#include "nn/layer.h"

namespace larslab::nn {

class Dense final : public Layer {
 public:
  // Any input shape: the row already is the flattened sample.
  Dense(std::string name, Shape input, int units, InitSpec init);
  [[nodiscard]] int units() const { return outputShape().channels; }
  void registerTensors(ParameterLayout& layout) override;
  void initialize(ParameterStore& params, std::uint64_t seed) const override;
  [[nodiscard]] Fans weightFans() const override;
  [[nodiscard]] std::unique_ptr<LayerState> makeState() const override;
  void forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
               const ForwardContext& context) const override;
  void backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& out,
                const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const override;
  [[nodiscard]] int batchGradientBlockUnits() const override;
  void accumulateBatchGradients(std::span<const GemmOperand> shardInputs,
                                std::span<const GemmOperand> shardOutputGradients, int unitBegin, int unitEnd,
                                ParameterStore& grads, GemmWorkspace& gemm) const override;

 private:
  InitSpec init_;
  int weight_ = -1;
  int bias_ = -1;
};

// Zero padding on every side; output size floor((H + 2p - k) / s) + 1 as in PyTorch.
// Per sample: im2col, then one GEMM (outC x inC*k*k) * (inC*k*k x OH*OW) written straight
// into the sample's output row.
class Conv2D final : public Layer {
 public:
  Conv2D(std::string name, Shape input, int filters, int kernel, int stride, int padding, InitSpec init);
  [[nodiscard]] static Shape outputShapeFor(Shape input, int filters, int kernel, int stride, int padding);
  void registerTensors(ParameterLayout& layout) override;
  void initialize(ParameterStore& params, std::uint64_t seed) const override;
  [[nodiscard]] Fans weightFans() const override;
  [[nodiscard]] std::unique_ptr<LayerState> makeState() const override;
  void forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
               const ForwardContext& context) const override;
  void backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& out,
                const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const override;

 private:
  int kernel_, stride_, padding_;
  InitSpec init_;
  int weight_ = -1;
  int bias_ = -1;
};

// No padding; output size floor((H - k) / s) + 1. Backward routes each output gradient to the
// first maximum of its window.
class MaxPool2D final : public Layer {
 public:
  MaxPool2D(std::string name, Shape input, int kernel, int stride);
  [[nodiscard]] static Shape outputShapeFor(Shape input, int kernel, int stride);
  [[nodiscard]] std::unique_ptr<LayerState> makeState() const override;
  void forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
               const ForwardContext& context) const override;
  void backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& out,
                const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const override;

 private:
  [[nodiscard]] bool isNonOverlapping2x2() const;  // 2x2 windows, stride 2, even height and width
  int kernel_, stride_;
};

// Per channel over (rows, H, W); per feature for flat input. Training mode normalises with
// the statistics of the SHARD being processed ("ghost batch norm" with the fixed shard size
// of ShardedBackprop), so results do not depend on the thread count. The running statistics
// are updated once per step from the shards' statistics combined exactly into whole-batch
// mean and (unbiased) variance, with PyTorch's convention
//   running = (1 - momentum) * running + momentum * batch_statistic,
// so they match what PyTorch's BatchNorm would record for the whole batch.
// Eval mode normalises with the running statistics.
class BatchNorm final : public Layer {
 public:
  BatchNorm(std::string name, Shape input, double momentum, double eps);
  void registerTensors(ParameterLayout& layout) override;
  void initialize(ParameterStore& params, std::uint64_t seed) const override;
  [[nodiscard]] std::unique_ptr<LayerState> makeState() const override;
  void forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
               const ForwardContext& context) const override;
  void backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& out,
                const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const override;
  [[nodiscard]] bool hasStatistics() const override { return true; }
  void updateStatistics(ParameterStore& params, std::span<const LayerState* const> shardStates) const override;

 private:
  double momentum_, eps_;
  int gamma_ = -1, beta_ = -1, runningMean_ = -1, runningVar_ = -1;
};

class Flatten final : public Layer {
 public:
  Flatten(std::string name, Shape input);
  void forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
               const ForwardContext& context) const override;
  void backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& out,
                const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const override;
};

// Inverted dropout: in training, each element is kept with probability 1 - rate and scaled by
// 1 / (1 - rate); identity in eval mode. The mask is counter-based on context.seed (element i
// of the shard uses bits mix(seed, i)), so it never depends on threads or scheduling.
class Dropout final : public Layer {
 public:
  Dropout(std::string name, Shape input, double rate);
  [[nodiscard]] double rate() const { return rate_; }
  [[nodiscard]] std::unique_ptr<LayerState> makeState() const override;
  void forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
               const ForwardContext& context) const override;
  void backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& out,
                const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const override;

 private:
  double rate_;
};

enum class ActivationKind { Identity, ReLU, LeakyReLU, Tanh, Sigmoid, GELU };

// The layer type string of each kind ("relu", ...), as in the layer registry.
const char* activationKindName(ActivationKind kind);

// Element-wise. GELU is the exact form x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), PyTorch's
// default. Derivatives at 0 follow PyTorch: relu' = 0, leaky_relu' = slope.
class Activation final : public Layer {
 public:
  Activation(std::string name, Shape input, ActivationKind kind, double slope = 0.01);
  [[nodiscard]] ActivationKind kind() const { return kind_; }
  void forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
               const ForwardContext& context) const override;
  void backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& out,
                const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const override;

 private:
  ActivationKind kind_;
  Scalar slope_;
};

}  // namespace larslab::nn
