// The machine's GEMM peak as the engine can reach it: BM_EngineSgemm multiplies row-major float
// matrices (the engine's storage order) with the engine's own nn::GemmWorkspace (OpenBLAS, one
// thread per call, for products this large; see src/nn/gemm.cpp), and with 2 threads the rows
// of C split across a TBB arena, which is how the engine parallelises (by rows of a batch).
// Every training benchmark's GFLOP/s is read against this number. BM_EigenSgemm is the same
// with Eigen's product, which the engine uses for small products only.

#include <benchmark/benchmark.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <vector>

#include "bench_common.h"
#include "nn/gemm.h"

namespace larslab::bench {
namespace {

void BM_EigenSgemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const nn::Matrix a = randomUniform(n, n, 1);
  const nn::Matrix b = randomUniform(n, n, 2);
  nn::Matrix c(n, n);
  runInArena(threads, [&] {
    for (auto _ : state) {
      if (threads == 1) {
        c.noalias() = a * b;
      } else {
        // One contiguous row block per thread; static so each thread keeps its block.
        tbb::parallel_for(
            tbb::blocked_range<int>(0, threads, 1),
            [&](const tbb::blocked_range<int>& r) {
              for (int t = r.begin(); t != r.end(); ++t) {
                const int r0 = static_cast<int>(static_cast<long>(n) * t / threads);
                const int r1 = static_cast<int>(static_cast<long>(n) * (t + 1) / threads);
                c.middleRows(r0, r1 - r0).noalias() = a.middleRows(r0, r1 - r0) * b;
              }
            },
            tbb::static_partitioner());
      }
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    }
  });
  const double flops = 2.0 * n * n * n;
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = threads;
}

void BM_EngineSgemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const nn::Matrix a = randomUniform(n, n, 1);
  const nn::Matrix b = randomUniform(n, n, 2);
  nn::Matrix c(n, n);
  std::vector<nn::GemmWorkspace> workspaces(static_cast<std::size_t>(threads));
  runInArena(threads, [&] {
    for (auto _ : state) {
      // One contiguous row block per thread, each with its own workspace, as the engine's shards.
      tbb::parallel_for(
          tbb::blocked_range<int>(0, threads, 1),
          [&](const tbb::blocked_range<int>& r) {
            for (int t = r.begin(); t != r.end(); ++t) {
              const int r0 = static_cast<int>(static_cast<long>(n) * t / threads);
              const int r1 = static_cast<int>(static_cast<long>(n) * (t + 1) / threads);
              workspaces[static_cast<std::size_t>(t)].multiply(c.data() + static_cast<long>(r0) * n, n,
                                                                nn::plain(a.middleRows(r0, r1 - r0)), nn::plain(b));
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
