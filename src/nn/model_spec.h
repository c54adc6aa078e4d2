#pragma once
// The plain description of a sequential network. The experiment file carries exactly this.

#include <string>
#include <vector>

namespace larslab::nn {

// The fields of every layer type; which of them a type reads, their ranges and defaults are in
// nn/layer_registry.h.
struct LayerSpec {
  std::string type;          // a type of the layer registry: "dense", "conv2d", ...
  std::string name;          // optional; defaults to type + running index ("dense1", "conv2")
  int units = 0;             // dense: output features
  int filters = 0;           // conv2d: output channels
  int kernel = 3;            // conv2d and maxpool2d: square kernel size
  int stride = 0;            // 0: the layer default (conv2d 1; maxpool2d = kernel, as in PyTorch)
  int padding = 0;           // conv2d: zero padding on every side
  double rate = 0.5;         // dropout probability of zeroing
  double slope = 0.01;       // leaky_relu negative slope
  double momentum = 0.1;     // batchnorm running-statistics momentum (PyTorch convention)
  double eps = 1e-5;         // batchnorm
  std::string init = "auto"; // weights: auto (he before ReLU-like, glorot otherwise), he, glorot, zeros, constant
  double initValue = 0.0;    // for init == constant

  // Every field, so that a new one cannot be forgotten by whoever compares specs (Apply).
  bool operator==(const LayerSpec&) const = default;
};

struct ModelSpec {
  std::vector<LayerSpec> layers;
  std::string loss = "cross_entropy";  // cross_entropy (softmax, integer labels) or mse
};

}  // namespace larslab::nn
