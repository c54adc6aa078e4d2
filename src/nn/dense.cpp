#include <algorithm>
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
  if (!st.batchGradientsDeferred) {
    MatrixMap dW = grads.matrix(weight_);
    st.gemm.multiply(dW.data(), dW.cols(), transposed(dOut), plain(in));  // dOut^T * in
    VectorMap db = grads.vector(bias_);
    db.noalias() = dOut.colwise().sum().transpose();
  }
  if (dIn) {
    const ConstMatrixMap w = params.matrix(weight_);
    dIn->resize(in.rows(), in.cols());
    st.gemm.multiply(*dIn, plain(dOut), plain(w));  // dOut * W
  }
}

int Dense::batchGradientBlockUnits() const {
  // A block of the weight gradient (units x inputs) of at most ~64K values (256 KB) stays in the
  // L2 cache while the shards are added to it; multiples of 16 units suit the GEMM kernel.
  constexpr int kBlockValues = 1 << 16;
  const int fitting = std::max(16, kBlockValues / std::max(1, inputShape().size()) / 16 * 16);
  return std::min(units(), fitting);
}

void Dense::accumulateBatchGradients(std::span<const GemmOperand> shardInputs,
                                     std::span<const GemmOperand> shardOutputGradients, int unitBegin, int unitEnd,
                                     ParameterStore& grads, GemmWorkspace& gemm) const {
  if (shardInputs.size() != shardOutputGradients.size() || unitBegin < 0 || unitEnd > units() || unitBegin >= unitEnd)
    throw std::logic_error("Dense::accumulateBatchGradients: bad shards or units");
  const Eigen::Index n = unitEnd - unitBegin;
  MatrixMap dW = grads.matrix(weight_);
  Scalar* dWBlock = dW.data() + unitBegin * dW.cols();
  auto db = grads.vector(bias_).segment(unitBegin, n);
  using ColumnBlock = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
  for (std::size_t s = 0; s < shardInputs.size(); ++s) {
    const GemmOperand& in = shardInputs[s];
    const GemmOperand& dOut = shardOutputGradients[s];
    // dW[units] (+)= dOut[:, units]^T * in, in shard order: the same sum as per-shard gradients
    // added in shard order.
    const GemmOperand dOutBlockT{dOut.data + unitBegin, n, dOut.rows, dOut.stride, true};
    gemm.multiply(dWBlock, dW.cols(), dOutBlockT, in, /*accumulate=*/s > 0);
    const ColumnBlock dOutBlock(dOut.data + unitBegin, dOut.rows, n, Eigen::OuterStride<>(dOut.stride));
    if (s == 0)
      db.noalias() = dOutBlock.colwise().sum().transpose();
    else
      db.noalias() += dOutBlock.colwise().sum().transpose();
  }
}

}  // namespace larslab::nn
