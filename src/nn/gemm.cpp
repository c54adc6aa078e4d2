#include "nn/gemm.h"

#include <cblas.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace larslab::nn {
namespace {

// Products of at least this many multiply-adds (m*n*k) may go to OpenBLAS; smaller ones stay on
// Eigen, whose call costs less.
constexpr double kBlasMinMultiplyAdds = 48.0 * 48.0 * 48.0;

// Which kernel is faster depends on the CPU, measured (1024^3, one core): on an AMD EPYC with
// AVX-512 (Zen 4) OpenBLAS 101 GFLOP/s against Eigen's 80, and 95-103 against 80 on a shard's
// shapes; on an Intel Xeon with AVX-512, Eigen 138 against OpenBLAS's SkylakeX kernels 104; on an
// AMD EPYC with AVX2 (Zen 1) OpenBLAS reached 85-97% of Eigen. So OpenBLAS on AMD CPUs with
// AVX-512, Eigen elsewhere; LARSLAB_GEMM=eigen or =openblas overrides (for benchmarks). The
// choice is made once per process and depends on the machine only, never on the thread count,
// so results stay bitwise identical for any number of threads.
bool useBlas() {
  static const bool blas = [] {
    const char* forced = std::getenv("LARSLAB_GEMM");
    bool chosen = false;
    if (forced != nullptr && std::strcmp(forced, "openblas") == 0) {
      chosen = true;
    } else if (forced == nullptr || std::strcmp(forced, "eigen") != 0) {
      __builtin_cpu_init();  // may run before the constructors that would initialise it
      chosen = __builtin_cpu_is("amd") && __builtin_cpu_supports("avx512f");
    }
    // OpenBLAS must not use threads of its own: the engine's tasks already run one product per
    // core, and an OpenBLAS thread pool would compete with them for the same cores.
    if (chosen) openblas_set_num_threads(1);
    return chosen;
  }();
  return blas;
}

// The float engine and the double one of the gradient checks (each build uses one).
[[maybe_unused]] void blasGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                               const float* a, blasint lda, const float* b, blasint ldb, float beta, float* c,
                               blasint ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}
[[maybe_unused]] void blasGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                               const double* a, blasint lda, const double* b, blasint ldb, double beta, double* c,
                               blasint ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, beta, c, ldc);
}

void blasMultiply(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth, const GemmOperand& a,
                  const GemmOperand& b, Scalar* out, Eigen::Index outStride, bool accumulate) {
  const CBLAS_TRANSPOSE ta = a.transposed ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = b.transposed ? CblasTrans : CblasNoTrans;
  const auto m = static_cast<blasint>(rows), n = static_cast<blasint>(cols), k = static_cast<blasint>(depth);
  const auto lda = static_cast<blasint>(a.stride), ldb = static_cast<blasint>(b.stride);
  const auto ldc = static_cast<blasint>(outStride);
  const Scalar beta = accumulate ? Scalar(1) : Scalar(0);  // beta 0: C is written, never read
  blasGemm(ta, tb, m, n, k, a.data, lda, b.data, ldb, beta, out, ldc);
}

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

const char* largeProductKernel() { return useBlas() ? "OpenBLAS" : "Eigen"; }

void GemmWorkspace::multiply(Matrix& out, const GemmOperand& a, const GemmOperand& b, bool accumulate) {
  if (out.rows() != a.rows || out.cols() != b.cols)
    throw std::logic_error("GemmWorkspace::multiply: output has the wrong size");
  multiply(out.data(), out.cols(), a, b, accumulate);
}

void GemmWorkspace::multiply(Scalar* out, Eigen::Index outStride, const GemmOperand& a, const GemmOperand& b,
                             bool accumulate) {
  if (a.cols != b.rows) throw std::logic_error("GemmWorkspace::multiply: inner dimensions differ");
  const Eigen::Index rows = a.rows, cols = b.cols, depth = a.cols;
  if (rows > 0 && cols > 0 && depth > 0 &&
      static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(depth) >= kBlasMinMultiplyAdds &&
      useBlas()) {
    blasMultiply(rows, cols, depth, a, b, out, outStride, accumulate);
    return;
  }
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
