#include "engine/pytorch_export_model.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "engine/pytorch_export_literals.h"
#include "engine/text_util.h"
#include "nn/layer.h"
#include "pytorch_resources.h"

namespace larslab::engine {

namespace {

// The initialiser LARS Lab's network resolves for layer `index` ("auto": He when the next
// activation, looking past batchnorm, dropout, maxpool2d and flatten, is ReLU-like).
std::string resolvedInit(const nn::ModelSpec& spec, std::size_t index) {
  const nn::LayerSpec& ls = spec.layers[index];
  if (ls.init != "auto") return ls.init == "xavier" ? "glorot" : ls.init;
  for (std::size_t j = index + 1; j < spec.layers.size(); ++j) {
    const std::string& t = spec.layers[j].type;
    if (t == "relu" || t == "leaky_relu" || t == "gelu") return "he";
    if (t == "batchnorm" || t == "dropout" || t == "maxpool2d" || t == "flatten") continue;
    break;
  }
  return "glorot";
}

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
    const nn::Shape in = layer.inputShape();
    const nn::Shape out = layer.outputShape();
    const std::string type = layer.type();
    if (!summary.str().empty()) summary << "|";  // item separator; the chain is wrapped below
    if (type == "dense") {
      assign("nn.Linear(" + std::to_string(in.size()) + ", " + std::to_string(out.size()) + ")");
      if (image) forward << "        x = x.flatten(1)\n";
      image = false;
      forward << "        x = " << ref << "(x)\n";
      summary << name << " (dense " << out.size() << ")";
    } else if (type == "conv2d") {
      const int stride = ls.stride == 0 ? 1 : ls.stride;
      assign("nn.Conv2d(" + std::to_string(in.channels) + ", " + std::to_string(out.channels) +
             ", kernel_size=" + std::to_string(ls.kernel) + ", stride=" + std::to_string(stride) +
             ", padding=" + std::to_string(ls.padding) + ")");
      if (!image)
        forward << "        x = x.view(-1, " << in.channels << ", " << in.height << ", " << in.width << ")\n";
      image = true;
      forward << "        x = " << ref << "(x)\n";
      summary << name << " (conv " << out.channels << "@" << ls.kernel << "x" << ls.kernel << ")";
    } else if (type == "maxpool2d") {
      const int stride = ls.stride == 0 ? ls.kernel : ls.stride;
      if (!image)
        forward << "        x = x.view(-1, " << in.channels << ", " << in.height << ", " << in.width << ")\n";
      image = true;
      forward << "        x = F.max_pool2d(x, kernel_size=" << ls.kernel << ", stride=" << stride << ")  # " << name
              << "\n";
      summary << name << " (maxpool " << ls.kernel << ")";
    } else if (type == "batchnorm") {
      code.hasBatchNorm = true;
      assign("GhostBatchNorm(" + std::to_string(in.channels) + ", eps=" + pyFloat(ls.eps) +
             ", momentum=" + pyFloat(ls.momentum) + ", ghost_batches=ghost_batches)");
      forward << "        x = " << ref << "(x)\n";
      summary << name << " (batchnorm)";
    } else if (type == "flatten") {
      if (image)
        forward << "        x = x.flatten(1)  # " << name << "\n";
      else
        forward << "        # " << name << ": x is already flat\n";
      image = false;
      summary << name;
    } else if (type == "dropout") {
      code.hasDropout = true;
      forward << "        x = F.dropout(x, p=" << pyFloat(ls.rate) << ", training=self.training)  # " << name << "\n";
      summary << name << " (dropout " << formatNumber(ls.rate) << ")";
    } else if (type == "relu") {
      forward << "        x = F.relu(x)  # " << name << "\n";
      summary << name;
    } else if (type == "leaky_relu") {
      forward << "        x = F.leaky_relu(x, negative_slope=" << pyFloat(ls.slope) << ")  # " << name << "\n";
      summary << name;
    } else if (type == "tanh") {
      forward << "        x = torch.tanh(x)  # " << name << "\n";
      summary << name;
    } else if (type == "sigmoid") {
      forward << "        x = torch.sigmoid(x)  # " << name << "\n";
      summary << name;
    } else if (type == "gelu") {
      forward << "        x = F.gelu(x)  # " << name << " (exact erf form, as LARS Lab)\n";
      summary << name;
    } else if (type == "identity") {
      forward << "        # " << name << ": identity\n";
      summary << name;
    } else {
      throw std::invalid_argument("model.layers[" + std::to_string(i) + "].type: the PyTorch export does not implement '" +
                                  type + "' yet");
    }

    // LARS Lab's initialisation: same distributions, not the same random numbers.
    if (type == "dense" || type == "conv2d") {
      const std::string initKind = resolvedInit(spec.model, i);
      const int kk = type == "conv2d" ? ls.kernel * ls.kernel : 1;
      const int fanIn = in.channels * (type == "conv2d" ? kk : in.height * in.width);
      const int fanOut = out.channels * kk;
      if (initKind == "he") {
        reset << "        nn.init.normal_(" << ref << ".weight, 0.0, " << pyFloat(std::sqrt(2.0 / fanIn))
              << ")  # he: sqrt(2 / fan_in " << fanIn << ")\n";
      } else if (initKind == "glorot") {
        const double limit = std::sqrt(6.0 / (fanIn + fanOut));
        reset << "        nn.init.uniform_(" << ref << ".weight, " << pyFloat(-limit) << ", " << pyFloat(limit)
              << ")  # glorot: sqrt(6 / (fan_in " << fanIn << " + fan_out " << fanOut << "))\n";
      } else if (initKind == "zeros") {
        reset << "        nn.init.zeros_(" << ref << ".weight)\n";
      } else if (initKind == "constant") {
        reset << "        nn.init.constant_(" << ref << ".weight, " << pyFloat(ls.initValue) << ")\n";
      } else {
        throw std::invalid_argument("model.layers[" + std::to_string(i) + "].init: unknown initialiser '" + initKind + "'");
      }
      reset << "        nn.init.zeros_(" << ref << ".bias)\n";
    } else if (type == "batchnorm") {
      reset << "        " << ref << ".reset_parameters()\n";
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
