#include "engine/pytorch_export_model.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "engine/pytorch_export_literals.h"
#include "nn/layer.h"
#include "nn/layer_registry.h"
#include "pytorch_resources.h"

namespace larslab::engine {

namespace {

std::string shapeText(nn::Shape s) {
  if (s.height == 1 && s.width == 1) return std::to_string(s.channels);
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" + std::to_string(s.width);
}

struct ModelCode {
  std::string text;
  bool hasBatchNorm = false;
  bool hasDropout = false;
};

ModelCode modelClass(const ExperimentSpec& spec, const nn::Network& network) {
  std::ostringstream init, forward, reset, summary;
  ModelCode code;
  bool image = false;  // is x currently (N, C, H, W)? The loader gives (N, D) rows.
  const auto& layers = network.layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const nn::Layer& layer = *layers[i];
    const nn::LayerSpec& ls = spec.model.layers[i];
    const std::string& name = layer.name();
    const std::string ref = isPlainAttribute(name) ? "self." + name : "self._modules[" + pyString(name) + "]";
    auto assign = [&](const std::string& module) {
      if (isPlainAttribute(name))
        init << "        self." << name << " = " << module << "\n";
      else  // not an identifier, or a name nn.Module itself uses ("train"): registered directly
        init << "        self._modules[" << pyString(name) << "] = " << module << "\n";
    };
    const nn::LayerType* type = nn::findLayerType(ls.type);
    if (!type)
      throw std::invalid_argument("model.layers[" + std::to_string(i) + "].type: unknown layer type '" + ls.type + "'");
    const nn::PytorchForm& form = type->pytorch;
    const nn::PytorchContext context{ls, layer, ref, image};
    const nn::Shape in = layer.inputShape();
    if (!summary.str().empty()) summary << "|";  // item separator; the chain is wrapped below
    if (form.module) assign(form.module(context));
    if (form.input == nn::PytorchForm::Input::Flat && image) forward << "        x = x.flatten(1)\n";
    if (form.input == nn::PytorchForm::Input::Image && !image)
      forward << "        x = x.view(-1, " << in.channels << ", " << in.height << ", " << in.width << ")\n";
    if (form.input != nn::PytorchForm::Input::Any) image = form.input == nn::PytorchForm::Input::Image;
    if (form.flattens) image = false;
    forward << "        " << form.forward(context) << "\n";
    summary << name << (form.summary ? form.summary(context) : std::string());
    code.hasBatchNorm = code.hasBatchNorm || form.ghostBatchNorm;
    code.hasDropout = code.hasDropout || form.randomMasks;

    // LARS Lab's initialisation: same distributions, not the same random numbers.
    if (type->hasWeights()) {
      const nn::InitSpec init = nn::resolveInit(spec.model, i);
      const auto [fanIn, fanOut] = layer.weightFans();
      switch (init.kind) {
        case nn::InitKind::He:
          reset << "        nn.init.normal_(" << ref << ".weight, 0.0, " << pyFloat(std::sqrt(2.0 / fanIn))
                << ")  # he: sqrt(2 / fan_in " << fanIn << ")\n";
          break;
        case nn::InitKind::Glorot: {
          const double limit = std::sqrt(6.0 / (fanIn + fanOut));
          reset << "        nn.init.uniform_(" << ref << ".weight, " << pyFloat(-limit) << ", " << pyFloat(limit)
                << ")  # glorot: sqrt(6 / (fan_in " << fanIn << " + fan_out " << fanOut << "))\n";
          break;
        }
        case nn::InitKind::Zeros: reset << "        nn.init.zeros_(" << ref << ".weight)\n"; break;
        case nn::InitKind::Constant:
          reset << "        nn.init.constant_(" << ref << ".weight, " << pyFloat(init.value) << ")\n";
          break;
      }
      reset << "        nn.init.zeros_(" << ref << ".bias)\n";
    } else if (form.reset) {
      reset << "        " << ref << "." << form.reset << "\n";
    }
  }
  if (image) forward << "        x = x.flatten(1)  # one row of outputs per sample\n";

  const nn::Shape input = layers.front()->inputShape();  // as the network reads it: (features, 1, 1) when flat
  // The layer chain, wrapped to docstring width.
  std::string chain;
  {
    std::string line;
    std::stringstream items(summary.str());
    for (std::string item; std::getline(items, item, '|');) {
      if (!line.empty() && line.size() + item.size() + 4 > 92) {
        chain += "    " + line + " ->\n";
        line.clear();
      }
      line += line.empty() ? item : " -> " + item;
    }
    if (!line.empty()) chain += "    " + line + "\n";
  }
  std::ostringstream c;
  c << "class Model(nn.Module):\n"
    << "    \"\"\"The experiment's network, layer for layer, with LARS Lab's tensor names.\n\n"
    << "    Input: " << shapeText(input) << (input.height * input.width > 1 ? " (channels x height x width)" : " features")
    << " per sample, given as flat rows (N, " << input.size() << ").\n"
    << docText(chain)
    << "    Loss: " << spec.model.loss << ".\n"
    << "    \"\"\"\n\n";
  c << "    def __init__(self" << (code.hasBatchNorm ? ", ghost_batches=SHARDS" : "") << "):\n"
    << "        super().__init__()\n";
  if (init.str().empty()) c << "        # no layer with parameters\n";
  c << init.str() << "\n";
  c << "    def forward(self, x):\n" << forward.str() << "        return x\n\n";
  c << "    @torch.no_grad()\n"
    << "    def reset_parameters(self):\n"
    << "        \"\"\"LARS Lab's initialisation: the same distributions, not the same random numbers (use\n"
    << "        --init-weights to start from LARS Lab's exact initial weights).\"\"\"\n";
  if (reset.str().empty()) c << "        pass\n";
  c << reset.str();
  code.text = c.str();
  return code;
}

}  // namespace

std::unique_ptr<nn::Network> exportedNetwork(const ExperimentSpec& spec, nn::Shape input) {
  std::unique_ptr<nn::Network> network;
  try {
    network = std::make_unique<nn::Network>(spec.model, input);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("model: ") + e.what());
  }
  if (spec.model.loss != "cross_entropy" && spec.model.loss != "mse")
    throw std::invalid_argument("model.loss: the PyTorch export does not implement '" + spec.model.loss + "' yet");
  return network;
}

std::string modelCode(const ExperimentSpec& spec, const nn::Network& network) {
  const ModelCode model = modelClass(spec, network);
  std::ostringstream py;
  py << "\n\n# ---------------------------------------------------------------------------------------------\n"
     << "# Model\n"
     << "# ---------------------------------------------------------------------------------------------\n"
     << "# Trainable tensors in LARS Lab's order, with LARS Lab's kind (weight, bias, norm): the telemetry\n"
     << "# columns. BatchNorm's running statistics are buffers, loaded with the weights.\n"
     << "TENSORS = [\n";
  for (const nn::TensorInfo& t : network.layout()->tensors())
    if (t.trainable()) py << "    (" << pyString(t.name) << ", " << pyString(nn::tensorKindName(t.kind)) << "),\n";
  py << "]\n";
  if (model.hasDropout)
    py << "# Dropout: PyTorch draws its own masks, so runs with dropout agree with LARS Lab only in\n"
       << "# distribution, not step for step.\n";
  if (model.hasBatchNorm) py << kPyGhostBatchNorm;
  py << "\n\n" << model.text;
  py << "\n\ndef build_model(ctx):\n"
     << "    model = Model(" << (model.hasBatchNorm ? "ghost_batches=max(1, SHARDS // ctx.world_size)" : "") << ")\n"
     << "    names = [name for name, _ in model.named_parameters()]\n"
     << "    assert names == [name for name, _ in TENSORS], f\"tensor names {names} differ from LARS Lab's\"\n"
     << "    return model\n";
  return py.str();
}

}  // namespace larslab::engine
