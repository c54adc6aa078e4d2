// The machine's GEMM peak as the engine can reach it: BM_EngineSgemm multiplies row-major float
// matrices (the engine's storage order) with the engine's own nn::GemmWorkspace (OpenBLAS, one
// thread per call, or Eigen: whichever the engine uses for products this large on this CPU, see
// src/nn/gemm.cpp), and with 2 threads the rows of C split across a TBB arena, which is how the
// engine parallelises (by rows of a batch). Every training benchmark's GFLOP/s is read against
// this number. BM_EigenSgemm is the same with Eigen's product.

#include <benchmark/benchmark.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <vector>

#include "bench_common.h"
#include "nn/gemm.h"

namespace larslab::bench {
namespace {

// Times c = a * b for n x n matrices, the rows of c cut into one contiguous block per thread
// (static, so each thread keeps its block); multiplyRows(c, a, b, firstRow, rows, block).
template <typename MultiplyRows>
void timeSgemm(benchmark::State& state, MultiplyRows multiplyRows) {
  const int n = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const nn::Matrix a = randomUniform(n, n, 1);
  const nn::Matrix b = randomUniform(n, n, 2);
  nn::Matrix c(n, n);
  runInArena(threads, [&] {
    for (auto _ : state) {
      tbb::parallel_for(
          tbb::blocked_range<int>(0, threads, 1),
          [&](const tbb::blocked_range<int>& r) {
            for (int t = r.begin(); t != r.end(); ++t) {
              const int r0 = static_cast<int>(static_cast<long>(n) * t / threads);
              const int r1 = static_cast<int>(static_cast<long>(n) * (t + 1) / threads);
              multiplyRows(c, a, b, r0, r1 - r0, t);
            }
          },
          tbb::static_partitioner());
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    }
  });
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = threads;
}

void BM_EigenSgemm(benchmark::State& state) {
  timeSgemm(state, [](nn::Matrix& c, const nn::Matrix& a, const nn::Matrix& b, int r0, int rows, int) {
    c.middleRows(r0, rows).noalias() = a.middleRows(r0, rows) * b;
  });
}

void BM_EngineSgemm(benchmark::State& state) {
  // One workspace per thread, as each shard has its own.
  std::vector<nn::GemmWorkspace> workspaces(static_cast<std::size_t>(state.range(1)));
  timeSgemm(state, [&](nn::Matrix& c, const nn::Matrix& a, const nn::Matrix& b, int r0, int rows, int t) {
    workspaces[static_cast<std::size_t>(t)].multiply(c.data() + static_cast<long>(r0) * c.cols(), c.cols(),
                                                      nn::plain(a.middleRows(r0, rows)), nn::plain(b));
  });
}

BENCHMARK(BM_EngineSgemm)
    ->ArgNames({"n", "threads"})
    ->Args({1024, 1})
    ->Args({1024, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_EigenSgemm)
    ->ArgNames({"n", "threads"})
    ->Args({1024, 1})
    ->Args({1024, 2})
    ->Args({256, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace larslab::bench
