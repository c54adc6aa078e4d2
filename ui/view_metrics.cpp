#include "view_metrics.h"

#include <QCoreApplication>

#include "tensor_metric_text.h"

namespace larslab::ui {

using optim::TensorMetric;

const std::vector<ViewMetric>& viewMetrics() {
  static const std::vector<ViewMetric> metrics = {
      {TensorMetric::WeightNorm},
      {TensorMetric::GradNorm},
      {TensorMetric::WeightNorm, TensorMetric::GradNorm},
      {TensorMetric::TrustRatio},
      {TensorMetric::LocalLr},
      {TensorMetric::UpdateRatio},
  };
  return metrics;
}

int weightGradRatioIndex() { return 2; }

QString viewMetricSymbol(const ViewMetric& m) {
  if (m.denominator == TensorMetric::Count) return metricSymbol(m.metric);
  return metricSymbol(m.metric) + QLatin1Char('/') + metricSymbol(m.denominator);
}

QString viewMetricTip(const ViewMetric& m) {
  if (m.denominator == TensorMetric::Count) return metricTip(m.metric);
  return viewMetricSymbol(m) +
         QCoreApplication::translate("larslab::ViewMetric",
                                     ": how large each tensor's weights are compared with its gradient; LARS "
                                     "scales each layer's step by it, because one global learning rate "
                                     "cannot suit ratios that differ by orders of magnitude.");
}

double viewMetricReference(const ViewMetric& m) {
  const auto& info = optim::tensorMetricInfo(m.metric);
  return m.denominator == TensorMetric::Count && info.referenceLabel != nullptr ? info.referenceValue : 0.0;
}

double viewMetricValue(const engine::MetricsStore& store, int run, int tensor, const ViewMetric& m, long step) {
  const double v = store.value(run, tensor, m.metric, step);
  if (m.denominator == TensorMetric::Count) return v;
  return v / static_cast<double>(store.value(run, tensor, m.denominator, step));
}

QComboBox* makeViewMetricCombo(QWidget* parent) {
  auto* combo = new QComboBox(parent);
  for (std::size_t i = 0; i < viewMetrics().size(); ++i) {
    combo->addItem(viewMetricSymbol(viewMetrics()[i]), static_cast<int>(i));
    combo->setItemData(static_cast<int>(i), viewMetricTip(viewMetrics()[i]), Qt::ToolTipRole);
  }
  combo->setCurrentIndex(weightGradRatioIndex());
  return combo;
}

}  // namespace larslab::ui
