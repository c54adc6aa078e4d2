#include "nn/network.h"

#include <map>
#include <stdexcept>

#include "nn/layer_registry.h"

namespace larslab::nn {
namespace {

// Inputs with at most one dimension > 1 are feature vectors: (features, 1, 1).
Shape canonical(Shape s) {
  const int big = (s.channels > 1) + (s.height > 1) + (s.width > 1);
  return big <= 1 ? Shape{s.size(), 1, 1} : s;
}

void checkName(const std::string& name, const std::string& path) {
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) throw std::invalid_argument(path + ".name: '" + name + "' may only contain letters, digits, '_' and '-'");
  }
}

}  // namespace

Network::Network(const ModelSpec& spec, Shape inputShape) : spec_(spec), inputShape_(inputShape) {
  if (inputShape.channels <= 0 || inputShape.height <= 0 || inputShape.width <= 0)
    throw std::invalid_argument("input shape: every dimension must be > 0, got " + std::to_string(inputShape.channels) +
                                "x" + std::to_string(inputShape.height) + "x" + std::to_string(inputShape.width));
  if (spec.layers.empty()) throw std::invalid_argument("model.layers: must contain at least one layer");

  auto layout = std::make_shared<ParameterLayout>();
  std::map<std::string, int> typeCounts;
  std::map<std::string, std::size_t> names;  // name -> layer index
  Shape shape = canonical(inputShape);
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& ls = spec.layers[i];
    const std::string path = "model.layers[" + std::to_string(i) + "]";
    const LayerType* type = findLayerType(ls.type);
    if (!type)
      throw std::invalid_argument(path + ".type: unknown layer type '" + ls.type + "'; expected one of " +
                                  layerTypeList());
    const int ordinal = ++typeCounts[type->namePrefix];
    std::string name = ls.name.empty() ? type->namePrefix + std::to_string(ordinal) : ls.name;
    checkName(name, path);
    if (auto it = names.find(name); it != names.end())
      throw std::invalid_argument(path + ".name: duplicate layer name '" + name + "' (also model.layers[" +
                                  std::to_string(it->second) + "])");
    names.emplace(name, i);
    if (const auto issues = checkLayerFields(*type, ls); !issues.empty())
      throw std::invalid_argument(path + "." + issues.front().field + ": " + issues.front().message);

    const InitSpec init = type->hasWeights() ? resolveInit(spec, i) : InitSpec{};
    std::unique_ptr<Layer> layer = type->build(ls, name, shape, init, path);
    layer->registerTensors(*layout);
    shape = layer->outputShape();
    layers_.push_back(std::move(layer));
  }

  loss_ = makeLoss(spec.loss);
  if (!loss_) throw std::invalid_argument("model.loss: unknown loss '" + spec.loss + "'; expected cross_entropy or mse");
  if (loss_->isClassification() && shape.size() < 2)
    throw std::invalid_argument("model.loss: cross_entropy needs at least 2 outputs (one per class); the last layer gives " +
                                std::to_string(shape.size()));
  layout_ = std::move(layout);
}

Shape Network::outputShape() const { return layers_.back()->outputShape(); }

ParameterStore Network::initialParameters(std::uint64_t seed) const {
  ParameterStore params(layout_);
  for (const auto& layer : layers_) layer->initialize(params, seed);
  return params;
}

}  // namespace larslab::nn
