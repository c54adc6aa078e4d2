#pragma once
// Display-side cleaning of a series and the axis-range hysteresis. Plain Qt (no Qt Charts) so it
// can be unit-tested and reused by any chart backend.

#include <QList>
#include <QPointF>

namespace larslab::ui {

// Result of cleanSeries(): the points a chart may draw, plus what was dropped and the extent of
// what is left.
struct CleanedSeries {
  QList<QPointF> points;
  qsizetype nonFinite = 0;    // points with a NaN/inf x or y (a diverged run)
  qsizetype nonPositive = 0;  // finite points with y <= 0, dropped only on a log scale
  double minX = 0.0, maxX = 0.0, minY = 0.0, maxY = 0.0;  // extent of `points`; 0 when empty
  bool sortedByX = true;      // lets hover look-ups use a binary search

  bool isEmpty() const { return points.isEmpty(); }
  qsizetype hiddenCount() const { return nonFinite + nonPositive; }
};

// Policy (one rule for every chart): non-finite points are DROPPED and counted; on a log scale,
// points with y <= 0 are also DROPPED and counted (not clamped to a floor). Clamping would draw a
// fake value and stretch the log axis down to the floor, squashing every real curve; dropping
// keeps the axis honest and the chart shows "n points hidden" so nothing is lost silently.
// Qt Charts never receives NaN/inf (replace() does not filter them) nor y <= 0 on QLogValueAxis
// (which stops drawing the whole series at the first such value).
CleanedSeries cleanSeries(const QList<QPointF>& points, bool logY);

// Min/max decimation for drawing: splits the x extent into `buckets` equal columns and keeps, per
// column, the lowest and highest point (in x order), plus the first and last point of the series.
// Spikes survive, which is what a student must see. Needs points sorted by x; returns the input
// unchanged when it is unsorted or already has at most 2 * buckets points.
QList<QPointF> decimateMinMax(const QList<QPointF>& points, int buckets);

// "Nice" tick step (1, 2 or 5 times a power of ten) close to span/targetTicks.
double niceTickStep(double span, int targetTicks = 5);

// Axis range that follows the data with hysteresis, so the chart does not re-project every point
// on every GUI tick. Linear: the first range is the data extent rounded outward to nice ticks; when
// data leaves it, the span at least doubles. Log: ranges are whole decades and grow by decades.
// A range never shrinks by itself; call reset() (reset zoom, data cleared) to refit tightly.
class AxisRangeTracker {
 public:
  enum class Scale { Linear, Log };

  explicit AxisRangeTracker(Scale scale = Scale::Linear) : scale_(scale) {}

  // Switching scale forgets the range (a linear range is meaningless on a log axis).
  void setScale(Scale scale);
  Scale scale() const { return scale_; }

  // Feed the current data extent. Returns true when the range changed (the caller then sets the
  // axis). Non-finite input, min > max, or (log) max <= 0 is ignored and returns false; on a log
  // scale a non-positive min is treated as "no lower bound from this data" (cleaned data has none).
  bool update(double dataMin, double dataMax);

  void reset() { valid_ = false; }
  bool isValid() const { return valid_; }
  double min() const { return min_; }
  double max() const { return max_; }
  // Linear: the nice step the range was rounded to (use as the axis tick interval).
  // Log: 10 (one labelled tick per decade).
  double tickInterval() const { return tick_; }

 private:
  bool updateLinear(double lo, double hi);
  bool updateLog(double lo, double hi);
  void setLinearRounded(double lo, double hi, bool nonNegative);

  Scale scale_;
  bool valid_ = false;
  double min_ = 0.0, max_ = 1.0, tick_ = 0.2;
};

}  // namespace larslab::ui
