#include "reference_optimizers.h"

#include <algorithm>
#include <cmath>

#include "nn/float_mode.h"

namespace larslab::optim::reference {

namespace {

using Floats = std::vector<float>;

// The chain's fixed summation order (src/optim/transforms.h): squares in double, 16 interleaved
// lanes per block, the lanes added to the tail one after the other, block sums added in order
// per chunk of 16384 elements, chunk sums added in order. `block` is 256 for every norm except
// ||w|| and ||g|| of a LARS chain whose first pass runs no stage, which sums a whole chunk at once.
constexpr std::size_t kChunk = 16384;
constexpr std::size_t kBlock = 256;
constexpr std::size_t kLanes = 16;

template <typename Value>
double laneSum(const Value* x, std::size_t n) {
  double lanes[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (std::size_t k = 0; k < kLanes; ++k) lanes[k] += static_cast<double>(x[i + k]) * static_cast<double>(x[i + k]);
  double tail = 0.0;
  for (; i < n; ++i) tail += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  for (double lane : lanes) tail += lane;
  return tail;
}

template <typename Value>
double squaredNorm(const Value* x, std::size_t n, std::size_t block = kBlock) {
  double total = 0.0;
  for (std::size_t c = 0; c < n; c += kChunk) {
    const std::size_t end = std::min(c + kChunk, n);
    double chunk = 0.0;
    for (std::size_t b = c; b < end; b += block) chunk += laneSum(x + b, std::min(block, end - b));
    total += chunk;
  }
  return total;
}

float f32(double x) { return static_cast<float>(x); }

// d <- d + beta w, nothing at all when beta is 0.
void addDecay(Floats& d, const float* w, double beta) {
  if (beta == 0.0) return;
  const float b = f32(beta);
  for (std::size_t j = 0; j < d.size(); ++j) d[j] = d[j] + b * w[j];
}
// x <- s x
void scale(Floats& x, double s) {
  const float f = f32(s);
  for (float& v : x) v = v * f;
}
// v <- m v + d; then heavy ball: d <- v, Nesterov: d <- d + m v.
void momentumTrace(Floats& d, float* v, double momentum, bool nesterov) {
  const float m = f32(momentum);
  for (std::size_t j = 0; j < d.size(); ++j) v[j] = m * v[j] + d[j];
  if (nesterov) {
    for (std::size_t j = 0; j < d.size(); ++j) d[j] = d[j] + m * v[j];
  } else {
    for (std::size_t j = 0; j < d.size(); ++j) d[j] = v[j];
  }
}
// Adam with bias correction: m, v updated with d, then d <- m^ / (sqrt(v^) + eps).
void adam(Floats& d, float* m, float* v, double beta1, double beta2, double eps, long t) {
  const float b1 = f32(beta1), c1 = f32(1.0 - beta1), b2 = f32(beta2), c2 = f32(1.0 - beta2);
  const float k1 = f32(1.0 / (1.0 - std::pow(beta1, static_cast<double>(t))));
  const float k2 = f32(1.0 / (1.0 - std::pow(beta2, static_cast<double>(t))));
  const float e = f32(eps);
  for (std::size_t j = 0; j < d.size(); ++j) m[j] = b1 * m[j] + c1 * d[j];
  for (std::size_t j = 0; j < d.size(); ++j) v[j] = b2 * v[j] + c2 * d[j] * d[j];
  for (std::size_t j = 0; j < d.size(); ++j) d[j] = (k1 * m[j]) / (std::sqrt(k2 * v[j]) + e);
}

}  // namespace

struct ReferenceOptimizer::Tensor {
  const nn::TensorInfo* info;
  float* w;
  const float* g;
  bool excluded;
};

ReferenceOptimizer::ReferenceOptimizer(const ResolvedOptimizerConfig& config, const nn::ParameterLayout& layout)
    : type_(config.info->type),
      hyper_(config.hyperparameters),
      options_(config.options),
      tensors_(layout.tensors()) {
  const auto zeros = [&] { return nn::Vector::Zero(static_cast<Eigen::Index>(layout.totalSize())); };
  const bool lars = type_ == "lars" || type_ == "larc";
  if (type_ == "momentum" || type_ == "nesterov" || type_ == "rmsprop" || lars) state_["momentum"] = zeros();
  if (type_ == "adam" || type_ == "adamw" || type_ == "lamb") {
    state_["first_moment"] = zeros();
    state_["second_moment"] = zeros();
  }
  if (type_ == "rmsprop") state_["mean_square"] = zeros();
  if (type_ == "adagrad") state_["sum_of_squares"] = zeros();
}

const nn::Vector* ReferenceOptimizer::state(const std::string& name) const {
  const auto it = state_.find(name);
  return it == state_.end() ? nullptr : &it->second;
}

void ReferenceOptimizer::step(nn::ParameterStore& params, const nn::ParameterStore& grads, double lrFactor,
                              std::vector<TensorTelemetry>& telemetry) {
  const nn::FlushDenormals flush;  // the engine's float mode (nn/float_mode.h)
  ++count_;
  gamma_ = h("lr") * lrFactor;
  const bool excludeVectors = options_.count("exclude") != 0 && option("exclude", "vectors");
  telemetry.assign(tensors_.size(), TensorTelemetry{0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    const nn::TensorInfo& info = tensors_[i];
    if (!info.trainable()) continue;
    const bool vector = info.kind == nn::TensorKind::Bias || info.kind == nn::TensorKind::Norm;
    stepTensor(Tensor{&info, params.flat().data() + info.offset, grads.flat().data() + info.offset,
                      excludeVectors && vector},
               telemetry[i]);
  }
}

void ReferenceOptimizer::stepTensor(const Tensor& t, TensorTelemetry& out) {
  const std::size_t n = t.info->size;
  const auto slot = [&](const char* name) { return state_.at(name).data() + t.info->offset; };
  const Floats before(t.w, t.w + n);
  Floats u(t.g, t.g + n);  // the update, built formula by formula
  double ratio = 1.0;
  double localLr = gamma_;
  std::size_t normBlock = kBlock;

  if (type_ == "sgd") {  // w <- w - gamma (g + beta w)
    addDecay(u, t.w, h("weight_decay"));
    scale(u, gamma_);
  } else if (type_ == "momentum" || type_ == "nesterov") {  // v <- m v + (g + beta w); w <- w - gamma v (or d + m v)
    addDecay(u, t.w, h("weight_decay"));
    momentumTrace(u, slot("momentum"), h("momentum"), type_ == "nesterov");
    scale(u, gamma_);
  } else if (type_ == "adam") {  // Adam on d = g + beta w
    addDecay(u, t.w, h("weight_decay"));
    adam(u, slot("first_moment"), slot("second_moment"), h("beta1"), h("beta2"), h("eps"), count_);
    scale(u, gamma_);
  } else if (type_ == "adamw") {  // w <- w - gamma (Adam step on g + beta w)
    adam(u, slot("first_moment"), slot("second_moment"), h("beta1"), h("beta2"), h("eps"), count_);
    addDecay(u, t.w, h("weight_decay"));
    scale(u, gamma_);
  } else if (type_ == "rmsprop") {  // s <- a s + (1-a) d^2; v <- m v + d / (sqrt(s) + eps); w <- w - gamma v
    addDecay(u, t.w, h("weight_decay"));
    float* s = slot("mean_square");
    const float a = f32(h("alpha")), c = f32(1.0 - h("alpha")), e = f32(h("eps"));
    for (std::size_t j = 0; j < n; ++j) s[j] = a * s[j] + c * u[j] * u[j];
    for (std::size_t j = 0; j < n; ++j) u[j] = u[j] / (std::sqrt(s[j]) + e);
    momentumTrace(u, slot("momentum"), h("momentum"), false);
    scale(u, gamma_);
  } else if (type_ == "adagrad") {  // s <- s + d^2; w <- w - gamma d / (sqrt(s) + eps)
    addDecay(u, t.w, h("weight_decay"));
    float* s = slot("sum_of_squares");
    const float e = f32(h("eps"));
    for (std::size_t j = 0; j < n; ++j) s[j] = s[j] + u[j] * u[j];
    for (std::size_t j = 0; j < n; ++j) u[j] = u[j] / (std::sqrt(s[j]) + e);
    scale(u, gamma_);
  } else if (type_ == "lars" || type_ == "larc") {
    // lambda = eta ||w|| / (||g|| + beta ||w|| + eps)  or  eta ||w|| / (||g + beta w|| + eps);
    // f = lambda, or min(lambda / gamma, 1) with LARC clipping; excluded: f = 1, beta = 0;
    // ||w|| or the denominator's norm 0: lambda = 1 (ratio_one) or f = 1, beta = 0 (skip).
    // inside: v <- m v + gamma f (g + beta w), w <- w - v; outside: v <- m v + f (g + beta w), w <- w - gamma v.
    const bool gradPlusDecay = option("denominator", "grad_plus_decay");
    if (gradPlusDecay) normBlock = kChunk;
    const double wNorm = std::sqrt(squaredNorm(t.w, n, normBlock));
    const double gNorm = std::sqrt(squaredNorm(t.g, n, normBlock));
    double beta = t.excluded ? 0.0 : h("weight_decay");
    Floats d = u;
    addDecay(d, t.w, beta);
    const double dNorm = std::sqrt(squaredNorm(d.data(), n));
    double f = 1.0;
    if (!t.excluded) {
      const bool zero = wNorm == 0.0 || (gradPlusDecay ? gNorm : dNorm) == 0.0;
      if (zero && option("zero_norm", "skip")) {
        beta = 0.0;
      } else {
        if (!zero) ratio = h("eta") * wNorm / ((gradPlusDecay ? gNorm + beta * wNorm : dNorm) + h("eps"));
        f = option("clipping", "larc") ? std::min(ratio / gamma_, 1.0) : ratio;
      }
    }
    addDecay(u, t.w, beta);
    scale(u, f);
    const bool nesterov = option("momentum_kind", "nesterov");
    if (option("lr_placement", "inside")) {
      scale(u, gamma_);
      momentumTrace(u, slot("momentum"), h("momentum"), nesterov);
    } else {
      momentumTrace(u, slot("momentum"), h("momentum"), nesterov);
      scale(u, gamma_);
    }
    localLr = gamma_ * f;
  } else if (type_ == "lamb") {
    // r = Adam step (bias-corrected) + beta w; w <- w - gamma phi(||w||) / ||r|| r; ratio 1 on a zero norm;
    // excluded: beta = 0, ratio 1.
    adam(u, slot("first_moment"), slot("second_moment"), h("beta1"), h("beta2"), h("eps"), count_);
    addDecay(u, t.w, t.excluded ? 0.0 : h("weight_decay"));
    const double wNorm = std::sqrt(squaredNorm(t.w, n));
    const double rNorm = std::sqrt(squaredNorm(u.data(), n));
    if (!t.excluded && wNorm != 0.0 && rNorm != 0.0)
      ratio = (option("phi", "clamp") ? std::min(wNorm, h("clamp_max")) : wNorm) / rNorm;
    scale(u, ratio);
    scale(u, gamma_);
    localLr = gamma_ * ratio;
  } else {
    throw std::invalid_argument("reference optimizer: no formula for '" + type_ + "'");
  }

  // w <- w - u, and the telemetry of the values actually stored.
  for (std::size_t j = 0; j < n; ++j) t.w[j] = t.w[j] - u[j];
  std::vector<double> change(n);
  for (std::size_t j = 0; j < n; ++j) change[j] = static_cast<double>(t.w[j]) - static_cast<double>(before[j]);
  out.weightNorm = std::sqrt(squaredNorm(before.data(), n, normBlock));
  out.gradNorm = std::sqrt(squaredNorm(t.g, n, normBlock));
  out.trustRatio = ratio;
  out.localLr = localLr;
  out.updateNorm = std::sqrt(squaredNorm(change.data(), n));
  out.updateRatio = out.updateNorm / out.weightNorm;
}

}  // namespace larslab::optim::reference
