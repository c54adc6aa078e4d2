#include "engine/pytorch_export.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "engine/atomic_file.h"
#include "engine/npy.h"
#include "engine/session.h"
#include "engine/text_util.h"
#include "nn/backprop.h"
#include "nn/layer.h"
#include "nn/network.h"
#include "optim/optimizer.h"

namespace larslab::engine {

namespace {

namespace fs = std::filesystem;

// ---- Python literals ------------------------------------------------------------------------

std::string pyString(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\x";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;  // UTF-8 passes through: Python 3 source is UTF-8
        }
    }
  }
  return out + "\"";
}

// A float literal that reads back as the same double ("1e-08", "0.9", "2.0").
std::string pyFloat(double value) {
  if (std::isnan(value)) return "math.nan";
  if (std::isinf(value)) return value > 0 ? "math.inf" : "-math.inf";
  std::string text = formatNumber(value);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string pyBool(bool value) { return value ? "True" : "False"; }

// Text for a docstring: no triple quotes, no backslashes that Python would interpret.
std::string docText(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else out += c;
  }
  std::size_t pos = 0;
  while ((pos = out.find("\"\"\"", pos)) != std::string::npos) out.replace(pos, 3, "\"\"\\\"");
  return out;
}

// nn.Module attribute names a layer may not shadow; such layers are registered with add_module.
bool isPlainAttribute(const std::string& name) {
  static const std::set<std::string> reserved = {
      // Python keywords
      "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
      "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
      "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
      // torch.nn.Module's public attributes (torch 1.13) and the generated Model's own
      "T_destination", "add_module", "apply", "bfloat16", "buffers", "children", "cpu", "cuda", "double",
      "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter",
      "get_submodule", "half", "ipu", "load_state_dict", "modules", "named_buffers", "named_children",
      "named_modules", "named_parameters", "parameters", "register_backward_hook", "register_buffer",
      "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
      "register_load_state_dict_post_hook", "register_module", "register_parameter", "requires_grad_",
      "set_extra_state", "share_memory", "state_dict", "to", "to_empty", "train", "training", "type", "xpu",
      "zero_grad", "reset_parameters", "ghost_batches", "x"};
  if (name.empty() || reserved.count(name) != 0) return false;
  if (name[0] >= '0' && name[0] <= '9') return false;
  if (name[0] == '_') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// ---- What the exporter knows about the optimizer registry ------------------------------------
// Every hyperparameter and option choice the script implements, per optimizer type. A registry
// entry outside this table makes the export fail loudly instead of writing a wrong script.

struct KnownOptimizer {
  std::string type;
  std::set<std::string> hyperparameters;
  std::map<std::string, std::set<std::string>> options;
};

const std::vector<KnownOptimizer>& knownOptimizers() {
  static const std::map<std::string, std::set<std::string>> larsOptions = {
      {"denominator", {"grad_plus_decay", "norm_of_sum"}},
      {"lr_placement", {"inside", "outside"}},
      {"zero_norm", {"ratio_one", "skip"}},
      {"clipping", {"none", "larc"}},
      {"exclude", {"none", "vectors"}},
      {"momentum_kind", {"heavy_ball", "nesterov"}}};
  static const std::vector<KnownOptimizer> known = {
      {"sgd", {"lr", "weight_decay"}, {}},
      {"momentum", {"lr", "momentum", "weight_decay"}, {}},
      {"nesterov", {"lr", "momentum", "weight_decay"}, {}},
      {"adam", {"lr", "beta1", "beta2", "eps", "weight_decay"}, {}},
      {"adamw", {"lr", "beta1", "beta2", "eps", "weight_decay"}, {}},
      {"rmsprop", {"lr", "alpha", "eps", "momentum", "weight_decay"}, {}},
      {"adagrad", {"lr", "eps", "weight_decay"}, {}},
      {"lars", {"lr", "momentum", "weight_decay", "eta", "eps"}, larsOptions},
      {"larc", {"lr", "momentum", "weight_decay", "eta", "eps"}, larsOptions},
      {"lamb", {"lr", "beta1", "beta2", "eps", "weight_decay", "clamp_max"},
       {{"phi", {"identity", "clamp"}}, {"exclude", {"none", "vectors"}}}},
  };
  return known;
}

// The Python class that implements each registry type, and how make_optimizer() calls it.
std::string optimizerClass(const std::string& type) {
  if (type == "lars" || type == "larc") return "LARS";
  if (type == "lamb") return "LAMB";
  if (type == "sgd" || type == "momentum" || type == "nesterov") return "SGD";
  if (type == "adam" || type == "adamw") return "Adam";
  if (type == "rmsprop") return "RMSprop";
  if (type == "adagrad") return "Adagrad";
  return {};
}

std::string optimizerCall(const std::string& type) {
  if (type == "lars" || type == "larc") return "LARS(params, **h, **o)";
  if (type == "lamb") return "LAMB(params, **h, **o)";
  if (type == "sgd" || type == "momentum") return "SGD(params, **h)";
  if (type == "nesterov") return "SGD(params, nesterov=True, **h)";
  if (type == "adam") return "Adam(params, **h)";
  if (type == "adamw") return "Adam(params, decoupled=True, **h)";
  if (type == "rmsprop") return "RMSprop(params, **h)";
  if (type == "adagrad") return "Adagrad(params, **h)";
  return {};
}

struct ResolvedRun {
  const RunSpec* spec = nullptr;
  optim::ResolvedOptimizerConfig optimizer;
};

ResolvedRun resolveRun(const RunSpec& run, std::size_t index) {
  const std::string where = "runs[" + std::to_string(index) + "] (" + run.name + ")";
  ResolvedRun resolved;
  resolved.spec = &run;
  try {
    resolved.optimizer = optim::resolveOptimizerConfig(run.optimizer);
  } catch (const std::exception& e) {
    throw std::invalid_argument(where + ".optimizer: " + e.what());
  }
  const auto& known = knownOptimizers();
  const auto it = std::find_if(known.begin(), known.end(), [&](const KnownOptimizer& k) { return k.type == run.optimizer.type; });
  if (it == known.end())
    throw std::invalid_argument(where + ".optimizer.type: the PyTorch export does not implement optimizer '" +
                                run.optimizer.type + "' yet");
  for (const auto& [name, value] : resolved.optimizer.hyperparameters) {
    (void)value;
    if (it->hyperparameters.count(name) == 0)
      throw std::invalid_argument(where + ".optimizer." + name + ": the PyTorch export does not implement this " +
                                  run.optimizer.type + " hyperparameter yet");
  }
  for (const std::string& name : it->hyperparameters)
    if (resolved.optimizer.hyperparameters.count(name) == 0)
      throw std::invalid_argument(where + ".optimizer." + name + ": missing from the registry's " +
                                  run.optimizer.type + " hyperparameters");
  for (const auto& [name, choice] : resolved.optimizer.options) {
    const auto option = it->options.find(name);
    if (option == it->options.end() || option->second.count(choice) == 0)
      throw std::invalid_argument(where + ".optimizer." + name + ": the PyTorch export does not implement " +
                                  name + " = " + choice + " yet");
  }
  return resolved;
}

// ---- The model --------------------------------------------------------------------------------

// Input shape of one sample, from the dataset kind (CSV: from the file, the only way to know).
nn::Shape inputShapeOf(const DatasetSpec& d, std::uint64_t seed) {
  if (d.kind == "fashion_mnist") return nn::Shape{1, 28, 28};
  if (d.kind == "csv") return loadDataset(d, seed).train.inputShape;
  return nn::Shape{1, 1, 2};  // every synthetic kind has two features
}

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

ModelCode modelCode(const ExperimentSpec& spec, const nn::Network& network) {
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

// ---- Static parts of the script -----------------------------------------------------------------

const char* kImports = R"PY(import argparse
import collections
import math
import os
import sys
)PY";

const char* kTorchImports = R"PY(
import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset
)PY";

const char* kNpyLoader = R"PY(
def load_npy_dataset(directory):
    """The dataset exactly as LARS Lab generated and split it: train_x.npy (N x D), train_y.npy
    (N x K), test_x.npy, test_y.npy, float32, rows in LARS Lab's order. Written by
    `larslab-cli export-pytorch` next to this script (or by --data-dir)."""
    arrays = []
    for name in ("train_x", "train_y", "test_x", "test_y"):
        path = os.path.join(directory, name + ".npy")
        if not os.path.isfile(path):
            sys.exit(f"{path}: missing. Write LARS Lab's data with `larslab-cli export-pytorch "
                     f"EXPERIMENT.json -o SCRIPT.py --data-dir DIR` and pass --data DIR")
        arrays.append(np.load(path).astype(np.float32, copy=False))
    return arrays
)PY";

const char* kFashionLoader = R"PY(
def read_idx(path):
    """One gzip IDX file (Fashion-MNIST's format): a big-endian header, then unsigned bytes."""
    if not os.path.isfile(path):
        sys.exit(f"{path}: missing (Debian: apt install dataset-fashion-mnist)")
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:
        sys.exit(f"{path}: not an IDX file of unsigned bytes (magic {magic:#x})")
    dims = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(directory, limit):
    """Fashion-MNIST as LARS Lab reads it: pixels / 255 as float32, images flattened row by row,
    the first `limit` training images (0: all), the whole test set."""
    scale = np.float32(1) / np.float32(255)
    parts = []
    for prefix, keep in (("train", limit), ("t10k", 0)):
        images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
        if keep > 0:
            images, labels = images[:keep], labels[:keep]
        parts.append(images.reshape(len(images), -1).astype(np.float32) * scale)
        parts.append(labels.astype(np.float32).reshape(-1, 1))
    return parts
)PY";

const char* kCsvLoader = R"PY(
def load_csv(path, label_column, regression, standardize, test_fraction, seed):
    """The CSV file read as LARS Lab reads it (header row; every column but the label is a numeric
    feature; integer labels become classes in numeric order, text labels in sorted order;
    stratified split; z-scores with the train split's statistics). The split is drawn with
    NumPy's RNG, NOT LARS Lab's: pass --data with the files of `larslab-cli export-pytorch` to
    train on LARS Lab's exact split."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [[field.strip() for field in row] for row in csv.reader(f) if row]
    header, rows = rows[0], rows[1:]
    label = header.index(label_column) if label_column else len(header) - 1
    features = np.array([[float(v) for i, v in enumerate(r) if i != label] for r in rows], dtype=np.float64)
    labels = [r[label] for r in rows]
    if regression:
        targets = np.array([float(v) for v in labels], dtype=np.float32).reshape(-1, 1)
        groups = [np.arange(len(rows))]
    else:
        try:
            values = [int(v) for v in labels]
        except ValueError:
            values = labels
        classes = sorted(set(values))
        index = {c: i for i, c in enumerate(classes)}
        targets = np.array([index[v] for v in values], dtype=np.float32).reshape(-1, 1)
        groups = [np.flatnonzero(targets[:, 0] == i) for i in range(len(classes))]
    rng = np.random.default_rng(seed)
    test = []
    for members in groups:
        members = rng.permutation(members)
        n = len(members)
        k = min(max(int(round(n * test_fraction)), 1), n - 1) if n >= 2 else 0
        test.extend(members[:k])
    test = np.array(sorted(test), dtype=np.int64)
    train = np.setdiff1d(np.arange(len(rows)), test)
    train, test = rng.permutation(train), rng.permutation(test)
    train_x, test_x = features[train], features[test]
    if standardize:
        mean = train_x.mean(axis=0)
        std = train_x.std(axis=0)
        scale = np.where(std > 0, 1.0 / np.where(std > 0, std, 1.0), 1.0)  # constant column: centre only
        train_x, test_x = (train_x - mean) * scale, (test_x - mean) * scale
    return [train_x.astype(np.float32), targets[train], test_x.astype(np.float32), targets[test]]
)PY";

const char* kGhostBatchNorm = R"PY(
class GhostBatchNorm(nn.Module):
    """BatchNorm exactly as LARS Lab computes it (tensors gamma, beta, running_mean, running_var).

    LARS Lab cuts every minibatch into a fixed number of shards (SHARDS, so that its results do
    not depend on the thread count) and, in training, normalises each shard with that shard's
    own mean and biased variance: "ghost batch normalisation". torch.nn.BatchNorm1d/2d would
    normalise with the whole batch instead, and the losses would differ. The running statistics
    are updated once per step with the mean and unbiased variance of the whole batch, with
    PyTorch's convention running = (1 - momentum) * running + momentum * batch_statistic.
    Statistics are per channel over (batch, height, width); per feature for flat input.
    Under DistributedDataParallel each process normalises its own samples in ghost_batches
    shards (SHARDS // world size, so the shards keep LARS Lab's size).
    """

    def __init__(self, num_features, eps, momentum, ghost_batches):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.ghost_batches = ghost_batches
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    @torch.no_grad()
    def reset_parameters(self):
        self.gamma.fill_(1.0)
        self.beta.zero_()
        self.running_mean.zero_()
        self.running_var.fill_(1.0)

    def forward(self, x):
        v = x.reshape(x.shape[0], self.num_features, -1)  # (N, C, spatial): channel-major rows
        if self.training:
            # Shards as LARS Lab cuts them: the first N % k shards get one row more.
            shards = torch.tensor_split(v, min(self.ghost_batches, v.shape[0]), dim=0)
            xhat = torch.cat([(s - s.mean(dim=(0, 2), keepdim=True))
                              * torch.rsqrt(s.var(dim=(0, 2), unbiased=False, keepdim=True) + self.eps)
                              for s in shards])
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * v.mean(dim=(0, 2)))
                self.running_var.mul_(1 - m).add_(m * v.var(dim=(0, 2), unbiased=True))
        else:
            xhat = (v - self.running_mean[None, :, None]) * torch.rsqrt(self.running_var[None, :, None] + self.eps)
        return (xhat * self.gamma[None, :, None] + self.beta[None, :, None]).reshape(x.shape)
)PY";

const char* kWeightLoading = R"PY(

def load_initial_weights(model, directory):
    """Fills every tensor of the model (parameters and BatchNorm statistics) from
    <directory>/<tensor>.npy, as written by `larslab-cli run --save-weights DIR` into
    DIR/<run>/initial/."""
    state = model.state_dict()
    for name, tensor in state.items():
        path = os.path.join(directory, name + ".npy")
        if not os.path.isfile(path):
            sys.exit(f"{path}: missing (expected one .npy file per tensor: {', '.join(state)})")
        array = np.load(path)
        if tuple(array.shape) != tuple(tensor.shape):
            sys.exit(f"{path}: shape {tuple(array.shape)}, but {name} has shape {tuple(tensor.shape)}")
        tensor.copy_(torch.from_numpy(array.astype(np.float32, copy=False)))
    model.load_state_dict(state)
)PY";

const char* kOptimizerCommon = R"PY(

# ---------------------------------------------------------------------------------------------
# Optimizers: LARS Lab's update rules, written out. Each step mirrors LARS Lab's composition
# operation by operation in float32, with norms accumulated in float64, so that the two agree
# to rounding. "Layer" = one parameter tensor: a dense layer's weight and bias are two layers.
# After step(), self.state[w]["telemetry"] holds what the step did to tensor w.
# ---------------------------------------------------------------------------------------------
Telemetry = collections.namedtuple(
    "Telemetry", "weight_norm grad_norm trust_ratio local_lr update_norm update_ratio")
# weight_norm   ||w|| before the update       grad_norm     ||g||, the raw gradient (before decay)
# trust_ratio   layer-wise ratio before clipping, 1 where the optimizer has none
# local_lr      learning rate actually applied to the tensor (global LR x ratio, after clipping)
# update_norm   ||w_new - w_old||             update_ratio  ||w_new - w_old|| / ||w_old||


def norm(x):
    """||x||, accumulated in float64 as LARS Lab's telemetry is."""
    return torch.linalg.vector_norm(x, dtype=torch.float64).item()


def divide(a, b):
    """a / b with IEEE results for b = 0 (+-inf, NaN for 0/0), as in C++."""
    if b != 0:
        return a / b
    return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)


def apply_update(w, u, weight_norm, grad_norm, trust_ratio, local_lr):
    """w <- w - u in float32; returns the Telemetry, ||dw|| measured on the values stored."""
    new = w - u
    update_norm = norm(new.double() - w.double())
    w.copy_(new)
    return Telemetry(weight_norm, grad_norm, trust_ratio, local_lr, update_norm, divide(update_norm, weight_norm))


def is_vector(w):
    """LARS Lab's exclude = "vectors" excludes biases and BatchNorm gamma/beta: the 1-D tensors."""
    return w.dim() == 1


def decayed(g, w, beta):
    """g + beta * w (L2 weight decay); g itself when beta is 0, as in LARS Lab."""
    return g + beta * w if beta != 0 else g
)PY";

const char* kLars = R"PY(

class LARS(torch.optim.Optimizer):
    r"""LARS: layer-wise adaptive rate scaling (You, Gitman & Ginsburg 2017, arXiv 1708.03888,
    Algorithm 1) and the conventions in which its public implementations differ. For every
    tensor w with gradient g, weight decay beta, trust coefficient eta, global LR lr, momentum m:

        d     = g + beta * w
        ratio = eta * ||w|| / (||g|| + beta * ||w|| + eps)    denominator = "grad_plus_decay" (paper)
        ratio = eta * ||w|| / (||g + beta * w|| + eps)         denominator = "norm_of_sum" (optax)
        f     = ratio                                          clipping = "none"
        f     = min(ratio / lr, 1)                             clipping = "larc" (local LR min(ratio, lr))
        v     = m * v + lr * f * d;   w = w - v                lr_placement = "inside" (paper)
        v     = m * v + f * d;        w = w - lr * v           lr_placement = "outside" (PyTorch SGD style)

    momentum_kind = "nesterov": the step is u + m * v instead of v, u being the term just added
    to v (times lr when the LR is outside). A zero norm (||w|| = 0, or the norm the denominator
    tests, ||g|| or ||g + beta * w||, = 0): zero_norm = "ratio_one" sets ratio = 1 (decay and
    clipping still apply); zero_norm = "skip" applies neither adaptation, clipping nor weight
    decay this step (apex LARC). exclude = "vectors": 1-D tensors get ratio 1 and no decay.
    The local LR applied to a tensor is lr * f; the paper's bound is eta / beta.
    """

    def __init__(self, params, lr, momentum, weight_decay, eta, eps, denominator="grad_plus_decay",
                 lr_placement="inside", zero_norm="ratio_one", clipping="none", exclude="none",
                 momentum_kind="heavy_ball"):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta, eps=eps,
                                      denominator=denominator, lr_placement=lr_placement, zero_norm=zero_norm,
                                      clipping=clipping, exclude=exclude, momentum_kind=momentum_kind))

    @staticmethod
    def trust_ratio(group, w_norm, g_norm, d_norm, beta, lr):
        """(ratio before clipping, factor f that scales d, weight decay actually applied)."""
        grad_plus_decay = group["denominator"] == "grad_plus_decay"
        tested = g_norm if grad_plus_decay else d_norm
        if w_norm == 0 or tested == 0:
            if group["zero_norm"] == "skip":
                return 1.0, 1.0, 0.0
            ratio = 1.0
        else:
            denominator = g_norm + beta * w_norm if grad_plus_decay else d_norm
            ratio = group["eta"] * w_norm / (denominator + group["eps"])
        factor = min(divide(ratio, lr), 1.0) if group["clipping"] == "larc" else ratio
        return ratio, factor, beta

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, m = group["lr"], group["momentum"]
            nesterov = group["momentum_kind"] == "nesterov"
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "momentum" not in state:
                    state["momentum"] = torch.zeros_like(w)
                v = state["momentum"]
                excluded = group["exclude"] == "vectors" and is_vector(w)
                beta = 0.0 if excluded else group["weight_decay"]
                w_norm, g_norm = norm(w), norm(g)
                d = decayed(g, w, beta)
                ratio, factor = 1.0, 1.0
                if not excluded:
                    ratio, factor, beta = self.trust_ratio(group, w_norm, g_norm, norm(d), beta, lr)
                    d = decayed(g, w, beta)  # "skip" drops the decay
                if group["lr_placement"] == "inside":
                    u = d * factor * lr
                    v.mul_(m).add_(u)
                    u = u + m * v if nesterov else v
                else:
                    u = d * factor
                    v.mul_(m).add_(u)
                    u = (u + m * v if nesterov else v) * lr
                state["telemetry"] = apply_update(w, u, w_norm, g_norm, ratio, lr * factor)
)PY";

const char* kLamb = R"PY(

class LAMB(torch.optim.Optimizer):
    r"""LAMB: layer-wise adaptive moments (You et al. 2019, arXiv 1904.00962, Algorithm 2, with
    its bias correction). For every tensor w with gradient g, at step t (1-based):

        m = beta1 * m + (1 - beta1) * g;    v = beta2 * v + (1 - beta2) * g^2
        r = (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps) + weight_decay * w
        w = w - lr * phi(||w||) / ||r|| * r

    phi = "identity": phi(x) = x; phi = "clamp": phi(x) = min(x, clamp_max). The ratio
    phi(||w||) / ||r|| is 1 when ||w|| or ||r|| is 0. exclude = "vectors": 1-D tensors get no
    weight decay and ratio 1 (a plain Adam step).
    """

    def __init__(self, params, lr, beta1, beta2, eps, weight_decay, clamp_max, phi="identity", exclude="none"):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                                      clamp_max=clamp_max, phi=phi, exclude=exclude))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, b1, b2 = group["lr"], group["beta1"], group["beta2"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "step" not in state:
                    state["step"] = 0
                    state["first_moment"] = torch.zeros_like(w)
                    state["second_moment"] = torch.zeros_like(w)
                state["step"] += 1
                t = state["step"]
                m, v = state["first_moment"], state["second_moment"]
                excluded = group["exclude"] == "vectors" and is_vector(w)
                beta = 0.0 if excluded else group["weight_decay"]
                w_norm, g_norm = norm(w), norm(g)
                m.mul_(b1).add_((1 - b1) * g)
                v.mul_(b2).add_((1 - b2) * (g * g))
                r = (m * (1 / (1 - b1 ** t))) / ((v * (1 / (1 - b2 ** t))).sqrt() + group["eps"])
                r = decayed(r, w, beta)
                ratio = 1.0
                if not excluded:
                    r_norm = norm(r)
                    if w_norm != 0 and r_norm != 0:
                        phi = min(w_norm, group["clamp_max"]) if group["phi"] == "clamp" else w_norm
                        ratio = phi / r_norm
                state["telemetry"] = apply_update(w, r * ratio * lr, w_norm, g_norm, ratio, lr * ratio)
)PY";

const char* kSgd = R"PY(

class SGD(torch.optim.Optimizer):
    r"""Stochastic gradient descent in PyTorch's convention (torch.optim.SGD, dampening 0):

        d = g + weight_decay * w
        plain (momentum None):   w = w - lr * d
        heavy ball (momentum m): v = m * v + d;  w = w - lr * v          (Polyak 1964)
        nesterov:                v = m * v + d;  w = w - lr * (d + m * v) (Sutskever et al. 2013)
    """

    def __init__(self, params, lr, weight_decay=0.0, momentum=None, nesterov=False):
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, m = group["lr"], group["momentum"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                w_norm, g_norm = norm(w), norm(g)
                u = decayed(g, w, group["weight_decay"])
                if m is not None:
                    if "momentum" not in state:
                        state["momentum"] = torch.zeros_like(w)
                    v = state["momentum"]
                    v.mul_(m).add_(u)
                    u = u + m * v if group["nesterov"] else v
                state["telemetry"] = apply_update(w, u * lr, w_norm, g_norm, 1.0, lr)
)PY";

const char* kAdam = R"PY(

class Adam(torch.optim.Optimizer):
    r"""Adam (Kingma & Ba 2015, Algorithm 1) with L2 weight decay, and AdamW (Loshchilov & Hutter
    2019, decoupled weight decay) when decoupled=True. At step t (1-based):

        Adam:   d = g + weight_decay * w
                m = beta1 * m + (1 - beta1) * d;  v = beta2 * v + (1 - beta2) * d^2
                w = w - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
        AdamW:  m, v from the raw g;
                w = w - lr * ((m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps) + weight_decay * w)
    """

    def __init__(self, params, lr, beta1, beta2, eps, weight_decay, decoupled=False):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                                      decoupled=decoupled))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, b1, b2, beta = group["lr"], group["beta1"], group["beta2"], group["weight_decay"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "step" not in state:
                    state["step"] = 0
                    state["first_moment"] = torch.zeros_like(w)
                    state["second_moment"] = torch.zeros_like(w)
                state["step"] += 1
                t = state["step"]
                m, v = state["first_moment"], state["second_moment"]
                w_norm, g_norm = norm(w), norm(g)
                d = g if group["decoupled"] else decayed(g, w, beta)
                m.mul_(b1).add_((1 - b1) * d)
                v.mul_(b2).add_((1 - b2) * (d * d))
                u = (m * (1 / (1 - b1 ** t))) / ((v * (1 / (1 - b2 ** t))).sqrt() + group["eps"])
                if group["decoupled"]:
                    u = decayed(u, w, beta)
                state["telemetry"] = apply_update(w, u * lr, w_norm, g_norm, 1.0, lr)
)PY";

const char* kRmsprop = R"PY(

class RMSprop(torch.optim.Optimizer):
    r"""RMSProp (Tieleman & Hinton 2012) in PyTorch's form (torch.optim.RMSprop, not centered):

        d = g + weight_decay * w
        s = alpha * s + (1 - alpha) * d^2
        v = momentum * v + d / (sqrt(s) + eps);   w = w - lr * v
    """

    def __init__(self, params, lr, alpha, eps, momentum, weight_decay):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, alpha, m = group["lr"], group["alpha"], group["momentum"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "mean_square" not in state:
                    state["mean_square"] = torch.zeros_like(w)
                    state["momentum"] = torch.zeros_like(w)
                s, v = state["mean_square"], state["momentum"]
                w_norm, g_norm = norm(w), norm(g)
                d = decayed(g, w, group["weight_decay"])
                s.mul_(alpha).add_((1 - alpha) * (d * d))
                v.mul_(m).add_(d / (s.sqrt() + group["eps"]))
                state["telemetry"] = apply_update(w, v * lr, w_norm, g_norm, 1.0, lr)
)PY";

const char* kAdagrad = R"PY(

class Adagrad(torch.optim.Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer 2011) as torch.optim.Adagrad (no LR decay, accumulator 0):

        d = g + weight_decay * w;   s = s + d^2;   w = w - lr * d / (sqrt(s) + eps)
    """

    def __init__(self, params, lr, eps, weight_decay):
        super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr = group["lr"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "sum_of_squares" not in state:
                    state["sum_of_squares"] = torch.zeros_like(w)
                s = state["sum_of_squares"]
                w_norm, g_norm = norm(w), norm(g)
                d = decayed(g, w, group["weight_decay"])
                s.add_(d * d)
                u = d / (s.sqrt() + group["eps"])
                state["telemetry"] = apply_update(w, u * lr, w_norm, g_norm, 1.0, lr)
)PY";

const char* kSchedule = R"PY(

# ---------------------------------------------------------------------------------------------
# Learning-rate schedule
# ---------------------------------------------------------------------------------------------
def schedule_factor(schedule, step, total_steps):
    """LARS Lab's multiplier of the base LR at step t (0-based): lr_t = lr * factor.

    With W = warmup_steps > 0 the first W steps ramp linearly, factor = (t + 1) / W, and the
    schedule then runs on the remaining steps as if they started at 0, over S = T - W steps
    (T = total_steps, s = min(t - W, S), f = final_factor):
        constant    1
        polynomial  f + (1 - f) * (1 - s / S) ** power          (LARS paper: f = 0, power 2)
        cosine      f + (1 - f) * (1 + cos(pi * s / S)) / 2
        step        gamma ** ((t - W) // step_size)
    """
    warmup = schedule["warmup_steps"]
    if step < warmup:
        return (step + 1) / warmup
    t = step - warmup
    kind = schedule["kind"]
    if kind == "constant":
        return 1.0
    if kind == "step":
        return schedule["gamma"] ** (t // schedule["step_size"])
    horizon = total_steps - warmup
    if horizon <= 0:
        sys.exit(f"a {kind} schedule needs more steps ({total_steps}) than warm-up steps ({warmup})")
    progress = min(t, horizon) / horizon
    if kind == "polynomial":
        shape = (1.0 - progress) ** schedule["power"]
    else:
        shape = 0.5 * (1.0 + math.cos(math.pi * progress))
    f = schedule["final_factor"]
    return f + (1.0 - f) * shape
)PY";

const char* kMetricLog = R"PY(

# ---------------------------------------------------------------------------------------------
# Metric log: LARS Lab's CSV format (resources/docs/metrics-format.md), so LARS Lab can open it
# ---------------------------------------------------------------------------------------------
TENSOR_METRICS = ("weight_norm", "grad_norm", "trust_ratio", "local_lr", "update_norm", "update_ratio")


def format_number(value, float32=False):
    """The shortest text that reads back as the same float32 (or float64) value, choosing fixed
    or scientific notation as C++'s std::to_chars does; nan, inf and -inf for non-finite values."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    v = np.float32(value) if float32 else np.float64(value)
    fixed = np.format_float_positional(v, unique=True, trim="-")
    if v != 0 and float(v).is_integer():
        fixed = str(int(v))  # to_chars prints a large integer's exact digits, not padding zeros
    scientific = np.format_float_scientific(v, unique=True, trim="-", exp_digits=2)
    return fixed if len(fixed) <= len(scientific) else scientific


def csv_field(text):
    """One CSV field, quoted when it holds a comma, a quote, CR or LF."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class MetricLog:
    """run_metrics.csv, tensor_metrics.csv, evaluations.csv and events.csv. A row of step k holds
    the batch loss and accuracy before update k, the global LR of update k and its telemetry."""

    def __init__(self):
        self.runs = ["run,step,epoch,loss,accuracy,lr"]
        self.tensors = ["run,step,tensor,kind," + ",".join(TENSOR_METRICS)]
        self.evaluations = ["run,step,test_loss,test_accuracy"]
        self.events = ["step,run,kind,detail"]

    def step(self, run, step, epoch, loss, accuracy, lr, telemetry):
        name = csv_field(run)
        self.runs.append(",".join([name, str(step), format_number(epoch)]
                                  + [format_number(v, float32=True) for v in (loss, accuracy, lr)]))
        for (tensor, kind), t in zip(TENSORS, telemetry):
            self.tensors.append(",".join([name, str(step), csv_field(tensor), kind]
                                         + [format_number(v, float32=True) for v in t]))

    def evaluation(self, run, step, loss, accuracy):
        self.evaluations.append(f"{csv_field(run)},{step},{format_number(loss)},{format_number(accuracy)}")

    def event(self, step, run, kind, detail):
        self.events.append(f"{step},{csv_field(run)},{csv_field(kind)},{csv_field(detail)}")

    def write(self, directory):
        """Each file atomically: written to a temporary file, then renamed."""
        os.makedirs(directory, exist_ok=True)
        for name, lines in (("run_metrics.csv", self.runs), ("tensor_metrics.csv", self.tensors),
                            ("evaluations.csv", self.evaluations), ("events.csv", self.events)):
            path = os.path.join(directory, name)
            with open(path + ".tmp", "w", encoding="utf-8", newline="") as f:
                f.write("\n".join(lines) + "\n")
            os.replace(path + ".tmp", path)
)PY";

const char* kTraining = R"PY(

# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
Context = collections.namedtuple("Context", "rank world_size distributed")


def setup_distributed():
    """DistributedDataParallel when launched by torchrun (WORLD_SIZE > 1), on CPU with gloo."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return Context(0, 1, False)
    dist.init_process_group(backend="gloo")
    if BATCH_SIZE % world_size != 0:
        sys.exit(f"batch size {BATCH_SIZE} is not divisible by the {world_size} processes")
    return Context(dist.get_rank(), world_size, True)


def batch_loss(outputs, targets):
    """Per-sample losses, as LARS Lab defines them."""
    if LOSS == "cross_entropy":
        return F.cross_entropy(outputs, targets, reduction="none")
    return F.mse_loss(outputs, targets, reduction="none").mean(dim=1)  # mean over outputs


def correct_count(outputs, targets):
    return int((outputs.argmax(dim=1) == targets).sum()) if LOSS == "cross_entropy" else 0


@torch.no_grad()
def evaluate(model, x, y):
    """Test loss and accuracy (NaN for regression), inference mode, in chunks of 1024 rows."""
    model.eval()
    total, correct = 0.0, 0
    for begin in range(0, len(x), 1024):
        outputs = model(x[begin:begin + 1024])
        total += batch_loss(outputs, y[begin:begin + 1024]).double().sum().item()
        correct += correct_count(outputs, y[begin:begin + 1024])
    accuracy = correct / len(x) if LOSS == "cross_entropy" else math.nan
    return total / len(x), accuracy


def first_nonfinite(model):
    """LARS Lab's divergence test on the parameters: the first tensor holding inf or NaN."""
    for name, tensor in model.state_dict().items():
        bad = tensor[~torch.isfinite(tensor)]
        if bad.numel():
            value = bad[0].item()
            return f"parameter {name} is " + ("NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
    return None


def train_run(run, initial_state, data, total_steps, shuffle, ctx, log):
    """Trains one run from `initial_state`; appends its rows to `log` (rank 0)."""
    train_x, train_y, test_x, test_y = data
    torch.manual_seed(SEED)  # the same dropout masks for every run (not LARS Lab's masks)
    model = build_model(ctx)
    model.load_state_dict(initial_state)
    net = DistributedDataParallel(model) if ctx.distributed else model
    params = dict(model.named_parameters())
    optimizer = make_optimizer(run, [params[name] for name, _ in TENSORS])
    base_lr = run["hyperparameters"]["lr"]

    # Batches as LARS Lab draws them: every batch full, floor(N / B) batches per epoch, the
    # leftover samples skipped; without shuffling, the stored order every epoch. Under DDP each
    # process takes every world_size-th sample of the same order, so the processes together see
    # the same global batch of BATCH_SIZE samples (and DDP averages their gradients).
    train_set = TensorDataset(train_x, train_y)
    sampler = DistributedSampler(train_set, num_replicas=ctx.world_size, rank=ctx.rank, shuffle=shuffle,
                                 seed=SEED, drop_last=True)
    loader = DataLoader(train_set, batch_size=BATCH_SIZE // ctx.world_size, sampler=sampler, drop_last=True)
    batches_per_epoch = len(train_x) // BATCH_SIZE

    name = run["name"]
    report_every = max(1, total_steps // 10)
    if ctx.rank == 0:
        log.evaluation(name, 0, *evaluate(model, test_x, test_y))
    step, epoch = 0, 0
    while step < total_steps:
        sampler.set_epoch(epoch)
        for x, y in loader:
            if step >= total_steps:
                break
            model.train()
            optimizer.zero_grad(set_to_none=True)
            outputs = net(x)
            losses = batch_loss(outputs, y)
            losses.mean().backward()  # DDP averages the gradients of the processes
            lr = base_lr * schedule_factor(run["schedule"], step, total_steps)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.step()

            sums = torch.tensor([losses.detach().double().sum().item(), correct_count(outputs, y), len(x)],
                                dtype=torch.float64)
            if ctx.distributed:
                dist.all_reduce(sums)
            loss = (sums[0] / sums[2]).item()
            accuracy = (sums[1] / sums[2]).item() if LOSS == "cross_entropy" else math.nan
            telemetry = [optimizer.state[params[tensor]]["telemetry"] for tensor, _ in TENSORS]
            if ctx.rank == 0:
                log.step(name, step, step / batches_per_epoch, loss, accuracy, lr, telemetry)
            step += 1

            problem = None if math.isfinite(loss) else "loss is " + ("NaN" if math.isnan(loss) else "inf")
            problem = problem or first_nonfinite(model)
            if problem:
                if ctx.rank == 0:
                    log.event(step - 1, name, "diverged", f"diverged at step {step - 1}: {problem}")
                    print(f"{name}: diverged at step {step - 1}: {problem}", flush=True)
                return
            if ctx.rank == 0 and ((EVAL_EVERY > 0 and step % EVAL_EVERY == 0) or step == total_steps):
                log.evaluation(name, step, *evaluate(model, test_x, test_y))
            if ctx.rank == 0 and (step % report_every == 0 or step == total_steps):
                print(f"{name}: step {step}/{total_steps}  loss {loss:.4f}  lr {lr:.4g}", flush=True)
        epoch += 1


def experiment_steps(batches_per_epoch):
    """The experiment's length: STEPS, else ceil(EPOCHS * batches per epoch), else 1000."""
    if STEPS > 0:
        return STEPS
    if EPOCHS > 0:
        return max(1, math.ceil(EPOCHS * batches_per_epoch))
    return 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", action="append", metavar="NAME",
                        help="train this run of the experiment (repeatable; default: every run)")
    parser.add_argument("--steps", type=int, help="train this many steps instead of the experiment's length")
    parser.add_argument("--no-shuffle", action="store_true",
                        help="visit the training samples in their stored order every epoch")
    parser.add_argument("--init-weights", metavar="DIR",
                        help="start from LARS Lab's initial weights: DIR/<run>/initial/<tensor>.npy "
                             "(larslab-cli run --save-weights DIR), or DIR/<tensor>.npy")
    parser.add_argument("--data", metavar="DIR", help="directory with LARS Lab's data as .npy (train_x.npy, ...)")
    parser.add_argument("--out", metavar="DIR", default="pytorch-metrics",
                        help="where to write the metric log (default: %(default)s)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads(N)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    names = [run["name"] for run in RUNS]
    for name in args.run or []:
        if name not in names:
            parser.error(f"--run {name}: no such run (runs: {', '.join(names)})")
    runs = [run for run in RUNS if not args.run or run["name"] in args.run]
    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be >= 1")

    ctx = setup_distributed()
    data = load_data(args.data)
    if not BATCH_SIZE <= len(data[0]):
        sys.exit(f"batch size {BATCH_SIZE} exceeds the {len(data[0])} training samples")
    total_steps = args.steps or experiment_steps(len(data[0]) // BATCH_SIZE)
    shuffle = SHUFFLE and not args.no_shuffle
    log = MetricLog()
    for run in runs:
        model = build_model(ctx)
        if args.init_weights:
            directory = os.path.join(args.init_weights, run["name"], "initial")
            load_initial_weights(model, directory if os.path.isdir(directory) else args.init_weights)
        else:
            torch.manual_seed(SEED)  # every run starts from the same weights, as in LARS Lab
            model.reset_parameters()
        train_run(run, model.state_dict(), data, total_steps, shuffle, ctx, log)
        if ctx.rank == 0:
            log.write(args.out)
    if ctx.rank == 0:
        print(f"metrics written to {args.out}/", flush=True)
    if ctx.distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
)PY";

// ---- Assembling the script -------------------------------------------------------------------------

std::string datasetLiteral(const DatasetSpec& d) {
  std::ostringstream s;
  s << "{\"kind\": " << pyString(d.kind);
  if (d.kind == "fashion_mnist") {
    s << ", \"path\": " << pyString(d.path) << ", \"limit\": " << d.limit;
  } else if (d.kind == "csv") {
    s << ", \"path\": " << pyString(d.path) << ", \"label_column\": " << pyString(d.labelColumn)
      << ", \"regression\": " << pyBool(d.regression) << ", \"standardize\": " << pyBool(d.standardize)
      << ", \"test_fraction\": " << pyFloat(d.testFraction);
  } else {
    s << ", \"samples\": " << d.samples << ", \"noise\": " << pyFloat(d.noise)
      << ", \"test_fraction\": " << pyFloat(d.testFraction);
  }
  s << "}";
  return s.str();
}

std::string loadDataCode(const DatasetSpec& d) {
  std::ostringstream s;
  s << "\n\ndef load_data(data_dir):\n"
    << "    \"\"\"(train_x, train_y, test_x, test_y) as tensors: x float32 (N, D); y the class index (int64)\n"
    << "    or the regression targets (float32, N x K).\"\"\"\n"
    << "    if data_dir is None and DEFAULT_DATA_DIR:\n"
    << "        data_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), DEFAULT_DATA_DIR)\n";
  if (d.kind == "fashion_mnist") {
    s << "    if data_dir is not None:\n"
      << "        arrays = load_npy_dataset(data_dir)\n"
      << "    else:\n"
      << "        directory = DATASET[\"path\"] or os.environ.get(\"LARSLAB_FASHION_MNIST_DIR\") or FASHION_MNIST_DIR\n"
      << "        arrays = load_fashion_mnist(directory, DATASET[\"limit\"])\n";
  } else if (d.kind == "csv") {
    s << "    if data_dir is not None:\n"
      << "        arrays = load_npy_dataset(data_dir)\n"
      << "    else:\n"
      << "        print(\"note: no --data given; splitting the CSV file with NumPy's RNG, not LARS Lab's\", flush=True)\n"
      << "        arrays = load_csv(DATASET[\"path\"], DATASET[\"label_column\"], DATASET[\"regression\"],\n"
      << "                          DATASET[\"standardize\"], DATASET[\"test_fraction\"], SEED)\n";
  } else {
    s << "    if data_dir is None:\n"
      << "        sys.exit(f\"the {DATASET['kind']} data is drawn by LARS Lab's own random generator: write it with \"\n"
      << "                 \"`larslab-cli export-pytorch EXPERIMENT.json -o SCRIPT.py --data-dir DIR` and pass --data DIR\")\n"
      << "    arrays = load_npy_dataset(data_dir)\n";
  }
  s << "    train_x, train_y, test_x, test_y = (torch.from_numpy(np.ascontiguousarray(a)) for a in arrays)\n"
    << "    if LOSS == \"cross_entropy\":\n"
    << "        train_y, test_y = train_y[:, 0].long(), test_y[:, 0].long()\n"
    << "    return train_x, train_y, test_x, test_y\n";
  return s.str();
}

std::string oneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

bool pytorchScriptNeedsData(const DatasetSpec& dataset) { return dataset.kind != "fashion_mnist"; }

std::string exportPytorchScript(const ExperimentSpec& spec, const PytorchExportOptions& options) {
  if (spec.runs.empty()) throw std::invalid_argument("runs: the experiment has no run to export");
  std::vector<ResolvedRun> runs;
  for (std::size_t i = 0; i < spec.runs.size(); ++i) runs.push_back(resolveRun(spec.runs[i], i));

  const nn::Shape inputShape = inputShapeOf(spec.dataset, spec.seed);
  std::unique_ptr<nn::Network> network;
  try {
    network = std::make_unique<nn::Network>(spec.model, inputShape);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("model: ") + e.what());
  }
  if (spec.model.loss != "cross_entropy" && spec.model.loss != "mse")
    throw std::invalid_argument("model.loss: the PyTorch export does not implement '" + spec.model.loss + "' yet");
  const ModelCode model = modelCode(spec, *network);
  const nn::ParameterLayout& layout = *network->layout();

  std::ostringstream py;
  // ---- header docstring ----
  py << "#!/usr/bin/env python3\n"
     << "\"\"\"" << docText(spec.name) << ": a LARS Lab experiment as a standalone PyTorch script.\n\n";
  if (!spec.description.empty()) py << docText(spec.description) << "\n\n";
  py << "Exported by `larslab-cli export-pytorch`. It trains the runs of the experiment with the same\n"
     << "model (the same tensor names: " << layout.tensor(0).name << ", ...), the same data, the same optimizers\n"
     << "with the same conventions (written out below, not imported from a package) and the same\n"
     << "learning-rate schedules, and logs the same per-step and per-tensor metrics in LARS Lab's CSV\n"
     << "format, so that LARS Lab can open the log next to its own runs.\n\n"
     << "    python3 SCRIPT.py --out logs                       every run, one process\n"
     << "    python3 SCRIPT.py --run NAME --steps 500           one run, another length\n"
     << "    torchrun --standalone --nproc_per_node=2 SCRIPT.py DistributedDataParallel (gloo, CPU)\n\n"
     << "(Debian 12's torch 1.13 under Python 3.11: add `--redirects 1 --tee 1` to torchrun; its default\n"
     << "\"0\" fails with \"'NoneType' object has no attribute 'get'\", pytorch/pytorch#92319.)\n\n"
     << "To follow a LARS Lab run step for step (an experiment with \"shuffle\": false), start from its\n"
     << "initial weights:\n\n"
     << "    larslab-cli run EXPERIMENT.json --out cpp --save-weights weights\n"
     << "    python3 SCRIPT.py --init-weights weights --out torch\n\n"
     << "Losses and per-tensor norms then agree with LARS Lab's to float32 rounding. What cannot agree:\n"
     << "dropout masks and shuffled batch orders (both drawn by LARS Lab's own generator), and initial\n"
     << "weights when --init-weights is not given (same distributions, different random numbers).\n"
     << "\"\"\"\n";
  py << kImports;
  if (spec.dataset.kind == "fashion_mnist") py << "import gzip\n";
  if (spec.dataset.kind == "csv") py << "import csv\n";
  py << kTorchImports;

  // ---- configuration ----
  long steps = spec.steps;
  py << "\n# ---------------------------------------------------------------------------------------------\n"
     << "# The experiment, as exported\n"
     << "# ---------------------------------------------------------------------------------------------\n"
     << "SEED = " << spec.seed << "\n"
     << "BATCH_SIZE = " << spec.batchSize << "\n"
     << "STEPS = " << steps << "  # the experiment's length in steps; 0: EPOCHS\n"
     << "EPOCHS = " << pyFloat(spec.epochs) << "\n"
     << "EVAL_EVERY = " << spec.evalEvery << "  # evaluate on the test split every k steps (0: only at the end)\n"
     << "SHUFFLE = " << pyBool(spec.shuffle) << "\n"
     << "DATASET = " << datasetLiteral(spec.dataset) << "\n"
     << "DEFAULT_DATA_DIR = " << (options.dataDir.empty() ? std::string("None") : pyString(options.dataDir))
     << "  # LARS Lab's data as .npy, relative to this script\n"
     << "LOSS = " << pyString(spec.model.loss) << "\n"
     << "# LARS Lab cuts every minibatch into this many shards (BatchNorm's ghost batches).\n"
     << "SHARDS = " << nn::ShardedBackprop::kDefaultShards << "\n";
  if (spec.dataset.kind == "fashion_mnist") py << "FASHION_MNIST_DIR = \"/usr/share/datasets/fashion-mnist\"\n";

  py << "\n# Every run: the optimizer with all its hyperparameters and convention options resolved\n"
     << "# (defaults, then the preset, then the experiment's values), and its LR schedule.\n"
     << "RUNS = [\n";
  for (const ResolvedRun& r : runs) {
    const RunSpec& run = *r.spec;
    py << "    {\n"
       << "        \"name\": " << pyString(run.name) << ",\n"
       << "        \"optimizer\": " << pyString(run.optimizer.type) << ",";
    if (!r.optimizer.preset.empty()) py << "  # preset " << pyString(r.optimizer.preset);
    // Registry order (lr first), as the UI lists them.
    py << "\n        \"hyperparameters\": {";
    bool first = true;
    for (const optim::HyperparameterSpec& h : r.optimizer.info->hyperparameters) {
      py << (first ? "" : ", ") << pyString(h.name) << ": " << pyFloat(r.optimizer.hyperparameters.at(h.name));
      first = false;
    }
    py << "},\n        \"options\": {";
    if (!r.optimizer.options.empty()) py << "\n";
    for (const optim::OptionSpec& o : r.optimizer.info->options)
      py << "            " << pyString(o.name) << ": " << pyString(r.optimizer.options.at(o.name)) << ",\n";
    if (!r.optimizer.options.empty()) py << "        ";
    const optim::ScheduleConfig& s = run.schedule;
    py << "},\n        \"schedule\": {\"kind\": " << pyString(s.kind) << ", \"warmup_steps\": " << s.warmupSteps
       << ", \"power\": " << pyFloat(s.power) << ", \"final_factor\": " << pyFloat(s.finalFactor)
       << ", \"step_size\": " << s.stepSize << ", \"gamma\": " << pyFloat(s.gamma) << "},\n"
       << "    },\n";
  }
  py << "]\n";

  // ---- data ----
  py << "\n# ---------------------------------------------------------------------------------------------\n"
     << "# Data\n"
     << "# ---------------------------------------------------------------------------------------------\n";
  py << kNpyLoader;
  if (spec.dataset.kind == "fashion_mnist") py << "\n" << kFashionLoader;
  if (spec.dataset.kind == "csv") py << "\n" << kCsvLoader;
  py << loadDataCode(spec.dataset);

  // ---- model ----
  py << "\n\n# ---------------------------------------------------------------------------------------------\n"
     << "# Model\n"
     << "# ---------------------------------------------------------------------------------------------\n"
     << "# Trainable tensors in LARS Lab's order, with LARS Lab's kind (weight, bias, norm): the telemetry\n"
     << "# columns. BatchNorm's running statistics are buffers, loaded with the weights.\n"
     << "TENSORS = [\n";
  for (const nn::TensorInfo& t : layout.tensors())
    if (t.trainable()) py << "    (" << pyString(t.name) << ", " << pyString(nn::tensorKindName(t.kind)) << "),\n";
  py << "]\n";
  if (model.hasDropout)
    py << "# Dropout: PyTorch draws its own masks, so runs with dropout agree with LARS Lab only in\n"
       << "# distribution, not step for step.\n";
  if (model.hasBatchNorm) py << kGhostBatchNorm;
  py << "\n\n" << model.text;
  py << "\n\ndef build_model(ctx):\n"
     << "    model = Model(" << (model.hasBatchNorm ? "ghost_batches=max(1, SHARDS // ctx.world_size)" : "") << ")\n"
     << "    names = [name for name, _ in model.named_parameters()]\n"
     << "    assert names == [name for name, _ in TENSORS], f\"tensor names {names} differ from LARS Lab's\"\n"
     << "    return model\n";
  py << kWeightLoading;

  // ---- optimizers ----
  py << kOptimizerCommon;
  std::set<std::string> classes;
  for (const ResolvedRun& r : runs) classes.insert(optimizerClass(r.spec->optimizer.type));
  if (classes.count("LARS")) py << kLars;
  if (classes.count("LAMB")) py << kLamb;
  if (classes.count("SGD")) py << kSgd;
  if (classes.count("Adam")) py << kAdam;
  if (classes.count("RMSprop")) py << kRmsprop;
  if (classes.count("Adagrad")) py << kAdagrad;
  py << "\n\ndef make_optimizer(run, params):\n"
     << "    \"\"\"The run's optimizer over `params` (TENSORS' order), as exported in RUNS.\"\"\"\n"
     << "    h, o = run[\"hyperparameters\"], run[\"options\"]\n";
  std::set<std::string> types;
  for (const ResolvedRun& r : runs) types.insert(r.spec->optimizer.type);
  for (const std::string& type : types) {
    py << "    if run[\"optimizer\"] == " << pyString(type) << ":\n";
    const bool usesOptions = optimizerClass(type) == "LARS" || optimizerClass(type) == "LAMB";
    if (!usesOptions) py << "        assert not o\n";
    py << "        return " << optimizerCall(type) << "\n";
  }
  py << "    raise ValueError(f\"unknown optimizer {run['optimizer']}\")\n";

  py << kSchedule << kMetricLog << kTraining;
  return py.str();
}

void writePytorchScript(const ExperimentSpec& spec, const std::string& path, const PytorchExportOptions& options) {
  const std::string text = exportPytorchScript(spec, options);
  writeFileAtomically(path, text);
  std::error_code error;
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add,
                  error);  // best effort: `python3 SCRIPT.py` works without it
}

void writeDatasetNpy(const data::DatasetSplit& split, const std::string& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) throw std::runtime_error(directory + ": cannot create the directory: " + error.message());
  const fs::path dir(directory);
  auto write = [&](const char* name, const nn::Matrix& m) {
    // nn::Matrix is row-major, so its storage already is C order.
    writeNpy((dir / name).string(), std::span<const float>(m.data(), static_cast<std::size_t>(m.size())),
             {static_cast<int>(m.rows()), static_cast<int>(m.cols())});
  };
  write("train_x.npy", split.train.features);
  write("train_y.npy", split.train.targets);
  write("test_x.npy", split.test.features);
  write("test_y.npy", split.test.targets);
}

int runExportPytorch(const ExportPytorchRequest& request, std::ostream& out, std::ostream& err) {
  constexpr int kOk = 0, kBadInput = 1, kWriteFailure = 3;
  ExperimentSpec spec;
  std::string text;
  PytorchExportOptions options;
  data::DatasetSplit split;
  const fs::path script(request.script);
  std::string dataDir = request.dataDir;
  try {
    spec = loadExperiment(request.experiment);
    if (dataDir.empty() && pytorchScriptNeedsData(spec.dataset))
      dataDir = (script.parent_path() / (script.stem().string() + "_data")).string();
    if (!dataDir.empty()) {
      // The script resolves a relative default against its own directory.
      const fs::path base = fs::absolute(script).parent_path();
      options.dataDir = fs::absolute(dataDir).lexically_normal().lexically_relative(base.lexically_normal()).string();
      if (options.dataDir.empty()) options.dataDir = ".";
    }
    text = exportPytorchScript(spec, options);
    if (!dataDir.empty()) split = loadDataset(spec.dataset, spec.seed);
  } catch (const SpecError& e) {
    // The same one line as the other subcommands print.
    const auto& issues = e.issues();
    std::string line = "larslab-cli: " + e.file() + ": ";
    if (!issues.empty()) line += (issues.front().path.empty() ? "" : issues.front().path + ": ") + issues.front().message;
    if (issues.size() > 1)
      line += " (and " + std::to_string(issues.size() - 1) + " more; see larslab-cli validate " + e.file() + ")";
    err << oneLine(line) << '\n';
    return kBadInput;
  } catch (const std::exception& e) {
    err << oneLine(std::string("larslab-cli: ") + e.what()) << '\n';
    return kBadInput;
  }
  try {
    if (!dataDir.empty()) {
      writeDatasetNpy(split, dataDir);
      out << "wrote " << dataDir << "/ (train " << split.train.size() << ", test " << split.test.size()
          << " samples, as .npy)\n";
    }
    if (script.has_parent_path()) fs::create_directories(script.parent_path());
    writeFileAtomically(request.script, text);
    std::error_code ignored;
    fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ignored);
  } catch (const std::exception& e) {
    err << oneLine(std::string("larslab-cli: ") + e.what()) << '\n';
    return kWriteFailure;
  }
  out << "wrote " << request.script << " (" << spec.runs.size() << " run" << (spec.runs.size() == 1 ? "" : "s")
      << "); run it with: python3 " << request.script << " --out DIR\n";
  return kOk;
}

}  // namespace larslab::engine
