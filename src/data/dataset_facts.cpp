#include "data/dataset_facts.h"

#include <algorithm>
#include <cmath>

#include "data/synthetic.h"

namespace larslab::data {

bool isSyntheticRegression(const std::string& kind) { return kind.rfind("regression_", 0) == 0; }

std::optional<DatasetFacts> syntheticFacts(const std::string& kind, int samples, double testFraction) {
  const auto& kinds = syntheticKinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return std::nullopt;
  DatasetFacts f;
  f.inputShape = nn::Shape{1, 1, 2};  // every synthetic kind has two features
  f.classes = isSyntheticRegression(kind) ? 0 : 2;
  f.outputs = isSyntheticRegression(kind) ? 1 : 2;
  // The split is stratified per class with round(n_c * fraction) test samples; this matches it
  // to within one sample per class, enough for a batch-size sanity check.
  f.trainSize = samples - std::lround(samples * testFraction);
  return f;
}

DatasetFacts fashionMnistFacts(int trainLimit) {
  DatasetFacts f;
  f.inputShape = nn::Shape{1, 28, 28};
  f.classes = kFashionMnistClasses;
  f.outputs = kFashionMnistClasses;
  f.trainSize = trainLimit > 0 ? trainLimit : kFashionMnistTrainImages;
  return f;
}

DatasetFacts csvFacts(const CsvInspection& inspection, bool regression) {
  DatasetFacts f;
  f.inputShape = nn::Shape{1, 1, inspection.features};
  f.classes = regression ? 0 : static_cast<int>(inspection.classNames.size());
  f.outputs = regression ? 1 : f.classes;
  f.trainSize = inspection.trainRows;
  return f;
}

}  // namespace larslab::data
