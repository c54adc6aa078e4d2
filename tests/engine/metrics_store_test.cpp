// MetricsStore: append/read, consistent prefixes under a concurrent writer, memory bound,
// and the min/max display downsampling.
#include <gtest/gtest.h>

#include <set>

#include <atomic>
#include <cmath>
#include <limits>
#include <set>
#include <thread>

#include "engine/metrics_store.h"

namespace larslab::engine {
namespace {

std::vector<TensorColumnInfo> twoTensors() {
  return {{"dense1.weight", nn::TensorKind::Weight, {4, 2}},
          {"dense1.bias", nn::TensorKind::Bias, {4}}};
}

// Every value of row s of run r is a function of (r, s, column), so a reader can check rows.
float cell(int run, long step, int column) {
  return static_cast<float>(run * 1000003 + step * 17 + column);
}

void appendRow(MetricsStore& store, int run, long step) {
  float runValues[kRunMetricCount];
  std::vector<float> tensorValues(
      static_cast<std::size_t>(store.tensorCount() * kTensorMetricCount));
  for (int m = 0; m < kRunMetricCount; ++m) runValues[m] = cell(run, step, m);
  for (std::size_t i = 0; i < tensorValues.size(); ++i)
    tensorValues[i] = cell(run, step, kRunMetricCount + static_cast<int>(i));
  store.appendStep(run, runValues, tensorValues);
}

TEST(MetricsStore, AppendAndReadAcrossChunkBoundaries) {
  MetricsStore store(twoTensors(), 3 * MetricsStore::kChunkSteps);
  const int a = store.addRun("a");
  const int b = store.addRun("b");
  EXPECT_EQ(store.runCount(), 2);
  EXPECT_EQ(store.runName(b), "b");
  EXPECT_EQ(store.runIndex("a"), a);
  EXPECT_EQ(store.runIndex("zzz"), -1);
  const long n = MetricsStore::kChunkSteps + 100;
  for (long s = 0; s < n; ++s) appendRow(store, a, s);
  for (long s = 0; s < 10; ++s) appendRow(store, b, s);
  EXPECT_EQ(store.stepCount(a), n);
  EXPECT_EQ(store.stepCount(b), 10);

  std::vector<float> out;
  const long begin = MetricsStore::kChunkSteps - 5;
  store.read(a, RunMetric::Accuracy, begin, begin + 20, out);
  ASSERT_EQ(out.size(), 20u);
  for (long i = 0; i < 20; ++i)
    EXPECT_EQ(out[i], cell(a, begin + i, static_cast<int>(RunMetric::Accuracy)));
  store.read(a, 1, TensorMetric::LocalLr, 0, n + 1000, out);  // end clamps to the count
  ASSERT_EQ(out.size(), static_cast<std::size_t>(n));
  const int column =
      kRunMetricCount + 1 * kTensorMetricCount + static_cast<int>(TensorMetric::LocalLr);
  for (long s = 0; s < n; s += 997) EXPECT_EQ(out[s], cell(a, s, column));
  EXPECT_EQ(store.value(b, 0, TensorMetric::WeightNorm, 9), cell(b, 9, kRunMetricCount));
  store.read(b, RunMetric::Loss, 8, 3, out);
  EXPECT_TRUE(out.empty());
  EXPECT_THROW((void)store.value(b, RunMetric::Loss, 10), std::out_of_range);
}

TEST(MetricsStore, CapacityAndShapeErrorsThrow) {
  MetricsStore store(twoTensors(), 5);
  const int a = store.addRun("a");
  for (long s = 0; s < 5; ++s) appendRow(store, a, s);
  EXPECT_THROW(appendRow(store, a, 5), std::length_error);
  const float three[3] = {0, 0, 0};
  const float one[1] = {0};
  EXPECT_THROW(store.appendStep(a, three, one), std::invalid_argument);
  EXPECT_THROW(appendRow(store, 7, 0), std::out_of_range);
}

TEST(MetricsStore, EvaluationsEventsAndStatusAreCopiedOut) {
  MetricsStore store(twoTensors(), 100, 12.5);
  const int a = store.addRun("a");
  store.addEvaluation(a, {0, 0.7, 0.5});
  store.addEvaluation(a, {50, 0.3, 0.9});
  store.addEvent({10, "a", EventKind::Set, "eta 0.001 -> 0.002"});
  store.addEvent({20, "a", EventKind::Removed, ""});
  RunStatusInfo status;
  status.diverged = true;
  status.divergedAtStep = 42;
  status.reason = "loss is NaN";
  store.setStatus(a, status);
  EXPECT_EQ(store.evaluations(a).size(), 2u);
  EXPECT_EQ(store.evaluations(a)[1].step, 50);
  EXPECT_EQ(store.eventCount(), 2u);
  EXPECT_EQ(store.events(1).size(), 1u);
  EXPECT_EQ(store.events(1)[0].kind, EventKind::Removed);
  EXPECT_TRUE(store.events(5).empty());
  EXPECT_EQ(store.status(a).describe(), "diverged at step 42: loss is NaN");
  EXPECT_DOUBLE_EQ(store.stepsPerEpoch(), 12.5);
}

// Every kind has its own name in events.csv, and the name reads back as the kind.
TEST(MetricsStore, EventKindNamesRoundTrip) {
  std::set<std::string> names;
  for (int k = 0; k < static_cast<int>(EventKind::Count); ++k) {
    const auto kind = static_cast<EventKind>(k);
    const std::string name = eventKindName(kind);
    EXPECT_NE(name, "?");
    EXPECT_TRUE(names.insert(name).second) << name << " named twice";
    EXPECT_EQ(eventKindFromName(name), kind) << name;
  }
  EXPECT_EQ(eventKindName(EventKind::Set), std::string("set"));
  EXPECT_EQ(eventKindName(EventKind::Diverged), std::string("diverged"));
  EXPECT_FALSE(eventKindFromName("reset").has_value());
  EXPECT_FALSE(eventKindFromName("Set").has_value());
}

// The experiment record: absent until set, replaced whole, counted by the revision.
TEST(MetricsStore, ExperimentRecordIsReplacedAndCounted) {
  MetricsStore store(twoTensors(), 100);
  EXPECT_FALSE(store.experiment().has_value());
  EXPECT_EQ(store.experimentRevision(), 0u);
  EXPECT_THROW((void)store.appliedHyperparameter("a", "lr"), std::invalid_argument);
  ExperimentRecord record;
  record.experiment.name = "one";
  record.experiment.runs.resize(1);
  record.experiment.runs[0].name = "a";
  record.applied["a"]["lr"] = 0.5;
  store.setExperiment(record);
  EXPECT_EQ(store.experimentRevision(), 1u);
  ASSERT_TRUE(store.experiment().has_value());
  EXPECT_EQ(store.experiment()->name, "one");
  EXPECT_EQ(store.appliedHyperparameter("a", "lr"), 0.5);
  EXPECT_THROW((void)store.appliedHyperparameter("a", "eta"), std::invalid_argument);
  EXPECT_THROW((void)store.appliedHyperparameter("b", "lr"), std::invalid_argument);
  record.applied["a"]["lr"] = 0.25;
  store.setExperiment(record);
  EXPECT_EQ(store.experimentRevision(), 2u);
  EXPECT_EQ(store.appliedHyperparameter("a", "lr"), 0.25);
}

// A reader polls while the writer appends rows (and adds a run midway): every row below the
// published count is complete and correct, and the count never goes backwards.
TEST(MetricsStore, ConcurrentReaderSeesAConsistentPrefix) {
  const long steps = 3 * MetricsStore::kChunkSteps + 123;
  MetricsStore store(twoTensors(), steps);
  store.addRun("a");
  std::atomic<bool> writing{true};
  std::atomic<long> checkedRows{0};
  std::atomic<int> badRows{0};
  std::thread reader([&] {
    std::vector<float> loss, ratio;
    long lastCount = 0;
    while (writing.load() || lastCount < steps) {
      const int runs = store.runCount();
      for (int r = 0; r < runs; ++r) {
        const long count = store.stepCount(r);
        if (r == 0) {
          if (count < lastCount) badRows.fetch_add(1);
          lastCount = count;
        }
        // Read the newest rows: the ones most likely to be half-written if publishing were wrong.
        const long begin = std::max(0L, count - 257);
        store.read(r, RunMetric::Loss, begin, count, loss);
        store.read(r, 1, TensorMetric::UpdateRatio, begin, count, ratio);
        if (loss.size() != static_cast<std::size_t>(count - begin) || ratio.size() != loss.size())
          badRows.fetch_add(1);
        for (std::size_t i = 0; i < loss.size(); ++i) {
          const long s = begin + static_cast<long>(i);
          if (loss[i] != cell(r, s, 0)) badRows.fetch_add(1);
          if (ratio[i] != cell(r, s, kRunMetricCount + kTensorMetricCount + 5))
            badRows.fetch_add(1);
        }
        checkedRows.fetch_add(static_cast<long>(loss.size()));
      }
    }
  });
  for (long s = 0; s < steps; ++s) {
    appendRow(store, 0, s);
    if (s == steps / 2) store.addRun("b");
    if (s > steps / 2) appendRow(store, 1, s - steps / 2 - 1);
  }
  writing.store(false);
  reader.join();
  EXPECT_EQ(badRows.load(), 0);
  EXPECT_GT(checkedRows.load(), 0);
  EXPECT_EQ(store.stepCount(0), steps);
}

TEST(MetricsStore, MemoryIsBoundedAndDocumented) {
  // 4 runs x 10 tensors x 1,000,000 steps: (3 + 10 x 7) floats per run-step, 4 bytes each.
  static_assert(kTensorMetricCount == 7, "update the figures here and in metrics_store.h");
  const std::size_t bytes = MetricsStore::estimateBytes(4, 10, 1'000'000);
  EXPECT_GE(bytes, 4ull * 73 * 1'000'000 * 4);
  EXPECT_LT(bytes, 1'200'000'000ull);  // ~1.17 GB, far below this machine's 24 GiB
  // Chunks are allocated lazily: a store sized for a million steps costs nothing until used.
  MetricsStore store(twoTensors(), 1'000'000);
  const int a = store.addRun("a");
  EXPECT_EQ(store.bytesAllocated(), 0u);
  appendRow(store, a, 0);
  EXPECT_EQ(store.bytesAllocated(),
            static_cast<std::size_t>(kRunMetricCount + 2 * kTensorMetricCount) *
                MetricsStore::kChunkSteps * sizeof(float));
}

TEST(Downsample, ShortSeriesAreReturnedUnchanged) {
  const std::vector<float> v = {3, 1, 4, 1, 5};
  const auto points = downsampleMinMax(v, 100, 10);
  ASSERT_EQ(points.size(), 5u);
  EXPECT_EQ(points[0].x, 100);
  EXPECT_EQ(points[4].x, 104);
  EXPECT_EQ(points[2].y, 4);
}

TEST(Downsample, SpikesSurviveAndOrderIsKept) {
  std::vector<float> v(100000, 1.0f);
  v[31337] = 1000.0f;  // one-step spike up
  v[77777] = -50.0f;   // one-step spike down
  const auto points = downsampleMinMax(v, 0, 200);
  EXPECT_LE(points.size(), 200u);
  bool up = false, down = false;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].y == 1000.0f) up = points[i].x == 31337;
    if (points[i].y == -50.0f) down = points[i].x == 77777;
    if (i > 0) {
      EXPECT_LT(points[i - 1].x, points[i].x);
    }
  }
  EXPECT_TRUE(up);
  EXPECT_TRUE(down);
}

TEST(Downsample, MinAndMaxOfEachBucketAppear) {
  std::vector<float> v(1000);
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(std::sin(0.05 * static_cast<double>(i)) * i);
  const auto points = downsampleMinMax(v, 0, 20);  // 10 buckets of 100
  ASSERT_LE(points.size(), 20u);
  for (int b = 0; b < 10; ++b) {
    float lo = v[b * 100], hi = v[b * 100];
    for (int i = b * 100; i < (b + 1) * 100; ++i) {
      lo = std::min(lo, v[i]);
      hi = std::max(hi, v[i]);
    }
    bool foundLo = false, foundHi = false;
    for (const Point& p : points) {
      if (p.x >= b * 100 && p.x < (b + 1) * 100) {
        foundLo |= p.y == lo;
        foundHi |= p.y == hi;
      }
    }
    EXPECT_TRUE(foundLo && foundHi) << "bucket " << b;
  }
}

TEST(Downsample, NonFiniteValuesAreNotDropped) {
  std::vector<float> v(1000, 0.5f);
  v[10] = std::numeric_limits<float>::quiet_NaN();
  v[500] = std::numeric_limits<float>::infinity();
  v[900] = -std::numeric_limits<float>::infinity();
  const auto points = downsampleMinMax(v, 0, 10);
  bool nan = false, inf = false, minusInf = false;
  for (const Point& p : points) {
    nan |= std::isnan(p.y) && p.x == 10;
    inf |= p.y == std::numeric_limits<double>::infinity() && p.x == 500;
    minusInf |= p.y == -std::numeric_limits<double>::infinity() && p.x == 900;
  }
  EXPECT_TRUE(nan);
  EXPECT_TRUE(inf);
  EXPECT_TRUE(minusInf);
  // A bucket that is all NaN yields one NaN point, not garbage.
  std::vector<float> allNan(100, std::numeric_limits<float>::quiet_NaN());
  const auto nanPoints = downsampleMinMax(allNan, 0, 4);
  ASSERT_EQ(nanPoints.size(), 2u);  // 2 buckets, one point each
  EXPECT_TRUE(std::isnan(nanPoints[0].y));
}

}  // namespace
}  // namespace larslab::engine
