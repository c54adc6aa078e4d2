#pragma once
// Stable colours: a run keeps its colour for the whole life of the window (across resets,
// rebuilds and removals of other runs), a tensor is coloured by its layer with the weight and
// bias of one layer in two tints of one hue (ui/charts/chart_palette.h).

#include <QColor>
#include <QHash>
#include <QString>
#include <vector>

#include "engine/metrics_store.h"

namespace larslab::ui {

class RunColorMap {
 public:
  // The run's colour; a name seen for the first time takes the next palette colour.
  QColor color(const QString& runName);
  int index(const QString& runName);
  void clear() { indices_.clear(); }

 private:
  QHash<QString, int> indices_;
};

// Colour of tensor `index` of `tensors`: the layer is the name up to its last '.', numbered in
// order of first appearance.
QColor tensorColorOf(const std::vector<engine::TensorColumnInfo>& tensors, int index);
// "dense1" for "dense1.weight".
QString layerOf(const QString& tensorName);

}  // namespace larslab::ui
