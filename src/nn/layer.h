#pragma once
// A layer is a const forward/backward pair. Everything that changes while a batch flows
// through it (cached activations, im2col buffers, argmax indices, batch statistics, dropout
// masks) lives in a LayerState that the layer creates, one per shard; one Layer object can
// therefore serve all shards in parallel. Parameters and gradients live in ParameterStores
// laid out by the network's ParameterLayout; a layer only remembers its tensor indices.
//
// Batches are row-major, one sample per row; image samples are flattened (C, H, W).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/parameters.h"
#include "nn/tensor.h"

namespace larslab::nn {

struct ForwardContext {
  bool training = false;   // dropout active, BatchNorm uses batch statistics
  std::uint64_t seed = 0;  // dropout mask seed, already specific to (step, shard, layer)
};

// Per-shard scratch of one layer. Buffers are sized on the first forward and then reused:
// with a fixed shard size, later steps allocate nothing.
class LayerState {
 public:
  virtual ~LayerState() = default;
  // Set by ShardedBackprop for a layer whose parameter gradients it computes for the whole
  // batch (Layer::batchGradientBlockUnits): backward() then leaves them to it.
  bool batchGradientsDeferred = false;
};

struct GemmOperand;
class GemmWorkspace;

class Layer {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  [[nodiscard]] const std::string& type() const { return type_; }  // "dense", "conv2d", ...
  [[nodiscard]] const std::string& name() const { return name_; }  // "dense1", ...
  [[nodiscard]] Shape inputShape() const { return inputShape_; }
  [[nodiscard]] Shape outputShape() const { return outputShape_; }
  // Indices of this layer's tensors in the layout, in registration order (empty before
  // registerTensors, and for layers without parameters).
  [[nodiscard]] const std::vector<int>& tensorIndices() const { return tensorIndices_; }

  // Adds "<name>.weight", "<name>.bias", ... to the layout. Called once, while building.
  virtual void registerTensors(ParameterLayout& layout);
  // Writes initial values into this layer's tensors; `seed` is the network seed.
  virtual void initialize(ParameterStore& params, std::uint64_t seed) const;
  // fan_in and fan_out of the weight tensor as the initialisers use them (PyTorch's convention:
  // dense (in, out), conv (inC*k*k, outC*k*k)); {0, 0} for a layer without weights.
  struct Fans {
    int in = 0;
    int out = 0;
  };
  [[nodiscard]] virtual Fans weightFans() const { return {}; }

  [[nodiscard]] virtual std::unique_ptr<LayerState> makeState() const;

  // out = f(in). `out` is resized to (in.rows(), outputShape().size()) — free after the first
  // call with the same row count.
  virtual void forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out,
                       LayerState& state, const ForwardContext& context) const = 0;

  // Given dOut = dL/d(out) for the `in`/`out` of the latest forward with this state, writes
  // dL/d(in) into *dIn (skipped when dIn is null: the first layer) and OVERWRITES this
  // layer's slices of `grads` with dL/d(tensor). Slices of other layers are not touched.
  virtual void backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& out,
                        const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads,
                        LayerState& state) const = 0;

  // Parameter gradients that are a sum over the batch's rows of (input row) x (output-gradient
  // row) products, as a dense layer's weight and bias are, can be formed once for the whole batch
  // after every shard's backward pass instead of once per shard and then summed: split by output
  // units into blocks, each block's gradient stays in cache while the shards are added to it in
  // shard order, and no per-shard copy of the tensor is written and read back. Such a layer
  // returns the units per block (> 0; from its shape only, never from the thread count), and
  // accumulateBatchGradients OVERWRITES units [unitBegin, unitEnd) of its tensors' gradients
  // with the sum over the shards, in order, of shardInputs[s] and shardOutputGradients[s]
  // (plain row-major operands of one shard's rows each).
  [[nodiscard]] virtual int batchGradientBlockUnits() const { return 0; }
  virtual void accumulateBatchGradients(std::span<const GemmOperand> shardInputs,
                                        std::span<const GemmOperand> shardOutputGradients, int unitBegin,
                                        int unitEnd, ParameterStore& grads, GemmWorkspace& gemm) const;

  // Layers with running statistics (BatchNorm) fold the batch statistics of the given
  // training-mode shard states, in order, into their Statistic tensors in `params`.
  [[nodiscard]] virtual bool hasStatistics() const { return false; }
  virtual void updateStatistics(ParameterStore& params, std::span<const LayerState* const> shardStates) const;

 protected:
  Layer(std::string type, std::string name, Shape inputShape, Shape outputShape);
  int addTensor(ParameterLayout& layout, const char* suffix, TensorKind kind, std::vector<int> shape);

 private:
  std::string type_;
  std::string name_;
  Shape inputShape_;
  Shape outputShape_;
  std::vector<int> tensorIndices_;
};

}  // namespace larslab::nn
