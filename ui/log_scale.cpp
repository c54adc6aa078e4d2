#include "log_scale.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace larslab::ui {

double DecadeRange::low() const { return std::pow(10.0, lowExp); }
double DecadeRange::high() const { return std::pow(10.0, highExp); }

bool loggable(double v) { return std::isfinite(v) && v > 0.0; }

DecadeRange decadeRangeOf(const std::vector<double>& values) {
  double lo = 0.0;
  double hi = 0.0;
  bool any = false;
  for (const double v : values) {
    if (!loggable(v)) continue;
    lo = any ? std::min(lo, v) : v;
    hi = any ? std::max(hi, v) : v;
    any = true;
  }
  if (!any) return {};
  // A small tolerance so that an exact power of ten (1e-3 stored as a float) is its own decade.
  DecadeRange r{static_cast<int>(std::floor(std::log10(lo) + 1e-6)),
                static_cast<int>(std::ceil(std::log10(hi) - 1e-6))};
  if (r.highExp <= r.lowExp) r.highExp = r.lowExp + 1;
  return r;
}

double logPosition(double v, const DecadeRange& range) {
  if (!loggable(v)) return std::nan("");
  return (std::log10(v) - range.lowExp) / static_cast<double>(range.highExp - range.lowExp);
}

std::vector<int> decadeTicks(const DecadeRange& range, int maxTicks) {
  const int count = range.highExp - range.lowExp + 1;
  const int every = std::max(1, (count + std::max(1, maxTicks) - 1) / std::max(1, maxTicks));
  std::vector<int> ticks;
  for (int e = range.lowExp; e <= range.highExp; e += every) ticks.push_back(e);
  return ticks;
}

QString decadeLabel(int exponent) {
  if (exponent >= 0 && exponent <= 3) return QString::number(static_cast<int>(std::lround(std::pow(10.0, exponent))));
  if (exponent < 0 && exponent >= -3)
    return QStringLiteral("0.") + QString(-exponent - 1, QLatin1Char('0')) + QLatin1Char('1');
  return QStringLiteral("1e%1").arg(exponent);
}

QColor viridis(double t) {
  // Nine samples of matplotlib's viridis (at 0, 1/8, ..., 1), interpolated linearly.
  static constexpr std::array<std::array<double, 3>, 9> stops{{{0.267, 0.005, 0.329},
                                                               {0.282, 0.156, 0.470},
                                                               {0.230, 0.322, 0.546},
                                                               {0.173, 0.449, 0.558},
                                                               {0.128, 0.567, 0.551},
                                                               {0.135, 0.659, 0.518},
                                                               {0.267, 0.749, 0.441},
                                                               {0.478, 0.821, 0.318},
                                                               {0.993, 0.906, 0.144}}};
  if (!std::isfinite(t)) t = 0.0;
  t = std::clamp(t, 0.0, 1.0) * static_cast<double>(stops.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(t), stops.size() - 2);
  const double f = t - static_cast<double>(i);
  auto mix = [&](int c) { return stops[i][static_cast<std::size_t>(c)] * (1.0 - f) + stops[i + 1][static_cast<std::size_t>(c)] * f; };
  return QColor::fromRgbF(static_cast<float>(mix(0)), static_cast<float>(mix(1)), static_cast<float>(mix(2)));
}

}  // namespace larslab::ui
