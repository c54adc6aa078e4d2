#include "series_cache.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace larslab::ui {

namespace {
constexpr long kCheckpointSteps = 4096;
constexpr long kReadChunk = 16384;
}  // namespace

SeriesCache::SeriesCache(ColumnRef column, int targetBuckets, double smoothing)
    : column_(column),
      targetBuckets_(std::max(8, targetBuckets)),
      smoothing_(smoothing),
      lastRaw_(std::numeric_limits<float>::quiet_NaN()),
      ema_(smoothing) {}

void SeriesCache::clear() {
  bucketSize_ = 1;
  processed_ = 0;
  lastRaw_ = std::numeric_limits<float>::quiet_NaN();
  buckets_.clear();
  ema_ = DebiasedEma(smoothing_);
  checkpoints_.clear();
  fine_ = {};
  ++version_;
  ++structVersion_;
}

void SeriesCache::setTargetBuckets(int buckets) {
  buckets = std::max(8, buckets);
  if (buckets == targetBuckets_) return;
  targetBuckets_ = buckets;
  clear();
}

void SeriesCache::setSmoothing(double weight) {
  if (weight == smoothing_) return;
  smoothing_ = weight;
  clear();
}

void SeriesCache::readColumn(const engine::MetricsStore& store, long begin, long end,
                             std::vector<float>& out) const {
  if (column_.tensor < 0)
    store.read(column_.run, static_cast<engine::RunMetric>(column_.metric), begin, end, out);
  else
    store.read(column_.run, column_.tensor, static_cast<engine::TensorMetric>(column_.metric), begin, end, out);
}

void SeriesCache::fold(long step, float value) {
  if (buckets_.empty() || step - buckets_.back().firstStep >= bucketSize_) {
    if (static_cast<int>(buckets_.size()) >= 2 * targetBuckets_) mergePairs();
    if (buckets_.empty() || step - buckets_.back().firstStep >= bucketSize_) {
      Bucket b;
      b.firstStep = buckets_.empty() ? 0 : buckets_.back().firstStep + bucketSize_;
      buckets_.push_back(b);  // new points at the right edge only: not structural
    }
  }
  if (!std::isfinite(value)) return;  // charts cannot draw it; the status panel says why
  Bucket& b = buckets_.back();
  if (!b.any) {
    b.any = true;
    b.minStep = b.maxStep = step;
    b.minValue = b.maxValue = value;
  } else {
    if (value < b.minValue) {
      b.minValue = value;
      b.minStep = step;
    }
    if (value > b.maxValue) {
      b.maxValue = value;
      b.maxStep = step;
    }
  }
}

void SeriesCache::mergePairs() {
  std::vector<Bucket> merged;
  merged.reserve(buckets_.size() / 2 + 1);
  for (std::size_t i = 0; i < buckets_.size(); i += 2) {
    Bucket a = buckets_[i];
    if (i + 1 < buckets_.size()) {
      const Bucket& b = buckets_[i + 1];
      if (!a.any) {
        const long first = a.firstStep;
        a = b;
        a.firstStep = first;
      } else if (b.any) {
        if (b.minValue < a.minValue) {
          a.minValue = b.minValue;
          a.minStep = b.minStep;
        }
        if (b.maxValue > a.maxValue) {
          a.maxValue = b.maxValue;
          a.maxStep = b.maxStep;
        }
      }
    }
    merged.push_back(a);
  }
  buckets_ = std::move(merged);
  bucketSize_ *= 2;
  ++structVersion_;
}

bool SeriesCache::update(const engine::MetricsStore& store) {
  if (column_.run < 0 || column_.run >= store.runCount()) return false;
  long count = store.stepCount(column_.run);
  if (stepLimit_ >= 0) count = std::min(count, stepLimit_);
  if (count < processed_) clear();  // a different store or a reset one
  if (count == processed_) return false;
  for (long begin = processed_; begin < count; begin += kReadChunk) {
    const long end = std::min(count, begin + kReadChunk);
    readColumn(store, begin, end, buffer_);
    const long n = static_cast<long>(buffer_.size());
    for (long i = 0; i < n; ++i) {
      const long step = begin + i;
      if (step % kCheckpointSteps == 0) checkpoints_.push_back(ema_);
      const float raw = buffer_[static_cast<std::size_t>(i)];
      const float v = smoothing_ > 0 ? static_cast<float>(ema_.add(raw)) : raw;
      fold(step, v);
    }
    lastRaw_ = n > 0 ? buffer_.back() : lastRaw_;
    processed_ = begin + n;
    if (n < end - begin) break;
  }
  ++version_;
  return true;
}

void SeriesCache::appendBucketPoints(const Bucket& b, double xScale, QList<QPointF>& out) const {
  if (!b.any) return;
  if (b.minStep == b.maxStep) {
    out.append(QPointF(static_cast<double>(b.minStep) * xScale, b.minValue));
  } else if (b.minStep < b.maxStep) {
    out.append(QPointF(static_cast<double>(b.minStep) * xScale, b.minValue));
    out.append(QPointF(static_cast<double>(b.maxStep) * xScale, b.maxValue));
  } else {
    out.append(QPointF(static_cast<double>(b.maxStep) * xScale, b.maxValue));
    out.append(QPointF(static_cast<double>(b.minStep) * xScale, b.minValue));
  }
}

bool SeriesCache::points(const engine::MetricsStore& store, double xScale, double viewLo, double viewHi,
                         QList<QPointF>& out, bool edgeMayWait) {
  if (xScale <= 0) xScale = 1.0;
  // Visible range in steps; decide whether the pyramid is fine enough there.
  long fineBegin = -1;
  long fineEnd = -1;
  if (viewHi > viewLo && processed_ > 0) {
    const double lo = std::max(0.0, viewLo / xScale);
    const double hi = std::min(static_cast<double>(processed_), viewHi / xScale);
    const double span = hi - lo;
    if (span > 0 && span / static_cast<double>(bucketSize_) < targetBuckets_ / 2.0 &&
        bucketSize_ > 1) {
      // Margin of half a view on each side, so a pan shows detail before the next tick.
      fineBegin = std::max(0L, static_cast<long>(std::floor(lo - span / 2)));
      fineEnd = std::min(processed_, static_cast<long>(std::ceil(hi + span / 2)) + 1);
      // Snap to bucket edges so the coarse parts join without overlap.
      fineBegin = (fineBegin / bucketSize_) * bucketSize_;
      fineEnd = std::min(processed_, ((fineEnd + bucketSize_ - 1) / bucketSize_) * bucketSize_);
    }
  }

  if (fineBegin >= 0) {
    const bool stale = fine_.begin != fineBegin || fine_.end != fineEnd || fine_.target != targetBuckets_ ||
                       fine_.computedAt < 0;
    if (stale) {
      std::vector<float> values;
      readColumn(store, fineBegin, fineEnd, values);
      if (smoothing_ > 0) {
        // Resume the EMA from the checkpoint at or before fineBegin.
        const long cp = std::min<long>(fineBegin / kCheckpointSteps, static_cast<long>(checkpoints_.size()) - 1);
        DebiasedEma ema = cp >= 0 ? checkpoints_[static_cast<std::size_t>(cp)] : DebiasedEma(smoothing_);
        const long from = cp >= 0 ? cp * kCheckpointSteps : 0;
        std::vector<float> lead;
        if (from < fineBegin) readColumn(store, from, fineBegin, lead);
        for (float v : lead) ema.add(v);
        for (float& v : values) v = static_cast<float>(ema.add(v));
      }
      // Points in the full view span ~ targetBuckets buckets: 2 points per bucket.
      const double viewSteps = std::max(1.0, (viewHi - viewLo) / xScale);
      const int maxPoints = static_cast<int>(
          std::clamp(2.0 * targetBuckets_ * static_cast<double>(fineEnd - fineBegin) / viewSteps, 4.0, 1e6));
      fine_.points = engine::downsampleMinMax(values, fineBegin, maxPoints);
      fine_.begin = fineBegin;
      fine_.end = fineEnd;
      fine_.target = targetBuckets_;
      fine_.computedAt = processed_;
    }
  }

  const bool unchanged = version_ == lastVersion_ && xScale == lastXScale_ && fineBegin == lastFineBegin_ &&
                         fineEnd == lastFineEnd_ && (fineBegin < 0 || fine_.computedAt == lastFineComputedAt_);
  if (unchanged) return false;
  const bool edgeOnly = structVersion_ == lastStructVersion_ && xScale == lastXScale_ &&
                        fineBegin == lastFineBegin_ && fineEnd == lastFineEnd_ &&
                        (fineBegin < 0 || fine_.computedAt == lastFineComputedAt_);
  if (edgeOnly && edgeMayWait) return false;
  lastVersion_ = version_;
  lastStructVersion_ = structVersion_;
  lastXScale_ = xScale;
  lastFineBegin_ = fineBegin;
  lastFineEnd_ = fineEnd;
  lastFineComputedAt_ = fine_.computedAt;

  out.clear();
  out.reserve(static_cast<qsizetype>(buckets_.size() * 2 + (fineBegin >= 0 ? fine_.points.size() : 0)));
  for (const Bucket& b : buckets_) {
    if (fineBegin >= 0 && b.firstStep >= fineBegin && b.firstStep < fineEnd) {
      if (b.firstStep == fineBegin) {
        for (const engine::Point& p : fine_.points)
          if (std::isfinite(p.y)) out.append(QPointF(p.x * xScale, p.y));
      }
      continue;
    }
    appendBucketPoints(b, xScale, out);
  }
  return true;
}

}  // namespace larslab::ui
