#pragma once
// What a model predicts over a rectangle of a 2-D input plane: the decision boundary view draws
// it under the data points. Cells are predicted with the same inference as the test-set
// evaluation (nn::ShardedBackprop::predict: dropout off, BatchNorm running statistics), so a
// cell shows what the model says at its centre (to float rounding: a batch of one point is
// summed in another order by the GEMM).

#include <vector>

#include "data/dataset.h"
#include "nn/network.h"
#include "nn/parameters.h"

namespace larslab::engine {

struct PlaneGrid {
  double x0 = -1.0, x1 = 1.0;  // first input feature
  double y0 = -1.0, y1 = 1.0;  // second input feature
  int columns = 64;
  int rows = 64;
  // Centre of cell (column, row); row 0 is at y0.
  [[nodiscard]] double cellX(int column) const { return x0 + (column + 0.5) * (x1 - x0) / columns; }
  [[nodiscard]] double cellY(int row) const { return y0 + (row + 0.5) * (y1 - y0) / rows; }
};

// The bounding box of every train and test point, widened by `margin` times its span on each
// side. Needs 2-D features.
PlaneGrid planeAround(const data::DatasetSplit& split, int columns, int rows, double margin = 0.08);

// One value per cell, row-major from row 0: the predicted class (argmax) for a classifier, the
// first output for a regression model. The network must take 2 inputs.
std::vector<float> predictPlane(const nn::Network& network, const nn::ParameterStore& params, const PlaneGrid& grid,
                                bool classify);

}  // namespace larslab::engine
