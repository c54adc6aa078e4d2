// MetricChart's answers to the user's gestures (the ChartViewListener side of its Impl):
// hover, rubber-band and wheel zoom, pan, the context menu, and re-layout after a resize.

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QMenu>
#include <QFontMetricsF>
#include <QMessageBox>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

#include "ui/charts/metric_chart_impl.h"
#include "ui/charts/png_export_dialog.h"

namespace larslab::ui {

void MetricChart::Impl::hoverAt(const QPointF& chartPos) {
  if (hover->moveTo(chartPos, chart->plotArea())) refreshHover();
}

void MetricChart::Impl::hoverLeft() { hideHover(); }

void MetricChart::Impl::viewResized() {
  // QChartView has resized (and laid out) the chart by now: entries may wrap differently, and
  // ticks set here are honoured (they are not while Qt Charts is inside its own layout).
  for (auto& e : entries) applyLegendStyle(*e);
  layoutLegend();
  axes->retick();
}

void MetricChart::Impl::zoomToRect(const QRectF& r, bool xOnly, bool yOnly) {
  const QRectF plot = chart->plotArea();
  const QRectF z = r.intersected(plot);
  if (z.isEmpty() && !(xOnly || yOnly)) return;
  const double x0 = axes->pxToX(z.left()), x1 = axes->pxToX(z.right());
  const double y0 = axes->pxToY(z.bottom()), y1 = axes->pxToY(z.top());
  setZoomed(true);
  if (!yOnly && x1 > x0) setXRange(x0, x1);
  if (!xOnly && y1 > y0) setYRange(y0, y1);
}

void MetricChart::Impl::zoomAround(const QPointF& c, double factor) {
  if (!(factor > 0.0) || !std::isfinite(factor)) return;
  const QRectF plot = chart->plotArea();
  if (!plot.isValid()) return;
  // Zoom in pixel space around the cursor, so it behaves the same on linear and log axes.
  const double l = c.x() - (c.x() - plot.left()) / factor;
  const double r = c.x() + (plot.right() - c.x()) / factor;
  const double t = c.y() - (c.y() - plot.top()) / factor;
  const double b = c.y() + (plot.bottom() - c.y()) / factor;
  const double x0 = axes->pxToX(l), x1 = axes->pxToX(r), y0 = axes->pxToY(b), y1 = axes->pxToY(t);
  // Stop at the precision of a double rather than drawing garbage.
  const auto usable = [](double a, double z) {
    return std::isfinite(a) && std::isfinite(z) && z - a > 1e-9 * std::max(std::abs(a), std::abs(z));
  };
  if (!usable(x0, x1) || !usable(y0, y1)) return;
  setZoomed(true);
  setXRange(x0, x1);
  setYRange(y0, y1);
}

void MetricChart::Impl::panByPixels(const QPointF& delta) {
  const QRectF plot = chart->plotArea();
  if (!plot.isValid() || delta.isNull()) return;
  const double x0 = axes->pxToX(plot.left() - delta.x());
  const double x1 = axes->pxToX(plot.right() - delta.x());
  const double y0 = axes->pxToY(plot.bottom() - delta.y());
  const double y1 = axes->pxToY(plot.top() - delta.y());
  if (!std::isfinite(x0) || !std::isfinite(x1) || !std::isfinite(y0) || !std::isfinite(y1)) return;
  setZoomed(true);
  setXRange(x0, x1);
  setYRange(y0, y1);
}

bool MetricChart::Impl::inScrubStrip(const QPointF& c) const {
  // The x axis' tick labels and title: about two lines of the chart's font under the plot,
  // never reaching into the legend below them.
  const QRectF plot = chart->plotArea();
  if (!plot.isValid() || c.x() < plot.left() || c.x() > plot.right()) return false;
  double bottom = plot.bottom() + 2.4 * QFontMetricsF(font()).height();
  const QRect legendRect = q->legendBounds();
  if (!legendRect.isNull()) bottom = std::min(bottom, chart->mapFromScene(view->mapToScene(legendRect.topLeft())).y());
  return c.y() > plot.bottom() && c.y() <= bottom;
}

void MetricChart::Impl::scrubTo(const QPointF& c) {
  const QRectF plot = chart->plotArea();
  if (!plot.isValid()) return;
  const double x = axes->pxToX(std::clamp(c.x(), plot.left(), plot.right()));
  if (std::isfinite(x)) Q_EMIT q->cursorDragged(x);
}

void MetricChart::Impl::showSeriesList(const QPoint& globalPos) {
  hideHover();
  QMenu menu(q);
  menu.setToolTipsVisible(true);
  for (const auto& e : entries) {
    QAction* a = menu.addAction(e->label);
    a->setCheckable(true);
    a->setChecked(e->visible);
    const QString key = e->key;
    QObject::connect(a, &QAction::toggled, q, [this, key](bool on) {
      q->setSeriesVisible(key, on);
      Q_EMIT q->seriesToggled(key, on);
    });
  }
  menu.exec(globalPos);
}

void MetricChart::Impl::contextMenuRequested(const QPoint& globalPos) {
  hideHover();
  QMenu menu(q);
  QAction* reset = menu.addAction(MetricChart::tr("Reset zoom"));
  reset->setEnabled(zoomed);
  QAction* log = menu.addAction(MetricChart::tr("Logarithmic y axis"));
  log->setCheckable(true);
  log->setChecked(axes->logY());
  menu.addSeparator();
  QAction* copy = menu.addAction(MetricChart::tr("Copy image"));
  QAction* png = menu.addAction(MetricChart::tr("Export PNG..."));
  QAction* svg = menu.addAction(MetricChart::tr("Export SVG..."));
  QAction* chosen = menu.exec(globalPos);
  const qreal dpr = std::max<qreal>(1.0, q->devicePixelRatioF());
  const QSize pixels = (QSizeF(q->size()) * dpr).toSize();
  QString base = q->title().isEmpty() ? QStringLiteral("chart") : q->title();
  base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]+")), QStringLiteral("_"));
  QString error;
  if (chosen == reset) {
    q->resetZoom();
  } else if (chosen == log) {
    q->setLogY(!axes->logY());
  } else if (chosen == copy) {
    QImage image = q->renderImage(pixels);
    image.setDevicePixelRatio(dpr);
    QApplication::clipboard()->setImage(image);
  } else if (chosen == png) {
    const std::optional<PngExportChoice> size = askPngExport(q);
    if (!size) return;
    const QString path = QFileDialog::getSaveFileName(
        q, MetricChart::tr("Export chart as PNG"), base + QStringLiteral(".png"),
        MetricChart::tr("PNG image (*.png)"));
    if (!path.isEmpty() && !q->exportPng(path, size->pixels, size->dpi, &error)) {
      QMessageBox::warning(q, MetricChart::tr("Export failed"), error);
    }
  } else if (chosen == svg) {
    const QString path = QFileDialog::getSaveFileName(
        q, MetricChart::tr("Export chart as SVG"), base + QStringLiteral(".svg"),
        MetricChart::tr("SVG image (*.svg)"));
    if (!path.isEmpty() && !q->exportSvg(path, QSize(), &error)) {
      QMessageBox::warning(q, MetricChart::tr("Export failed"), error);
    }
  }
}

}  // namespace larslab::ui
