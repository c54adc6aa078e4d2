#pragma once
// Internal to larslab_charts: the QChartView that turns mouse and keys into zoom, pan, hover and
// menu requests. Not for use outside ui/charts (it exposes Qt Charts types).
//
// QTBUG-118669: QChartView::mousePressEvent (6.4.x) can dereference a null pointer. This view
// never calls QChartView's mouse handlers: the rubber band is its own and every event goes to
// QGraphicsView's handlers, and only when a chart is set.

#include <QPoint>
#include <QPointF>
#include <QRectF>
#include <QtCharts/QChartView>

class QRubberBand;

namespace larslab::ui::detail {

// Receives the user's gestures in chart coordinates.
class ChartViewListener {
 public:
  virtual ~ChartViewListener() = default;
  virtual void hoverAt(const QPointF& chartPos) = 0;
  virtual void hoverLeft() = 0;
  // Zoom to a rectangle; xOnly/yOnly keep the other axis as it is.
  virtual void zoomToRect(const QRectF& chartRect, bool xOnly, bool yOnly) = 0;
  virtual void zoomAround(const QPointF& chartPos, double factor) = 0;  // factor > 1 zooms in
  virtual void panByPixels(const QPointF& delta) = 0;  // content follows the mouse by delta
  virtual void resetZoomRequested() = 0;
  virtual void contextMenuRequested(const QPoint& globalPos) = 0;
  virtual void viewResized() = 0;  // after the chart has been resized and laid out
  virtual void titleDoubleClicked() = 0;  // above the plot, where the title is
  // The step cursor: the strip under the plot (the x axis' labels and title) where a press
  // scrubs, and a scrub drag (on that strip, or Alt+drag in the plot) at chartPos.
  virtual bool inScrubStrip(const QPointF& chartPos) const = 0;
  virtual void scrubTo(const QPointF& chartPos) = 0;
};

class ChartView : public QChartView {
 public:
  ChartView(QChart* chart, ChartViewListener* listener, QWidget* parent = nullptr);

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  bool viewportEvent(QEvent* event) override;

 private:
  enum class Drag { None, Zoom, Pan, Scrub };
  QPointF toChart(const QPoint& viewportPos) const;
  bool inPlotArea(const QPoint& viewportPos) const;

  ChartViewListener* listener_;
  QRubberBand* band_ = nullptr;
  Drag drag_ = Drag::None;
  QPoint origin_;
  QPoint last_;
};

}  // namespace larslab::ui::detail
