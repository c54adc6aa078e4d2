#pragma once
// The PyTorch exporter's per-tensor metric part: the fixed Python parts that name the metrics
// (resources/pytorch/metric_log.py and optim_common.py) with those names written from the table
// in optim/tensor_metrics.h, so the script logs exactly LARS Lab's columns.

#include <string>

namespace larslab::engine {

// metric_log.py with its TENSOR_METRICS line written from the table.
std::string metricLogCode();
// optim_common.py with the Telemetry fields and the values apply_update returns written from the
// table: a measured metric is apply_update's variable of the same name, a ratio is divide(a, b).
std::string optimCommonCode();

}  // namespace larslab::engine
