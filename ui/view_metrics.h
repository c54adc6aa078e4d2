#pragma once
// The per-tensor quantities the layer profile and the heatmap can show: the metrics of the
// table (optim/tensor_metrics.h) a student compares across layers, plus ‖w‖/‖g‖, the ratio the
// LARS paper's argument rests on, which the store does not keep (it is weightNorm / gradNorm,
// computed here in double from the two stored floats).

#include <QComboBox>
#include <QString>
#include <vector>

#include "engine/metrics_store.h"

namespace larslab::ui {

struct ViewMetric {
  optim::TensorMetric metric;  // the stored metric (the numerator of a ratio)
  // Count: the stored metric itself; otherwise metric / denominator.
  optim::TensorMetric denominator = optim::TensorMetric::Count;
};

// In combo order: ‖w‖, ‖g‖, ‖w‖/‖g‖, trust ratio, local LR, ‖Δw‖/‖w‖.
const std::vector<ViewMetric>& viewMetrics();
// The index of ‖w‖/‖g‖ in viewMetrics(): the default choice.
int weightGradRatioIndex();

// "‖w‖/‖g‖", "Trust ratio", ...
QString viewMetricSymbol(const ViewMetric& m);
// One sentence for a tooltip.
QString viewMetricTip(const ViewMetric& m);
// A dashed guide value on the axis (‖Δw‖/‖w‖: 1e-3), or 0 for none.
double viewMetricReference(const ViewMetric& m);

// The value of `m` for (run, tensor) at `step` (< stepCount(run)).
double viewMetricValue(const engine::MetricsStore& store, int run, int tensor, const ViewMetric& m, long step);

// A combo that lists viewMetrics() (item data = index), ‖w‖/‖g‖ selected.
QComboBox* makeViewMetricCombo(QWidget* parent);

}  // namespace larslab::ui
