#pragma once
// Append-only metric columns for a session (or for a CSV log read back from disk).
//
// One writer (the session's driver thread, or the CSV reader) appends; any number of readers
// (the GUI at ~30 Hz, exporters) read a consistent prefix without ever blocking the writer:
//  - every column is a table of fixed-size chunks (kChunkSteps floats) that never move once
//    allocated; the chunk-pointer table is sized at construction from the step capacity;
//  - a row (one step of one run: its run metrics and every tensor's metrics) is written
//    completely, then the run's step count is published with release semantics;
//  - readers load the count with acquire and only touch rows below it.
// Runs are slots in a table of kMaxRuns entries that never moves; the run count is published
// the same way. Tensors are fixed per store (every run of a session shares one model).
// Evaluations, events, run status and the experiment record change rarely and are copied out
// under a mutex.
//
// Memory: one float (4 bytes) per value. A run costs 3 + 7 * tensors floats per step, i.e.
// 4 runs x 10 tensors x 1,000,000 steps = 4 * 73 * 1e6 * 4 B = 1.17 GB (estimateBytes()),
// allocated lazily one chunk (64 KiB) at a time.
//
// Step convention: row k of a run holds the metrics of step k (0-based), measured on the
// weights after k updates: the batch loss/accuracy before update k, the global LR of update k,
// and the telemetry of update k. Evaluations at step s use the weights after s updates, so an
// evaluation at step 0 is the initial model and one at totalSteps the final model.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/experiment.h"
#include "nn/parameters.h"
#include "optim/tensor_metrics.h"

namespace larslab::engine {

enum class RunMetric { Loss, Accuracy, LearningRate, Count };
inline constexpr int kRunMetricCount = static_cast<int>(RunMetric::Count);
// The per-tensor metrics and their order: the table in optim/tensor_metrics.h.
using optim::kTensorMetricCount;
using optim::TensorMetric;
using optim::tensorMetricName;

// CSV column names: loss, accuracy, lr
const char* runMetricName(RunMetric m);

struct EvalPoint {
  long step = 0;          // evaluated on the weights after `step` updates
  double loss = 0.0;      // mean test loss
  double accuracy = 0.0;  // test accuracy in [0, 1]; NaN for regression
};

// What an event records. Its name in events.csv comes from one table (eventKindName), which the
// CSV writer and reader both use.
enum class EventKind {
  Set,       // a hyperparameter changed: "eta 0.001 -> 0.002"
  Option,    // a convention option changed (optimizer state cleared)
  Rejected,  // a command that could not be applied, with the reason
  Added,     // a run added to the running session
  Removed,   // a run removed from the running session
  Diverged,  // a run stopped on a non-finite loss or parameter
  Warning,   // a finite blow-up or a stall (engine/run_health.h); the run keeps training
  Described, // the experiment's name or description changed (run is empty)
  Count
};

// "set", "option", "rejected", "added", "removed", "diverged", "warning", "described"
const char* eventKindName(EventKind kind);
// The kind named `name` in events.csv, or nullopt.
std::optional<EventKind> eventKindFromName(std::string_view name);
// Every name, comma-separated, for error messages.
std::string eventKindNames();

struct Event {
  long step = 0;    // the step before which it was applied (the run's step for run events)
  std::string run;  // run name (empty only for a rejected AddRun that had none)
  EventKind kind = EventKind::Set;
  std::string detail;  // "eta 0.001 -> 0.002"
};

// The detail of the events that change an optimizer, written by the session and read back by
// whoever needs the value in force at an earlier step (the formula panel rolls them back).
// EventKind::Set: "eta 0.001 -> 0.002" (numbers as text::formatNumber, so they read back exactly).
struct SetEventDetail {
  std::string name;
  double before = 0.0;
  double after = 0.0;
};
std::string formatSetEventDetail(const SetEventDetail& change);
// nullopt when `detail` is not in that form.
std::optional<SetEventDetail> parseSetEventDetail(std::string_view detail);
// EventKind::Option: "denominator default -> norm_of_sum (optimizer state cleared)"; `before` is
// "default" when the run's config did not name the option (its preset or default applied).
struct OptionEventDetail {
  std::string name;
  std::string before;
  std::string after;
};
inline constexpr const char* kOptionDefault = "default";
std::string formatOptionEventDetail(const OptionEventDetail& change);
std::optional<OptionEventDetail> parseOptionEventDetail(std::string_view detail);

// What RunHealth flagged about a run that is still finite. A warning event's detail starts with
// warningPrefix(kind, step) ("blew up at step 120: ...").
enum class RunWarning { None, BlowUp, Stall };
// "blew up at step 120", "stalled at step 300"
std::string warningPrefix(RunWarning kind, long step);

struct RunStatusInfo {
  bool diverged = false;
  long divergedAtStep = -1;
  std::string reason;     // "loss is NaN", "parameter dense2.weight is inf"
  bool finished = false;  // trained all its steps
  bool removed = false;   // removed from the session; its recorded data stays readable
  // The first warning (a blow-up replaces an earlier stall): kind, step, the tensor whose |w|
  // grew first (blow-ups; may be empty) and the sentence of its event.
  RunWarning warning = RunWarning::None;
  long warningAtStep = -1;
  std::string warningTensor;
  std::string warningDetail;
  // "diverged at step 12: loss is NaN", "finished", "finished; blew up at step 120", ...
  [[nodiscard]] std::string describe() const;
};

// One trainable tensor that has telemetry columns.
struct TensorColumnInfo {
  std::string name;  // "dense1.weight"
  nn::TensorKind kind = nn::TensorKind::Weight;
  std::vector<int> shape;  // may be empty when read back from a CSV log
};

// What a session trains now, recorded in its store after construction and after every batch of
// commands: the experiment with its tuned hyperparameters and options and its current runs
// (added ones in, removed ones out), and the value each run's optimizer actually holds for every
// hyperparameter of its type (preset and defaults resolved). A store read from a log has none.
struct ExperimentRecord {
  ExperimentSpec experiment;  // runs' schedule.totalSteps is 0: derived from the length, not saved
  std::map<std::string, std::map<std::string, double>> applied;  // run -> hyperparameter -> value
};

// A reduced series for display.
struct Point {
  double x = 0.0;  // step
  double y = 0.0;
};

// Reduces values[0..n) (value i belongs to step firstStep + i) to at most maxPoints points for
// display: the range is cut into maxPoints / 2 buckets of consecutive steps and each bucket
// contributes its minimum and its maximum, in step order (one point when they coincide), so
// spikes survive. When n <= maxPoints every value is returned unchanged.
// Non-finite values are NOT dropped or replaced: +inf and -inf compete as ordinary extremes and
// NaN takes a bucket's max slot (it wins against every number), so a diverging series stays
// visible as NaN/inf points; the caller decides how to draw them (Qt Charts needs them cleaned).
// maxPoints < 2 is treated as 2.
std::vector<Point> downsampleMinMax(std::span<const float> values, long firstStep, int maxPoints);

class MetricsStore {
 public:
  static constexpr long kChunkSteps = 16384;  // floats per chunk: 64 KiB
  static constexpr int kMaxRuns = 64;
  static constexpr long kDefaultCapacity = 1L << 24;  // steps per run when none is given

  // `capacitySteps` bounds the steps per run (the chunk tables are sized from it; appending
  // beyond it throws std::length_error). `stepsPerEpoch` (0: unknown) lets viewers show epochs.
  explicit MetricsStore(std::vector<TensorColumnInfo> tensors,
                        long capacitySteps = kDefaultCapacity, double stepsPerEpoch = 0.0);
  ~MetricsStore();
  MetricsStore(const MetricsStore&) = delete;
  MetricsStore& operator=(const MetricsStore&) = delete;

  // Bytes the columns of `runs` runs x `tensors` tensors x `steps` steps occupy (floats only).
  static std::size_t estimateBytes(int runs, int tensors, long steps);

  // ---- writer side (one thread) ----
  // Adds a run and returns its index (stable for this store's lifetime).
  int addRun(const std::string& name);
  // Appends the next step of `run`. runValues: kRunMetricCount values in RunMetric order.
  // tensorValues: tensorCount() * kTensorMetricCount values, tensor-major, in optim::kTensorMetrics order.
  void appendStep(int run, std::span<const float> runValues, std::span<const float> tensorValues);
  void addEvaluation(int run, const EvalPoint& point);
  void addEvent(Event event);
  void setStatus(int run, const RunStatusInfo& status);
  // Replaces the experiment record and increments experimentRevision().
  void setExperiment(ExperimentRecord record);

  // ---- reader side (any thread) ----
  [[nodiscard]] int runCount() const { return runCount_.load(std::memory_order_acquire); }
  [[nodiscard]] std::string runName(int run) const;
  [[nodiscard]] int runIndex(
      const std::string& name) const;  // -1 if absent (latest with that name)
  [[nodiscard]] int tensorCount() const { return static_cast<int>(tensors_.size()); }
  [[nodiscard]] const std::vector<TensorColumnInfo>& tensors() const { return tensors_; }
  [[nodiscard]] long capacity() const { return capacity_; }
  [[nodiscard]] double stepsPerEpoch() const { return stepsPerEpoch_; }

  // Number of rows of `run` that are complete and safe to read (acquire).
  [[nodiscard]] long stepCount(int run) const;
  // Copies steps [begin, end) of one column into `out` (resized). end is clamped to
  // stepCount(run); begin > end yields an empty vector. Never blocks the writer.
  void read(int run, RunMetric metric, long begin, long end, std::vector<float>& out) const;
  void read(int run, int tensor, TensorMetric metric, long begin, long end,
            std::vector<float>& out) const;
  // One value; step must be < stepCount(run).
  [[nodiscard]] float value(int run, RunMetric metric, long step) const;
  [[nodiscard]] float value(int run, int tensor, TensorMetric metric, long step) const;

  [[nodiscard]] std::vector<EvalPoint> evaluations(int run) const;
  [[nodiscard]] std::vector<Event> events(std::size_t from = 0) const;  // events[from..]
  [[nodiscard]] std::size_t eventCount() const;
  [[nodiscard]] RunStatusInfo status(int run) const;
  // The experiment being trained (nullopt for a store read from a log).
  [[nodiscard]] std::optional<ExperimentSpec> experiment() const;
  // The value run's optimizer holds for hyperparameter `name`. Throws std::invalid_argument for
  // a run or hyperparameter the record does not have.
  [[nodiscard]] double appliedHyperparameter(const std::string& run, const std::string& name) const;
  // Incremented by every setExperiment (acquire): a reader re-reads experiment() when it changes.
  [[nodiscard]] std::uint64_t experimentRevision() const {
    return experimentRevision_.load(std::memory_order_acquire);
  }

  // Bytes currently allocated for the columns.
  [[nodiscard]] std::size_t bytesAllocated() const;

 private:
  struct Column;
  struct RunData;
  const RunData& runData(int run) const;

  std::vector<TensorColumnInfo> tensors_;
  long capacity_;
  double stepsPerEpoch_;
  std::unique_ptr<std::unique_ptr<RunData>[]> runs_;  // kMaxRuns slots, never moves
  std::atomic<int> runCount_{0};
  std::atomic<std::size_t> bytes_{0};
  std::atomic<std::uint64_t> experimentRevision_{0};
  mutable std::mutex mutex_;  // guards names, evaluations, events, status, the record
  std::vector<Event> events_;
  std::optional<ExperimentRecord> record_;
};

}  // namespace larslab::engine
