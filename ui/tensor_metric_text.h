#pragma once
// The per-tensor metric table's texts (optim/tensor_metrics.h) as the UI shows them: the table is
// plain UTF-8 without Qt, translated here under one context so that charts, inspector and menus
// say the same.

#include <QCoreApplication>
#include <QString>

#include "optim/tensor_metrics.h"

namespace larslab::ui {

inline QString metricText(const char* text) { return QCoreApplication::translate("larslab::TensorMetric", text); }

// Chart title: "Update ratio ‖Δw‖/‖w‖".
inline QString metricLabel(optim::TensorMetric m) { return metricText(optim::tensorMetricInfo(m).label); }
// Inspector column: "‖Δw‖/‖w‖".
inline QString metricSymbol(optim::TensorMetric m) { return metricText(optim::tensorMetricInfo(m).symbol); }
// Tooltip of its chart and its inspector column: "‖Δw‖/‖w‖: relative size of each step; ..."
inline QString metricTip(optim::TensorMetric m) {
  return metricSymbol(m) + QStringLiteral(": ") + metricText(optim::tensorMetricInfo(m).help);
}

}  // namespace larslab::ui
