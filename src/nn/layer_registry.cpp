#include "nn/layer_registry.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "nn/layers.h"
#include "text/format.h"

namespace larslab::nn {

namespace {

using text::formatNumber;
using Bound = FieldRange::Bound;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string integerText(double v) { return std::to_string(static_cast<long long>(v)); }

std::string boundText(double v, bool integer) { return integer ? integerText(v) : formatNumber(v); }

std::string describe(Shape s) {
  if (s.height == 1 && s.width == 1) return "a flat vector of " + std::to_string(s.channels) + " features";
  return "an image " + std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" + std::to_string(s.width) +
         " (channels x height x width)";
}

[[noreturn]] void fail(const std::string& path, const char* field, const std::string& message) {
  throw std::invalid_argument(path + "." + field + ": " + message);
}

// conv2d and maxpool2d slide a square window over an image.
void checkWindow(const LayerSpec& spec, Shape input, int padding, const std::string& path) {
  if (input.height == 1 && input.width == 1)
    fail(path, "type", spec.type + " needs an image input (channels, height, width); its input is " + describe(input));
  if (spec.kernel > input.height + 2 * padding || spec.kernel > input.width + 2 * padding) {
    std::string what = "kernel " + std::to_string(spec.kernel) + " is larger than the input " +
                       std::to_string(input.height) + "x" + std::to_string(input.width);
    if (padding > 0) what += " plus padding " + std::to_string(padding);
    fail(path, "kernel", what);
  }
}

std::unique_ptr<Layer> buildDense(const LayerSpec& s, std::string name, Shape input, const InitSpec& init,
                                  const std::string&) {
  return std::make_unique<Dense>(std::move(name), input, s.units, init);
}

std::unique_ptr<Layer> buildConv2D(const LayerSpec& s, std::string name, Shape input, const InitSpec& init,
                                   const std::string& path) {
  checkWindow(s, input, s.padding, path);
  return std::make_unique<Conv2D>(std::move(name), input, s.filters, s.kernel, s.stride == 0 ? 1 : s.stride,
                                  s.padding, init);
}

std::unique_ptr<Layer> buildMaxPool2D(const LayerSpec& s, std::string name, Shape input, const InitSpec&,
                                      const std::string& path) {
  if (s.padding != 0) fail(path, "padding", "maxpool2d has no padding, got " + std::to_string(s.padding));
  checkWindow(s, input, 0, path);
  return std::make_unique<MaxPool2D>(std::move(name), input, s.kernel, s.stride == 0 ? s.kernel : s.stride);
}

std::unique_ptr<Layer> buildBatchNorm(const LayerSpec& s, std::string name, Shape input, const InitSpec&,
                                      const std::string&) {
  return std::make_unique<BatchNorm>(std::move(name), input, s.momentum, s.eps);
}

std::unique_ptr<Layer> buildDropout(const LayerSpec& s, std::string name, Shape input, const InitSpec&,
                                    const std::string&) {
  return std::make_unique<Dropout>(std::move(name), input, s.rate);
}

std::unique_ptr<Layer> buildFlatten(const LayerSpec&, std::string name, Shape input, const InitSpec&,
                                    const std::string&) {
  return std::make_unique<Flatten>(std::move(name), input);
}

template <ActivationKind kind>
std::unique_ptr<Layer> buildActivation(const LayerSpec& s, std::string name, Shape input, const InitSpec&,
                                       const std::string&) {
  return std::make_unique<Activation>(std::move(name), input, kind, s.slope);
}

LayerField intField(const char* key, int LayerSpec::*member, double lo, Bound loBound, double hi,
                    const char* help) {
  LayerField f{key, LayerField::Kind::Int};
  f.intValue = member;
  f.range = {lo, loBound, hi, Bound::Closed};
  f.help = help;
  return f;
}

LayerField realField(const char* key, double LayerSpec::*member, FieldRange range, const char* help) {
  LayerField f{key, LayerField::Kind::Real};
  f.realValue = member;
  f.range = range;
  f.help = help;
  return f;
}

LayerField required(LayerField f, const char* hint, double editorStart) {
  f.requiredHint = hint;
  f.editorStart = editorStart;
  return f;
}

LayerField written(LayerField f, LayerField::Written when) {
  f.written = when;
  return f;
}

// Fields that several layer types share, defined once.
LayerField kernelField() {
  return intField("kernel", &LayerSpec::kernel, 0, Bound::Open, 1024, "Side of the square window.");
}
LayerField strideField(const char* help) {
  return written(intField("stride", &LayerSpec::stride, 0, Bound::Closed, 1024, help), LayerField::Written::WhenNonZero);
}
std::vector<LayerField> initFields() {
  LayerField init{"init", LayerField::Kind::Init};
  init.written = LayerField::Written::WhenNotAuto;
  init.help = "Weight initialiser: auto (He before a ReLU-like activation, Glorot otherwise), he, glorot, zeros, "
              "constant.";
  LayerField value = realField("init_value", &LayerSpec::initValue, {-kInf, Bound::Open, kInf, Bound::Open},
                               "The weights' value for the constant initialiser.");
  value.written = LayerField::Written::WhenInitConstant;
  return {init, value};
}

std::vector<LayerField> concat(std::vector<LayerField> a, const std::vector<LayerField>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// PyTorch forms shared by several types.
std::string callModule(const PytorchContext& c) { return "x = " + c.ref + "(x)"; }
template <const char* expression>
std::string elementwise(const PytorchContext& c) {
  return std::string("x = ") + expression + "  # " + c.layer.name();
}
constexpr char kRelu[] = "F.relu(x)";
constexpr char kTanh[] = "torch.tanh(x)";
constexpr char kSigmoid[] = "torch.sigmoid(x)";
int convStride(const LayerSpec& s) { return s.stride == 0 ? 1 : s.stride; }
int poolStride(const LayerSpec& s) { return s.stride == 0 ? s.kernel : s.stride; }

PytorchForm densePytorch() {
  PytorchForm f;
  f.input = PytorchForm::Input::Flat;
  f.module = [](const PytorchContext& c) {
    return "nn.Linear(" + std::to_string(c.layer.inputShape().size()) + ", " +
           std::to_string(c.layer.outputShape().size()) + ")";
  };
  f.forward = callModule;
  f.summary = [](const PytorchContext& c) { return " (dense " + std::to_string(c.layer.outputShape().size()) + ")"; };
  return f;
}

PytorchForm convPytorch() {
  PytorchForm f;
  f.input = PytorchForm::Input::Image;
  f.module = [](const PytorchContext& c) {
    return "nn.Conv2d(" + std::to_string(c.layer.inputShape().channels) + ", " +
           std::to_string(c.layer.outputShape().channels) + ", kernel_size=" + std::to_string(c.spec.kernel) +
           ", stride=" + std::to_string(convStride(c.spec)) + ", padding=" + std::to_string(c.spec.padding) + ")";
  };
  f.forward = callModule;
  f.summary = [](const PytorchContext& c) {
    const std::string k = std::to_string(c.spec.kernel);
    return " (conv " + std::to_string(c.layer.outputShape().channels) + "@" + k + "x" + k + ")";
  };
  return f;
}

PytorchForm poolPytorch() {
  PytorchForm f;
  f.input = PytorchForm::Input::Image;
  f.forward = [](const PytorchContext& c) {
    return "x = F.max_pool2d(x, kernel_size=" + std::to_string(c.spec.kernel) +
           ", stride=" + std::to_string(poolStride(c.spec)) + ")  # " + c.layer.name();
  };
  f.summary = [](const PytorchContext& c) { return " (maxpool " + std::to_string(c.spec.kernel) + ")"; };
  return f;
}

PytorchForm batchNormPytorch() {
  PytorchForm f;
  f.ghostBatchNorm = true;
  f.module = [](const PytorchContext& c) {
    return "GhostBatchNorm(" + std::to_string(c.layer.inputShape().channels) + ", eps=" + text::pyFloat(c.spec.eps) +
           ", momentum=" + text::pyFloat(c.spec.momentum) + ", ghost_batches=ghost_batches)";
  };
  f.forward = callModule;
  f.summary = [](const PytorchContext&) { return std::string(" (batchnorm)"); };
  f.reset = "reset_parameters()";
  return f;
}

PytorchForm flattenPytorch() {
  PytorchForm f;
  f.flattens = true;
  f.forward = [](const PytorchContext& c) {
    return c.imageInput ? "x = x.flatten(1)  # " + c.layer.name() : "# " + c.layer.name() + ": x is already flat";
  };
  return f;
}

PytorchForm dropoutPytorch() {
  PytorchForm f;
  f.randomMasks = true;
  f.forward = [](const PytorchContext& c) {
    return "x = F.dropout(x, p=" + text::pyFloat(c.spec.rate) + ", training=self.training)  # " + c.layer.name();
  };
  f.summary = [](const PytorchContext& c) { return " (dropout " + formatNumber(c.spec.rate) + ")"; };
  return f;
}

PytorchForm activationPytorch(std::string (*forward)(const PytorchContext&)) {
  PytorchForm f;
  f.forward = forward;
  return f;
}

std::vector<LayerType> makeRegistry() {
  using R = InitRole;
  const FieldRange unit{0, Bound::Closed, 1, Bound::Closed};
  return {
      {"dense", "dense", "Fully connected layer: a weight matrix and a bias (two tensors).",
       concat({required(intField("units", &LayerSpec::units, 0, Bound::Open, 1'000'000, "Output features."),
                        "output features", 32)},
              initFields()),
       R::Weighted, "units", buildDense, densePytorch()},
      {"conv2d", "conv", "2-D convolution: a kernel tensor and a bias.",
       concat({required(intField("filters", &LayerSpec::filters, 0, Bound::Open, 100'000, "Output channels."),
                        "output channels", 16),
               kernelField(), strideField("Step of the window (absent or 0: 1)."),
               intField("padding", &LayerSpec::padding, 0, Bound::Closed, 1024, "Zeros added on every side.")},
              initFields()),
       R::Weighted, "filters", buildConv2D, convPytorch()},
      {"maxpool2d", "pool", "Maximum over square windows; no parameters.",
       {kernelField(), strideField("Step of the window (absent or 0: the kernel size, as in PyTorch).")},
       R::LookThrough, nullptr, buildMaxPool2D, poolPytorch()},
      {"batchnorm", "bn", "Batch normalisation: scale (gamma) and shift (beta) tensors.",
       {realField("momentum", &LayerSpec::momentum, unit, "Running-statistics momentum (PyTorch convention)."),
        realField("eps", &LayerSpec::eps, {0, Bound::Open, 1, Bound::Closed}, "Added to the variance.")},
       R::LookThrough, nullptr, buildBatchNorm, batchNormPytorch()},
      {"flatten", "flatten", "Turns an image into a flat feature vector; no parameters.", {}, R::LookThrough, nullptr,
       buildFlatten, flattenPytorch()},
      {"dropout", "drop", "Zeroes a random fraction of activations while training.",
       {realField("rate", &LayerSpec::rate, {0, Bound::Closed, 1, Bound::Open}, "Probability of zeroing an activation.")},
       R::LookThrough, nullptr, buildDropout, dropoutPytorch()},
      {"relu", "relu", "Activation max(0, x); no parameters.", {}, R::ReluLike, nullptr,
       buildActivation<ActivationKind::ReLU>, activationPytorch(elementwise<kRelu>)},
      {"leaky_relu", "leaky_relu", "Activation x for x > 0, slope * x otherwise; no parameters.",
       {realField("slope", &LayerSpec::slope, unit, "Slope for negative inputs.")}, R::ReluLike, nullptr,
       buildActivation<ActivationKind::LeakyReLU>, activationPytorch([](const PytorchContext& c) {
         return "x = F.leaky_relu(x, negative_slope=" + text::pyFloat(c.spec.slope) + ")  # " + c.layer.name();
       })},
      {"tanh", "tanh", "Activation tanh(x); no parameters.", {}, R::Other, nullptr,
       buildActivation<ActivationKind::Tanh>, activationPytorch(elementwise<kTanh>)},
      {"sigmoid", "sigmoid", "Activation 1 / (1 + exp(-x)); no parameters.", {}, R::Other, nullptr,
       buildActivation<ActivationKind::Sigmoid>, activationPytorch(elementwise<kSigmoid>)},
      {"gelu", "gelu", "Activation GELU x * Phi(x) (exact erf form); no parameters.", {}, R::ReluLike, nullptr,
       buildActivation<ActivationKind::GELU>, activationPytorch([](const PytorchContext& c) {
         return "x = F.gelu(x)  # " + c.layer.name() + " (exact erf form, as LARS Lab)";
       })},
      {"identity", "identity", "Passes its input on unchanged; no parameters.", {}, R::Other, nullptr,
       buildActivation<ActivationKind::Identity>,
       activationPytorch([](const PytorchContext& c) { return "# " + c.layer.name() + ": identity"; })},
  };
}

}  // namespace

bool FieldRange::contains(double v) const {
  if (!std::isfinite(v)) return false;
  const bool loOk = loBound == Bound::Closed ? v >= lo : v > lo;
  const bool hiOk = hiBound == Bound::Closed ? v <= hi : v < hi;
  return loOk && hiOk;
}

std::string FieldRange::violation(double v, bool integer) const {
  const bool noLo = lo == -kInf;
  const bool noHi = hi == kInf;
  const std::string got = ", got " + (integer ? integerText(v) : formatNumber(v));
  const std::string lower = std::string(loBound == Bound::Closed ? ">= " : "> ") + boundText(lo, integer);
  const std::string upper = std::string(hiBound == Bound::Closed ? "<= " : "< ") + boundText(hi, integer);
  // Integers name only the side they broke; reals name the whole interval.
  if (integer) {
    const bool belowLo = loBound == Bound::Closed ? v < lo : v <= lo;
    return "must be " + (belowLo && !noLo ? lower : upper) + got;
  }
  if (noLo && noHi) return "must be finite" + got;
  if (noHi) return "must be " + lower + got;
  if (noLo) return "must be " + upper + got;
  return "must be in " + std::string(loBound == Bound::Closed ? "[" : "(") + formatNumber(lo) + ", " +
         formatNumber(hi) + (hiBound == Bound::Closed ? "]" : ")") + got;
}

double LayerField::number(const LayerSpec& spec) const {
  return kind == Kind::Int ? static_cast<double>(spec.*intValue) : spec.*realValue;
}

void LayerField::setNumber(LayerSpec& spec, double value) const {
  if (kind == Kind::Int)
    spec.*intValue = static_cast<int>(value);
  else
    spec.*realValue = value;
}

bool LayerField::isWritten(const LayerSpec& spec) const {
  switch (written) {
    case Written::Always: return true;
    case Written::WhenNonZero: return number(spec) != 0;
    case Written::WhenNotAuto: return spec.init != "auto";
    case Written::WhenInitConstant: return spec.init == "constant";
  }
  return true;
}

const LayerField* LayerType::field(std::string_view key) const {
  for (const LayerField& f : fields)
    if (key == f.key) return &f;
  return nullptr;
}

LayerSpec newLayerSpec(const LayerType& type) {
  LayerSpec spec;
  spec.type = type.type;
  for (const LayerField& f : type.fields)
    if (f.requiredHint) f.setNumber(spec, f.editorStart);
  return spec;
}

const std::vector<LayerType>& layerTypes() {
  static const std::vector<LayerType> registry = makeRegistry();
  return registry;
}

const LayerType* findLayerType(std::string_view type) {
  for (const LayerType& t : layerTypes())
    if (type == t.type) return &t;
  return nullptr;
}

std::vector<std::string> layerTypeNames() {
  std::vector<std::string> names;
  for (const LayerType& t : layerTypes()) names.emplace_back(t.type);
  return names;
}

std::string layerTypeList() {
  std::string list;
  for (const LayerType& t : layerTypes()) list += (list.empty() ? "" : ", ") + std::string(t.type);
  return list;
}

const std::vector<std::string>& initNames() {
  static const std::vector<std::string> names = {"auto", "he", "glorot", "xavier", "zeros", "constant"};
  return names;
}

std::string LayerField::problem(const LayerSpec& spec) const {
  if (kind == Kind::Init) {
    if (spec.init == "auto") return {};
    try {
      parseInitKind(spec.init);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return {};
  }
  if (written == Written::WhenInitConstant && spec.init != "constant") return {};  // means nothing then
  const double v = number(spec);
  return range.contains(v) ? std::string() : range.violation(v, kind == Kind::Int);
}

std::vector<FieldIssue> checkLayerFields(const LayerType& type, const LayerSpec& spec) {
  std::vector<FieldIssue> issues;
  for (const LayerField& f : type.fields)
    if (std::string message = f.problem(spec); !message.empty()) issues.push_back({f.key, std::move(message)});
  return issues;
}

InitSpec resolveInit(const ModelSpec& spec, std::size_t index) {
  const LayerSpec& ls = spec.layers[index];
  InitSpec init;
  init.value = ls.initValue;
  if (ls.init != "auto") {
    init.kind = parseInitKind(ls.init);
    return init;
  }
  init.kind = InitKind::Glorot;
  for (std::size_t j = index + 1; j < spec.layers.size(); ++j) {
    const LayerType* next = findLayerType(spec.layers[j].type);
    if (next && next->initRole == InitRole::ReluLike) {
      init.kind = InitKind::He;
      break;
    }
    if (next && next->initRole == InitRole::LookThrough) continue;
    break;
  }
  return init;
}

}  // namespace larslab::nn
