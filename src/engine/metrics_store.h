#pragma once
// Append-only metric columns. One writer (the session) appends; any number of readers (the
// GUI at ~30 Hz, exporters) read a consistent prefix without blocking the writer: values are
// stored in fixed-size chunks that never move, and a row count is published with release
// semantics after the row is written. Values are stored as float: 4 bytes per
// (run, tensor, metric, step), so 4 runs x 10 tensors x 1,000,000 steps x 6 metrics = 960 MB.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace larslab::engine {

enum class RunMetric { Loss, Accuracy, LearningRate, Count };
enum class TensorMetric { WeightNorm, GradNorm, TrustRatio, LocalLr, UpdateNorm, UpdateRatio, Count };

const char* runMetricName(RunMetric m);        // CSV column names: loss, accuracy, lr
const char* tensorMetricName(TensorMetric m);  // weight_norm, grad_norm, trust_ratio, local_lr, update_norm, update_ratio

struct EvalPoint {
  long step = 0;
  double loss = 0.0;
  double accuracy = 0.0;
};

struct Event {
  long step = 0;       // applied before this step ran
  std::string run;     // run name, empty for session-wide events
  std::string kind;    // "set", "diverged", "reset", "added", "removed", ...
  std::string detail;  // "eta 0.001 -> 0.002"
};

struct RunStatusInfo {
  bool diverged = false;
  long divergedAtStep = -1;
  std::string reason;  // "loss is NaN", "parameter dense2.weight is inf"
};

// A reduced series for display: x (step) and y pairs, at most ~maxPoints, keeping each
// bucket's minimum and maximum in step order so that spikes survive.
struct Point {
  double x = 0.0;
  double y = 0.0;
};
std::vector<Point> downsampleMinMax(std::span<const float> values, long firstStep, int maxPoints);

class MetricsStore;  // defined in metrics_store.cpp's companion types below

}  // namespace larslab::engine
