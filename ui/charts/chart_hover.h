#pragma once
// Internal to larslab_charts: the hover read-out of a MetricChart. A crosshair snapped to the
// nearest data point, a dot on each visible series, and a box with each series' value there
// (and the text of a marker under the cursor).

#include <QFont>
#include <QList>
#include <QPalette>
#include <QPointF>
#include <memory>
#include <vector>

#include "ui/charts/metric_chart.h"

QT_BEGIN_NAMESPACE
class QGraphicsEllipseItem;
class QGraphicsItem;
class QGraphicsLineItem;
QT_END_NAMESPACE

namespace larslab::ui::detail {

class ChartAxes;
class ReadoutItem;
struct SeriesEntry;

class ChartHover {
 public:
  explicit ChartHover(QGraphicsItem* chart);

  bool active() const { return hovering_; }
  // The mouse rests at `chartPos`; returns false (and hides) outside the plot.
  bool moveTo(const QPointF& chartPos, const QRectF& plot);
  void hide();
  // Re-reads the values under the resting mouse (new data, new ranges).
  void refresh(const QRectF& plot, const ChartAxes& axes,
               const std::vector<std::unique_ptr<SeriesEntry>>& entries,
               const QList<MetricChart::Marker>& markers, const QPalette& palette,
               const QFont& widgetFont);

 private:
  QGraphicsItem* chart_;
  bool hovering_ = false;
  QPointF pos_;
  QGraphicsLineItem* crosshair_;
  ReadoutItem* readout_;
  std::vector<QGraphicsEllipseItem*> dots_;
};

}  // namespace larslab::ui::detail
