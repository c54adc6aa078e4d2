#include <stdexcept>

#include "nn/gemm.h"
#include "nn/layers.h"

namespace larslab::nn {
namespace {

struct DenseState final : LayerState {
  GemmWorkspace gemm;
};

}  // namespace

Dense::Dense(std::string name, Shape input, int units, InitSpec init)
    : Layer("dense", std::move(name), input, Shape{units, 1, 1}), init_(init) {
  if (units <= 0) throw std::invalid_argument("dense: units must be > 0");
  if (input.size() <= 0) throw std::invalid_argument("dense: empty input");
}

void Dense::registerTensors(ParameterLayout& layout) {
  weight_ = addTensor(layout, "weight", TensorKind::Weight, {units(), inputShape().size()});
  bias_ = addTensor(layout, "bias", TensorKind::Bias, {units()});
}

Layer::Fans Dense::weightFans() const { return {inputShape().size(), units()}; }

void Dense::initialize(ParameterStore& params, std::uint64_t seed) const {
  const auto& layout = params.layout();
  const Fans fans = weightFans();
  initializeTensor(params.vector(weight_), init_, fans.in, fans.out, tensorSeed(seed, layout.tensor(weight_).name));
  params.vector(bias_).setZero();
}

std::unique_ptr<LayerState> Dense::makeState() const { return std::make_unique<DenseState>(); }

void Dense::forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
                    const ForwardContext& /*context*/) const {
  auto& st = static_cast<DenseState&>(state);
  const ConstMatrixMap w = params.matrix(weight_);
  const ConstVectorMap b = params.vector(bias_);
  out.resize(in.rows(), units());
  st.gemm.multiply(out, plain(in), transposed(w));  // in * W^T
  out.rowwise() += b.transpose();
}

void Dense::backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& /*out*/,
                     const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const {
  auto& st = static_cast<DenseState&>(state);
  MatrixMap dW = grads.matrix(weight_);
  st.gemm.multiply(dW.data(), dW.cols(), transposed(dOut), plain(in));  // dOut^T * in
  VectorMap db = grads.vector(bias_);
  db.noalias() = dOut.colwise().sum().transpose();
  if (dIn) {
    const ConstMatrixMap w = params.matrix(weight_);
    dIn->resize(in.rows(), in.cols());
    st.gemm.multiply(*dIn, plain(dOut), plain(w));  // dOut * W
  }
}

}  // namespace larslab::nn
