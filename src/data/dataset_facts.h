#pragma once
// What the built-in datasets are before they are loaded: the facts that a model (input shape,
// outputs) and a batch size (training-split size) are checked against. A CSV file's facts are
// known only once it has been read (csvFacts).

#include <optional>
#include <string>

#include "data/csv.h"
#include "nn/tensor.h"

namespace larslab::data {

inline constexpr int kFashionMnistTrainImages = 60000;
inline constexpr int kFashionMnistClasses = 10;

struct DatasetFacts {
  nn::Shape inputShape;
  int classes = 0;  // 0: regression
  int outputs = 0;  // columns of the model output that the loss expects
  long trainSize = 0;
};

// regression_sine, regression_saddle: one real-valued target instead of a class.
bool isSyntheticRegression(const std::string& kind);
// Empty for a kind that is not synthetic.
std::optional<DatasetFacts> syntheticFacts(const std::string& kind, int samples, double testFraction);
// trainLimit > 0: only the first trainLimit training images.
DatasetFacts fashionMnistFacts(int trainLimit);
// The facts of a CSV file read without problems (inspection.problems empty).
DatasetFacts csvFacts(const CsvInspection& inspection, bool regression);

}  // namespace larslab::data
