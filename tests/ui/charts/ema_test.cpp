#include "ui/charts/ema.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace larslab::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(DebiasedEma, MatchesHandComputedValues) {
  // w = 0.5, y = 1, 3, 2:
  //   ema = 0.5, 1.75, 1.875;  1 - w^t = 0.5, 0.75, 0.875
  //   smoothed = 1, 2.333..., 2.142857...
  DebiasedEma ema(0.5);
  EXPECT_DOUBLE_EQ(ema.add(1.0), 1.0);
  EXPECT_DOUBLE_EQ(ema.add(3.0), 1.75 / 0.75);
  EXPECT_DOUBLE_EQ(ema.add(2.0), 1.875 / 0.875);
  EXPECT_EQ(ema.count(), 3);
}

TEST(DebiasedEma, FirstValueAndConstantsAreUnbiased) {
  // Without the 1/(1-w^t) factor the curve would start at (1-w)*y and creep up from zero.
  DebiasedEma ema(0.99);
  EXPECT_NEAR(ema.add(4.0), 4.0, 1e-12);
  for (int i = 0; i < 50; ++i) EXPECT_NEAR(ema.add(4.0), 4.0, 1e-12);
}

TEST(DebiasedEma, NonFiniteValuesPassThroughWithoutTouchingTheState) {
  DebiasedEma withGaps(0.5);
  withGaps.add(1.0);
  EXPECT_TRUE(std::isnan(withGaps.add(kNaN)));
  EXPECT_EQ(withGaps.add(std::numeric_limits<double>::infinity()),
            std::numeric_limits<double>::infinity());
  const double afterGap = withGaps.add(3.0);
  DebiasedEma clean(0.5);
  clean.add(1.0);
  EXPECT_DOUBLE_EQ(afterGap, clean.add(3.0));
  EXPECT_DOUBLE_EQ(afterGap, 1.75 / 0.75);
}

TEST(DebiasedEma, ResetStartsOver) {
  DebiasedEma ema(0.9);
  ema.add(10.0);
  ema.add(20.0);
  ema.reset();
  EXPECT_EQ(ema.count(), 0);
  EXPECT_DOUBLE_EQ(ema.add(7.0), 7.0);
}

TEST(DebiasedEma, RejectsWeightsOutsideZeroToOne) {
  EXPECT_THROW(DebiasedEma{1.0}, std::invalid_argument);
  EXPECT_THROW(DebiasedEma{-0.1}, std::invalid_argument);
  EXPECT_THROW(DebiasedEma{kNaN}, std::invalid_argument);
  EXPECT_NO_THROW(DebiasedEma{0.0});
  EXPECT_NO_THROW(DebiasedEma{0.999});
}

TEST(SmoothSeries, KeepsXAndSmoothsY) {
  const QList<QPointF> in = {{10, 1.0}, {20, kNaN}, {30, 3.0}, {40, 2.0}};
  const QList<QPointF> out = smoothSeries(in, 0.5);
  ASSERT_EQ(out.size(), 4);
  EXPECT_EQ(out[0], QPointF(10, 1.0));
  EXPECT_EQ(out[1].x(), 20);
  EXPECT_TRUE(std::isnan(out[1].y()));
  EXPECT_DOUBLE_EQ(out[2].y(), 1.75 / 0.75);
  EXPECT_DOUBLE_EQ(out[3].y(), 1.875 / 0.875);
  EXPECT_EQ(out[3].x(), 40);
}

TEST(SmoothSeries, ZeroWeightIsIdentityAndSmoothingReducesNoise) {
  QList<QPointF> noisy;
  for (int i = 0; i < 200; ++i) noisy.append(QPointF(i, (i % 2 == 0) ? 1.0 : -1.0));
  EXPECT_EQ(smoothSeries(noisy, 0.0), noisy);
  const QList<QPointF> smooth = smoothSeries(noisy, 0.9);
  // An alternating +-1 signal averages out: late smoothed values are close to 0.
  for (int i = 100; i < 200; ++i) EXPECT_LT(std::abs(smooth[i].y()), 0.12);
  EXPECT_THROW(smoothSeries(noisy, 1.5), std::invalid_argument);
}

}  // namespace
}  // namespace larslab::ui
