#include "nn/gemm.h"

#include <stdexcept>

namespace larslab::nn {
namespace {

namespace ei = Eigen::internal;

// Eigen's blocking descriptor pointed at our buffers.
class Blocking : public ei::level3_blocking<Scalar, Scalar> {
 public:
  Blocking(Scalar* a, Scalar* b, Eigen::Index mc, Eigen::Index nc, Eigen::Index kc) {
    this->m_blockA = a;
    this->m_blockB = b;
    this->m_mc = mc;
    this->m_nc = nc;
    this->m_kc = kc;
  }
};

template <int LhsOrder, int RhsOrder>
void run(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth, const GemmOperand& a, const GemmOperand& b,
         Scalar* out, Eigen::Index outStride, Blocking& blocking) {
  ei::general_matrix_matrix_product<Eigen::Index, Scalar, LhsOrder, false, Scalar, RhsOrder, false, Eigen::RowMajor,
                                    1>::run(rows, cols, depth, a.data, a.stride, b.data, b.stride, out, 1, outStride,
                                            Scalar(1), blocking, nullptr);
}

}  // namespace

void GemmWorkspace::multiply(Matrix& out, const GemmOperand& a, const GemmOperand& b, bool accumulate) {
  if (out.rows() != a.rows || out.cols() != b.cols)
    throw std::logic_error("GemmWorkspace::multiply: output has the wrong size");
  multiply(out.data(), out.cols(), a, b, accumulate);
}

void GemmWorkspace::multiply(Scalar* out, Eigen::Index outStride, const GemmOperand& a, const GemmOperand& b,
                             bool accumulate) {
  if (a.cols != b.rows) throw std::logic_error("GemmWorkspace::multiply: inner dimensions differ");
  const Eigen::Index rows = a.rows, cols = b.cols, depth = a.cols;
  if (!accumulate) {
    if (outStride == cols)
      Eigen::Map<Vector>(out, rows * cols).setZero();
    else
      for (Eigen::Index r = 0; r < rows; ++r) Eigen::Map<RowVector>(out + r * outStride, cols).setZero();
  }
  if (rows == 0 || cols == 0 || depth == 0) return;

  // Same blocking as Eigen's gemm_blocking_space for a row-major result (it computes the
  // transposed, column-major product: m = cols, n = rows).
  Eigen::Index kc = depth, mc = cols, nc = rows;
  ei::computeProductBlockingSizes<Scalar, Scalar, 1, Eigen::Index>(kc, mc, nc, 1);
  if (blockA_.size() < kc * mc) blockA_.resize(kc * mc);
  if (blockB_.size() < kc * nc) blockB_.resize(kc * nc);
  Blocking blocking(blockA_.data(), blockB_.data(), mc, nc, kc);

  const int lhs = a.transposed ? Eigen::ColMajor : Eigen::RowMajor;
  const int rhs = b.transposed ? Eigen::ColMajor : Eigen::RowMajor;
  if (lhs == Eigen::RowMajor && rhs == Eigen::RowMajor)
    run<Eigen::RowMajor, Eigen::RowMajor>(rows, cols, depth, a, b, out, outStride, blocking);
  else if (lhs == Eigen::RowMajor)
    run<Eigen::RowMajor, Eigen::ColMajor>(rows, cols, depth, a, b, out, outStride, blocking);
  else if (rhs == Eigen::RowMajor)
    run<Eigen::ColMajor, Eigen::RowMajor>(rows, cols, depth, a, b, out, outStride, blocking);
  else
    run<Eigen::ColMajor, Eigen::ColMajor>(rows, cols, depth, a, b, out, outStride, blocking);
}

}  // namespace larslab::nn
