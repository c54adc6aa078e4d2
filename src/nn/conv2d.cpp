#include <algorithm>
#include <stdexcept>

#include "nn/gemm.h"
#include "nn/layers.h"

namespace larslab::nn {
namespace {

struct ConvState final : LayerState {
  Matrix cols;     // (inC*k*k) x (rows*OH*OW): im2col of the shard, sample n in columns [n*P, (n+1)*P)
  Matrix result;   // outC x (rows*OH*OW): W * cols, before the bias and the per-sample reshuffle
  Matrix dResult;  // same layout, from dOut
  Matrix dCols;    // W^T * dResult
  GemmWorkspace gemm;
};

// Output positions ox whose input column ox*s - p + kj lies in [0, size): [lo, hi).
void validRange(int outSize, int inSize, int stride, int offset, int& lo, int& hi) {
  // ix = ox*stride + offset, need 0 <= ix < inSize
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = inSize - offset <= 0 ? 0 : (inSize - offset + stride - 1) / stride;
  lo = std::min(lo, outSize);
  hi = std::clamp(hi, lo, outSize);
}

}  // namespace

Shape Conv2D::outputShapeFor(Shape input, int filters, int kernel, int stride, int padding) {
  return Shape{filters, (input.height + 2 * padding - kernel) / stride + 1,
               (input.width + 2 * padding - kernel) / stride + 1};
}

Conv2D::Conv2D(std::string name, Shape input, int filters, int kernel, int stride, int padding, InitSpec init)
    : Layer("conv2d", std::move(name), input, outputShapeFor(input, filters, kernel, stride, padding)),
      kernel_(kernel), stride_(stride), padding_(padding), init_(init) {
  if (filters <= 0 || kernel <= 0 || stride <= 0 || padding < 0)
    throw std::invalid_argument("conv2d: filters, kernel and stride must be > 0 and padding >= 0");
  if (input.height + 2 * padding < kernel || input.width + 2 * padding < kernel)
    throw std::invalid_argument("conv2d: kernel larger than the padded input");
}

void Conv2D::registerTensors(ParameterLayout& layout) {
  const int inC = inputShape().channels;
  weight_ = addTensor(layout, "weight", TensorKind::Weight, {outputShape().channels, inC, kernel_, kernel_});
  bias_ = addTensor(layout, "bias", TensorKind::Bias, {outputShape().channels});
}

void Conv2D::initialize(ParameterStore& params, std::uint64_t seed) const {
  const int kk = kernel_ * kernel_;
  initializeTensor(params.vector(weight_), init_, inputShape().channels * kk, outputShape().channels * kk,
                   tensorSeed(seed, params.layout().tensor(weight_).name));
  params.vector(bias_).setZero();
}

std::unique_ptr<LayerState> Conv2D::makeState() const { return std::make_unique<ConvState>(); }

void Conv2D::im2col(const ConstMatrixRef& in, Matrix& cols) const {
  const Shape is = inputShape(), os = outputShape();
  const int k = kernel_, s = stride_, p = padding_;
  const int oh = os.height, ow = os.width, positions = oh * ow;
  const Eigen::Index rows = in.rows();
  cols.resize(static_cast<Eigen::Index>(is.channels) * k * k, rows * positions);
  const Eigen::Index colsStride = cols.cols();
  for (int c = 0; c < is.channels; ++c) {
    for (int ki = 0; ki < k; ++ki) {
      int oyLo, oyHi;
      validRange(oh, is.height, s, ki - p, oyLo, oyHi);
      for (int kj = 0; kj < k; ++kj) {
        int oxLo, oxHi;
        validRange(ow, is.width, s, kj - p, oxLo, oxHi);
        Scalar* dstRow = cols.data() + ((static_cast<Eigen::Index>(c) * k + ki) * k + kj) * colsStride;
        for (Eigen::Index n = 0; n < rows; ++n) {
          const Scalar* src = in.data() + n * in.outerStride() + static_cast<Eigen::Index>(c) * is.height * is.width;
          Scalar* dst = dstRow + n * positions;
          std::fill(dst, dst + static_cast<Eigen::Index>(oyLo) * ow, Scalar(0));
          for (int oy = oyLo; oy < oyHi; ++oy) {
            const Scalar* srow = src + static_cast<Eigen::Index>(oy * s + ki - p) * is.width;
            Scalar* d = dst + static_cast<Eigen::Index>(oy) * ow;
            std::fill(d, d + oxLo, Scalar(0));
            if (s == 1) {
              std::copy(srow + (oxLo + kj - p), srow + (oxHi + kj - p), d + oxLo);
            } else {
              for (int ox = oxLo; ox < oxHi; ++ox) d[ox] = srow[ox * s + kj - p];
            }
            std::fill(d + oxHi, d + ow, Scalar(0));
          }
          std::fill(dst + static_cast<Eigen::Index>(oyHi) * ow, dst + positions, Scalar(0));
        }
      }
    }
  }
}

void Conv2D::col2im(const Matrix& cols, Matrix& dIn) const {
  const Shape is = inputShape(), os = outputShape();
  const int k = kernel_, s = stride_, p = padding_;
  const int oh = os.height, ow = os.width, positions = oh * ow;
  const Eigen::Index rows = dIn.rows();
  const Eigen::Index colsStride = cols.cols();
  for (int c = 0; c < is.channels; ++c) {
    for (int ki = 0; ki < k; ++ki) {
      int oyLo, oyHi;
      validRange(oh, is.height, s, ki - p, oyLo, oyHi);
      for (int kj = 0; kj < k; ++kj) {
        int oxLo, oxHi;
        validRange(ow, is.width, s, kj - p, oxLo, oxHi);
        const Scalar* srcRow = cols.data() + ((static_cast<Eigen::Index>(c) * k + ki) * k + kj) * colsStride;
        for (Eigen::Index n = 0; n < rows; ++n) {
          Scalar* dst = dIn.data() + n * dIn.cols() + static_cast<Eigen::Index>(c) * is.height * is.width;
          const Scalar* src = srcRow + n * positions;
          for (int oy = oyLo; oy < oyHi; ++oy) {
            Scalar* drow = dst + static_cast<Eigen::Index>(oy * s + ki - p) * is.width;
            const Scalar* srow = src + static_cast<Eigen::Index>(oy) * ow;
            for (int ox = oxLo; ox < oxHi; ++ox) drow[ox * s + kj - p] += srow[ox];
          }
        }
      }
    }
  }
}

void Conv2D::forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
                     const ForwardContext& /*context*/) const {
  auto& st = static_cast<ConvState&>(state);
  const int filters = outputShape().channels;
  const Eigen::Index positions = static_cast<Eigen::Index>(outputShape().height) * outputShape().width;
  const Eigen::Index rows = in.rows();
  im2col(in, st.cols);
  const ConstMatrixMap w = params.matrix(weight_);  // filters x (inC*k*k)
  const ConstVectorMap b = params.vector(bias_);
  st.result.resize(filters, rows * positions);
  st.gemm.multiply(st.result, plain(w), plain(st.cols));
  out.resize(rows, filters * positions);
  for (Eigen::Index n = 0; n < rows; ++n)
    for (int f = 0; f < filters; ++f)
      out.row(n).segment(f * positions, positions).array() =
          st.result.row(f).segment(n * positions, positions).array() + b[f];
}

void Conv2D::backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& /*out*/,
                      const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const {
  auto& st = static_cast<ConvState&>(state);
  const int filters = outputShape().channels;
  const Eigen::Index positions = static_cast<Eigen::Index>(outputShape().height) * outputShape().width;
  const Eigen::Index rows = in.rows();
  st.dResult.resize(filters, rows * positions);
  for (Eigen::Index n = 0; n < rows; ++n)
    for (int f = 0; f < filters; ++f)
      st.dResult.row(f).segment(n * positions, positions) = dOut.row(n).segment(f * positions, positions);
  MatrixMap dW = grads.matrix(weight_);
  st.gemm.multiply(dW.data(), dW.cols(), plain(st.dResult), transposed(st.cols));
  VectorMap db = grads.vector(bias_);
  db.noalias() = st.dResult.rowwise().sum();
  if (dIn) {
    const ConstMatrixMap w = params.matrix(weight_);
    st.dCols.resize(st.cols.rows(), st.cols.cols());
    st.gemm.multiply(st.dCols, transposed(w), plain(st.dResult));
    dIn->resize(rows, inputShape().size());
    dIn->setZero();
    col2im(st.dCols, *dIn);
  }
}

}  // namespace larslab::nn
