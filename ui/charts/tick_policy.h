#pragma once
// Which ticks an axis labels, chosen so that every label fits the slot Qt Charts gives it.
// Plain Qt (no Qt Charts), unit-testable.
//
// Qt Charts gives each tick label an equal share of the axis (its length divided by the number of
// labels, minus a padding on both sides) and, when a label does not fit that share, draws it
// elided ("1e-..." or just "..."). So a log axis over 30 decades on a 150 px chart, or a linear
// axis with ten ticks on 100 px, shows dots instead of numbers. The policy counts the labels a
// choice would produce, measures them with the axis font, and takes the densest choice that fits:
// on a log axis every decade, else every 2nd, 3rd, 5th, 10th... decade (the axis base 10^n); on a
// linear axis the 1-2-5 step nearest the preferred spacing, else coarser ones. If not even one
// label fits, labels are switched off rather than elided.

#include <QString>
#include <functional>
#include <vector>

namespace larslab::ui {

// How big a label is in the axis's font (see labelMetricsFor() in chart_axes.cpp).
struct LabelMetrics {
  std::function<double(const QString&)> width;  // px
  double height = 0.0;                           // px, one line
};

// Room Qt Charts keeps on each side of a label inside its slot (ChartAxisElement::labelPadding),
// plus a margin for its rich-text layout rounding.
constexpr double kLabelPadding = 4.0;
constexpr double kLabelSafety = 3.0;

// The text Qt Charts prints for a tick value with the label format "%g" (the charts' format).
QString tickLabel(double value);

struct AxisTicks {
  std::vector<double> labels;  // the values that get a label, ascending
  bool labelsVisible = true;   // false: not even one label fits; draw none
  double interval = 1.0;       // linear: tick interval; log: the axis base 10^decadeStep
  int decadeStep = 1;          // log: a label every decadeStep decades
  int minorTickCount = 0;      // log: minor ticks between labelled decades
};

// Ticks for a log axis over [lo, hi] (lo > 0) that is `lengthPx` long; `vertical` for a y axis
// (the labels stack, so their height must fit) or horizontal (their width must fit).
AxisTicks logTicks(double lo, double hi, double lengthPx, bool vertical, const LabelMetrics& m);

// Ticks for a linear axis (anchor 0, as the charts' axes use) over [lo, hi]; `preferredPxPerTick`
// sets the density when there is room to spare.
AxisTicks linearTicks(double lo, double hi, double lengthPx, bool vertical,
                      double preferredPxPerTick, const LabelMetrics& m);

// True when each of `labels` fits its share of an axis `lengthPx` long (what Qt Charts checks).
bool labelsFit(const std::vector<double>& labels, double lengthPx, bool vertical,
               const LabelMetrics& m);

// The multiples of `interval` in [lo, hi], as Qt Charts' dynamic ticks with anchor 0 place them.
std::vector<double> linearTickValues(double lo, double hi, double interval);

}  // namespace larslab::ui
