#pragma once
// Benchmarks registered at run time from workloads.json (the file the PyTorch peer reads).

#include "bench_common.h"

namespace larslab::bench {

// BM_Train/<workload>/<optimizer>/threads:<n> and BM_OptimizerStep/<workload>/<optimizer>/threads:<n>.
void registerTrainingBenchmarks(const WorkloadFile& file);

}  // namespace larslab::bench
