#include "nn/loss.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "text/format.h"

namespace larslab::nn {
namespace {

bool validLabel(Scalar value, Eigen::Index classes) {
  return value >= 0 && value < static_cast<Scalar>(classes) && value == std::floor(value);
}

[[noreturn]] void labelError(Scalar value, Eigen::Index row, Eigen::Index classes) {
  throw std::invalid_argument("cross_entropy: label " + text::formatNumber(value) + " in row " + std::to_string(row) +
                              " is not an integer in [0, " + std::to_string(classes) + ")");
}

}  // namespace

void Loss::checkTargets(const ConstMatrixRef& target, int /*outputs*/) const {
  for (Eigen::Index r = 0; r < target.rows(); ++r)
    for (Eigen::Index c = 0; c < target.cols(); ++c)
      if (!std::isfinite(target(r, c)))
        throw std::invalid_argument(std::string(name()) + ": target in row " + std::to_string(r) + " is not finite");
}

void SoftmaxCrossEntropy::checkTargets(const ConstMatrixRef& target, int outputs) const {
  for (Eigen::Index r = 0; r < target.rows(); ++r)
    if (!validLabel(target(r, 0), outputs)) labelError(target(r, 0), r, outputs);
}

LossSum SoftmaxCrossEntropy::compute(const ConstMatrixRef& out, const ConstMatrixRef& target, Matrix* dOut,
                                     Scalar gradScale) const {
  const Eigen::Index rows = out.rows();
  const Eigen::Index classes = out.cols();
  if (dOut) dOut->resize(rows, classes);
  LossSum result;
  for (Eigen::Index r = 0; r < rows; ++r) {
    const Scalar labelValue = target(r, 0);
    if (!validLabel(labelValue, classes)) labelError(labelValue, r, classes);
    const auto label = static_cast<Eigen::Index>(labelValue);
    const Eigen::Map<const RowVector> z(out.data() + r * out.outerStride(), classes);
    Eigen::Index argmax = 0;
    const Scalar maxValue = z.maxCoeff(&argmax);
    if (argmax == label) ++result.correct;
    const Scalar sumExp = (z.array() - maxValue).exp().sum();
    const Scalar logSumExp = maxValue + std::log(sumExp);
    result.sum += static_cast<double>(logSumExp - z[label]);
    if (dOut) {
      Eigen::Map<RowVector> g(dOut->data() + r * classes, classes);
      g.array() = (z.array() - maxValue).exp() * (gradScale / sumExp);
      g[label] -= gradScale;
    }
  }
  return result;
}

LossSum MeanSquaredError::compute(const ConstMatrixRef& out, const ConstMatrixRef& target, Matrix* dOut,
                                  Scalar gradScale) const {
  const Eigen::Index rows = out.rows();
  const Eigen::Index outputs = out.cols();
  const Scalar invOutputs = Scalar(1) / static_cast<Scalar>(outputs);
  LossSum result;
  for (Eigen::Index r = 0; r < rows; ++r)
    result.sum += static_cast<double>((out.row(r) - target.row(r)).squaredNorm() * invOutputs);
  if (dOut) {
    dOut->resize(rows, outputs);
    dOut->noalias() = (out - target) * (Scalar(2) * invOutputs * gradScale);
  }
  return result;
}

std::unique_ptr<Loss> makeLoss(const std::string& name) {
  if (name == "cross_entropy") return std::make_unique<SoftmaxCrossEntropy>();
  if (name == "mse") return std::make_unique<MeanSquaredError>();
  return nullptr;
}

}  // namespace larslab::nn
