#include "ui/charts/metric_chart.h"

#include <QEvent>
#include <QFontMetrics>
#include <QFontMetricsF>
#include <QStyle>
#include <QGraphicsLayout>
#include <QVBoxLayout>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/charts/chart_style.h"
#include "ui/charts/metric_chart_impl.h"

namespace larslab::ui {

using detail::SeriesEntry;

MetricChart::Impl::Impl(MetricChart* owner) : q(owner) {
  chart = new QChart();
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setBackgroundRoundness(0);
  chart->setMargins(QMargins(4, 4, 8, 4));
  chart->layout()->setContentsMargins(0, 0, 0, 0);
  chart->setDropShadowEnabled(false);
  chart->legend()->hide();  // replaced by the chart's own (chart_legend.h)
  axes = std::make_unique<detail::ChartAxes>(chart, q);
  view = new detail::ChartView(chart, this, q);
  markers = std::make_unique<detail::ChartMarkers>(chart);
  legend = std::make_unique<detail::ChartLegend>(
      chart, [this](const QPoint& globalPos) { showSeriesList(globalPos); });
  hover = std::make_unique<detail::ChartHover>(chart);

  QObject::connect(chart, &QChart::plotAreaChanged, q, [this](const QRectF&) {
    updateOverlays();
    // Qt Charts ignores a tick-interval change made while it lays out (it is emitting this signal
    // from its layout), so retick once the layout is done.
    if (!retickQueued) {
      retickQueued = true;
      QMetaObject::invokeMethod(
          q,
          [this] {
            retickQueued = false;
            axes->retickAfterLayout();
          },
          Qt::QueuedConnection);
    }
  });
}

SeriesEntry* MetricChart::Impl::find(const QString& key) const {
  for (const auto& e : entries) {
    if (e->key == key) return e.get();
  }
  return nullptr;
}

void MetricChart::Impl::applyPen(SeriesEntry& e) {
  const QPen pen = detail::seriesPen(e);
  if (e.series->pen() != pen) e.series->setPen(pen);
  applyLegendStyle(e);
}

void MetricChart::Impl::applyLegendStyle(SeriesEntry& e) {
  legend->restyle(e, chart->size().width(), font(), q->palette());
}

void MetricChart::Impl::layoutLegend() {
  const int height = legend->layout(entries, chart->size(), font());
  if (height != legendHeight) {
    legendHeight = height;
    chart->setMargins(QMargins(4, 4, 8, 4 + legendHeight));
    axes->activateLayout();
  }
}

void MetricChart::Impl::setZoomed(bool z) {
  if (zoomed == z) return;
  zoomed = z;
  Q_EMIT q->zoomChanged(z);
}

void MetricChart::Impl::updateAxes() {
  if (zoomed) return;  // the user's view wins until resetZoom()
  double minX = std::numeric_limits<double>::infinity(), maxX = -minX;
  double minY = minX, maxY = -minX;
  for (const auto& e : entries) {
    if (!e->visible || e->clean.isEmpty()) continue;
    minX = std::min(minX, e->clean.minX);
    maxX = std::max(maxX, e->clean.maxX);
    minY = std::min(minY, e->clean.minY);
    maxY = std::max(maxY, e->clean.maxY);
  }
  if (!std::isfinite(minX)) return;  // nothing to fit
  // A range shared with other charts (the same steps on every per-tensor chart).
  if (std::isfinite(coverLo) && std::isfinite(coverHi)) {
    minX = std::min(minX, coverLo);
    maxX = std::max(maxX, coverHi);
  }
  // Keep the reference line in view: it is the yardstick the data is read against.
  if (markers->referenceDrawable(axes->logY())) {
    minY = std::min(minY, markers->referenceY());
    maxY = std::max(maxY, markers->referenceY());
  }
  if (axes->fit({minX, maxX, minY, maxY})) updateOverlays();
}

void MetricChart::Impl::setXRange(double lo, double hi) {
  axes->setXRange(lo, hi);
  updateOverlays();
}

void MetricChart::Impl::setYRange(double lo, double hi) {
  axes->setYRange(lo, hi);
  updateOverlays();
}

void MetricChart::Impl::updateOverlays() {
  markers->update(chart->plotArea(), *axes, q->palette(), font());
  if (hover->active()) refreshHover();
}

void MetricChart::Impl::refreshHover() {
  hover->refresh(chart->plotArea(), *axes, entries, markers->markers(), q->palette(), font());
}

void MetricChart::Impl::hideHover() { hover->hide(); }

void MetricChart::Impl::updateNote() {
  if (legend->setNote(q->hiddenPointsNote())) layoutLegend();
}

QFont MetricChart::Impl::font() const { return presentationFont(q->font(), fontScale); }

void MetricChart::Impl::placeMaximizeButton() {
  const QSize s = maximizeButton->sizeHint();
  maximizeButton->setGeometry(q->width() - s.width() - 2, 2, s.width(), s.height());
  maximizeButton->raise();
}

void MetricChart::Impl::styleMaximizeButton() {
  const QStyle* style = q->style();
  maximizeButton->setIcon(style->standardIcon(maximized ? QStyle::SP_TitleBarNormalButton : QStyle::SP_TitleBarMaxButton));
  maximizeButton->setToolTip(maximized ? MetricChart::tr("Restore (double-click the title, or Esc)")
                                       : MetricChart::tr("Maximise (double-click the title)"));
  // Sized by the widget font, not the presentation scale: a larger button would run into
  // the (larger) title.
  const int side = std::max(16, QFontMetrics(q->font()).height());
  maximizeButton->setIconSize(QSize(side - 4, side - 4));
  maximizeButton->setFixedSize(side + 2, side + 2);
  placeMaximizeButton();
}

void MetricChart::Impl::applyPalette() {
  const QPalette pal = q->palette();
  const QColor base = pal.color(QPalette::Base);
  chart->setBackgroundBrush(base);
  chart->setBackgroundPen(Qt::NoPen);
  chart->setPlotAreaBackgroundVisible(false);
  chart->setTitleBrush(pal.color(QPalette::Text));
  chart->setTitleFont(detail::scaledFont(font(), 1.05, true));
  view->setBackgroundBrush(base);
  axes->style(pal, font());
  legend->styleNote(font(), pal);
  for (auto& e : entries) applyLegendStyle(*e);
  layoutLegend();
  updateOverlays();
  if (maximizeButton != nullptr) styleMaximizeButton();
}

// ---------------------------------------------------------------------------------------------

MetricChart::MetricChart(QWidget* parent) : QWidget(parent), d_(std::make_unique<Impl>(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(d_->view);
  // Over the chart's top-right margin, beside the title.
  d_->maximizeButton = new QToolButton(this);
  d_->maximizeButton->setObjectName(QStringLiteral("maximizeButton"));
  d_->maximizeButton->setAutoRaise(true);
  d_->maximizeButton->setFocusPolicy(Qt::NoFocus);
  connect(d_->maximizeButton, &QToolButton::clicked, this, &MetricChart::maximizeRequested);
  d_->applyPalette();
}

void MetricChart::setFontScale(double scale) {
  if (!(scale > 0.0) || scale == d_->fontScale) return;
  d_->fontScale = scale;
  d_->applyPalette();  // every font, then the legend, ticks and overlays that measure them
  d_->axes->allowLayoutReticks();
  d_->axes->retick();
}

double MetricChart::fontScale() const { return d_->fontScale; }
QFont MetricChart::titleFont() const { return d_->chart->titleFont(); }
QFont MetricChart::tickLabelFont() const { return d_->axes->y()->labelsFont(); }

void MetricChart::setMaximized(bool maximized) {
  if (d_->maximized == maximized) return;
  d_->maximized = maximized;
  d_->styleMaximizeButton();
}

bool MetricChart::isMaximized() const { return d_->maximized; }

QPoint MetricChart::titlePosition() const {
  // The title is centred in the band above the plot.
  const QRectF plot = d_->chart->plotArea();
  const QPointF centre(plot.center().x(), plot.top() / 2.0);
  return d_->view->mapFromScene(d_->chart->mapToScene(centre));
}

void MetricChart::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  d_->axes->allowLayoutReticks();  // a new size needs its own ticks
  d_->placeMaximizeButton();
}

MetricChart::~MetricChart() = default;

void MetricChart::setTitle(const QString& title) { d_->chart->setTitle(title); }
QString MetricChart::title() const { return d_->chart->title(); }

void MetricChart::setYAxisLabel(const QString& label) {
  d_->axes->yLinear()->setTitleText(label);
  d_->axes->yLog()->setTitleText(label);
}
QString MetricChart::yAxisLabel() const { return d_->axes->yLinear()->titleText(); }

void MetricChart::setXAxisLabel(const QString& label) {
  d_->axes->x()->setTitleText(label);
  if (d_->hover->active()) d_->refreshHover();
}
QString MetricChart::xAxisLabel() const { return d_->axes->x()->titleText(); }

bool MetricChart::logY() const { return d_->axes->logY(); }

void MetricChart::setLogY(bool logY) {
  Impl& d = *d_;
  if (d.axes->logY() == logY) return;
  d.hideHover();
  d.axes->setLogY(logY);
  QAbstractAxis* newAxis = d.axes->y();
  detail::styleAxis(newAxis, palette(), d.font());
  for (auto& e : d.entries) e->clean = cleanSeries(e->raw, logY);
  // A deliberate rescale: refit both axes to the data.
  d.setZoomed(false);
  d.updateAxes();
  // A series keeps its log domain until a new y axis is attached, and a log domain warns about
  // (and cannot map) y <= 0. Going to log: give it the cleaned points, then attach. Going to
  // linear: attach first (it still holds log-clean points), then give it the zeros back.
  for (auto& e : d.entries) {
    if (logY) {
      e->series->replace(detail::drawnPoints(e->clean));
      e->series->attachAxis(newAxis);
    } else {
      e->series->attachAxis(newAxis);
      e->series->replace(detail::drawnPoints(e->clean));
    }
  }
  d.updateNote();
  Q_EMIT logYChanged(logY);
}

void MetricChart::setSeries(const QString& key, const QString& label, const QColor& color,
                            const QList<QPointF>& points) {
  Impl& d = *d_;
  SeriesEntry* e = d.find(key);
  if (e != nullptr && e->label == label && e->color == color && e->raw == points) {
    return;  // paused run: nothing to redraw (QList compares shared data in O(1))
  }
  CleanedSeries clean = cleanSeries(points, d.axes->logY());
  if (e == nullptr) {
    auto entry = std::make_unique<SeriesEntry>();
    entry->key = key;
    entry->label = label;
    entry->color = color;
    entry->series = new QLineSeries();
    entry->series->setName(label);
    entry->series->replace(detail::drawnPoints(clean));  // before attaching: no axis sees raw data
    d.chart->addSeries(entry->series);
    entry->series->attachAxis(d.axes->x());
    entry->series->attachAxis(d.axes->y());
    const QString k = key;
    entry->legend = d.legend->createEntry([this, k] {
      const SeriesEntry* se = d_->find(k);
      if (se == nullptr) return;
      setSeriesVisible(k, !se->visible);
      Q_EMIT seriesToggled(k, se->visible);
    });
    e = entry.get();
    d.entries.push_back(std::move(entry));
    e->raw = points;
    e->clean = std::move(clean);
    d.applyPen(*e);
    d.layoutLegend();
    d.updateAxes();
  } else {
    if (e->label != label) {
      e->label = label;
      e->series->setName(label);
      d.applyLegendStyle(*e);
      d.layoutLegend();
    }
    if (e->color != color) {
      e->color = color;
      d.applyPen(*e);
    }
    e->raw = points;
    e->clean = std::move(clean);
    d.updateAxes();  // before replace(): a range change and the new points cost one projection
    e->series->replace(detail::drawnPoints(e->clean));
  }
  d.updateNote();
  if (d.hover->active()) d.refreshHover();  // a resting mouse keeps reading live values
}

void MetricChart::removeSeries(const QString& key) {
  Impl& d = *d_;
  auto it = std::find_if(d.entries.begin(), d.entries.end(),
                         [&](const auto& e) { return e->key == key; });
  if (it == d.entries.end()) return;
  d.chart->removeSeries((*it)->series);
  delete (*it)->series;
  delete (*it)->legend;
  d.entries.erase(it);
  d.layoutLegend();
  if (d.entries.empty()) {
    d.axes->showDefaultRanges();
    d.setZoomed(false);
  }
  d.updateNote();
}

void MetricChart::clearSeries() {
  Impl& d = *d_;
  d.hideHover();
  for (auto& e : d.entries) {
    d.chart->removeSeries(e->series);
    delete e->series;
    delete e->legend;
  }
  d.entries.clear();
  d.layoutLegend();
  d.axes->showDefaultRanges();
  d.setZoomed(false);
  d.updateNote();
}

bool MetricChart::hasSeries(const QString& key) const { return d_->find(key) != nullptr; }

QStringList MetricChart::seriesKeys() const {
  QStringList keys;
  for (const auto& e : d_->entries) keys.append(e->key);
  return keys;
}

void MetricChart::setSeriesVisible(const QString& key, bool visible) {
  SeriesEntry* e = d_->find(key);
  if (e == nullptr || e->visible == visible) return;
  e->visible = visible;
  e->series->setVisible(visible);
  d_->applyLegendStyle(*e);
  // Hiding a series is how users get an outlier (a diverged run) out of the way: refit to what
  // is left, unless they have zoomed by hand.
  if (!d_->zoomed) d_->axes->forgetRanges();
  d_->updateAxes();
  d_->updateNote();
}

QString MetricChart::seriesLabel(const QString& key) const {
  const SeriesEntry* e = d_->find(key);
  return e != nullptr ? e->label : QString();
}

QColor MetricChart::seriesColor(const QString& key) const {
  const SeriesEntry* e = d_->find(key);
  return e != nullptr ? e->color : QColor();
}

int MetricChart::seriesPointCount(const QString& key) const {
  const SeriesEntry* e = d_->find(key);
  return e != nullptr ? static_cast<int>(e->raw.size()) : 0;
}

QPointF MetricChart::seriesLastPoint(const QString& key) const {
  const SeriesEntry* e = d_->find(key);
  return e != nullptr && !e->raw.isEmpty() ? e->raw.back() : QPointF();
}

bool MetricChart::isSeriesVisible(const QString& key) const {
  const SeriesEntry* e = d_->find(key);
  return e != nullptr && e->visible;
}

void MetricChart::setDashed(const QString& key, bool dashed) {
  SeriesEntry* e = d_->find(key);
  if (e == nullptr || e->dashed == dashed) return;
  e->dashed = dashed;
  d_->applyPen(*e);
  d_->layoutLegend();  // short of room, dashed entries give way first
}

void MetricChart::setReferenceLine(double y, const QString& label) {
  d_->markers->setReference(y, label);
  d_->updateAxes();
  d_->updateOverlays();
}

void MetricChart::clearReferenceLine() {
  setReferenceLine(std::numeric_limits<double>::quiet_NaN(), QString());
}

void MetricChart::setYBounds(double lo, double hi) {
  d_->axes->setYBounds(lo, hi);
  if (!d_->zoomed) d_->updateAxes();
}

void MetricChart::setXLimit(double hi) {
  d_->axes->setXLimit(hi);
  if (!d_->zoomed) d_->updateAxes();
}

void MetricChart::setXCoverage(double lo, double hi) {
  if (lo == d_->coverLo && hi == d_->coverHi) return;
  d_->coverLo = lo;
  d_->coverHi = hi;
  d_->updateAxes();
}

void MetricChart::setPlotMessage(const QString& text) {
  if (d_->markers->message() == text) return;
  d_->markers->setMessage(text);
  d_->updateOverlays();
}

QString MetricChart::plotMessage() const { return d_->markers->message(); }

void MetricChart::setMarkers(const QList<Marker>& markers) {
  d_->markers->setMarkers(markers);
  d_->updateOverlays();
}

QList<MetricChart::Marker> MetricChart::markers() const { return d_->markers->markers(); }

void MetricChart::setCursorX(double x, const QString& label) {
  if (d_->markers->setCursor(x, label)) d_->updateOverlays();
}

double MetricChart::cursorX() const { return d_->markers->cursorX(); }

QString MetricChart::cursorLabel() const { return d_->markers->cursorLabel(); }

int MetricChart::cursorPixel() const {
  const double x = d_->markers->cursorX();
  const QRectF plot = d_->chart->plotArea();
  if (!std::isfinite(x) || !plot.isValid()) return -1;
  const double px = d_->axes->xToPx(x);
  if (px < plot.left() - 0.5 || px > plot.right() + 0.5) return -1;
  return d_->view->mapFromScene(d_->chart->mapToScene(QPointF(px, plot.center().y()))).x();
}

QPoint MetricChart::scrubStripPosition(double x) const {
  const QRectF plot = d_->chart->plotArea();
  const double px = std::clamp(d_->axes->xToPx(x), plot.left(), plot.right());
  const double py = plot.bottom() + 0.6 * QFontMetricsF(d_->font()).height();
  return d_->view->mapFromScene(d_->chart->mapToScene(QPointF(px, py)));
}

void MetricChart::resetZoom() {
  Impl& d = *d_;
  d.axes->forgetRanges();
  d.setZoomed(false);
  d.updateAxes();
}

bool MetricChart::isZoomed() const { return d_->zoomed; }

int MetricChart::chartSeriesCount() const { return static_cast<int>(d_->chart->series().size()); }

qsizetype MetricChart::hiddenPointCount() const {
  qsizetype n = 0;
  for (const auto& e : d_->entries) {
    if (e->visible) n += e->clean.hiddenCount();
  }
  return n;
}

QString MetricChart::hiddenPointsNote() const {
  qsizetype nonFinite = 0, nonPositive = 0;
  for (const auto& e : d_->entries) {
    if (!e->visible) continue;
    nonFinite += e->clean.nonFinite;
    nonPositive += e->clean.nonPositive;
  }
  QStringList parts;
  if (nonFinite > 0) {
    parts.append(nonFinite == 1 ? tr("1 non-finite point hidden")
                                : tr("%1 non-finite points hidden").arg(nonFinite));
  }
  if (nonPositive > 0) {
    parts.append(nonPositive == 1 ? tr("1 point \u2264 0 hidden (log scale)")
                                  : tr("%1 points \u2264 0 hidden (log scale)").arg(nonPositive));
  }
  return parts.join(QStringLiteral(" \u00b7 "));
}

QPointF MetricChart::xRange() const {
  return QPointF(d_->axes->x()->min(), d_->axes->x()->max());
}
QPointF MetricChart::yRange() const { return QPointF(d_->axes->yMin(), d_->axes->yMax()); }

QPoint MetricChart::legendEntryPosition(const QString& key) const {
  const SeriesEntry* e = d_->find(key);
  if (e == nullptr || !e->legend->isVisible()) return QPoint();
  return d_->view->mapFromScene(e->legend->sceneBoundingRect().center());
}

int MetricChart::legendHeight() const { return d_->legendHeight; }
int MetricChart::legendOverflowCount() const { return d_->legend->overflowCount(); }

QPoint MetricChart::legendOverflowPosition() const {
  const QRectF r = d_->legend->overflowSceneRect();
  return r.isNull() ? QPoint() : d_->view->mapFromScene(r.center());
}

QRect MetricChart::legendBounds() const {
  QRectF all = d_->legend->overflowSceneRect();
  for (const auto& e : d_->entries)
    if (e->legend->isVisible()) all = all.isNull() ? e->legend->sceneBoundingRect() : all.united(e->legend->sceneBoundingRect());
  return all.isNull() ? QRect() : d_->view->mapFromScene(all).boundingRect();
}

QWidget* MetricChart::interactionSurface() const { return d_->view->viewport(); }

QSize MetricChart::sizeHint() const { return QSize(520, 320); }
QSize MetricChart::minimumSizeHint() const { return QSize(260, 180); }

void MetricChart::changeEvent(QEvent* event) {
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
    d_->applyPalette();
  }
  QWidget::changeEvent(event);
}

}  // namespace larslab::ui
