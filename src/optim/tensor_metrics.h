#pragma once
// The per-tensor metrics: what one optimizer step did to one tensor. This table is the only list
// of them; the optimizer fills TensorTelemetry, the session packs a store row in table order, the
// metrics store, the CSV writer and reader, the charts, the inspector and the PyTorch exporter
// all iterate it. It lives in src/optim because the optimizer is what produces the values (and
// optim is the lowest library every reader links); it holds no Qt, so the UI converts (and may
// translate) the texts at its edge.
//
// Adding a metric: a TensorTelemetry field, an enumerator and a row here. A ratio of two other
// metrics needs nothing else (deriveTelemetry computes it in C++, the exporter writes its Python
// `divide(...)`); a measured metric is also computed in Chain::step (transforms.cpp) and in the
// exported Python (apply_update in resources/pytorch/optim_common.py and its callers).

#include <array>
#include <cstddef>
#include <span>

namespace larslab::optim {

// What one step did to one tensor. Defined once here; the help text and docs quote it.
struct TensorTelemetry {
  double weightNorm = 0.0;   // ||w|| before the update
  double gradNorm = 0.0;     // ||g||, raw gradient before weight decay
  double trustRatio = 1.0;   // layer-wise ratio before any clipping; 1 where the optimizer has none
  double localLr = 0.0;      // learning rate actually applied to this tensor (global LR x ratio, after clipping)
  double updateNorm = 0.0;   // ||w_new - w_old||
  double updateRatio = 0.0;  // ||w_new - w_old|| / ||w_old|| (inf/NaN reported as they are)
  double updateToData = 0.0; // log10(std(w_new - w_old) / std(w_old)), cs231n's update-to-data ratio
};

// Table order: the order of store columns, CSV columns, charts and inspector columns.
enum class TensorMetric { WeightNorm, GradNorm, TrustRatio, LocalLr, UpdateNorm, UpdateRatio, UpdateToData, Count };
inline constexpr int kTensorMetricCount = static_cast<int>(TensorMetric::Count);

struct TensorMetricInfo {
  TensorMetric id;
  const char* key;     // CSV column, field of the exported Python Telemetry, chart file stem
  const char* label;   // chart title: "Update ratio ‖Δw‖/‖w‖"
  const char* symbol;  // short name: inspector column, tooltip lead: "‖Δw‖/‖w‖"
  const char* help;    // one sentence that follows "symbol: " in every tooltip
  double TensorTelemetry::*field;
  bool logScale = true;                    // follows the dashboard's log-scale switch
  double referenceValue = 0.0;             // a dashed line on its chart when referenceLabel is set
  const char* referenceLabel = nullptr;
  // A ratio numerator / denominator of two metrics listed before it (IEEE division: inf, NaN
  // reported as they are); Count: measured by the optimizer.
  TensorMetric numerator = TensorMetric::Count;
  TensorMetric denominator = TensorMetric::Count;
  // Another way to plot the metric named here, listed before it: drawn in that metric's chart
  // place when the user picks it (Count: a chart of its own).
  TensorMetric alternativeOf = TensorMetric::Count;
  [[nodiscard]] constexpr bool derived() const { return numerator != TensorMetric::Count; }
};

inline constexpr std::array<TensorMetricInfo, kTensorMetricCount> kTensorMetrics{{
    {TensorMetric::WeightNorm, "weight_norm", "Weight norm ‖w‖", "‖w‖",
     "L2 norm of each tensor's weights before the update.", &TensorTelemetry::weightNorm},
    {TensorMetric::GradNorm, "grad_norm", "Gradient norm ‖g‖", "‖g‖",
     "L2 norm of each tensor's raw gradient, before weight decay is added.", &TensorTelemetry::gradNorm},
    {TensorMetric::TrustRatio, "trust_ratio", "Trust ratio", "Trust ratio",
     "the layer-wise factor (LARS: η‖w‖/(‖g‖+β‖w‖)) before clipping; 1 for optimizers without one.",
     &TensorTelemetry::trustRatio},
    {TensorMetric::LocalLr, "local_lr", "Local learning rate", "Local LR",
     "the learning rate actually applied to each tensor (global LR × trust ratio, after clipping).",
     &TensorTelemetry::localLr},
    {TensorMetric::UpdateNorm, "update_norm", "Update norm ‖Δw‖", "‖Δw‖",
     "L2 norm of the change this step made to each tensor.", &TensorTelemetry::updateNorm},
    {TensorMetric::UpdateRatio, "update_ratio", "Update ratio ‖Δw‖/‖w‖", "‖Δw‖/‖w‖",
     "relative size of each step; about 1e-3 (dashed line) is a common rule of thumb.",
     &TensorTelemetry::updateRatio, true, 1e-3, "1e-3 rule of thumb", TensorMetric::UpdateNorm,
     TensorMetric::WeightNorm},
    {TensorMetric::UpdateToData, "update_to_data", "Update-to-data log₁₀(std Δw / std w)", "log₁₀ σΔw/σw",
     "the update-to-data ratio as cs231n and Karpathy plot it: log10 of std(Δw)/std(w); about −3 (dashed line) "
     "is healthy.",
     &TensorTelemetry::updateToData, false, -3.0, "−3 guide (cs231n)", TensorMetric::Count, TensorMetric::Count,
     TensorMetric::UpdateRatio},
}};

constexpr bool tensorMetricsWellFormed() {
  for (int i = 0; i < kTensorMetricCount; ++i) {
    const TensorMetricInfo& m = kTensorMetrics[static_cast<std::size_t>(i)];
    if (static_cast<int>(m.id) != i) return false;
    if (m.derived() && (static_cast<int>(m.numerator) >= i || static_cast<int>(m.denominator) >= i)) return false;
    if (m.alternativeOf != TensorMetric::Count && static_cast<int>(m.alternativeOf) >= i) return false;
  }
  return true;
}
static_assert(tensorMetricsWellFormed(), "rows in enum order; a ratio uses metrics listed before it");

[[nodiscard]] constexpr const TensorMetricInfo& tensorMetricInfo(TensorMetric m) {
  return kTensorMetrics[static_cast<std::size_t>(m)];
}
// weight_norm, grad_norm, trust_ratio, local_lr, update_norm, update_ratio
[[nodiscard]] constexpr const char* tensorMetricName(TensorMetric m) { return tensorMetricInfo(m).key; }
[[nodiscard]] constexpr double telemetryValue(const TensorTelemetry& t, TensorMetric m) {
  return t.*tensorMetricInfo(m).field;
}

// Fills the derived metrics of `t` from the measured ones, in table order.
inline void deriveTelemetry(TensorTelemetry& t) {
  for (const TensorMetricInfo& m : kTensorMetrics)
    if (m.derived()) t.*m.field = telemetryValue(t, m.numerator) / telemetryValue(t, m.denominator);
}

}  // namespace larslab::optim
