#pragma once
// Debiased exponential moving average for the smoothing slider, as TensorBoard computes it:
//   ema_t = w * ema_{t-1} + (1 - w) * y_t,  ema_0 = 0,   smoothed_t = ema_t / (1 - w^t)
// where t counts the finite values seen so far. The division removes the bias towards the zero
// start, so the first smoothed value equals the first raw value. Non-finite values (a diverged
// run) pass through unchanged and do not touch the state, so one NaN does not erase the curve.

#include <QList>
#include <QPointF>

namespace larslab::ui {

class DebiasedEma {
 public:
  // weight in [0, 1): 0 = no smoothing. Throws std::invalid_argument otherwise.
  explicit DebiasedEma(double weight);

  // Adds one value and returns its smoothed value (or the value itself when it is not finite).
  double add(double value);
  void reset();

  double weight() const { return weight_; }
  long long count() const { return count_; }

 private:
  double weight_;
  double biased_ = 0.0;
  double weightPow_ = 1.0;  // w^t, updated incrementally
  long long count_ = 0;
};

// Smooths the y values of a series (x untouched) with a fresh DebiasedEma. weight 0 returns the
// input unchanged. Apply it to the full-resolution series, then downsample for display.
QList<QPointF> smoothSeries(const QList<QPointF>& points, double weight);

}  // namespace larslab::ui
