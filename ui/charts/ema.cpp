#include "ui/charts/ema.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace larslab::ui {

DebiasedEma::DebiasedEma(double weight) : weight_(weight) {
  if (!(weight >= 0.0 && weight < 1.0)) {
    throw std::invalid_argument("DebiasedEma: smoothing weight must be in [0, 1), got " +
                                std::to_string(weight));
  }
}

double DebiasedEma::add(double value) {
  if (!std::isfinite(value)) return value;
  biased_ = weight_ * biased_ + (1.0 - weight_) * value;
  weightPow_ *= weight_;
  // Below half an ulp of 1.0, 1 - weight^t is exactly 1: stop there, because the ever-smaller
  // power turns into slow denormal arithmetic after a few thousand steps.
  if (weightPow_ < 1e-17) weightPow_ = 0.0;
  ++count_;
  return biased_ / (1.0 - weightPow_);
}

void DebiasedEma::reset() {
  biased_ = 0.0;
  weightPow_ = 1.0;
  count_ = 0;
}

QList<QPointF> smoothSeries(const QList<QPointF>& points, double weight) {
  DebiasedEma ema(weight);
  if (weight == 0.0) return points;
  QList<QPointF> out;
  out.reserve(points.size());
  for (const QPointF& p : points) out.append(QPointF(p.x(), ema.add(p.y())));
  return out;
}

}  // namespace larslab::ui
