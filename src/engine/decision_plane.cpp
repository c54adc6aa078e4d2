#include "engine/decision_plane.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "nn/backprop.h"

namespace larslab::engine {

PlaneGrid planeAround(const data::DatasetSplit& split, int columns, int rows, double margin) {
  if (split.train.features.cols() != 2) throw std::invalid_argument("planeAround: the inputs are not 2-D");
  double lo[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  double hi[2] = {-lo[0], -lo[1]};
  for (const data::Dataset* d : {&split.train, &split.test})
    for (Eigen::Index i = 0; i < d->features.rows(); ++i)
      for (int c = 0; c < 2; ++c) {
        lo[c] = std::min(lo[c], static_cast<double>(d->features(i, c)));
        hi[c] = std::max(hi[c], static_cast<double>(d->features(i, c)));
      }
  PlaneGrid g;
  g.columns = std::max(1, columns);
  g.rows = std::max(1, rows);
  double* ends[2][2] = {{&g.x0, &g.x1}, {&g.y0, &g.y1}};
  for (int c = 0; c < 2; ++c) {
    if (!(hi[c] >= lo[c])) lo[c] = hi[c] = 0.0;  // no points
    const double pad = std::max(hi[c] - lo[c], 1e-6) * margin;
    *ends[c][0] = lo[c] - pad;
    *ends[c][1] = hi[c] + pad;
  }
  return g;
}

std::vector<float> predictPlane(const nn::Network& network, const nn::ParameterStore& params, const PlaneGrid& grid,
                                bool classify) {
  if (network.inputShape().size() != 2) throw std::invalid_argument("predictPlane: the model does not take 2 inputs");
  const int cells = grid.columns * grid.rows;
  nn::Matrix x(cells, 2);
  for (int r = 0; r < grid.rows; ++r)
    for (int c = 0; c < grid.columns; ++c) {
      x(r * grid.columns + c, 0) = static_cast<float>(grid.cellX(c));
      x(r * grid.columns + c, 1) = static_cast<float>(grid.cellY(r));
    }
  nn::Matrix out;
  nn::ShardedBackprop::predict(network, params, x, out);
  std::vector<float> values(static_cast<std::size_t>(cells));
  for (int i = 0; i < cells; ++i) {
    if (classify) {
      Eigen::Index best = 0;
      out.row(i).maxCoeff(&best);
      values[static_cast<std::size_t>(i)] = static_cast<float>(best);
    } else {
      values[static_cast<std::size_t>(i)] = out(i, 0);
    }
  }
  return values;
}

}  // namespace larslab::engine
