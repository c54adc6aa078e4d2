#include <algorithm>
#include <stdexcept>

#include "nn/gemm.h"
#include "nn/layers.h"

namespace larslab::nn {
namespace {

// One sample at a time: its im2col matrix ((inC*k*k) x (OH*OW), a few hundred KB at most)
// stays in L2 while the GEMM reads it, and a sample's output row, read as outC x (OH*OW)
// row-major, is exactly the GEMM result, so nothing is reshuffled. An im2col of the whole
// shard (tens of MB for a 28x28 CNN) would stream through memory instead.
struct ConvState final : LayerState {
  Matrix cols;          // (inC*k*k) x (OH*OW): im2col of the current sample
  Matrix dCols;         // W^T * dOut of the current sample, same shape; all zero between samples
  GemmWorkspace gemm;
};

// A convolution's sizes, as im2col sees them.
struct Geometry {
  int channels, height, width;  // input
  int kernel, stride, padding;
  int outHeight, outWidth;
  [[nodiscard]] Eigen::Index taps() const { return static_cast<Eigen::Index>(channels) * kernel * kernel; }
  [[nodiscard]] Eigen::Index positions() const { return static_cast<Eigen::Index>(outHeight) * outWidth; }
  // Stride 1 and "same" width (2p = k - 1, so OW = W): the valid part of each im2col row
  // (c, ki, kj) is ONE contiguous run of the input plane shifted by (ki - p) * W + (kj - p),
  // from the first valid output position to the last; in between, the |kj - p| border columns
  // of each output row pick up neighbours of the adjacent input row and are zeroed afterwards.
  [[nodiscard]] bool contiguous() const { return stride == 1 && outWidth == width; }
};

// Output positions ox whose input column ox*s - p + kj lies in [0, size): [lo, hi).
void validRange(int outSize, int inSize, int stride, int offset, int& lo, int& hi) {
  // ix = ox*stride + offset, need 0 <= ix < inSize
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = inSize - offset <= 0 ? 0 : (inSize - offset + stride - 1) / stride;
  lo = std::min(lo, outSize);
  hi = std::clamp(hi, lo, outSize);
}

// Calls visit(c, row, ki, kj, oyLo, oyHi, oxLo, oxHi) for every im2col row (c, ki, kj) whose
// tap sees at least one input value: output rows [oyLo, oyHi) and columns [oxLo, oxHi) read
// the input. With kVisitAll, taps that only ever see padding are visited too (empty ranges).
template <bool kVisitAll = false, typename Visit>
void forEachTap(const Geometry& g, Visit&& visit) {
  const int k = g.kernel, s = g.stride, p = g.padding;
  for (int c = 0; c < g.channels; ++c) {
    for (int ki = 0; ki < k; ++ki) {
      int oyLo, oyHi;
      validRange(g.outHeight, g.height, s, ki - p, oyLo, oyHi);
      for (int kj = 0; kj < k; ++kj) {
        int oxLo, oxHi;
        validRange(g.outWidth, g.width, s, kj - p, oxLo, oxHi);
        const Eigen::Index row = (static_cast<Eigen::Index>(c) * k + ki) * k + kj;
        if (oyHi > oyLo && oxHi > oxLo)
          visit(c, row, ki, kj, oyLo, oyHi, oxLo, oxHi);
        else if (kVisitAll)  // this tap only ever sees padding
          visit(c, row, ki, kj, 0, 0, 0, 0);
      }
    }
  }
}

// cols (taps x positions) = im2col of one sample. Which entries are padding depends only on
// the geometry, so they are zeroed once and never written again: per sample only the valid
// entries are copied, for the contiguous geometry in one run per row.
void im2col(const Geometry& g, const Scalar* sample, Matrix& cols) {
  const Eigen::Index positions = g.positions();
  if (cols.rows() != g.taps() || cols.cols() != positions) cols.setZero(g.taps(), positions);
  const int ow = g.outWidth, s = g.stride, p = g.padding;
  const Eigen::Index plane = static_cast<Eigen::Index>(g.height) * g.width;
  forEachTap(g, [&](int c, Eigen::Index row, int ki, int kj, int oyLo, int oyHi, int oxLo, int oxHi) {
    const Scalar* src = sample + c * plane;
    Scalar* dst = cols.data() + row * positions;
    if (g.contiguous()) {
      const Eigen::Index begin = static_cast<Eigen::Index>(oyLo) * ow + oxLo;
      const Eigen::Index end = static_cast<Eigen::Index>(oyHi - 1) * ow + oxHi;
      const Eigen::Index shift = static_cast<Eigen::Index>(ki - p) * g.width + (kj - p);
      std::copy(src + begin + shift, src + end + shift, dst + begin);
      for (int oy = oyLo; oy < oyHi; ++oy) {  // the copy wrapped into these padding columns
        Scalar* d = dst + static_cast<Eigen::Index>(oy) * ow;
        for (int ox = 0; ox < oxLo; ++ox) d[ox] = Scalar(0);
        for (int ox = oxHi; ox < ow; ++ox) d[ox] = Scalar(0);
      }
      return;
    }
    for (int oy = oyLo; oy < oyHi; ++oy) {
      const Scalar* srow = src + static_cast<Eigen::Index>(oy * s + ki - p) * g.width;
      Scalar* d = dst + static_cast<Eigen::Index>(oy) * ow;
      if (s == 1)  // unit stride: a copy the compiler vectorises
        std::copy(srow + (oxLo + kj - p), srow + (oxHi + kj - p), d + oxLo);
      else
        for (int ox = oxLo; ox < oxHi; ++ox) d[ox] = srow[ox * s + kj - p];
    }
  });
}

// dSample = the scatter-add of cols (taps x positions) back onto the input planes. Leaves
// cols all zero, each row cleared right after it is read while it is still in L1, so the next
// sample's GEMM can accumulate into it without a separate zeroing pass over the whole matrix.
// For the contiguous geometry the padding columns of a row (which have no input) are zeroed
// first, so one contiguous add per row adds exactly 0 where it wraps into the next input row.
void col2im(const Geometry& g, Matrix& cols, Scalar* dSample) {
  const Eigen::Index positions = g.positions();
  const int ow = g.outWidth, s = g.stride, p = g.padding;
  const Eigen::Index plane = static_cast<Eigen::Index>(g.height) * g.width;
  std::fill(dSample, dSample + g.channels * plane, Scalar(0));
  forEachTap<true>(g, [&](int c, Eigen::Index row, int ki, int kj, int oyLo, int oyHi, int oxLo, int oxHi) {
    Scalar* dst = dSample + c * plane;
    Scalar* src = cols.data() + row * positions;
    if (g.contiguous() && oyHi > oyLo) {
      for (int oy = oyLo; oy < oyHi; ++oy) {
        Scalar* r = src + static_cast<Eigen::Index>(oy) * ow;
        for (int ox = 0; ox < oxLo; ++ox) r[ox] = Scalar(0);
        for (int ox = oxHi; ox < ow; ++ox) r[ox] = Scalar(0);
      }
      const Eigen::Index begin = static_cast<Eigen::Index>(oyLo) * ow + oxLo;
      const Eigen::Index end = static_cast<Eigen::Index>(oyHi - 1) * ow + oxHi;
      Scalar* d = dst + begin + static_cast<Eigen::Index>(ki - p) * g.width + (kj - p);
      const Scalar* from = src + begin;
      for (Eigen::Index i = 0; i < end - begin; ++i) d[i] += from[i];
    } else {
      for (int oy = oyLo; oy < oyHi; ++oy) {
        Scalar* drow = dst + static_cast<Eigen::Index>(oy * s + ki - p) * g.width;
        const Scalar* srow = src + static_cast<Eigen::Index>(oy) * ow;
        if (s == 1) {  // unit stride: an add the compiler vectorises
          Scalar* d = drow + (oxLo + kj - p);
          for (int i = 0; i < oxHi - oxLo; ++i) d[i] += srow[oxLo + i];
        } else {
          for (int ox = oxLo; ox < oxHi; ++ox) drow[ox * s + kj - p] += srow[ox];
        }
      }
    }
    std::fill(src, src + positions, Scalar(0));
  });
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

Layer::Fans Conv2D::weightFans() const {
  const int kk = kernel_ * kernel_;
  return {inputShape().channels * kk, outputShape().channels * kk};
}

void Conv2D::initialize(ParameterStore& params, std::uint64_t seed) const {
  const Fans fans = weightFans();
  initializeTensor(params.vector(weight_), init_, fans.in, fans.out, tensorSeed(seed, params.layout().tensor(weight_).name));
  params.vector(bias_).setZero();
}

std::unique_ptr<LayerState> Conv2D::makeState() const { return std::make_unique<ConvState>(); }

void Conv2D::forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
                     const ForwardContext& /*context*/) const {
  auto& st = static_cast<ConvState&>(state);
  const Shape is = inputShape(), os = outputShape();
  const Geometry g{is.channels, is.height, is.width, kernel_, stride_, padding_, os.height, os.width};
  const int filters = os.channels;
  const Eigen::Index positions = g.positions();
  const Eigen::Index rows = in.rows();
  const ConstMatrixMap w = params.matrix(weight_);  // filters x (inC*k*k)
  const ConstVectorMap b = params.vector(bias_);
  out.resize(rows, filters * positions);
  for (Eigen::Index n = 0; n < rows; ++n) {
    im2col(g, in.data() + n * in.outerStride(), st.cols);
    Scalar* result = out.data() + n * out.cols();  // filters x positions, row-major
    for (int f = 0; f < filters; ++f) Eigen::Map<RowVector>(result + f * positions, positions).setConstant(b[f]);
    st.gemm.multiply(result, positions, plain(w), plain(st.cols), /*accumulate=*/true);
  }
}

void Conv2D::backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& /*out*/,
                      const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const {
  auto& st = static_cast<ConvState&>(state);
  const Shape is = inputShape(), os = outputShape();
  const Geometry g{is.channels, is.height, is.width, kernel_, stride_, padding_, os.height, os.width};
  const int filters = os.channels;
  const Eigen::Index positions = g.positions();
  const Eigen::Index rows = in.rows();
  const ConstMatrixMap w = params.matrix(weight_);
  MatrixMap dW = grads.matrix(weight_);
  VectorMap db = grads.vector(bias_);
  db.setZero();
  if (rows == 0) dW.setZero();

  if (dIn) dIn->resize(rows, is.size());
  for (Eigen::Index n = 0; n < rows; ++n) {
    // The forward's im2col is recomputed rather than kept for the whole shard: copying it again
    // costs far less than streaming a shard-sized buffer through memory twice.
    im2col(g, in.data() + n * in.outerStride(), st.cols);
    const Scalar* dOutRow = dOut.data() + n * dOut.outerStride();
    const ConstMatrixMap dResult(dOutRow, filters, positions);
    st.gemm.multiply(dW.data(), dW.cols(), plain(dResult), transposed(st.cols), /*accumulate=*/n > 0);
    db.noalias() += dResult.rowwise().sum();
    if (!dIn) continue;
    // W^T * dOut has depth outC only, so Eigen packs just the two small operands; computing
    // dL/d(in) instead as the transposed convolution (im2col of dOut, depth outC*k*k) packs
    // a matrix twice this size and measured slower.
    if (st.dCols.rows() != g.taps() || st.dCols.cols() != positions) st.dCols.setZero(g.taps(), positions);
    st.gemm.multiply(st.dCols, transposed(w), plain(dResult), /*accumulate=*/true);  // col2im left it zero
    col2im(g, st.dCols, dIn->data() + n * dIn->cols());
  }
}

}  // namespace larslab::nn
