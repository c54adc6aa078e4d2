#pragma once
// Internal to larslab_charts: a MetricChart's axes. The x axis and the two y axes (linear and
// log, one attached at a time), the ranges that follow the data with hysteresis, the ticks that
// fit the plot, and the mapping between values and chart coordinates (own maths, so it works
// with or without series).

#include <QFont>
#include <QPalette>
#include <limits>

#include "ui/charts/series_cleaning.h"

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QChart;
class QLogValueAxis;
class QValueAxis;
class QWidget;
QT_END_NAMESPACE

namespace larslab::ui::detail {

// Extent of what the chart shows (visible series and the reference line).
struct DataExtent {
  double minX, maxX, minY, maxY;
};

class ChartAxes {
 public:
  // Creates the axes and attaches x and the linear y to `chart`. `widget` sizes the first ticks
  // before the chart's first layout.
  ChartAxes(QChart* chart, const QWidget* widget);
  ~ChartAxes();  // the chart owns the attached y axis; the detached one is ours
  ChartAxes(const ChartAxes&) = delete;
  ChartAxes& operator=(const ChartAxes&) = delete;

  QValueAxis* x() const { return x_; }
  QAbstractAxis* y() const;  // the attached one
  QValueAxis* yLinear() const { return yLin_; }
  QLogValueAxis* yLog() const { return yLog_; }
  bool logY() const { return logY_; }
  double yMin() const;
  double yMax() const;

  // Attaches the other y axis (series must be attached to it by the caller) and forgets both
  // ranges so the next fit() is tight.
  void setLogY(bool log);
  void forgetRanges();

  // Grows the ranges to cover `e` (hysteresis: see AxisRangeTracker); true if a range changed.
  bool fit(const DataExtent& e);
  // Limits every fitted y range to [lo, hi] (accuracy: [0, 1]); NaN clears a limit.
  void setYBounds(double lo, double hi);
  // The fitted x range ends at `hi` at most, unless the data itself goes further (inf: none).
  void setXLimit(double hi);
  // The ranges an empty chart shows (nothing left over from data that is gone).
  void showDefaultRanges();
  // Sets a range as it is (zoom, pan); ticks follow.
  void setXRange(double lo, double hi);
  void setYRange(double lo, double hi);
  // Recomputes the ticks for the current plot size.
  void retick();
  // retick() after Qt Charts changed the plot area. New ticks change the labels' width and so
  // the plot area again; at some sizes two tick choices alternate for ever (a layout loop that
  // kept the GUI thread at 100% and starved every other window's painting). At most
  // kMaxLayoutReticks follow one another; a range change (setXRange, setYRange) or a resize
  // (allowLayoutReticks) allows more. False when skipped.
  bool retickAfterLayout();
  void allowLayoutReticks() { layoutReticks_ = 0; }
  static constexpr int kMaxLayoutReticks = 2;
  // Qt Charts applies tick changes through a posted layout request; lay out now so that a
  // grab() or export right after a change (no event loop in between) shows the new ticks.
  void activateLayout();

  double xToPx(double x) const;
  double yToPx(double y) const;
  double pxToX(double px) const;
  double pxToY(double py) const;

  void style(const QPalette& palette, const QFont& widgetFont);

 private:
  void setLinearRange(QValueAxis* axis, double lo, double hi, bool horizontal);
  void setLogTicks(double lo, double hi);
  double plotPixels(bool horizontal) const;

  QChart* chart_;
  const QWidget* widget_;
  QValueAxis* x_;
  QValueAxis* yLin_;
  QLogValueAxis* yLog_;
  bool logY_ = false;
  int layoutReticks_ = 0;  // reticks since the last range change
  double yBoundLo_ = -std::numeric_limits<double>::infinity();
  double yBoundHi_ = std::numeric_limits<double>::infinity();
  double xLimit_ = std::numeric_limits<double>::infinity();
  AxisRangeTracker xTracker_{AxisRangeTracker::Scale::Linear};
  AxisRangeTracker yTracker_{AxisRangeTracker::Scale::Linear};
};

}  // namespace larslab::ui::detail
