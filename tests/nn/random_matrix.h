#pragma once
// Seeded test inputs shared by the nn tests.

#include <cstdint>

#include "nn/random.h"
#include "nn/tensor.h"

namespace larslab::nn::test {

// Entries drawn from N(0, scale^2), reproducible for a seed.
inline Matrix randomMatrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed, double scale = 1.0) {
  Rng sampler(seed);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<Scalar>(scale * sampler.normal());
  return m;
}

}  // namespace larslab::nn::test
