#pragma once
// Eigen aliases shared by the whole engine. A batch is always a row-major matrix with one
// sample per row; image samples are flattened in channel-major (C, H, W) order, as in PyTorch.

#include <Eigen/Core>
#include <cstddef>

namespace larslab::nn {

// Tests build a second copy of the network library with LARSLAB_NN_DOUBLE so that
// finite-difference gradient checks can use tight tolerances.
#ifdef LARSLAB_NN_DOUBLE
using Scalar = double;
#else
using Scalar = float;
#endif

using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using VectorMap = Eigen::Map<Vector>;
using ConstVectorMap = Eigen::Map<const Vector>;
// Read-only view of a block of whole rows (a shard of a batch) without copying: binds to a
// Matrix, a Map or x.middleRows(...) of a row-major matrix.
using ConstMatrixRef = Eigen::Ref<const Matrix>;

// Shape of one sample (the batch dimension is the matrix's rows).
struct Shape {
  int channels = 1;
  int height = 1;
  int width = 1;
  [[nodiscard]] int size() const { return channels * height * width; }
  bool operator==(const Shape&) const = default;
};

}  // namespace larslab::nn
