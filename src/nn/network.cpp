#include "nn/network.h"

#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>

#include "nn/layers.h"

namespace larslab::nn {
namespace {

const char* const kLayerTypes =
    "dense, conv2d, maxpool2d, batchnorm, flatten, dropout, relu, leaky_relu, tanh, sigmoid, gelu, identity";

// Prefix of automatic names ("dense1", "conv2", "pool1", "bn1", "drop1", "relu1"); empty for an
// unknown type.
std::string namePrefix(const std::string& type) {
  if (type == "dense") return "dense";
  if (type == "conv2d") return "conv";
  if (type == "maxpool2d") return "pool";
  if (type == "batchnorm") return "bn";
  if (type == "dropout") return "drop";
  if (type == "flatten") return "flatten";
  ActivationKind kind;
  if (parseActivationKind(type, kind)) return type;
  return {};
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string describe(Shape s) {
  if (s.height == 1 && s.width == 1) return "a flat vector of " + std::to_string(s.channels) + " features";
  return "an image " + std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" + std::to_string(s.width) +
         " (channels x height x width)";
}

// Inputs with at most one dimension > 1 are feature vectors: (features, 1, 1).
Shape canonical(Shape s) {
  const int big = (s.channels > 1) + (s.height > 1) + (s.width > 1);
  return big <= 1 ? Shape{s.size(), 1, 1} : s;
}

class SpecChecker {
 public:
  explicit SpecChecker(int index) : index_(index) {}
  [[noreturn]] void fail(const char* field, const std::string& message) const {
    std::string path = "model.layers[" + std::to_string(index_) + "]";
    if (field && *field) path += std::string(".") + field;
    throw std::invalid_argument(path + ": " + message);
  }
  void positive(const char* field, int value) const {
    if (value <= 0) fail(field, "must be > 0, got " + std::to_string(value));
  }
  void nonNegative(const char* field, int value) const {
    if (value < 0) fail(field, "must be >= 0, got " + std::to_string(value));
  }

 private:
  int index_;
};

// "auto": He when the next activation (looking past normalisation, dropout, pooling and
// flatten) is ReLU-like, Glorot otherwise.
InitSpec resolveInit(const ModelSpec& spec, int index, const SpecChecker& check) {
  const LayerSpec& ls = spec.layers[index];
  InitSpec init;
  init.value = ls.initValue;
  if (ls.init == "auto") {
    init.kind = InitKind::Glorot;
    for (std::size_t j = index + 1; j < spec.layers.size(); ++j) {
      const std::string& t = spec.layers[j].type;
      if (t == "relu" || t == "leaky_relu" || t == "gelu") {
        init.kind = InitKind::He;
        break;
      }
      if (t == "batchnorm" || t == "dropout" || t == "maxpool2d" || t == "flatten") continue;
      break;
    }
    return init;
  }
  try {
    init.kind = parseInitKind(ls.init);
  } catch (const std::invalid_argument& e) {
    check.fail("init", e.what());
  }
  if (init.kind == InitKind::Constant && !std::isfinite(ls.initValue))
    check.fail("initValue", "must be finite, got " + num(ls.initValue));
  return init;
}

void checkName(const std::string& name, const SpecChecker& check) {
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) check.fail("name", "'" + name + "' may only contain letters, digits, '_' and '-'");
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
  std::map<std::string, int> names;  // name -> layer index
  Shape shape = canonical(inputShape);
  for (int i = 0; i < static_cast<int>(spec.layers.size()); ++i) {
    const LayerSpec& ls = spec.layers[i];
    const SpecChecker check(i);
    const std::string prefix = namePrefix(ls.type);
    if (prefix.empty()) check.fail("type", "unknown layer type '" + ls.type + "'; expected one of " + kLayerTypes);
    const int ordinal = ++typeCounts[prefix];
    std::string name = ls.name.empty() ? prefix + std::to_string(ordinal) : ls.name;
    checkName(name, check);
    if (auto it = names.find(name); it != names.end())
      check.fail("name", "duplicate layer name '" + name + "' (also model.layers[" + std::to_string(it->second) + "])");
    names.emplace(name, i);

    std::unique_ptr<Layer> layer;
    const std::string& type = ls.type;
    if (type == "dense") {
      check.positive("units", ls.units);
      layer = std::make_unique<Dense>(name, shape, ls.units, resolveInit(spec, i, check));
    } else if (type == "conv2d" || type == "maxpool2d") {
      const bool conv = type == "conv2d";
      if (shape.height == 1 && shape.width == 1)
        check.fail("type", type + " needs an image input (channels, height, width); its input is " + describe(shape));
      if (conv) check.positive("filters", ls.filters);
      check.positive("kernel", ls.kernel);
      check.nonNegative("stride", ls.stride);
      const int stride = ls.stride == 0 ? (conv ? 1 : ls.kernel) : ls.stride;
      const int padding = conv ? ls.padding : 0;
      if (conv) check.nonNegative("padding", ls.padding);
      else if (ls.padding != 0) check.fail("padding", "maxpool2d has no padding, got " + std::to_string(ls.padding));
      if (ls.kernel > shape.height + 2 * padding || ls.kernel > shape.width + 2 * padding) {
        std::string what = "kernel " + std::to_string(ls.kernel) + " is larger than the input " +
                           std::to_string(shape.height) + "x" + std::to_string(shape.width);
        if (padding > 0) what += " plus padding " + std::to_string(padding);
        check.fail("kernel", what);
      }
      if (conv)
        layer = std::make_unique<Conv2D>(name, shape, ls.filters, ls.kernel, stride, padding, resolveInit(spec, i, check));
      else
        layer = std::make_unique<MaxPool2D>(name, shape, ls.kernel, stride);
    } else if (type == "batchnorm") {
      if (!(ls.momentum >= 0.0 && ls.momentum <= 1.0)) check.fail("momentum", "must be in [0, 1], got " + num(ls.momentum));
      if (!(ls.eps > 0.0 && std::isfinite(ls.eps))) check.fail("eps", "must be > 0, got " + num(ls.eps));
      layer = std::make_unique<BatchNorm>(name, shape, ls.momentum, ls.eps);
    } else if (type == "dropout") {
      if (!(ls.rate >= 0.0 && ls.rate < 1.0)) check.fail("rate", "must be in [0, 1), got " + num(ls.rate));
      layer = std::make_unique<Dropout>(name, shape, ls.rate);
    } else if (type == "flatten") {
      layer = std::make_unique<Flatten>(name, shape);
    } else {
      ActivationKind kind = ActivationKind::Identity;
      parseActivationKind(type, kind);
      if (kind == ActivationKind::LeakyReLU && !std::isfinite(ls.slope))
        check.fail("slope", "must be finite, got " + num(ls.slope));
      layer = std::make_unique<Activation>(name, shape, kind, ls.slope);
    }
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
