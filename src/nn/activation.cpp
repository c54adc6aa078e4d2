#include <cmath>
#include <stdexcept>

#include "nn/layers.h"

namespace larslab::nn {

const char* activationKindName(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::Identity: return "identity";
    case ActivationKind::ReLU: return "relu";
    case ActivationKind::LeakyReLU: return "leaky_relu";
    case ActivationKind::Tanh: return "tanh";
    case ActivationKind::Sigmoid: return "sigmoid";
    case ActivationKind::GELU: return "gelu";
  }
  return "unknown";
}

Activation::Activation(std::string name, Shape input, ActivationKind kind, double slope)
    : Layer(activationKindName(kind), std::move(name), input, input), kind_(kind), slope_(static_cast<Scalar>(slope)) {
  if (!std::isfinite(slope)) throw std::invalid_argument("leaky_relu: slope must be finite");
}

namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

inline Scalar gelu(Scalar x) { return Scalar(0.5) * x * (Scalar(1) + std::erf(x * Scalar(kInvSqrt2))); }
// d/dx x*Phi(x) = Phi(x) + x*phi(x)
inline Scalar geluDerivative(Scalar x) {
  const Scalar cdf = Scalar(0.5) * (Scalar(1) + std::erf(x * Scalar(kInvSqrt2)));
  return cdf + x * Scalar(kInvSqrt2Pi) * std::exp(Scalar(-0.5) * x * x);
}

}  // namespace

void Activation::forward(const ParameterStore& /*params*/, const ConstMatrixRef& in, Matrix& out,
                         LayerState& /*state*/, const ForwardContext& /*context*/) const {
  out.resize(in.rows(), in.cols());
  switch (kind_) {
    case ActivationKind::Identity: out = in; return;
    case ActivationKind::ReLU: out.array() = in.array().max(Scalar(0)); return;
    case ActivationKind::LeakyReLU: out.array() = (in.array() > Scalar(0)).select(in.array(), in.array() * slope_); return;
    case ActivationKind::Tanh: out.array() = in.array().tanh(); return;
    case ActivationKind::Sigmoid: out.array() = (Scalar(1) + (-in.array()).exp()).inverse(); return;
    case ActivationKind::GELU:
      for (Eigen::Index r = 0; r < in.rows(); ++r) {
        const Scalar* src = in.data() + r * in.outerStride();
        Scalar* dst = out.data() + r * out.cols();
        for (Eigen::Index c = 0; c < in.cols(); ++c) dst[c] = gelu(src[c]);
      }
      return;
  }
}

void Activation::backward(const ParameterStore& /*params*/, const ConstMatrixRef& in, const ConstMatrixRef& out,
                          const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& /*grads*/,
                          LayerState& /*state*/) const {
  if (!dIn) return;
  dIn->resize(in.rows(), in.cols());
  switch (kind_) {
    case ActivationKind::Identity: *dIn = dOut; return;
    case ActivationKind::ReLU: dIn->array() = (in.array() > Scalar(0)).select(dOut.array(), Scalar(0)); return;
    case ActivationKind::LeakyReLU:
      dIn->array() = (in.array() > Scalar(0)).select(dOut.array(), dOut.array() * slope_);
      return;
    case ActivationKind::Tanh: dIn->array() = dOut.array() * (Scalar(1) - out.array().square()); return;
    case ActivationKind::Sigmoid: dIn->array() = dOut.array() * out.array() * (Scalar(1) - out.array()); return;
    case ActivationKind::GELU:
      for (Eigen::Index r = 0; r < in.rows(); ++r) {
        const Scalar* x = in.data() + r * in.outerStride();
        const Scalar* g = dOut.data() + r * dOut.outerStride();
        Scalar* dst = dIn->data() + r * dIn->cols();
        for (Eigen::Index c = 0; c < in.cols(); ++c) dst[c] = g[c] * geluDerivative(x[c]);
      }
      return;
  }
}

Flatten::Flatten(std::string name, Shape input) : Layer("flatten", std::move(name), input, Shape{input.size(), 1, 1}) {}

void Flatten::forward(const ParameterStore& /*params*/, const ConstMatrixRef& in, Matrix& out, LayerState& /*state*/,
                      const ForwardContext& /*context*/) const {
  out = in;
}

void Flatten::backward(const ParameterStore& /*params*/, const ConstMatrixRef& /*in*/, const ConstMatrixRef& /*out*/,
                       const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& /*grads*/, LayerState& /*state*/) const {
  if (dIn) *dIn = dOut;
}

}  // namespace larslab::nn
