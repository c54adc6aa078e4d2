#include "nn/init.h"

#include <cmath>
#include <stdexcept>

#include "nn/random.h"

namespace larslab::nn {

InitKind parseInitKind(std::string_view name) {
  if (name == "he") return InitKind::He;
  if (name == "glorot" || name == "xavier") return InitKind::Glorot;
  if (name == "zeros") return InitKind::Zeros;
  if (name == "constant") return InitKind::Constant;
  throw std::invalid_argument("unknown initialiser '" + std::string(name) +
                              "'; expected auto, he, glorot, xavier, zeros or constant");
}

const char* initKindName(InitKind kind) {
  switch (kind) {
    case InitKind::He: return "he";
    case InitKind::Glorot: return "glorot";
    case InitKind::Zeros: return "zeros";
    case InitKind::Constant: return "constant";
  }
  return "unknown";
}

void initializeTensor(VectorMap values, const InitSpec& spec, int fanIn, int fanOut, std::uint64_t seed) {
  switch (spec.kind) {
    case InitKind::He: {
      if (fanIn <= 0) throw std::invalid_argument("He initialisation needs fan_in > 0");
      const double std = std::sqrt(2.0 / fanIn);
      Rng sampler(seed);
      for (Eigen::Index i = 0; i < values.size(); ++i) values[i] = static_cast<Scalar>(std * sampler.normal());
      return;
    }
    case InitKind::Glorot: {
      if (fanIn + fanOut <= 0) throw std::invalid_argument("Glorot initialisation needs fan_in + fan_out > 0");
      const double limit = std::sqrt(6.0 / (fanIn + fanOut));
      Rng sampler(seed);
      for (Eigen::Index i = 0; i < values.size(); ++i)
        values[i] = static_cast<Scalar>(limit * (2.0 * sampler.uniform01() - 1.0));
      return;
    }
    case InitKind::Zeros: values.setZero(); return;
    case InitKind::Constant: values.setConstant(static_cast<Scalar>(spec.value)); return;
  }
}

std::uint64_t tensorSeed(std::uint64_t networkSeed, std::string_view tensorName) {
  return deriveSeed(networkSeed, hashName(tensorName));
}

}  // namespace larslab::nn
