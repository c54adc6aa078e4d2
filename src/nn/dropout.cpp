#include <stdexcept>

#include "nn/layers.h"
#include "nn/random.h"

namespace larslab::nn {
namespace {

struct DropoutState final : LayerState {
  bool training = false;
  Matrix mask;  // 0 or 1/(1-rate) per element of the shard
};

}  // namespace

Dropout::Dropout(std::string name, Shape input, double rate)
    : Layer("dropout", std::move(name), input, input), rate_(rate) {
  if (!(rate >= 0.0 && rate < 1.0)) throw std::invalid_argument("dropout: rate must be in [0, 1)");
}

std::unique_ptr<LayerState> Dropout::makeState() const { return std::make_unique<DropoutState>(); }

void Dropout::forward(const ParameterStore& /*params*/, const ConstMatrixRef& in, Matrix& out, LayerState& state,
                      const ForwardContext& context) const {
  auto& st = static_cast<DropoutState&>(state);
  st.training = context.training && rate_ > 0.0;
  out.resize(in.rows(), in.cols());
  if (!st.training) {
    out = in;
    return;
  }
  st.mask.resize(in.rows(), in.cols());
  const auto rate = static_cast<float>(rate_);
  const auto keep = static_cast<Scalar>(1.0 / (1.0 - rate_));
  Scalar* mask = st.mask.data();
  const Eigen::Index size = st.mask.size();
  for (Eigen::Index i = 0; i < size; ++i)
    mask[i] = unitFloat(mixSeed(context.seed, static_cast<std::uint64_t>(i))) >= rate ? keep : Scalar(0);
  out.array() = in.array() * st.mask.array();
}

void Dropout::backward(const ParameterStore& /*params*/, const ConstMatrixRef& in, const ConstMatrixRef& /*out*/,
                       const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& /*grads*/, LayerState& state) const {
  if (!dIn) return;
  const auto& st = static_cast<const DropoutState&>(state);
  dIn->resize(in.rows(), in.cols());
  if (st.training)
    dIn->array() = dOut.array() * st.mask.array();
  else
    *dIn = dOut;
}

}  // namespace larslab::nn
