#include "nn/layer.h"

#include <stdexcept>

namespace larslab::nn {

Layer::Layer(std::string type, std::string name, Shape inputShape, Shape outputShape)
    : type_(std::move(type)), name_(std::move(name)), inputShape_(inputShape), outputShape_(outputShape) {}

void Layer::registerTensors(ParameterLayout& /*layout*/) {}

void Layer::initialize(ParameterStore& /*params*/, std::uint64_t /*seed*/) const {}

std::unique_ptr<LayerState> Layer::makeState() const { return std::make_unique<LayerState>(); }

void Layer::updateStatistics(ParameterStore& /*params*/, std::span<const LayerState* const> /*shardStates*/) const {}

void Layer::accumulateBatchGradients(std::span<const GemmOperand> /*shardInputs*/,
                                     std::span<const GemmOperand> /*shardOutputGradients*/, int /*unitBegin*/,
                                     int /*unitEnd*/, ParameterStore& /*grads*/, GemmWorkspace& /*gemm*/) const {
  throw std::logic_error(type() + " " + name() + ": no batch gradients (batchGradientBlockUnits() is 0)");
}

int Layer::addTensor(ParameterLayout& layout, const char* suffix, TensorKind kind, std::vector<int> shape) {
  const int index = layout.add(name_ + "." + suffix, kind, std::move(shape));
  tensorIndices_.push_back(index);
  return index;
}

}  // namespace larslab::nn
