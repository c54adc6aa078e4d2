// larslab_bench: Google Benchmark over the GEMM peak, the layer kernels, the optimizer step
// and full training steps. Run through tests/bench/compare.py to set them against PyTorch.

#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include "bench_common.h"
#include "bench_registry.h"
#include "nn/gemm.h"

namespace {

std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    const std::string path = larslab::bench::defaultWorkloadPath();
    larslab::bench::registerTrainingBenchmarks(larslab::bench::loadWorkloads(path));
    benchmark::AddCustomContext("workloads", path);
  } catch (const std::exception& e) {
    std::cerr << "larslab_bench: " << e.what() << '\n';
    return 1;
  }
  benchmark::AddCustomContext("cpu_model", cpuModel());
  benchmark::AddCustomContext("eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                                           "." + std::to_string(EIGEN_MINOR_VERSION));
  benchmark::AddCustomContext("eigen_simd", Eigen::SimdInstructionSetsInUse());
  benchmark::AddCustomContext("compiler", __VERSION__);
  benchmark::AddCustomContext("large_gemm", larslab::nn::largeProductKernel());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
