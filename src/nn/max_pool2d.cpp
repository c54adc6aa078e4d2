#include <algorithm>
#include <stdexcept>
#include <vector>

#include "nn/layers.h"

namespace larslab::nn {
namespace {

struct MaxPoolState final : LayerState {
  std::vector<int> argmax;  // per output element: index of the chosen input within the sample
  std::vector<Scalar> pairMax;  // 2x2 path: max of each horizontal pair of one sample
  std::vector<int> pairArg;
};

// 2x2 windows with stride 2 on even sizes, as two passes that vectorise: the max of each
// horizontal pair over the whole sample (pairs never straddle rows), then the max of two
// consecutive pair rows. Ties keep the first element in row-major order, as in the general
// loop; selects instead of branches, because which element wins is data-dependent.
template <bool kTrackArgmax>
void maxPool2x2(const Scalar* src, int channels, int height, int width, Scalar* dst, int* arg, Scalar* pairMax,
                int* pairArg) {
  const int pairs = channels * height * width / 2;
  for (int i = 0; i < pairs; ++i) {
    const Scalar left = src[2 * i], right = src[2 * i + 1];
    const bool takeRight = right > left;
    pairMax[i] = takeRight ? right : left;
    if constexpr (kTrackArgmax) pairArg[i] = takeRight ? 2 * i + 1 : 2 * i;
  }
  const int outWidth = width / 2, outRows = channels * height / 2;
  for (int r = 0; r < outRows; ++r) {
    const Scalar* top = pairMax + 2 * r * outWidth;
    const Scalar* bottom = top + outWidth;
    Scalar* out = dst + r * outWidth;
    for (int x = 0; x < outWidth; ++x) {
      const bool takeBottom = bottom[x] > top[x];
      out[x] = takeBottom ? bottom[x] : top[x];
    }
    if constexpr (kTrackArgmax) {
      const int* topArg = pairArg + 2 * r * outWidth;
      const int* bottomArg = topArg + outWidth;
      int* outArg = arg + r * outWidth;
      for (int x = 0; x < outWidth; ++x) outArg[x] = bottom[x] > top[x] ? bottomArg[x] : topArg[x];
    }
  }
}

}  // namespace

Shape MaxPool2D::outputShapeFor(Shape input, int kernel, int stride) {
  return Shape{input.channels, (input.height - kernel) / stride + 1, (input.width - kernel) / stride + 1};
}

MaxPool2D::MaxPool2D(std::string name, Shape input, int kernel, int stride)
    : Layer("maxpool2d", std::move(name), input, outputShapeFor(input, kernel, stride)),
      kernel_(kernel), stride_(stride) {
  if (kernel <= 0 || stride <= 0) throw std::invalid_argument("maxpool2d: kernel and stride must be > 0");
  if (input.height < kernel || input.width < kernel)
    throw std::invalid_argument("maxpool2d: kernel larger than the input");
}

bool MaxPool2D::isNonOverlapping2x2() const {
  return kernel_ == 2 && stride_ == 2 && inputShape().height % 2 == 0 && inputShape().width % 2 == 0;
}

std::unique_ptr<LayerState> MaxPool2D::makeState() const { return std::make_unique<MaxPoolState>(); }

void MaxPool2D::forward(const ParameterStore& /*params*/, const ConstMatrixRef& in, Matrix& out, LayerState& state,
                        const ForwardContext& context) const {
  auto& st = static_cast<MaxPoolState&>(state);
  const Shape is = inputShape(), os = outputShape();
  const Eigen::Index rows = in.rows();
  const int outSize = os.size();
  out.resize(rows, outSize);
  st.argmax.resize(static_cast<std::size_t>(rows) * outSize);
  if (isNonOverlapping2x2()) {
    st.pairMax.resize(static_cast<std::size_t>(is.size()) / 2);
    st.pairArg.resize(st.pairMax.size());
    for (Eigen::Index n = 0; n < rows; ++n) {
      const Scalar* src = in.data() + n * in.outerStride();
      Scalar* dst = out.data() + n * outSize;
      int* arg = st.argmax.data() + n * outSize;
      if (context.training)  // only backward reads the argmax
        maxPool2x2<true>(src, is.channels, is.height, is.width, dst, arg, st.pairMax.data(), st.pairArg.data());
      else
        maxPool2x2<false>(src, is.channels, is.height, is.width, dst, arg, st.pairMax.data(), st.pairArg.data());
    }
    return;
  }
  for (Eigen::Index n = 0; n < rows; ++n) {
    const Scalar* src = in.data() + n * in.outerStride();
    Scalar* dst = out.data() + n * outSize;
    int* arg = st.argmax.data() + n * outSize;
    for (int c = 0; c < os.channels; ++c) {
      const int plane = c * is.height * is.width;
      for (int oy = 0; oy < os.height; ++oy) {
        for (int ox = 0; ox < os.width; ++ox) {
          const int first = plane + oy * stride_ * is.width + ox * stride_;
          int bestIndex = first;
          Scalar bestValue = src[first];
          // Selects instead of branches: which element wins is data-dependent and would
          // mispredict half the time. A strict '>' keeps the first maximum (row-major).
          for (int ki = 0; ki < kernel_; ++ki) {
            const int rowStart = first + ki * is.width;
            for (int kj = 0; kj < kernel_; ++kj) {
              const Scalar v = src[rowStart + kj];
              const bool greater = v > bestValue;
              bestValue = greater ? v : bestValue;
              bestIndex = greater ? rowStart + kj : bestIndex;
            }
          }
          const int o = (c * os.height + oy) * os.width + ox;
          dst[o] = bestValue;
          arg[o] = bestIndex;
        }
      }
    }
  }
}

void MaxPool2D::backward(const ParameterStore& /*params*/, const ConstMatrixRef& in, const ConstMatrixRef& /*out*/,
                         const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& /*grads*/,
                         LayerState& state) const {
  if (!dIn) return;
  const auto& st = static_cast<const MaxPoolState&>(state);
  const Eigen::Index rows = in.rows();
  const int outSize = outputShape().size();
  dIn->resize(rows, in.cols());
  if (isNonOverlapping2x2()) {
    // Every input lies in exactly one window: write each once instead of zeroing the whole
    // input gradient first and scattering into it.
    const Shape is = inputShape(), os = outputShape();
    for (Eigen::Index n = 0; n < rows; ++n) {
      Scalar* dst = dIn->data() + n * dIn->cols();
      const Scalar* src = dOut.data() + n * dOut.outerStride();
      const int* arg = st.argmax.data() + n * outSize;
      for (int r = 0; r < os.channels * os.height; ++r) {  // (channel, output row) pairs
        Scalar* top = dst + 2 * r * is.width;
        Scalar* bottom = top + is.width;
        std::fill(top, bottom + is.width, Scalar(0));
        for (int x = 0; x < os.width; ++x) dst[arg[r * os.width + x]] = src[r * os.width + x];
      }
    }
    return;
  }
  dIn->setZero();
  for (Eigen::Index n = 0; n < rows; ++n) {
    Scalar* dst = dIn->data() + n * dIn->cols();
    const Scalar* src = dOut.data() + n * dOut.outerStride();
    const int* arg = st.argmax.data() + n * outSize;
    for (int o = 0; o < outSize; ++o) dst[arg[o]] += src[o];
  }
}

}  // namespace larslab::nn
