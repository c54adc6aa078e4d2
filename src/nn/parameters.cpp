#include "nn/parameters.h"

#include <numeric>
#include <stdexcept>

namespace larslab::nn {

const char* tensorKindName(TensorKind kind) {
  switch (kind) {
    case TensorKind::Weight: return "weight";
    case TensorKind::Bias: return "bias";
    case TensorKind::Norm: return "norm";
    case TensorKind::Statistic: return "statistic";
  }
  return "unknown";
}

int ParameterLayout::add(std::string name, TensorKind kind, std::vector<int> shape) {
  if (indexOf(name) >= 0) throw std::invalid_argument("duplicate tensor name: " + name);
  TensorInfo info;
  info.name = std::move(name);
  info.kind = kind;
  info.size = std::accumulate(shape.begin(), shape.end(), std::size_t{1},
                              [](std::size_t a, int b) { return a * static_cast<std::size_t>(b); });
  info.shape = std::move(shape);
  info.offset = totalSize_;
  totalSize_ += info.size;
  tensors_.push_back(std::move(info));
  return count() - 1;
}

int ParameterLayout::indexOf(const std::string& name) const {
  for (int i = 0; i < count(); ++i)
    if (tensors_[i].name == name) return i;
  return -1;
}

ParameterStore::ParameterStore(std::shared_ptr<const ParameterLayout> layout)
    : layout_(std::move(layout)), values_(Vector::Zero(static_cast<Eigen::Index>(layout_->totalSize()))) {}

VectorMap ParameterStore::vector(int index) {
  const auto& t = layout_->tensor(index);
  return {values_.data() + t.offset, static_cast<Eigen::Index>(t.size)};
}
ConstVectorMap ParameterStore::vector(int index) const {
  const auto& t = layout_->tensor(index);
  return {values_.data() + t.offset, static_cast<Eigen::Index>(t.size)};
}
MatrixMap ParameterStore::matrix(int index) {
  const auto& t = layout_->tensor(index);
  return {values_.data() + t.offset, t.rows(), t.cols()};
}
ConstMatrixMap ParameterStore::matrix(int index) const {
  const auto& t = layout_->tensor(index);
  return {values_.data() + t.offset, t.rows(), t.cols()};
}

}  // namespace larslab::nn
