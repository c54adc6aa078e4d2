#include "ui/charts/chart_view.h"

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QHelpEvent>
#include <QRubberBand>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace larslab::ui::detail {
namespace {
constexpr int kMinDragPx = 5;         // smaller drags are clicks, not zooms
constexpr double kWheelFactor = 1.25;  // per wheel notch
constexpr double kKeyPanFraction = 0.1;
}  // namespace

ChartView::ChartView(QChart* chart, ChartViewListener* listener, QWidget* parent)
    : QChartView(chart, parent), listener_(listener) {
  setRubberBand(QChartView::NoRubberBand);
  setRenderHint(QPainter::Antialiasing);
  setMouseTracking(true);
  setFocusPolicy(Qt::WheelFocus);
  setFrameShape(QFrame::NoFrame);
  setDragMode(QGraphicsView::NoDrag);
  band_ = new QRubberBand(QRubberBand::Rectangle, viewport());
  band_->hide();
}

QPointF ChartView::toChart(const QPoint& viewportPos) const {
  return chart()->mapFromScene(mapToScene(viewportPos));
}

bool ChartView::inPlotArea(const QPoint& viewportPos) const {
  return chart() != nullptr && chart()->plotArea().contains(toChart(viewportPos));
}

void ChartView::mousePressEvent(QMouseEvent* event) {
  if (chart() == nullptr) {
    QGraphicsView::mousePressEvent(event);
    return;
  }
  const QPoint pos = event->position().toPoint();
  const bool panGesture = event->button() == Qt::MiddleButton ||
                          (event->button() == Qt::LeftButton &&
                           (event->modifiers() & Qt::ShiftModifier));
  // Scrubbing: a press on the x axis strip, or Alt+press in the plot (a plain drag there zooms).
  const bool scrubGesture = event->button() == Qt::LeftButton &&
                            (listener_->inScrubStrip(toChart(pos)) ||
                             (inPlotArea(pos) && (event->modifiers() & Qt::AltModifier)));
  if (scrubGesture) {
    drag_ = Drag::Scrub;
    listener_->hoverLeft();
    listener_->scrubTo(toChart(pos));
    event->accept();
    return;
  }
  if (inPlotArea(pos) && panGesture) {
    drag_ = Drag::Pan;
    last_ = pos;
    setCursor(Qt::ClosedHandCursor);
    event->accept();
    return;
  }
  if (inPlotArea(pos) && event->button() == Qt::LeftButton) {
    drag_ = Drag::Zoom;
    origin_ = pos;
    band_->setGeometry(QRect(origin_, QSize()));
    band_->show();
    event->accept();
    return;
  }
  // Outside the plot (legend, title): the scene handles it, e.g. legend marker clicks.
  QGraphicsView::mousePressEvent(event);
}

void ChartView::mouseMoveEvent(QMouseEvent* event) {
  if (chart() == nullptr) {
    QGraphicsView::mouseMoveEvent(event);
    return;
  }
  const QPoint pos = event->position().toPoint();
  switch (drag_) {
    case Drag::Zoom: {
      const QRect plot = mapFromScene(chart()->mapToScene(chart()->plotArea())).boundingRect();
      const QPoint clamped(std::clamp(pos.x(), plot.left(), plot.right()),
                           std::clamp(pos.y(), plot.top(), plot.bottom()));
      band_->setGeometry(QRect(origin_, clamped).normalized());
      event->accept();
      return;
    }
    case Drag::Pan:
      listener_->panByPixels(QPointF(pos - last_));
      last_ = pos;
      event->accept();
      return;
    case Drag::Scrub:
      listener_->scrubTo(toChart(pos));
      event->accept();
      return;
    case Drag::None:
      break;
  }
  // The strip under the plot scrubs: its cursor says so.
  if (listener_->inScrubStrip(toChart(pos)))
    setCursor(Qt::SizeHorCursor);
  else if (cursor().shape() == Qt::SizeHorCursor)
    unsetCursor();
  if (inPlotArea(pos)) {
    listener_->hoverAt(toChart(pos));
  } else {
    listener_->hoverLeft();
  }
  QGraphicsView::mouseMoveEvent(event);
}

void ChartView::mouseReleaseEvent(QMouseEvent* event) {
  if (chart() == nullptr) {
    QGraphicsView::mouseReleaseEvent(event);
    return;
  }
  if (drag_ == Drag::Zoom) {
    band_->hide();
    drag_ = Drag::None;
    const QRect r = band_->geometry();
    const bool wide = r.width() >= kMinDragPx;
    const bool tall = r.height() >= kMinDragPx;
    if (wide || tall) {
      const QRectF chartRect(toChart(r.topLeft()), toChart(r.bottomRight()));
      listener_->zoomToRect(chartRect.normalized(), wide && !tall, tall && !wide);
    }
    event->accept();
    return;
  }
  if (drag_ == Drag::Scrub) {
    drag_ = Drag::None;
    event->accept();
    return;
  }
  if (drag_ == Drag::Pan) {
    drag_ = Drag::None;
    unsetCursor();
    event->accept();
    return;
  }
  QGraphicsView::mouseReleaseEvent(event);
}

void ChartView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (chart() != nullptr && event->button() == Qt::LeftButton &&
      inPlotArea(event->position().toPoint())) {
    listener_->resetZoomRequested();
    event->accept();
    return;
  }
  // Above the plot is the title: a double-click there maximises the chart (in the plot it
  // resets the zoom, above).
  if (chart() != nullptr && event->button() == Qt::LeftButton &&
      toChart(event->position().toPoint()).y() < chart()->plotArea().top()) {
    listener_->titleDoubleClicked();
    event->accept();
    return;
  }
  QGraphicsView::mouseDoubleClickEvent(event);
}

void ChartView::wheelEvent(QWheelEvent* event) {
  const QPoint pos = event->position().toPoint();
  const int delta = event->angleDelta().y();
  if (chart() == nullptr || delta == 0 || !inPlotArea(pos)) {
    event->ignore();  // let a surrounding scroll area scroll
    return;
  }
  listener_->zoomAround(toChart(pos), std::pow(kWheelFactor, delta / 120.0));
  event->accept();
}

void ChartView::keyPressEvent(QKeyEvent* event) {
  if (chart() == nullptr) {
    QGraphicsView::keyPressEvent(event);
    return;
  }
  const QRectF plot = chart()->plotArea();
  const double dx = plot.width() * kKeyPanFraction;
  const double dy = plot.height() * kKeyPanFraction;
  switch (event->key()) {
    case Qt::Key_Left: listener_->panByPixels(QPointF(dx, 0)); break;
    case Qt::Key_Right: listener_->panByPixels(QPointF(-dx, 0)); break;
    case Qt::Key_Up: listener_->panByPixels(QPointF(0, dy)); break;
    case Qt::Key_Down: listener_->panByPixels(QPointF(0, -dy)); break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: listener_->zoomAround(plot.center(), kWheelFactor); break;
    case Qt::Key_Minus: listener_->zoomAround(plot.center(), 1.0 / kWheelFactor); break;
    case Qt::Key_Home:
    case Qt::Key_0: listener_->resetZoomRequested(); break;
    default:
      // Not ours (Space, S, R... are the window's shortcuts).
      QGraphicsView::keyPressEvent(event);
      return;
  }
  event->accept();
}

void ChartView::leaveEvent(QEvent* event) {
  listener_->hoverLeft();
  QGraphicsView::leaveEvent(event);
}

bool ChartView::viewportEvent(QEvent* event) {
  // Over the plot the hover read-out is the tooltip; a widget tooltip on top would hide it.
  if (event->type() == QEvent::ToolTip && chart() != nullptr &&
      inPlotArea(static_cast<QHelpEvent*>(event)->pos())) {
    QToolTip::hideText();
    event->accept();
    return true;
  }
  return QChartView::viewportEvent(event);
}

void ChartView::resizeEvent(QResizeEvent* event) {
  QChartView::resizeEvent(event);
  if (chart() != nullptr) listener_->viewResized();
}

void ChartView::contextMenuEvent(QContextMenuEvent* event) {
  listener_->contextMenuRequested(event->globalPos());
  event->accept();
}

}  // namespace larslab::ui::detail
