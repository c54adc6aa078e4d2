// The incremental display reduction must draw what a full min/max reduction draws: every
// bucket's extremes (spikes survive), in step order, and the same smoothed values.

#include <QList>
#include <QPointF>
#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <random>
#include <vector>

#include "charts/ema.h"
#include "engine/metrics_store.h"
#include "series_cache.h"

namespace larslab::ui {
namespace {

// A store with one run and one tensor; values[k] is the loss of step k and the tensor's
// weight norm is 2 * values[k].
std::unique_ptr<engine::MetricsStore> makeStore() {
  std::vector<engine::TensorColumnInfo> tensors{{"dense1.weight", nn::TensorKind::Weight, {4, 2}}};
  auto store = std::make_unique<engine::MetricsStore>(tensors, 1 << 20);
  store->addRun("run");
  return store;
}

void append(engine::MetricsStore& store, float v) {
  const float run[] = {v, 0.5f, 0.1f};
  float tensor[engine::kTensorMetricCount] = {};
  tensor[0] = 2 * v;
  store.appendStep(0, run, tensor);
}

TEST(SeriesCache, IncrementalReductionKeepsEveryBucketExtreme) {
  auto store = makeStore();
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> values;
  SeriesCache cache({0, -1, static_cast<int>(engine::RunMetric::Loss)}, /*targetBuckets=*/100);
  QList<QPointF> pts;
  // Feed in uneven slices, as a GUI tick would see them.
  long total = 0;
  for (long slice : {1L, 7L, 100L, 3000L, 1L, 12345L, 999L, 20000L}) {
    for (long i = 0; i < slice; ++i) {
      float v = noise(rng);
      if (total + i == 17777) v = 1000.0f;  // one spike
      values.push_back(v);
      append(*store, v);
    }
    total += slice;
    EXPECT_TRUE(cache.update(*store));
    EXPECT_EQ(cache.processedSteps(), total);
    EXPECT_TRUE(cache.points(*store, 1.0, pts));
    EXPECT_FALSE(cache.points(*store, 1.0, pts)) << "nothing new: unchanged";
  }
  // Between target and 2 * target buckets, two points each at most.
  EXPECT_LE(pts.size(), 4 * 100);
  EXPECT_GE(pts.size(), 100);
  // Every point is a real sample at its step; steps are increasing.
  for (qsizetype i = 0; i < pts.size(); ++i) {
    const long step = static_cast<long>(pts[i].x());
    ASSERT_EQ(static_cast<float>(pts[i].y()), values[static_cast<std::size_t>(step)]);
    if (i > 0) {
      EXPECT_LT(pts[i - 1].x(), pts[i].x());
    }
  }
  // Extremes of each bucket survive: the spike, and the global min and max.
  const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  auto has = [&](float v) {
    return std::any_of(pts.begin(), pts.end(), [v](const QPointF& p) { return static_cast<float>(p.y()) == v; });
  };
  EXPECT_TRUE(has(1000.0f));
  EXPECT_TRUE(has(*mn));
  EXPECT_TRUE(has(*mx));
  // Each bucket of the final size holds exactly its min and max.
  const long b = cache.bucketSize();
  for (long first = 0; first < total; first += b) {
    const long last = std::min(total, first + b);
    const auto [bmin, bmax] = std::minmax_element(values.begin() + first, values.begin() + last);
    bool minSeen = false;
    bool maxSeen = false;
    for (const QPointF& p : pts) {
      if (p.x() < first || p.x() >= last) continue;
      minSeen = minSeen || static_cast<float>(p.y()) == *bmin;
      maxSeen = maxSeen || static_cast<float>(p.y()) == *bmax;
    }
    EXPECT_TRUE(minSeen && maxSeen) << "bucket at " << first;
  }
}

TEST(SeriesCache, NonFiniteValuesAreSkippedAndTensorColumnsRead) {
  auto store = makeStore();
  for (int i = 0; i < 50; ++i) append(*store, static_cast<float>(i));
  append(*store, std::numeric_limits<float>::quiet_NaN());
  append(*store, std::numeric_limits<float>::infinity());
  SeriesCache cache({0, 0, static_cast<int>(engine::TensorMetric::WeightNorm)}, 400);
  cache.update(*store);
  QList<QPointF> pts;
  cache.points(*store, 0.5, pts);
  ASSERT_EQ(pts.size(), 50);
  for (const QPointF& p : pts) {
    EXPECT_TRUE(std::isfinite(p.y()));
    EXPECT_DOUBLE_EQ(p.y(), 2 * (p.x() / 0.5)) << "x is step * xScale, y the tensor column";
  }
  EXPECT_TRUE(std::isinf(cache.lastRaw()));
}

// A pinned run keeps the length it had when pinned while its store goes on growing.
TEST(SeriesCache, AStepLimitStopsReadingAtTheFrozenLength) {
  auto store = makeStore();
  for (int i = 0; i < 40; ++i) append(*store, static_cast<float>(i + 1));
  SeriesCache cache({0, -1, static_cast<int>(engine::RunMetric::Loss)}, 400);
  cache.setStepLimit(25);
  EXPECT_TRUE(cache.update(*store));
  EXPECT_EQ(cache.processedSteps(), 25);
  for (int i = 0; i < 40; ++i) append(*store, 1000.0f);  // the live run trains on
  EXPECT_FALSE(cache.update(*store)) << "nothing past the limit is read";
  QList<QPointF> pts;
  cache.points(*store, 1.0, pts);
  ASSERT_EQ(pts.size(), 25);
  EXPECT_DOUBLE_EQ(pts.back().x(), 24.0);
  EXPECT_DOUBLE_EQ(pts.back().y(), 25.0);
  // A zoomed view reads the full-resolution range only below the limit too.
  cache.setTargetBuckets(8);
  cache.update(*store);
  cache.points(*store, 1.0, 20.0, 24.0, pts);
  for (const QPointF& p : pts) EXPECT_LT(p.y(), 1000.0) << "step " << p.x();
}

TEST(SeriesCache, SmoothingMatchesTheDebiasedEmaOfTheFullSeries) {
  auto store = makeStore();
  QList<QPointF> raw;
  for (int i = 0; i < 300; ++i) {
    const float v = static_cast<float>(std::sin(i * 0.1) + (i % 7 == 0 ? 2.0 : 0.0));
    append(*store, v);
    raw.append(QPointF(i, v));
  }
  SeriesCache cache({0, -1, static_cast<int>(engine::RunMetric::Loss)}, 400, 0.9);
  cache.update(*store);
  QList<QPointF> pts;
  cache.points(*store, 1.0, pts);
  const QList<QPointF> expected = smoothSeries(raw, 0.9);
  ASSERT_EQ(pts.size(), expected.size());
  for (qsizetype i = 0; i < pts.size(); ++i) EXPECT_NEAR(pts[i].y(), expected[i].y(), 1e-5) << i;
}

TEST(SeriesCache, ZoomedRangeIsReadAtFullResolution) {
  auto store = makeStore();
  std::vector<float> values;
  for (int i = 0; i < 100000; ++i) {
    const float v = static_cast<float>(i % 1000) + (i == 50123 ? 5000.0f : 0.0f);
    values.push_back(v);
    append(*store, v);
  }
  SeriesCache cache({0, -1, static_cast<int>(engine::RunMetric::Loss)}, 100, 0.9);
  cache.update(*store);
  ASSERT_GT(cache.bucketSize(), 100);
  QList<QPointF> pts;
  // A 200-step window: the pyramid has at most a couple of buckets there.
  cache.points(*store, 1.0, 50000.0, 50200.0, pts);
  long inView = 0;
  for (const QPointF& p : pts)
    if (p.x() >= 50000 && p.x() <= 50200) ++inView;
  EXPECT_GE(inView, 150) << "about one point per step in a 200-step view";
  // Smoothed values in the view equal the EMA over the whole prefix.
  DebiasedEma ema(0.9);
  std::vector<double> smoothed;
  for (float v : values) smoothed.push_back(ema.add(v));
  for (const QPointF& p : pts) {
    if (p.x() < 50000 || p.x() > 50200) continue;
    EXPECT_NEAR(p.y(), smoothed[static_cast<std::size_t>(p.x())], 1e-3 * std::fabs(smoothed[static_cast<std::size_t>(p.x())]) + 1e-3);
  }
  // Steps stay increasing across the coarse/fine joins.
  for (qsizetype i = 1; i < pts.size(); ++i) EXPECT_LT(pts[i - 1].x(), pts[i].x()) << i;
  EXPECT_FALSE(cache.points(*store, 1.0, 50000.0, 50200.0, pts)) << "same view, same data: unchanged";
  EXPECT_TRUE(cache.points(*store, 1.0, 60000.0, 60200.0, pts)) << "pan: recomputed";
}

}  // namespace
}  // namespace larslab::ui

namespace larslab::ui {
namespace {

TEST(DebiasedEma, LongSeriesFollowsTheDefinition) {
  // Beyond a few thousand steps weight^t underflows; the EMA must still be
  // biased_t / (1 - weight^t) with weight^t -> 0, and NaN must pass through.
  for (double w : {0.3, 0.6, 0.9, 0.99}) {
    DebiasedEma ema(w);
    double biased = 0.0;
    std::mt19937 rng(5);
    std::normal_distribution<double> noise(1.0, 0.5);
    for (int i = 0; i < 20000; ++i) {
      const double v = i == 777 ? std::numeric_limits<double>::quiet_NaN() : noise(rng);
      const double got = ema.add(v);
      if (std::isnan(v)) {
        EXPECT_TRUE(std::isnan(got));
        continue;
      }
      biased = w * biased + (1.0 - w) * v;
      const double expected = biased / (1.0 - std::pow(w, static_cast<double>(ema.count())));
      ASSERT_NEAR(got, expected, 1e-12 * std::max(1.0, std::abs(expected))) << "weight " << w << " step " << i;
    }
  }
}

}  // namespace
}  // namespace larslab::ui
