#include <stdexcept>
#include <vector>

#include "nn/layers.h"

namespace larslab::nn {
namespace {

struct MaxPoolState final : LayerState {
  std::vector<int> argmax;  // per output element: index of the chosen input within the sample
};

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

std::unique_ptr<LayerState> MaxPool2D::makeState() const { return std::make_unique<MaxPoolState>(); }

void MaxPool2D::forward(const ParameterStore& /*params*/, const ConstMatrixRef& in, Matrix& out, LayerState& state,
                        const ForwardContext& /*context*/) const {
  auto& st = static_cast<MaxPoolState&>(state);
  const Shape is = inputShape(), os = outputShape();
  const Eigen::Index rows = in.rows();
  const int outSize = os.size();
  out.resize(rows, outSize);
  st.argmax.resize(static_cast<std::size_t>(rows) * outSize);
  for (Eigen::Index n = 0; n < rows; ++n) {
    const Scalar* src = in.data() + n * in.outerStride();
    Scalar* dst = out.data() + n * outSize;
    int* arg = st.argmax.data() + n * outSize;
    for (int c = 0; c < os.channels; ++c) {
      const int plane = c * is.height * is.width;
      if (kernel_ == 2 && stride_ == 2) {  // the common case, as a loop the compiler vectorises
        for (int oy = 0; oy < os.height; ++oy) {
          const int top = plane + 2 * oy * is.width;
          const Scalar* r0 = src + top;
          const Scalar* r1 = r0 + is.width;
          const int o = (c * os.height + oy) * os.width;
          for (int ox = 0; ox < os.width; ++ox) {
            // Same order and strict '>' as the general loop: the first maximum wins.
            Scalar best = r0[2 * ox];
            int index = top + 2 * ox;
            if (r0[2 * ox + 1] > best) best = r0[2 * ox + 1], index = top + 2 * ox + 1;
            if (r1[2 * ox] > best) best = r1[2 * ox], index = top + is.width + 2 * ox;
            if (r1[2 * ox + 1] > best) best = r1[2 * ox + 1], index = top + is.width + 2 * ox + 1;
            dst[o + ox] = best;
            arg[o + ox] = index;
          }
        }
        continue;
      }
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
  dIn->setZero();
  for (Eigen::Index n = 0; n < rows; ++n) {
    Scalar* dst = dIn->data() + n * dIn->cols();
    const Scalar* src = dOut.data() + n * dOut.outerStride();
    const int* arg = st.argmax.data() + n * outSize;
    for (int o = 0; o < outSize; ++o) dst[arg[o]] += src[o];
  }
}

}  // namespace larslab::nn
