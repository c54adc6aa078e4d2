#pragma once
// Display reduction of one metric column of a MetricsStore, updated incrementally.
//
// Reading and reducing a whole 200,000-step column on every 30 Hz tick, for dozens of series,
// would cost tens of milliseconds. Instead each column keeps a min/max pyramid: buckets of a
// power-of-two number of steps, each holding its minimum and maximum (spikes survive). New steps
// are folded into the last bucket; when there are twice as many buckets as wanted, neighbours
// merge and the bucket size doubles. A tick therefore costs only the new steps plus the bucket
// count. When the chart is zoomed into a range the pyramid is too coarse for, that range (and
// some margin for panning) is read at full resolution and reduced with
// engine::downsampleMinMax, and cached until the range or its data change.
//
// Smoothing (debiased EMA, ui/charts/ema.h) is applied to the full-resolution values before
// any reduction; EMA states are checkpointed so a zoomed range can be smoothed without
// replaying the whole column.

#include <QList>
#include <QPointF>
#include <cstdint>
#include <vector>

#include "charts/ema.h"
#include "engine/metrics_store.h"

namespace larslab::ui {

// Which column: a run metric (tensor < 0) or a tensor metric.
struct ColumnRef {
  int run = 0;
  int tensor = -1;
  int metric = 0;  // engine::RunMetric or engine::TensorMetric as int
  bool operator==(const ColumnRef&) const = default;
};

class SeriesCache {
 public:
  explicit SeriesCache(ColumnRef column = {}, int targetBuckets = 400, double smoothing = 0.0);

  [[nodiscard]] const ColumnRef& column() const { return column_; }
  // Changing either forgets the reduction (rebuilt on the next update()).
  void setTargetBuckets(int buckets);
  void setSmoothing(double weight);
  [[nodiscard]] int targetBuckets() const { return targetBuckets_; }
  // Reads at most `steps` rows of the column (a pinned run: the length it had when pinned,
  // however long its store grows); < 0 for no limit.
  void setStepLimit(long steps) { stepLimit_ = steps; }
  [[nodiscard]] long stepLimit() const { return stepLimit_; }
  [[nodiscard]] double smoothing() const { return smoothing_; }
  void clear();
  // The next points() call reports a change even if the reduction did not change.
  void invalidateOutput() {
    lastVersion_ = ~std::uint64_t{0};
    lastStructVersion_ = ~std::uint64_t{0};
  }

  // Folds in the steps recorded since the last call. Returns true when the reduction changed.
  bool update(const engine::MetricsStore& store);
  [[nodiscard]] long processedSteps() const { return processed_; }
  [[nodiscard]] long bucketSize() const { return bucketSize_; }
  [[nodiscard]] int bucketCount() const { return static_cast<int>(buckets_.size()); }

  // The reduced series, x = step * xScale, in step order. When [viewLo, viewHi] (in x units) is
  // a proper sub-range covered by fewer than targetBuckets / 2 pyramid buckets, the part around
  // it comes from a full-resolution read of the store instead. Returns true if `out` differs
  // from what the previous call produced (so the chart can skip an unchanged series).
  // With `edgeMayWait`, growth at the live edge (values folded into the last bucket, new
  // buckets appended: a few pixels at the right) is not reported: the caller skips the chart
  // update and pushes it later. Merges, clears and zoom changes are always reported.
  bool points(const engine::MetricsStore& store, double xScale, double viewLo, double viewHi,
              QList<QPointF>& out, bool edgeMayWait = false);
  bool points(const engine::MetricsStore& store, double xScale, QList<QPointF>& out) {
    return points(store, xScale, 1.0, 0.0, out);
  }
  // The caller's tick in which it last pushed this series to a chart (-1: never), for edge throttling.
  long lastPushTick = -1;

  // Latest raw (unsmoothed) value, NaN when there is none.
  [[nodiscard]] float lastRaw() const { return lastRaw_; }

 private:
  struct Bucket {
    long minStep = 0;
    long maxStep = 0;
    float minValue = 0.0f;
    float maxValue = 0.0f;
    long firstStep = 0;
    bool any = false;  // holds at least one finite value
  };
  void readColumn(const engine::MetricsStore& store, long begin, long end, std::vector<float>& out) const;
  void fold(long step, float value);
  void mergePairs();
  void appendBucketPoints(const Bucket& b, double xScale, QList<QPointF>& out) const;

  ColumnRef column_;
  int targetBuckets_;
  double smoothing_;
  long stepLimit_ = -1;
  long bucketSize_ = 1;
  long processed_ = 0;
  float lastRaw_;
  std::vector<Bucket> buckets_;  // the last one may be partial
  DebiasedEma ema_;
  std::vector<DebiasedEma> checkpoints_;  // EMA state before step k * kCheckpointSteps
  std::vector<float> buffer_;
  std::uint64_t version_ = 0;             // bumps whenever the reduction changes
  std::uint64_t structVersion_ = 0;       // bumps when buckets merge or are cleared (every point moves)

  // Full-resolution view of a zoomed range.
  struct Fine {
    long begin = 0;
    long end = 0;
    long computedAt = -1;
    int target = 0;
    std::vector<engine::Point> points;
  } fine_;
  // What the last points() call produced, to report "unchanged".
  std::uint64_t lastVersion_ = ~std::uint64_t{0};
  std::uint64_t lastStructVersion_ = ~std::uint64_t{0};
  double lastXScale_ = 0.0;
  long lastFineBegin_ = -1;
  long lastFineEnd_ = -1;
  long lastFineComputedAt_ = -1;
};

}  // namespace larslab::ui
