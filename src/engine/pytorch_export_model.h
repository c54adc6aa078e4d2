#pragma once
// The PyTorch exporter's model part: the experiment's network as an nn.Module with LARS Lab's
// tensor names, layers, initialisation and BatchNorm.

#include <memory>
#include <string>

#include "engine/experiment.h"
#include "nn/network.h"

namespace larslab::engine {

// The network LARS Lab builds for `spec` from samples of shape `input`. Throws
// std::invalid_argument ("model: ...") when it cannot be built or its loss cannot be exported.
std::unique_ptr<nn::Network> exportedNetwork(const ExperimentSpec& spec, nn::Shape input);

// The script's model section: TENSORS, GhostBatchNorm when needed, class Model and build_model().
// Throws std::invalid_argument naming the layer the script cannot express.
std::string modelCode(const ExperimentSpec& spec, const nn::Network& network);

}  // namespace larslab::engine
