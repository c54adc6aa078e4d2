#pragma once
// Matrix products for the layers: on Eigen's GEMM kernel with the packing buffers owned by the
// caller (Eigen's own products put those buffers on the stack only up to 128 KB and malloc them
// beyond, e.g. a 784-input dense layer: a GemmWorkspace kept in the per-shard layer state grows
// once and is then reused, so steps allocate nothing), or, on CPUs where it is faster, the
// larger products on OpenBLAS, one thread per call (see gemm.cpp).

#include "nn/tensor.h"

namespace larslab::nn {

// op(X) for a row-major X: X itself, or its transpose (read in place, nothing is copied).
struct GemmOperand {
  const Scalar* data = nullptr;
  Eigen::Index rows = 0;      // of op(X)
  Eigen::Index cols = 0;      // of op(X)
  Eigen::Index stride = 0;    // distance between rows of X
  bool transposed = false;
};

inline GemmOperand plain(const ConstMatrixRef& x) { return {x.data(), x.rows(), x.cols(), x.outerStride(), false}; }
inline GemmOperand transposed(const ConstMatrixRef& x) {
  return {x.data(), x.cols(), x.rows(), x.outerStride(), true};
}

// "OpenBLAS" or "Eigen": the kernel of the larger products on this machine (for reports).
[[nodiscard]] const char* largeProductKernel();

class GemmWorkspace {
 public:
  // out (row-major, contiguous rows, already sized a.rows x b.cols) = a * b, or += if accumulate.
  void multiply(Matrix& out, const GemmOperand& a, const GemmOperand& b, bool accumulate = false);
  void multiply(Scalar* out, Eigen::Index outStride, const GemmOperand& a, const GemmOperand& b,
                bool accumulate = false);

 private:
  Vector blockA_;  // grows, never shrinks
  Vector blockB_;
};

}  // namespace larslab::nn
