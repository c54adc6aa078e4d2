#pragma once
// Weight initialisers. Every call takes an explicit seed; random numbers come from
// std::mt19937_64 with the portable transforms of random.h, so the same seed gives the same
// weights everywhere.

#include <cstdint>
#include <string>
#include <string_view>

#include "nn/tensor.h"

namespace larslab::nn {

enum class InitKind {
  He,        // normal, std = sqrt(2 / fan_in)                    (He et al. 2015)
  Glorot,    // uniform in [-l, l], l = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010)
  Zeros,
  Constant,
};

// "he", "glorot" (or "xavier"), "zeros", "constant". "auto" is resolved by the network (He
// before relu/leaky_relu/gelu, Glorot otherwise), so it is not accepted here.
// Throws std::invalid_argument naming the expected values.
InitKind parseInitKind(std::string_view name);
const char* initKindName(InitKind kind);

struct InitSpec {
  InitKind kind = InitKind::Glorot;
  double value = 0.0;  // Constant only
};

// Fills `values` (one tensor). fanIn/fanOut follow PyTorch: dense (in, out); conv
// (inC*k*k, outC*k*k).
void initializeTensor(VectorMap values, const InitSpec& spec, int fanIn, int fanOut, std::uint64_t seed);

// The seed of one tensor: derived from the network seed and the tensor's NAME, so that adding
// or removing a layer leaves every tensor whose name did not change untouched.
std::uint64_t tensorSeed(std::uint64_t networkSeed, std::string_view tensorName);

}  // namespace larslab::nn
