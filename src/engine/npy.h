#pragma once
// NumPy .npy files, format version 1.0: little-endian float32 ('<f4'), C order, the tensor's
// real shape. numpy.load and torch.from_numpy read them directly.

#include <span>
#include <string>
#include <vector>

#include "nn/parameters.h"

namespace larslab::engine {

struct NpyArray {
  std::vector<int> shape;
  std::vector<float> values;
};

// Throws std::runtime_error naming the path on failure. Written atomically.
void writeNpy(const std::string& path, std::span<const float> values,
              const std::vector<int>& shape);
// Reads '<f4' C-order arrays (v1.0-3.0 headers). Throws std::runtime_error naming the path and
// the problem for anything else.
NpyArray readNpy(const std::string& path);

// One <tensor name>.npy per tensor of the layout (including BatchNorm running statistics)
// into `directory`, created if missing.
void saveParametersNpy(const nn::ParameterStore& params, const std::string& directory);
// Fills `params` from <tensor name>.npy files written by saveParametersNpy (shapes must match).
void loadParametersNpy(nn::ParameterStore& params, const std::string& directory);

}  // namespace larslab::engine
