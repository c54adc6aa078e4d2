#pragma once
// Every trainable tensor of a network lives in one flat buffer; a ParameterLayout names the
// slices. Gradients, optimizer state and saved weights reuse the same layout, so "tensor i"
// means the same slice everywhere. A "layer" for the optimizers is one tensor (a dense
// layer's weight and bias are two), exactly as in every public LARS implementation.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "nn/tensor.h"

namespace larslab::nn {

// Weight: matrices and convolution kernels. Bias and Norm (BatchNorm gamma/beta) are the
// 1-D tensors that LARS variants commonly exclude. Statistic: non-trainable state such as
// BatchNorm running mean/variance, skipped by every optimizer and by telemetry.
enum class TensorKind { Weight, Bias, Norm, Statistic };

const char* tensorKindName(TensorKind kind);

struct TensorInfo {
  std::string name;          // "dense1.weight", "bn1.gamma", ...
  TensorKind kind = TensorKind::Weight;
  std::vector<int> shape;    // PyTorch layout: dense (out, in), conv (out, in, kh, kw), bias (out)
  std::size_t offset = 0;    // first element in the flat buffer
  std::size_t size = 0;      // product of shape
  [[nodiscard]] bool trainable() const { return kind != TensorKind::Statistic; }
  [[nodiscard]] int rows() const { return shape.empty() ? 1 : shape.front(); }
  [[nodiscard]] int cols() const { return rows() == 0 ? 0 : static_cast<int>(size / rows()); }
};

class ParameterLayout {
 public:
  // Returns the tensor's index. Names must be unique.
  int add(std::string name, TensorKind kind, std::vector<int> shape);
  [[nodiscard]] const std::vector<TensorInfo>& tensors() const { return tensors_; }
  [[nodiscard]] const TensorInfo& tensor(int index) const { return tensors_.at(index); }
  [[nodiscard]] int count() const { return static_cast<int>(tensors_.size()); }
  [[nodiscard]] std::size_t totalSize() const { return totalSize_; }
  // -1 when there is no tensor of that name.
  [[nodiscard]] int indexOf(const std::string& name) const;

 private:
  std::vector<TensorInfo> tensors_;
  std::size_t totalSize_ = 0;
};

// A flat buffer laid out by a ParameterLayout: parameters, gradients, optimizer state.
class ParameterStore {
 public:
  ParameterStore() = default;
  explicit ParameterStore(std::shared_ptr<const ParameterLayout> layout);

  [[nodiscard]] const ParameterLayout& layout() const { return *layout_; }
  [[nodiscard]] const std::shared_ptr<const ParameterLayout>& layoutPtr() const { return layout_; }
  [[nodiscard]] Vector& flat() { return values_; }
  [[nodiscard]] const Vector& flat() const { return values_; }

  // Tensor `index` as a vector or as a (rows x cols) row-major matrix.
  [[nodiscard]] VectorMap vector(int index);
  [[nodiscard]] ConstVectorMap vector(int index) const;
  [[nodiscard]] MatrixMap matrix(int index);
  [[nodiscard]] ConstMatrixMap matrix(int index) const;

  void setZero() { values_.setZero(); }

 private:
  std::shared_ptr<const ParameterLayout> layout_;
  Vector values_;
};

}  // namespace larslab::nn
