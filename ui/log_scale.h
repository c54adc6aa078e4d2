#pragma once
// A logarithmic scale for the teaching views (layer profile axis, heatmap colours): where a
// positive value falls between two decades, the decade ticks and their labels, and a
// viridis-like colour map. Pure functions, unit-tested (tests/ui/test_teaching_plots.cpp).

#include <QColor>
#include <QString>
#include <vector>

namespace larslab::ui {

// A range of decades [10^lowExp, 10^highExp], lowExp < highExp.
struct DecadeRange {
  int lowExp = -1;
  int highExp = 0;
  [[nodiscard]] double low() const;
  [[nodiscard]] double high() const;
  bool operator==(const DecadeRange&) const = default;
};

// True for the values a log scale can place: finite and > 0.
bool loggable(double v);

// The smallest whole-decade range that holds every loggable value of `values` (at least one
// decade wide); {-1, 0} when none is loggable.
DecadeRange decadeRangeOf(const std::vector<double>& values);

// Where v falls in `range`: 0 at low(), 1 at high(), linear in log10 (not clamped). NaN for a
// value that is not loggable.
double logPosition(double v, const DecadeRange& range);

// Every decade exponent lowExp..highExp; when there are more than maxTicks, every k-th so that
// at most maxTicks remain (the low end always kept).
std::vector<int> decadeTicks(const DecadeRange& range, int maxTicks = 12);

// A decade's label: "0.001", "0.01", ..., "1", "10", "100", "1000", and "1e-4", "1e4" beyond.
QString decadeLabel(int exponent);

// The viridis colour map at t in [0, 1] (clamped): dark purple, blue, green, yellow.
QColor viridis(double t);

}  // namespace larslab::ui
