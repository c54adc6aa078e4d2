#pragma once
// The metric log as CSV files, the one format shared by the CLI, the GUI's "Export metrics" and
// the exported PyTorch script (columns in resources/docs/metrics-format.md). Long ("tidy")
// format: one row per observation, so pandas.read_csv gives a frame ready for groupby/pivot.
// Numbers are written in the shortest form that reads back as the same float; non-finite
// values as nan, inf, -inf (pandas reads them as such); an unknown value is an empty field.

#include <ostream>
#include <string>

#include "engine/metrics_store.h"

namespace larslab::engine {

inline constexpr const char* kRunMetricsFile = "run_metrics.csv";
inline constexpr const char* kTensorMetricsFile = "tensor_metrics.csv";
inline constexpr const char* kEvaluationsFile = "evaluations.csv";
inline constexpr const char* kEventsFile = "events.csv";

// run,step,epoch,loss,accuracy,lr
void writeRunMetricsCsv(const MetricsStore& store, std::ostream& out);
// run,step,tensor,kind,weight_norm,grad_norm,trust_ratio,local_lr,update_norm,update_ratio
void writeTensorMetricsCsv(const MetricsStore& store, std::ostream& out);
// run,step,test_loss,test_accuracy
void writeEvaluationsCsv(const MetricsStore& store, std::ostream& out);
// step,run,kind,detail
void writeEventsCsv(const MetricsStore& store, std::ostream& out);

// Writes the four files above into `directory` (created if missing), each atomically. Reads a
// consistent prefix, so it may run while a session trains. Throws std::runtime_error naming
// the path on failure.
void exportMetricsCsv(const MetricsStore& store, const std::string& directory);

// One CSV field, quoted when it holds a comma, quote, CR or LF.
std::string csvField(const std::string& text);

}  // namespace larslab::engine
