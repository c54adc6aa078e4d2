#include "ui/charts/series_cleaning.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace larslab::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(CleanSeries, DropsAndCountsNonFinitePoints) {
  const QList<QPointF> in = {{0, 1.0}, {1, kNaN}, {2, 3.0}, {kInf, 2.0}, {4, -kInf}, {5, -2.0}};
  const CleanedSeries c = cleanSeries(in, false);
  EXPECT_EQ(c.nonFinite, 3);
  EXPECT_EQ(c.nonPositive, 0);
  ASSERT_EQ(c.points.size(), 3);
  EXPECT_EQ(c.points[0], QPointF(0, 1.0));
  EXPECT_EQ(c.points[1], QPointF(2, 3.0));
  EXPECT_EQ(c.points[2], QPointF(5, -2.0));
  EXPECT_DOUBLE_EQ(c.minX, 0.0);
  EXPECT_DOUBLE_EQ(c.maxX, 5.0);
  EXPECT_DOUBLE_EQ(c.minY, -2.0);
  EXPECT_DOUBLE_EQ(c.maxY, 3.0);
  EXPECT_EQ(c.hiddenCount(), 3);
}

TEST(CleanSeries, LogScaleDropsZeroAndNegativeSeparately) {
  const QList<QPointF> in = {{0, 0.0}, {1, 1e-3}, {2, -1.0}, {3, kNaN}, {4, 10.0}, {5, 1e-300}};
  const CleanedSeries c = cleanSeries(in, true);
  EXPECT_EQ(c.nonFinite, 1);
  EXPECT_EQ(c.nonPositive, 2);
  ASSERT_EQ(c.points.size(), 3);
  EXPECT_DOUBLE_EQ(c.minY, 1e-300);
  EXPECT_DOUBLE_EQ(c.maxY, 10.0);
  EXPECT_DOUBLE_EQ(c.minX, 1.0);
  EXPECT_DOUBLE_EQ(c.maxX, 5.0);
}

TEST(CleanSeries, LinearScaleKeepsZeroAndNegative) {
  const CleanedSeries c = cleanSeries({{0, 0.0}, {1, -4.0}}, false);
  EXPECT_EQ(c.points.size(), 2);
  EXPECT_EQ(c.hiddenCount(), 0);
}

TEST(CleanSeries, ReportsOrderAndEmptiness) {
  EXPECT_TRUE(cleanSeries({{0, 1}, {1, 2}, {1, 3}, {2, 1}}, false).sortedByX);
  EXPECT_FALSE(cleanSeries({{0, 1}, {2, 2}, {1, 3}}, false).sortedByX);
  const CleanedSeries all = cleanSeries({{0, kNaN}, {1, 0.0}}, true);
  EXPECT_TRUE(all.isEmpty());
  EXPECT_EQ(all.hiddenCount(), 2);
  EXPECT_TRUE(cleanSeries({}, false).isEmpty());
}

TEST(DecimateMinMax, KeepsSpikesEndsAndOrderWithinTheBudget) {
  QList<QPointF> in;
  for (int i = 0; i < 100000; ++i) in.append(QPointF(i, std::sin(i * 0.001)));
  in[31337].setY(50.0);   // a loss spike
  in[77777].setY(-50.0);  // and a dip
  const QList<QPointF> out = decimateMinMax(in, 500);
  EXPECT_LE(out.size(), 2 * 500 + 2);
  EXPECT_GE(out.size(), 500);
  EXPECT_EQ(out.front(), in.front());
  EXPECT_EQ(out.back(), in.back());
  EXPECT_TRUE(out.contains(QPointF(31337, 50.0)));
  EXPECT_TRUE(out.contains(QPointF(77777, -50.0)));
  for (qsizetype i = 1; i < out.size(); ++i) ASSERT_LT(out[i - 1].x(), out[i].x());
  // Every kept point is a real input point.
  for (const QPointF& p : out) ASSERT_EQ(p.y(), in[static_cast<qsizetype>(p.x())].y());
}

TEST(DecimateMinMax, LeavesSmallOrUnsortedInputAlone) {
  const QList<QPointF> small = {{0, 1}, {1, 2}, {2, 3}};
  EXPECT_EQ(decimateMinMax(small, 1), small);
  QList<QPointF> unsorted;
  for (int i = 0; i < 100; ++i) unsorted.append(QPointF(i % 10, i));
  EXPECT_EQ(decimateMinMax(unsorted, 5), unsorted);
  QList<QPointF> sameX(100, QPointF(3, 1));
  EXPECT_EQ(decimateMinMax(sameX, 5), sameX);
}

TEST(NiceTickStep, PicksOneTwoFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(niceTickStep(10.0, 5), 2.0);
  EXPECT_DOUBLE_EQ(niceTickStep(1.0, 5), 0.2);
  EXPECT_DOUBLE_EQ(niceTickStep(7.3, 5), 1.0);    // 1.46 -> 1
  EXPECT_DOUBLE_EQ(niceTickStep(30.0, 5), 5.0);   // 6 -> 5
  EXPECT_DOUBLE_EQ(niceTickStep(40.0, 5), 10.0);  // 8 -> 10
  EXPECT_NEAR(niceTickStep(0.003, 3), 0.001, 1e-18);
  EXPECT_DOUBLE_EQ(niceTickStep(0.0, 5), 1.0);
  EXPECT_DOUBLE_EQ(niceTickStep(kNaN, 5), 1.0);
}

TEST(AxisRangeTracker, FirstLinearRangeIsNiceAndCoversDataFromZero) {
  AxisRangeTracker t;
  EXPECT_FALSE(t.isValid());
  EXPECT_TRUE(t.update(0.1, 2.3));
  EXPECT_TRUE(t.isValid());
  EXPECT_DOUBLE_EQ(t.min(), 0.0);  // non-negative data never gets a negative axis
  EXPECT_GE(t.max(), 2.3);
  EXPECT_LE(t.max(), 3.0);
  // The ends are whole multiples of the tick interval.
  EXPECT_NEAR(std::remainder(t.max(), t.tickInterval()), 0.0, 1e-12);
}

TEST(AxisRangeTracker, LinearRangeHoldsForDataInsideAndNeverShrinks) {
  AxisRangeTracker t;
  t.update(0.0, 10.0);
  const double lo = t.min(), hi = t.max();
  EXPECT_FALSE(t.update(2.0, 8.0));
  EXPECT_FALSE(t.update(0.0, 10.0));
  EXPECT_FALSE(t.update(5.0, 5.0));
  EXPECT_EQ(t.min(), lo);
  EXPECT_EQ(t.max(), hi);
  t.reset();
  EXPECT_TRUE(t.update(2.0, 3.0));  // after a reset the range refits tightly
  EXPECT_GE(t.min(), 1.0);
  EXPECT_LE(t.max(), 4.0);
}

TEST(AxisRangeTracker, LinearGrowthAtLeastDoublesTheSpan) {
  AxisRangeTracker t;
  t.update(0.0, 100.0);
  const double span = t.max() - t.min();
  EXPECT_TRUE(t.update(0.0, t.max() + 1.0));
  EXPECT_GE(t.max() - t.min(), 2.0 * span);
  EXPECT_DOUBLE_EQ(t.min(), 0.0);

  AxisRangeTracker neg;
  neg.update(-1.0, 1.0);
  const double lo = neg.min(), hi = neg.max();
  EXPECT_TRUE(neg.update(lo - 0.01, 0.0));  // grows downwards, keeps its top
  EXPECT_LE(neg.min(), hi - 2.0 * (hi - lo) + 1e-12);
  EXPECT_GE(neg.max(), hi);
}

TEST(AxisRangeTracker, GrowingStepAxisChangesOnlyLogarithmicallyOften) {
  // An x axis fed every GUI tick while training runs 100,000 steps.
  AxisRangeTracker t;
  int changes = 0;
  for (int step = 0; step <= 100000; step += 7) {
    if (t.update(0.0, step)) ++changes;
    ASSERT_LE(t.min(), 0.0);
    ASSERT_GE(t.max(), step);
  }
  EXPECT_LE(changes, 20);  // ~log2(100000 / 1) + first fit
  EXPECT_GE(changes, 10);
}

TEST(AxisRangeTracker, LogRangeSnapsToDecadesAndGrowsByDecades) {
  AxisRangeTracker t(AxisRangeTracker::Scale::Log);
  EXPECT_TRUE(t.update(0.003, 0.4));
  EXPECT_DOUBLE_EQ(t.min(), 1e-3);
  EXPECT_DOUBLE_EQ(t.max(), 1.0);
  EXPECT_FALSE(t.update(0.002, 0.9));
  EXPECT_TRUE(t.update(0.002, 5.0));
  EXPECT_DOUBLE_EQ(t.max(), 10.0);
  EXPECT_DOUBLE_EQ(t.min(), 1e-3);
  // Exact powers of ten stay on their own decade.
  AxisRangeTracker p(AxisRangeTracker::Scale::Log);
  p.update(1e-3, 1.0);
  EXPECT_DOUBLE_EQ(p.min(), 1e-3);
  EXPECT_DOUBLE_EQ(p.max(), 1.0);
  // A single value gets one decade.
  AxisRangeTracker one(AxisRangeTracker::Scale::Log);
  one.update(1.0, 1.0);
  EXPECT_DOUBLE_EQ(one.min(), 1.0);
  EXPECT_DOUBLE_EQ(one.max(), 10.0);
}

TEST(AxisRangeTracker, DecayingNormOnLogAxisChangesOncePerDecade) {
  AxisRangeTracker t(AxisRangeTracker::Scale::Log);
  int changes = 0;
  double lo = 1.0;
  for (int i = 0; i < 10000; ++i) {
    lo = std::min(lo, std::pow(10.0, -12.0 * i / 9999.0));
    if (t.update(lo, 1.0)) ++changes;
  }
  EXPECT_EQ(changes, 13);  // the first fit, then one per decade from 1e-1 down to 1e-12
  EXPECT_DOUBLE_EQ(t.min(), 1e-12);
}

TEST(AxisRangeTracker, IgnoresUnusableInput) {
  AxisRangeTracker t;
  EXPECT_FALSE(t.update(kNaN, 1.0));
  EXPECT_FALSE(t.update(0.0, kInf));
  EXPECT_FALSE(t.update(2.0, 1.0));
  EXPECT_FALSE(t.isValid());
  AxisRangeTracker log(AxisRangeTracker::Scale::Log);
  EXPECT_FALSE(log.update(-1.0, 0.0));
  EXPECT_FALSE(log.isValid());
  EXPECT_TRUE(log.update(0.0, 0.5));  // no usable lower bound: one decade under the max
  EXPECT_DOUBLE_EQ(log.min(), 0.1);
  EXPECT_DOUBLE_EQ(log.max(), 1.0);
}

TEST(AxisRangeTracker, HugeValuesKeepAFiniteRange) {
  AxisRangeTracker t;
  t.update(0.0, 1.0);
  EXPECT_TRUE(t.update(0.0, std::numeric_limits<double>::max()));
  EXPECT_TRUE(std::isfinite(t.min()));
  EXPECT_TRUE(std::isfinite(t.max()));
  EXPECT_GT(t.max(), t.min());
  EXPECT_TRUE(std::isfinite(t.tickInterval()));
}

TEST(AxisRangeTracker, ConstantSeriesGetsABandAroundItsValue) {
  AxisRangeTracker t;
  t.update(5.0, 5.0);
  EXPECT_LT(t.min(), 5.0);
  EXPECT_GT(t.max(), 5.0);
  AxisRangeTracker z;
  z.update(0.0, 0.0);
  EXPECT_DOUBLE_EQ(z.min(), 0.0);
  EXPECT_GT(z.max(), 0.0);
}

TEST(AxisRangeTracker, SwitchingScaleForgetsTheRange) {
  AxisRangeTracker t;
  t.update(0.0, 10.0);
  t.setScale(AxisRangeTracker::Scale::Log);
  EXPECT_FALSE(t.isValid());
  EXPECT_TRUE(t.update(0.5, 50.0));
  EXPECT_DOUBLE_EQ(t.min(), 0.1);
  EXPECT_DOUBLE_EQ(t.max(), 100.0);
}

}  // namespace
}  // namespace larslab::ui
