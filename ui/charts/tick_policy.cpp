#include "ui/charts/tick_policy.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "ui/charts/series_cleaning.h"

namespace larslab::ui {

QString tickLabel(double value) { return QString::asprintf("%g", value); }

bool labelsFit(const std::vector<double>& labels, double lengthPx, bool vertical,
               const LabelMetrics& m) {
  if (labels.empty()) return true;
  const double slot = lengthPx / static_cast<double>(labels.size()) - 2.0 * kLabelPadding;
  for (double v : labels) {
    const double need = (vertical ? m.height : m.width(tickLabel(v))) + kLabelSafety;
    if (need > slot) return false;
  }
  return true;
}

namespace {

// Decades labelled when every `step`-th one is: 10^(k*step) for the k whose power lies in the
// range. Edges within a hair count as inside (the axis range is widened by 1e-9 so that Qt labels
// them too); counting one label too many only makes the slots look smaller, never too big.
std::vector<double> decadeLabels(double lo, double hi, int step) {
  constexpr double kTol = 1e-6;
  const double dLo = std::log10(lo), dHi = std::log10(hi);
  const auto first = static_cast<long long>(std::ceil(dLo / step - kTol));
  const auto last = static_cast<long long>(std::floor(dHi / step + kTol));
  std::vector<double> out;
  for (long long k = first; k <= last && out.size() < 400; ++k) {
    out.push_back(std::pow(10.0, static_cast<double>(k * step)));
  }
  return out;
}

}  // namespace

AxisTicks logTicks(double lo, double hi, double lengthPx, bool vertical, const LabelMetrics& m) {
  AxisTicks t;
  if (!(lo > 0.0) || !(hi > lo) || !std::isfinite(hi) || !(lengthPx > 0.0)) {
    t.labelsVisible = false;
    t.interval = 10.0;
    return t;
  }
  // Steps people read easily first (1, 2, 3, 5, 10... decades), up to one label in 600 decades.
  static constexpr std::array<int, 15> kSteps = {1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 50, 100, 300};
  for (int step : kSteps) {
    std::vector<double> labels = decadeLabels(lo, hi, step);
    if (!labelsFit(labels, lengthPx, vertical, m)) continue;
    t.decadeStep = step;
    t.interval = std::pow(10.0, step);
    t.labels = std::move(labels);
    // Minor ticks at 2..9 only while each decade has room for them to read as a scale.
    const double decades = std::log10(hi / lo);
    t.minorTickCount = step == 1 && decades <= 3.5 && lengthPx / decades >= 40.0 ? 8 : 0;
    return t;
  }
  t.labelsVisible = false;
  t.decadeStep = kSteps.back();
  t.interval = std::pow(10.0, kSteps.back());
  return t;
}

std::vector<double> linearTickValues(double lo, double hi, double interval) {
  std::vector<double> out;
  if (!(interval > 0.0) || !(hi >= lo) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
  const double first = std::ceil(lo / interval - 1e-9);
  const double last = std::floor(hi / interval + 1e-9);
  if (last - first > 1000.0) return out;  // never asked for: the caller's interval is too fine
  for (double k = first; k <= last; k += 1.0) {
    const double v = k * interval;
    out.push_back(std::abs(v) < 1e-12 * interval ? 0.0 : v);  // -0 and 1e-17 print as "0"
  }
  return out;
}

AxisTicks linearTicks(double lo, double hi, double lengthPx, bool vertical,
                      double preferredPxPerTick, const LabelMetrics& m) {
  AxisTicks t;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || !(lengthPx > 0.0)) {
    t.labelsVisible = false;
    return t;
  }
  const int target = std::clamp(static_cast<int>(lengthPx / preferredPxPerTick), 2, 10);
  double interval = niceTickStep(hi - lo, target);
  // Coarser 1-2-5 steps until the labels fit; a step beyond the span leaves at most two ticks.
  for (int i = 0; i < 12; ++i) {
    std::vector<double> labels = linearTickValues(lo, hi, interval);
    if (!labels.empty() && labelsFit(labels, lengthPx, vertical, m)) {
      t.interval = interval;
      t.labels = std::move(labels);
      return t;
    }
    const double base = std::pow(10.0, std::floor(std::log10(interval) + 1e-9));
    const double f = interval / base;
    interval = (f < 1.5 ? 2.0 : f < 3.5 ? 5.0 : 10.0) * base;
  }
  t.interval = interval;
  t.labelsVisible = false;
  return t;
}

}  // namespace larslab::ui
