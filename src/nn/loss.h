#pragma once
// Losses over a block of rows (one shard). A loss returns the SUM of the per-sample losses of
// its rows and writes gradScale * d(sum)/d(out); with gradScale = 1 / (whole batch size) the
// shard gradients add up exactly to the gradient of the batch-mean loss.

#include <memory>
#include <string>

#include "nn/tensor.h"

namespace larslab::nn {

struct LossSum {
  double sum = 0.0;  // sum of per-sample losses over the rows
  int correct = 0;   // rows whose argmax equals the label (classification losses only)
};

class Loss {
 public:
  virtual ~Loss() = default;
  [[nodiscard]] virtual const char* name() const = 0;  // "cross_entropy", "mse"
  // Columns the target matrix must have for a network with `outputs` outputs.
  [[nodiscard]] virtual int targetColumns(int outputs) const = 0;
  [[nodiscard]] virtual bool isClassification() const = 0;
  // Throws std::invalid_argument naming the first invalid target row (e.g. a label that is not
  // an integer in [0, classes)). The default accepts every finite value.
  virtual void checkTargets(const ConstMatrixRef& target, int outputs) const;
  // dOut may be null (evaluation). Throws std::invalid_argument on an invalid label.
  virtual LossSum compute(const ConstMatrixRef& out, const ConstMatrixRef& target, Matrix* dOut,
                          Scalar gradScale) const = 0;
};

// Softmax + cross-entropy on logits, with integer labels in an N x 1 matrix. Per sample
// loss = logsumexp(z) - z[label], computed with the max subtracted; d/dz = softmax(z) - onehot.
class SoftmaxCrossEntropy final : public Loss {
 public:
  [[nodiscard]] const char* name() const override { return "cross_entropy"; }
  [[nodiscard]] int targetColumns(int /*outputs*/) const override { return 1; }
  [[nodiscard]] bool isClassification() const override { return true; }
  void checkTargets(const ConstMatrixRef& target, int outputs) const override;
  LossSum compute(const ConstMatrixRef& out, const ConstMatrixRef& target, Matrix* dOut,
                  Scalar gradScale) const override;
};

// Per sample loss = mean over the K outputs of (out - target)^2, so that the batch mean equals
// torch.nn.MSELoss() (reduction 'mean' over samples AND outputs).
class MeanSquaredError final : public Loss {
 public:
  [[nodiscard]] const char* name() const override { return "mse"; }
  [[nodiscard]] int targetColumns(int outputs) const override { return outputs; }
  [[nodiscard]] bool isClassification() const override { return false; }
  LossSum compute(const ConstMatrixRef& out, const ConstMatrixRef& target, Matrix* dOut,
                  Scalar gradScale) const override;
};

// "cross_entropy" or "mse"; nullptr when unknown.
std::unique_ptr<Loss> makeLoss(const std::string& name);

}  // namespace larslab::nn
