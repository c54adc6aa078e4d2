#include "ui/charts/chart_axes.h"

#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QWidget>
#include <QtCharts/QChart>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>

#include "ui/charts/chart_style.h"
#include "ui/charts/tick_policy.h"

namespace larslab::ui::detail {
namespace {
constexpr double kXPixelsPerTick = 90.0;
constexpr double kYPixelsPerTick = 45.0;
}  // namespace

ChartAxes::ChartAxes(QChart* chart, const QWidget* widget)
    : chart_(chart), widget_(widget), x_(new QValueAxis()), yLin_(new QValueAxis()),
      yLog_(new QLogValueAxis()) {
  for (QValueAxis* a : {x_, yLin_}) {
    a->setRange(0.0, 1.0);
    a->setTickInterval(0.2);
    a->setTickAnchor(0.0);
    a->setTickType(QValueAxis::TicksDynamic);
    a->setLabelFormat(QStringLiteral("%g"));
    a->setMinorTickCount(0);
  }
  x_->setTitleText(QStringLiteral("step"));
  yLog_->setBase(10.0);
  yLog_->setLabelFormat(QStringLiteral("%g"));
  yLog_->setRange(1e-3, 1.0);
  chart_->addAxis(x_, Qt::AlignBottom);
  chart_->addAxis(yLin_, Qt::AlignLeft);
}

ChartAxes::~ChartAxes() {
  QAbstractAxis* detached = logY_ ? static_cast<QAbstractAxis*>(yLin_) : yLog_;
  delete detached;
}

QAbstractAxis* ChartAxes::y() const {
  return logY_ ? static_cast<QAbstractAxis*>(yLog_) : yLin_;
}
double ChartAxes::yMin() const { return logY_ ? yLog_->min() : yLin_->min(); }
double ChartAxes::yMax() const { return logY_ ? yLog_->max() : yLin_->max(); }

void ChartAxes::setLogY(bool log) {
  if (log == logY_) return;
  QAbstractAxis* oldAxis = y();
  logY_ = log;
  QAbstractAxis* newAxis = y();
  chart_->removeAxis(oldAxis);  // detaches it from every series; the chart releases ownership
  chart_->addAxis(newAxis, Qt::AlignLeft);
  yTracker_.setScale(log ? AxisRangeTracker::Scale::Log : AxisRangeTracker::Scale::Linear);
  forgetRanges();
}

void ChartAxes::forgetRanges() {
  xTracker_.reset();
  yTracker_.reset();
}

bool ChartAxes::fit(const DataExtent& e) {
  bool changed = false;
  if (xTracker_.update(e.minX, e.maxX)) {
    const double hi = std::min(xTracker_.max(), std::max(xLimit_, e.maxX));
    setXRange(xTracker_.min(), hi > xTracker_.min() ? hi : xTracker_.max());
    changed = true;
  }
  if (yTracker_.update(e.minY, e.maxY)) {
    const double lo = std::max(yTracker_.min(), yBoundLo_);
    const double hi = std::min(yTracker_.max(), yBoundHi_);
    if (hi > lo) {
      setYRange(lo, hi);
    } else {
      setYRange(yTracker_.min(), yTracker_.max());  // data entirely outside the bounds
    }
    changed = true;
  }
  return changed;
}

void ChartAxes::setYBounds(double lo, double hi) {
  yBoundLo_ = std::isnan(lo) ? -std::numeric_limits<double>::infinity() : lo;
  yBoundHi_ = std::isnan(hi) ? std::numeric_limits<double>::infinity() : hi;
  yTracker_.reset();
}

void ChartAxes::setXLimit(double hi) {
  xLimit_ = std::isnan(hi) ? std::numeric_limits<double>::infinity() : hi;
  xTracker_.reset();
}

void ChartAxes::showDefaultRanges() {
  forgetRanges();
  setXRange(0.0, 1.0);
  setYRange(logY_ ? 1e-3 : 0.0, 1.0);
}

namespace {
LabelMetrics labelMetricsFor(const QAbstractAxis* axis) {
  // Qt Charts lays labels out as rich text; its line box is at least the font's line spacing.
  const QFontMetricsF fm(axis->labelsFont());
  return {[fm](const QString& text) { return fm.horizontalAdvance(text); },
          std::max(fm.height(), fm.lineSpacing())};
}
}  // namespace

void ChartAxes::setLinearRange(QValueAxis* axis, double lo, double hi, bool horizontal) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return;
  const AxisTicks ticks =
      linearTicks(lo, hi, plotPixels(horizontal), !horizontal,
                  horizontal ? kXPixelsPerTick : kYPixelsPerTick, labelMetricsFor(axis));
  const double newInterval = ticks.interval;
  const double oldInterval = axis->tickInterval();
  const double oldSpan = axis->max() - axis->min();
  // Change range and interval in the order whose intermediate state has fewer ticks: Qt lays out
  // the ticks after each call, and (wide range, tiny interval) could mean millions of them.
  if ((hi - lo) / oldInterval <= oldSpan / newInterval) {
    axis->setRange(lo, hi);
    axis->setTickInterval(newInterval);
  } else {
    axis->setTickInterval(newInterval);
    axis->setRange(lo, hi);
  }
  axis->setLabelsVisible(ticks.labelsVisible);
}

void ChartAxes::setLogTicks(double lo, double hi) {
  const AxisTicks ticks = logTicks(lo, hi, plotPixels(false), true, labelMetricsFor(yLog_));
  yLog_->setBase(ticks.interval);
  yLog_->setMinorTickCount(ticks.minorTickCount);
  yLog_->setLabelsVisible(ticks.labelsVisible);
}

void ChartAxes::activateLayout() {
  if (QGraphicsLayout* layout = chart_->layout()) layout->activate();
}

void ChartAxes::setXRange(double lo, double hi) {
  layoutReticks_ = 0;
  setLinearRange(x_, lo, hi, true);
  activateLayout();
}

void ChartAxes::setYRange(double lo, double hi) {
  layoutReticks_ = 0;
  if (logY_) {
    if (!(lo > 0.0) || !(hi > lo) || !std::isfinite(hi)) return;
    setLogTicks(lo, hi);
    // Widen by a hair: QLogValueAxis labels ticks from ceil(log(min)), and log10(1e-3) rounds to
    // -2.9999999999999996, which would drop the label at the bottom decade.
    yLog_->setRange(lo * (1.0 - 1e-9), hi * (1.0 + 1e-9));
  } else {
    setLinearRange(yLin_, lo, hi, false);
  }
  activateLayout();
}

double ChartAxes::plotPixels(bool horizontal) const {
  const QRectF plot = chart_->plotArea();
  if (plot.width() > 10.0 && plot.height() > 10.0) return horizontal ? plot.width() : plot.height();
  // Before the first layout: estimate from the widget so the first frame has sensible ticks.
  return horizontal ? 0.75 * widget_->width() : 0.7 * widget_->height();
}

void ChartAxes::retick() {
  setLinearRange(x_, x_->min(), x_->max(), true);
  if (logY_) {
    setLogTicks(yLog_->min(), yLog_->max());
  } else {
    setLinearRange(yLin_, yLin_->min(), yLin_->max(), false);
  }
  activateLayout();
}

bool ChartAxes::retickAfterLayout() {
  if (layoutReticks_ >= kMaxLayoutReticks) return false;
  ++layoutReticks_;
  retick();
  return true;
}

double ChartAxes::xToPx(double x) const {
  const QRectF r = chart_->plotArea();
  return r.left() + (x - x_->min()) / (x_->max() - x_->min()) * r.width();
}

double ChartAxes::yToPx(double y) const {
  const QRectF r = chart_->plotArea();
  double f;
  if (logY_) {
    f = (std::log10(y) - std::log10(yMin())) / (std::log10(yMax()) - std::log10(yMin()));
  } else {
    f = (y - yMin()) / (yMax() - yMin());
  }
  return r.bottom() - f * r.height();
}

double ChartAxes::pxToX(double px) const {
  const QRectF r = chart_->plotArea();
  return x_->min() + (px - r.left()) / r.width() * (x_->max() - x_->min());
}

double ChartAxes::pxToY(double py) const {
  const QRectF r = chart_->plotArea();
  const double f = (r.bottom() - py) / r.height();
  if (logY_) {
    const double l0 = std::log10(yMin()), l1 = std::log10(yMax());
    return std::pow(10.0, l0 + f * (l1 - l0));
  }
  return yMin() + f * (yMax() - yMin());
}

void ChartAxes::style(const QPalette& palette, const QFont& widgetFont) {
  styleAxis(x_, palette, widgetFont);
  styleAxis(yLin_, palette, widgetFont);
  styleAxis(yLog_, palette, widgetFont);
}

}  // namespace larslab::ui::detail
