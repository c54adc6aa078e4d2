#pragma once
// A sequential network: layers built from a ModelSpec, one ParameterLayout for all tensors.

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/layer.h"
#include "nn/loss.h"
#include "nn/model_spec.h"
#include "nn/parameters.h"

namespace larslab::nn {

class Network {
 public:
  // Throws std::invalid_argument naming the layer index and field on a bad spec.
  Network(const ModelSpec& spec, Shape inputShape);

  [[nodiscard]] const std::shared_ptr<const ParameterLayout>& layout() const { return layout_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  [[nodiscard]] const Loss& loss() const { return *loss_; }
  [[nodiscard]] Shape inputShape() const { return inputShape_; }
  [[nodiscard]] Shape outputShape() const;
  [[nodiscard]] const ModelSpec& spec() const { return spec_; }

  // Fresh parameters; identical for identical seeds on any machine and thread count.
  [[nodiscard]] ParameterStore initialParameters(std::uint64_t seed) const;

 private:
  ModelSpec spec_;
  Shape inputShape_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::unique_ptr<Loss> loss_;
  std::shared_ptr<const ParameterLayout> layout_;
};

}  // namespace larslab::nn
