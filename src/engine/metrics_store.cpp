#include "engine/metrics_store.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "text/format.h"

namespace larslab::engine {

const char* runMetricName(RunMetric m) {
  switch (m) {
    case RunMetric::Loss:
      return "loss";
    case RunMetric::Accuracy:
      return "accuracy";
    case RunMetric::LearningRate:
      return "lr";
    case RunMetric::Count:
      break;
  }
  return "?";
}

namespace {
// The one list of event kinds and their events.csv names.
constexpr std::array<std::pair<EventKind, const char*>, static_cast<std::size_t>(EventKind::Count)>
    kEventKinds{{{EventKind::Set, "set"},
                 {EventKind::Option, "option"},
                 {EventKind::Rejected, "rejected"},
                 {EventKind::Added, "added"},
                 {EventKind::Removed, "removed"},
                 {EventKind::Diverged, "diverged"},
                 {EventKind::Warning, "warning"},
                 {EventKind::Described, "described"}}};
}  // namespace

const char* eventKindName(EventKind kind) {
  for (const auto& [k, name] : kEventKinds)
    if (k == kind) return name;
  return "?";
}

std::optional<EventKind> eventKindFromName(std::string_view name) {
  for (const auto& [k, n] : kEventKinds)
    if (name == n) return k;
  return std::nullopt;
}

std::string eventKindNames() {
  std::string names;
  for (const auto& [k, name] : kEventKinds) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

namespace {

constexpr std::string_view kArrow = " -> ";
constexpr std::string_view kStateCleared = " (optimizer state cleared)";

// "name before -> after": the three words, or nullopt. Names and choices hold no space.
std::optional<std::array<std::string_view, 3>> splitChange(std::string_view detail) {
  const std::size_t space = detail.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  const std::string_view rest = detail.substr(space + 1);
  const std::size_t arrow = rest.find(kArrow);
  if (arrow == std::string_view::npos || arrow == 0) return std::nullopt;
  const std::string_view after = rest.substr(arrow + kArrow.size());
  if (after.empty() || after.find(' ') != std::string_view::npos) return std::nullopt;
  return std::array<std::string_view, 3>{detail.substr(0, space), rest.substr(0, arrow), after};
}

std::optional<double> parseDouble(std::string_view text) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string formatSetEventDetail(const SetEventDetail& change) {
  return change.name + " " + text::formatNumber(change.before) + std::string(kArrow) + text::formatNumber(change.after);
}

std::optional<SetEventDetail> parseSetEventDetail(std::string_view detail) {
  const auto words = splitChange(detail);
  if (!words) return std::nullopt;
  const auto before = parseDouble((*words)[1]);
  const auto after = parseDouble((*words)[2]);
  if (!before || !after) return std::nullopt;
  return SetEventDetail{std::string((*words)[0]), *before, *after};
}

std::string formatOptionEventDetail(const OptionEventDetail& change) {
  return change.name + " " + change.before + std::string(kArrow) + change.after + std::string(kStateCleared);
}

std::optional<OptionEventDetail> parseOptionEventDetail(std::string_view detail) {
  if (detail.size() <= kStateCleared.size() || !detail.ends_with(kStateCleared)) return std::nullopt;
  const auto words = splitChange(detail.substr(0, detail.size() - kStateCleared.size()));
  if (!words) return std::nullopt;
  return OptionEventDetail{std::string((*words)[0]), std::string((*words)[1]), std::string((*words)[2])};
}

std::string warningPrefix(RunWarning kind, long step) {
  switch (kind) {
    case RunWarning::BlowUp:
      return "blew up at step " + std::to_string(step);
    case RunWarning::Stall:
      return "stalled at step " + std::to_string(step);
    case RunWarning::None:
      break;
  }
  return {};
}

std::string RunStatusInfo::describe() const {
  std::string text;
  if (diverged)
    text = "diverged at step " + std::to_string(divergedAtStep) + ": " + reason;
  else if (removed)
    text = "removed";
  else if (finished)
    text = "finished";
  else
    text = "running";
  if (warning != RunWarning::None) text += "; " + warningPrefix(warning, warningAtStep);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Downsampling

std::vector<Point> downsampleMinMax(std::span<const float> values, long firstStep, int maxPoints) {
  maxPoints = std::max(maxPoints, 2);
  const std::size_t n = values.size();
  std::vector<Point> out;
  if (n <= static_cast<std::size_t>(maxPoints)) {
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(
          {static_cast<double>(firstStep + static_cast<long>(i)), static_cast<double>(values[i])});
    return out;
  }
  const std::size_t buckets = static_cast<std::size_t>(maxPoints) / 2;
  out.reserve(2 * buckets);
  for (std::size_t b = 0; b < buckets; ++b) {
    // Integer bucket edges: every value lands in exactly one bucket.
    const std::size_t begin = b * n / buckets;
    const std::size_t end = (b + 1) * n / buckets;
    if (begin == end) continue;
    std::size_t lo = begin;
    std::size_t hi = begin;
    for (std::size_t i = begin; i < end; ++i) {
      const float v = values[i];
      // NaN takes the max slot (first NaN wins) and never the min slot.
      if (std::isnan(values[hi])) {
      } else if (std::isnan(v) || v > values[hi]) {
        hi = i;
      }
      if (std::isnan(values[lo]) && !std::isnan(v))
        lo = i;
      else if (!std::isnan(v) && v < values[lo])
        lo = i;
    }
    const std::size_t first = std::min(lo, hi);
    const std::size_t second = std::max(lo, hi);
    out.push_back({static_cast<double>(firstStep + static_cast<long>(first)),
                   static_cast<double>(values[first])});
    if (second != first)
      out.push_back({static_cast<double>(firstStep + static_cast<long>(second)),
                     static_cast<double>(values[second])});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Columns

struct MetricsStore::Column {
  // Pre-sized table of chunk pointers; a chunk, once allocated, never moves. The writer stores
  // a chunk pointer before publishing any row in it (release on the run's count), so a reader
  // that acquired the count sees the pointer.
  std::vector<std::unique_ptr<float[]>> chunks;

  explicit Column(std::size_t chunkCount) : chunks(chunkCount) {}

  // Writer only. Returns bytes newly allocated.
  std::size_t set(long step, float v) {
    const auto c = static_cast<std::size_t>(step / kChunkSteps);
    std::size_t allocated = 0;
    if (!chunks[c]) {
      chunks[c] = std::make_unique<float[]>(kChunkSteps);
      allocated = kChunkSteps * sizeof(float);
    }
    chunks[c][step % kChunkSteps] = v;
    return allocated;
  }

  [[nodiscard]] float get(long step) const {
    return chunks[step / kChunkSteps][step % kChunkSteps];
  }

  void copy(long begin, long end, float* out) const {
    while (begin < end) {
      const long c = begin / kChunkSteps;
      const long offset = begin % kChunkSteps;
      const long count = std::min(end - begin, kChunkSteps - offset);
      std::copy_n(chunks[c].get() + offset, count, out);
      out += count;
      begin += count;
    }
  }
};

struct MetricsStore::RunData {
  std::string name;             // written before the run is published, then immutable
  std::vector<Column> columns;  // kRunMetricCount, then tensor-major tensor metrics
  std::atomic<long> count{0};
  // Guarded by the store's mutex.
  std::vector<EvalPoint> evaluations;
  RunStatusInfo status;
};

MetricsStore::MetricsStore(std::vector<TensorColumnInfo> tensors, long capacitySteps,
                           double stepsPerEpoch)
    : tensors_(std::move(tensors)),
      capacity_(std::max(1L, capacitySteps)),
      stepsPerEpoch_(stepsPerEpoch),
      runs_(std::make_unique<std::unique_ptr<RunData>[]>(kMaxRuns)) {}

MetricsStore::~MetricsStore() = default;

std::size_t MetricsStore::estimateBytes(int runs, int tensors, long steps) {
  const auto columns = static_cast<std::size_t>(kRunMetricCount + kTensorMetricCount * tensors);
  const auto chunks = static_cast<std::size_t>((steps + kChunkSteps - 1) / kChunkSteps);
  return static_cast<std::size_t>(runs) * columns * chunks * kChunkSteps * sizeof(float);
}

int MetricsStore::addRun(const std::string& name) {
  const int index = runCount_.load(std::memory_order_relaxed);
  if (index >= kMaxRuns)
    throw std::length_error("metrics store: at most " + std::to_string(kMaxRuns) +
                            " runs per session");
  auto run = std::make_unique<RunData>();
  run->name = name;
  const auto chunkCount = static_cast<std::size_t>((capacity_ + kChunkSteps - 1) / kChunkSteps);
  const int columns = kRunMetricCount + kTensorMetricCount * tensorCount();
  run->columns.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) run->columns.emplace_back(chunkCount);
  {
    // The slot is written under the mutex too so status()/evaluations() never race with it.
    const std::lock_guard lock(mutex_);
    runs_[index] = std::move(run);
  }
  runCount_.store(index + 1, std::memory_order_release);
  return index;
}

const MetricsStore::RunData& MetricsStore::runData(int run) const {
  if (run < 0 || run >= runCount())
    throw std::out_of_range("metrics store: no run " + std::to_string(run));
  return *runs_[run];
}

void MetricsStore::appendStep(int run, std::span<const float> runValues,
                              std::span<const float> tensorValues) {
  if (run < 0 || run >= runCount_.load(std::memory_order_relaxed))
    throw std::out_of_range("metrics store: no run " + std::to_string(run));
  RunData& data = *runs_[run];
  if (runValues.size() != static_cast<std::size_t>(kRunMetricCount) ||
      tensorValues.size() != static_cast<std::size_t>(kTensorMetricCount * tensorCount()))
    throw std::invalid_argument("metrics store: appendStep got the wrong number of values");
  const long step = data.count.load(std::memory_order_relaxed);
  if (step >= capacity_)
    throw std::length_error("metrics store: run " + data.name + " is full (" +
                            std::to_string(capacity_) + " steps)");
  std::size_t allocated = 0;
  for (int m = 0; m < kRunMetricCount; ++m) allocated += data.columns[m].set(step, runValues[m]);
  for (std::size_t i = 0; i < tensorValues.size(); ++i)
    allocated += data.columns[kRunMetricCount + i].set(step, tensorValues[i]);
  if (allocated) bytes_.fetch_add(allocated, std::memory_order_relaxed);
  data.count.store(step + 1, std::memory_order_release);
}

void MetricsStore::addEvaluation(int run, const EvalPoint& point) {
  const std::lock_guard lock(mutex_);
  if (run < 0 || run >= runCount_.load(std::memory_order_relaxed))
    throw std::out_of_range("metrics store: no run " + std::to_string(run));
  runs_[run]->evaluations.push_back(point);
}

void MetricsStore::addEvent(Event event) {
  const std::lock_guard lock(mutex_);
  events_.push_back(std::move(event));
}

void MetricsStore::setStatus(int run, const RunStatusInfo& status) {
  const std::lock_guard lock(mutex_);
  if (run < 0 || run >= runCount_.load(std::memory_order_relaxed))
    throw std::out_of_range("metrics store: no run " + std::to_string(run));
  runs_[run]->status = status;
}

std::string MetricsStore::runName(int run) const { return runData(run).name; }

int MetricsStore::runIndex(const std::string& name) const {
  for (int i = runCount() - 1; i >= 0; --i)
    if (runs_[i]->name == name) return i;
  return -1;
}

long MetricsStore::stepCount(int run) const {
  return runData(run).count.load(std::memory_order_acquire);
}

void MetricsStore::read(int run, RunMetric metric, long begin, long end,
                        std::vector<float>& out) const {
  const RunData& data = runData(run);
  end = std::min(end, data.count.load(std::memory_order_acquire));
  begin = std::max(begin, 0L);
  out.resize(end > begin ? static_cast<std::size_t>(end - begin) : 0);
  if (end > begin) data.columns[static_cast<int>(metric)].copy(begin, end, out.data());
}

void MetricsStore::read(int run, int tensor, TensorMetric metric, long begin, long end,
                        std::vector<float>& out) const {
  const RunData& data = runData(run);
  if (tensor < 0 || tensor >= tensorCount())
    throw std::out_of_range("metrics store: no tensor " + std::to_string(tensor));
  end = std::min(end, data.count.load(std::memory_order_acquire));
  begin = std::max(begin, 0L);
  out.resize(end > begin ? static_cast<std::size_t>(end - begin) : 0);
  if (end > begin)
    data.columns[kRunMetricCount + tensor * kTensorMetricCount + static_cast<int>(metric)].copy(
        begin, end, out.data());
}

float MetricsStore::value(int run, RunMetric metric, long step) const {
  const RunData& data = runData(run);
  if (step < 0 || step >= data.count.load(std::memory_order_acquire))
    throw std::out_of_range("metrics store: step " + std::to_string(step) + " not recorded yet");
  return data.columns[static_cast<int>(metric)].get(step);
}

float MetricsStore::value(int run, int tensor, TensorMetric metric, long step) const {
  const RunData& data = runData(run);
  if (tensor < 0 || tensor >= tensorCount())
    throw std::out_of_range("metrics store: no tensor " + std::to_string(tensor));
  if (step < 0 || step >= data.count.load(std::memory_order_acquire))
    throw std::out_of_range("metrics store: step " + std::to_string(step) + " not recorded yet");
  return data.columns[kRunMetricCount + tensor * kTensorMetricCount + static_cast<int>(metric)].get(
      step);
}

std::vector<EvalPoint> MetricsStore::evaluations(int run) const {
  const RunData& data = runData(run);
  const std::lock_guard lock(mutex_);
  return data.evaluations;
}

std::vector<Event> MetricsStore::events(std::size_t from) const {
  const std::lock_guard lock(mutex_);
  if (from >= events_.size()) return {};
  return {events_.begin() + static_cast<std::ptrdiff_t>(from), events_.end()};
}

std::size_t MetricsStore::eventCount() const {
  const std::lock_guard lock(mutex_);
  return events_.size();
}

RunStatusInfo MetricsStore::status(int run) const {
  const RunData& data = runData(run);
  const std::lock_guard lock(mutex_);
  return data.status;
}

void MetricsStore::setExperiment(ExperimentRecord record) {
  {
    const std::lock_guard lock(mutex_);
    record_ = std::move(record);
  }
  experimentRevision_.fetch_add(1, std::memory_order_acq_rel);
}

std::optional<ExperimentSpec> MetricsStore::experiment() const {
  const std::lock_guard lock(mutex_);
  if (!record_) return std::nullopt;
  return record_->experiment;
}

double MetricsStore::appliedHyperparameter(const std::string& run, const std::string& name) const {
  const std::lock_guard lock(mutex_);
  if (!record_ || !record_->applied.contains(run))
    throw std::invalid_argument("metrics store: no run named \"" + run + "\"");
  const std::map<std::string, double>& values = record_->applied.at(run);
  const auto h = values.find(name);
  if (h == values.end())
    throw std::invalid_argument("metrics store: run \"" + run + "\" has no hyperparameter " + name);
  return h->second;
}

std::size_t MetricsStore::bytesAllocated() const { return bytes_.load(std::memory_order_relaxed); }

}  // namespace larslab::engine
