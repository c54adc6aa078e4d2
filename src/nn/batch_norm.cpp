#include <cmath>
#include <stdexcept>

#include "nn/layers.h"

namespace larslab::nn {
namespace {

using RowMap = Eigen::Map<RowVector>;
using ConstRowMap = Eigen::Map<const RowVector>;

struct BatchNormState final : LayerState {
  bool training = false;  // mode of the latest forward
  Eigen::Index count = 0; // values per channel in the latest training forward
  Vector mean;            // batch mean (training)
  Vector var;             // biased batch variance (training)
  Vector invStd;          // 1/sqrt(var + eps): batch (training) or running (eval) variance
  Vector scale;           // gamma * invStd, and gamma * invStd / count in backward
  Matrix xhat;            // normalised input
};

}  // namespace

BatchNorm::BatchNorm(std::string name, Shape input, double momentum, double eps)
    : Layer("batchnorm", std::move(name), input, input), momentum_(momentum), eps_(eps) {
  if (!(momentum >= 0.0 && momentum <= 1.0)) throw std::invalid_argument("batchnorm: momentum must be in [0, 1]");
  if (!(eps > 0.0)) throw std::invalid_argument("batchnorm: eps must be > 0");
}

void BatchNorm::registerTensors(ParameterLayout& layout) {
  const int c = inputShape().channels;
  gamma_ = addTensor(layout, "gamma", TensorKind::Norm, {c});
  beta_ = addTensor(layout, "beta", TensorKind::Norm, {c});
  runningMean_ = addTensor(layout, "running_mean", TensorKind::Statistic, {c});
  runningVar_ = addTensor(layout, "running_var", TensorKind::Statistic, {c});
}

void BatchNorm::initialize(ParameterStore& params, std::uint64_t /*seed*/) const {
  params.vector(gamma_).setOnes();
  params.vector(beta_).setZero();
  params.vector(runningMean_).setZero();
  params.vector(runningVar_).setOnes();
}

std::unique_ptr<LayerState> BatchNorm::makeState() const { return std::make_unique<BatchNormState>(); }

void BatchNorm::forward(const ParameterStore& params, const ConstMatrixRef& in, Matrix& out, LayerState& state,
                        const ForwardContext& context) const {
  auto& st = static_cast<BatchNormState&>(state);
  const int channels = inputShape().channels;
  const int spatial = inputShape().height * inputShape().width;
  const Eigen::Index rows = in.rows();
  const ConstVectorMap gamma = params.vector(gamma_);
  const ConstVectorMap beta = params.vector(beta_);
  st.training = context.training;
  st.mean.resize(channels);
  st.var.resize(channels);
  st.invStd.resize(channels);
  st.scale.resize(channels);
  st.xhat.resize(rows, in.cols());
  out.resize(rows, in.cols());

  if (context.training) {
    st.count = rows * spatial;
    const Scalar invCount = Scalar(1) / static_cast<Scalar>(st.count);
    // Two passes (mean, then squared deviations) for a stable variance.
    if (spatial == 1) {
      st.mean.noalias() = in.colwise().sum().transpose() * invCount;
      st.xhat.noalias() = in.rowwise() - st.mean.transpose();
      st.var.noalias() = st.xhat.colwise().squaredNorm().transpose() * invCount;
    } else {
      st.mean.setZero();
      for (Eigen::Index n = 0; n < rows; ++n)
        for (int c = 0; c < channels; ++c) st.mean[c] += ConstRowMap(in.data() + n * in.outerStride() + c * spatial, spatial).sum();
      st.mean *= invCount;
      st.var.setZero();
      for (Eigen::Index n = 0; n < rows; ++n) {
        for (int c = 0; c < channels; ++c) {
          RowMap centred(st.xhat.data() + n * st.xhat.cols() + c * spatial, spatial);
          centred.array() = ConstRowMap(in.data() + n * in.outerStride() + c * spatial, spatial).array() - st.mean[c];
          st.var[c] += centred.squaredNorm();
        }
      }
      st.var *= invCount;
    }
    st.invStd.array() = (st.var.array() + static_cast<Scalar>(eps_)).rsqrt();
  } else {
    const ConstVectorMap runningMean = params.vector(runningMean_);
    const ConstVectorMap runningVar = params.vector(runningVar_);
    st.invStd.array() = (runningVar.array() + static_cast<Scalar>(eps_)).rsqrt();
    if (spatial == 1) {
      st.xhat.noalias() = in.rowwise() - runningMean.transpose();
    } else {
      for (Eigen::Index n = 0; n < rows; ++n)
        for (int c = 0; c < channels; ++c)
          st.xhat.row(n).segment(c * spatial, spatial).array() =
              in.row(n).segment(c * spatial, spatial).array() - runningMean[c];
    }
  }

  // xhat *= invStd; out = gamma * xhat + beta
  if (spatial == 1) {
    st.xhat.array().rowwise() *= st.invStd.transpose().array();
    out.array() = (st.xhat.array().rowwise() * gamma.transpose().array()).rowwise() + beta.transpose().array();
  } else {
    for (Eigen::Index n = 0; n < rows; ++n) {
      for (int c = 0; c < channels; ++c) {
        RowMap xh(st.xhat.data() + n * st.xhat.cols() + c * spatial, spatial);
        xh *= st.invStd[c];
        out.row(n).segment(c * spatial, spatial).array() = xh.array() * gamma[c] + beta[c];
      }
    }
  }
}

void BatchNorm::backward(const ParameterStore& params, const ConstMatrixRef& in, const ConstMatrixRef& /*out*/,
                         const ConstMatrixRef& dOut, Matrix* dIn, ParameterStore& grads, LayerState& state) const {
  auto& st = static_cast<BatchNormState&>(state);
  const int channels = inputShape().channels;
  const int spatial = inputShape().height * inputShape().width;
  const Eigen::Index rows = in.rows();
  const ConstVectorMap gamma = params.vector(gamma_);
  VectorMap dGamma = grads.vector(gamma_);
  VectorMap dBeta = grads.vector(beta_);

  if (spatial == 1) {
    dBeta.noalias() = dOut.colwise().sum().transpose();
    dGamma.noalias() = (dOut.array() * st.xhat.array()).matrix().colwise().sum().transpose();
  } else {
    dBeta.setZero();
    dGamma.setZero();
    for (Eigen::Index n = 0; n < rows; ++n) {
      for (int c = 0; c < channels; ++c) {
        const ConstRowMap dy(dOut.data() + n * dOut.outerStride() + c * spatial, spatial);
        dBeta[c] += dy.sum();
        dGamma[c] += dy.dot(ConstRowMap(st.xhat.data() + n * st.xhat.cols() + c * spatial, spatial));
      }
    }
  }
  if (!dIn) return;
  dIn->resize(rows, in.cols());

  if (!st.training) {
    // Eval mode: an affine map per channel.
    st.scale.array() = gamma.array() * st.invStd.array();
    if (spatial == 1) {
      dIn->array() = dOut.array().rowwise() * st.scale.transpose().array();
    } else {
      for (Eigen::Index n = 0; n < rows; ++n)
        for (int c = 0; c < channels; ++c)
          dIn->row(n).segment(c * spatial, spatial) = dOut.row(n).segment(c * spatial, spatial) * st.scale[c];
    }
    return;
  }

  // dx = gamma * invStd / M * (M * dy - sum(dy) - xhat * sum(dy * xhat)), M values per channel.
  const Scalar count = static_cast<Scalar>(st.count);
  st.scale.array() = gamma.array() * st.invStd.array() / count;
  if (spatial == 1) {
    dIn->array() = ((dOut.array() * count).rowwise() - dBeta.transpose().array() -
                    st.xhat.array().rowwise() * dGamma.transpose().array())
                       .rowwise() *
                   st.scale.transpose().array();
  } else {
    for (Eigen::Index n = 0; n < rows; ++n) {
      for (int c = 0; c < channels; ++c) {
        dIn->row(n).segment(c * spatial, spatial).array() =
            (dOut.row(n).segment(c * spatial, spatial).array() * count - dBeta[c] -
             st.xhat.row(n).segment(c * spatial, spatial).array() * dGamma[c]) *
            st.scale[c];
      }
    }
  }
}

void BatchNorm::updateStatistics(ParameterStore& params, std::span<const LayerState* const> shardStates) const {
  VectorMap runningMean = params.vector(runningMean_);
  VectorMap runningVar = params.vector(runningVar_);
  const int channels = inputShape().channels;
  for (int c = 0; c < channels; ++c) {
    // Exact combination of the shard statistics (Chan et al.) into whole-batch statistics.
    double total = 0.0, weightedMean = 0.0;
    for (const LayerState* s : shardStates) {
      const auto* st = static_cast<const BatchNormState*>(s);
      if (!st->training) continue;
      total += static_cast<double>(st->count);
      weightedMean += static_cast<double>(st->count) * st->mean[c];
    }
    if (total <= 0.0) return;
    const double mean = weightedMean / total;
    double m2 = 0.0;
    for (const LayerState* s : shardStates) {
      const auto* st = static_cast<const BatchNormState*>(s);
      if (!st->training) continue;
      const double d = st->mean[c] - mean;
      m2 += static_cast<double>(st->count) * (st->var[c] + d * d);
    }
    const double unbiased = total > 1.0 ? m2 / (total - 1.0) : 0.0;
    runningMean[c] = static_cast<Scalar>((1.0 - momentum_) * runningMean[c] + momentum_ * mean);
    runningVar[c] = static_cast<Scalar>((1.0 - momentum_) * runningVar[c] + momentum_ * unbiased);
  }
}

}  // namespace larslab::nn
