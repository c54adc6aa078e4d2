#pragma once
// Reads a metric log written by the CLI, the GUI or the exported PyTorch script back into a
// MetricsStore, for viewing in the same charts. Columns are found by header name (any order,
// extra columns ignored): run_metrics.csv needs run, step, loss (accuracy, lr, epoch optional);
// tensor_metrics.csv needs run, step, tensor and any of the six metric columns (kind optional).
// Steps of each run must be 0, 1, 2, ... without gaps (one row per step); a value a file does
// not give is NaN. evaluations.csv and events.csv next to run_metrics.csv are read when present.

#include <memory>
#include <string>

#include "engine/metrics_store.h"

namespace larslab::engine {

// `path`: a directory holding run_metrics.csv, or the path of a run_metrics.csv file (its
// siblings tensor_metrics.csv, evaluations.csv and events.csv are optional). Throws
// std::runtime_error naming the file, the line and the problem.
std::shared_ptr<MetricsStore> readMetricsLog(const std::string& path);

}  // namespace larslab::engine
