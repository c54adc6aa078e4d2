#pragma once
// A labelled dataset held in memory, one sample per row.

#include <string>
#include <vector>

#include "nn/tensor.h"

namespace larslab::data {

struct Dataset {
  std::string name;
  nn::Matrix features;   // N x D (images flattened C,H,W)
  nn::Matrix targets;    // N x 1 class index for classification, N x K for regression
  int numClasses = 0;    // 0 means regression
  nn::Shape inputShape;  // shape of one sample; inputShape.size() == D
  std::vector<std::string> classNames;
  [[nodiscard]] int size() const { return static_cast<int>(features.rows()); }
  [[nodiscard]] bool isClassification() const { return numClasses > 0; }
};

struct DatasetSplit {
  Dataset train;
  Dataset test;
};

}  // namespace larslab::data
