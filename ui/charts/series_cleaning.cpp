#include "ui/charts/series_cleaning.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace larslab::ui {

CleanedSeries cleanSeries(const QList<QPointF>& points, bool logY) {
  CleanedSeries out;
  out.points.reserve(points.size());
  double minX = std::numeric_limits<double>::infinity();
  double maxX = -minX, minY = minX, maxY = -minX;
  double lastX = -std::numeric_limits<double>::infinity();
  for (const QPointF& p : points) {
    const double x = p.x();
    const double y = p.y();
    if (!std::isfinite(x) || !std::isfinite(y)) {
      ++out.nonFinite;
      continue;
    }
    if (logY && y <= 0.0) {
      ++out.nonPositive;
      continue;
    }
    if (x < lastX) out.sortedByX = false;
    lastX = x;
    minX = std::min(minX, x);
    maxX = std::max(maxX, x);
    minY = std::min(minY, y);
    maxY = std::max(maxY, y);
    out.points.append(p);
  }
  if (!out.points.isEmpty()) {
    out.minX = minX;
    out.maxX = maxX;
    out.minY = minY;
    out.maxY = maxY;
  }
  return out;
}

QList<QPointF> decimateMinMax(const QList<QPointF>& points, int buckets) {
  const qsizetype n = points.size();
  if (buckets < 1 || n <= 2 * static_cast<qsizetype>(buckets)) return points;
  const double x0 = points.front().x();
  const double x1 = points.back().x();
  if (!(x1 > x0)) return points;
  for (qsizetype i = 1; i < n; ++i) {
    if (points[i].x() < points[i - 1].x()) return points;
  }
  QList<QPointF> out;
  out.reserve(2 * buckets + 2);
  out.append(points.front());
  const double width = (x1 - x0) / buckets;
  qsizetype i = 1;
  const qsizetype last = n - 1;
  while (i < last) {
    const int b = std::min(buckets - 1, static_cast<int>((points[i].x() - x0) / width));
    qsizetype lo = i, hi = i;
    qsizetype j = i + 1;
    for (; j < last && std::min(buckets - 1, static_cast<int>((points[j].x() - x0) / width)) == b;
         ++j) {
      if (points[j].y() < points[lo].y()) lo = j;
      if (points[j].y() > points[hi].y()) hi = j;
    }
    out.append(points[std::min(lo, hi)]);
    if (lo != hi) out.append(points[std::max(lo, hi)]);
    i = j;
  }
  out.append(points.back());
  return out;
}

double niceTickStep(double span, int targetTicks) {
  if (!(span > 0.0) || !std::isfinite(span) || targetTicks < 1) return 1.0;
  const double raw = span / targetTicks;
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / base;
  const double nice = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
  return nice * base;
}

void AxisRangeTracker::setScale(Scale scale) {
  if (scale == scale_) return;
  scale_ = scale;
  valid_ = false;
}

bool AxisRangeTracker::update(double dataMin, double dataMax) {
  if (!std::isfinite(dataMin) || !std::isfinite(dataMax) || dataMin > dataMax) return false;
  // Keep spans finite even after doubling: values beyond 1e300 are drawn at the edge.
  constexpr double kLimit = 1e300;
  dataMin = std::clamp(dataMin, -kLimit, kLimit);
  dataMax = std::clamp(dataMax, -kLimit, kLimit);
  return scale_ == Scale::Log ? updateLog(dataMin, dataMax) : updateLinear(dataMin, dataMax);
}

void AxisRangeTracker::setLinearRounded(double lo, double hi, bool nonNegative) {
  if (hi - lo <= 0.0) {
    // A constant series: give it a band around its value so the line is not on the frame.
    const double d = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  if (nonNegative) lo = std::max(lo, 0.0);
  const double step = niceTickStep(hi - lo);
  const double rlo = std::floor(lo / step) * step;
  const double rhi = std::ceil(hi / step) * step;
  if (std::isfinite(rlo) && std::isfinite(rhi) && rhi > rlo) {
    min_ = rlo;
    max_ = rhi;
    tick_ = step;
  } else {
    min_ = lo;
    max_ = hi;
    tick_ = (hi - lo) / 5.0;
  }
}

bool AxisRangeTracker::updateLinear(double lo, double hi) {
  if (!valid_) {
    // Small headroom so a curve does not run along the frame, but never below zero for
    // non-negative data (norms, losses, accuracies start their axis at 0).
    const double pad = 0.04 * (hi - lo);
    setLinearRounded(lo - pad, hi + pad, lo >= 0.0);
    valid_ = true;
    return true;
  }
  if (lo >= min_ && hi <= max_) return false;

  const double span = max_ - min_;
  double newLo = std::min(lo, min_);
  double newHi = std::max(hi, max_);
  const double target = std::max(newHi - newLo, 2.0 * span);
  if (lo < min_ && hi > max_) {
    const double slack = target - (newHi - newLo);
    newLo -= slack / 2.0;
    newHi += slack / 2.0;
  } else if (hi > max_) {
    newHi = newLo + target;
  } else {
    newLo = newHi - target;
  }
  setLinearRounded(newLo, newHi, min_ >= 0.0 && lo >= 0.0);
  return true;
}

bool AxisRangeTracker::updateLog(double lo, double hi) {
  if (!(hi > 0.0)) return false;
  if (!(lo > 0.0)) lo = hi;
  lo = std::max(lo, 1e-300);
  // Tolerance so that values that are exact powers of ten stay on their own decade.
  constexpr double kTol = 1e-9;
  const double dLo = std::floor(std::log10(lo) + kTol);
  double dHi = std::ceil(std::log10(hi) - kTol);
  if (dHi <= dLo) dHi = dLo + 1.0;
  const double rlo = std::pow(10.0, dLo);
  const double rhi = std::pow(10.0, dHi);
  tick_ = 10.0;
  if (!valid_) {
    min_ = rlo;
    max_ = rhi;
    valid_ = true;
    return true;
  }
  const double newLo = std::min(min_, rlo);
  const double newHi = std::max(max_, rhi);
  if (newLo == min_ && newHi == max_) return false;
  min_ = newLo;
  max_ = newHi;
  return true;
}

}  // namespace larslab::ui
