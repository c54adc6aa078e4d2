#pragma once
// Internal to larslab_charts: what a MetricChart draws over its plot to be read against. The
// dashed reference line with its label (e.g. the 1e-3 rule of thumb) and the vertical event
// markers (a hyperparameter change, a divergence...) with short labels that never overlap, and
// a message in the middle of the plot.

#include <QFont>
#include <QList>
#include <QPalette>
#include <QString>
#include <limits>
#include <vector>

#include "ui/charts/metric_chart.h"

QT_BEGIN_NAMESPACE
class QGraphicsItem;
class QGraphicsLineItem;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
QT_END_NAMESPACE

namespace larslab::ui::detail {

class ChartAxes;

class ChartMarkers {
 public:
  explicit ChartMarkers(QGraphicsItem* chart);

  void setReference(double y, const QString& label);
  double referenceY() const { return refY_; }
  // The reference line can be drawn on this y scale.
  bool referenceDrawable(bool logY) const;
  void setMarkers(const QList<MetricChart::Marker>& markers) { markers_ = markers; }
  const QList<MetricChart::Marker>& markers() const { return markers_; }

  // The step cursor: a solid vertical line at x with a small label at the bottom of the plot;
  // NaN hides it. True when it changed.
  bool setCursor(double x, const QString& label);
  double cursorX() const { return cursorX_; }
  const QString& cursorLabel() const { return cursorLabel_; }

  // A sentence in the middle of the plot (e.g. why a chart has no line); empty hides it.
  void setMessage(const QString& text) { message_ = text; }
  const QString& message() const { return message_; }

  // Re-places every item for the current plot area and axis ranges.
  void update(const QRectF& plot, const ChartAxes& axes, const QPalette& palette,
              const QFont& widgetFont);

 private:
  QGraphicsItem* chart_;
  double refY_ = std::numeric_limits<double>::quiet_NaN();
  QString refLabel_;
  QGraphicsLineItem* refLine_;
  QGraphicsRectItem* refPlate_;
  QGraphicsSimpleTextItem* refText_;
  QString message_;
  QGraphicsSimpleTextItem* messageItem_;
  double cursorX_ = std::numeric_limits<double>::quiet_NaN();
  QString cursorLabel_;
  QGraphicsLineItem* cursorLine_;
  QGraphicsRectItem* cursorPlate_;
  QGraphicsSimpleTextItem* cursorText_;
  QList<MetricChart::Marker> markers_;
  std::vector<QGraphicsLineItem*> lines_;
  std::vector<QGraphicsSimpleTextItem*> labels_;
  std::vector<QGraphicsRectItem*> plates_;
};

}  // namespace larslab::ui::detail
