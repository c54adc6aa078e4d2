// A full training step of each workload in workloads.json, for SGD with momentum, LARS and
// Adam, on 1 and 2 threads: next minibatch + forward + backward (ShardedBackprop) +
// optimizer step with telemetry, exactly what a Run does per step. Also the optimizer step
// alone on each workload's parameters.
//
// Data: two-spirals points from data::makeSynthetic for the 2-D workloads; for 28x28
// workloads random pixels in [0, 1) (the PyTorch peer uses random data of the same shape;
// throughput does not depend on the values). A Batcher over 2 batches' worth of samples
// feeds each step, so the copy into the batch matrices is timed as in the application.

#include <benchmark/benchmark.h>

#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_common.h"
#include "bench_registry.h"
#include "data/batcher.h"
#include "data/synthetic.h"
#include "nn/backprop.h"
#include "nn/network.h"
#include "optim/optimizer.h"

namespace larslab::bench {
namespace {

data::Dataset makeData(const Workload& w) {
  const int samples = 2 * w.batch;
  if (w.input.size() == 2) {
    data::SyntheticSpec spec;
    spec.kind = "spirals";
    spec.samples = samples * 2;
    spec.testFraction = 0.5;
    spec.seed = 1;
    data::Dataset train = data::makeSynthetic(spec).train;
    if (w.classes != 2) throw std::runtime_error(w.name + ": 2-D workloads use the 2-class spirals");
    return train;
  }
  data::Dataset d;
  d.name = w.name;
  d.inputShape = w.input;
  d.numClasses = w.classes;
  d.features = randomUniform(samples, w.input.size(), 11);
  d.targets.resize(samples, 1);
  for (int i = 0; i < samples; ++i) d.targets(i, 0) = static_cast<nn::Scalar>((i * 7919) % w.classes);
  return d;
}

// workloads.json optimizer names -> LARS Lab registry type and hyperparameter names.
optim::OptimizerConfig optimizerConfig(const OptimizerSetting& setting) {
  optim::OptimizerConfig config;
  if (setting.name == "sgd_momentum") config.type = "momentum";
  else if (setting.name == "lars") config.type = "lars";
  else if (setting.name == "adam") config.type = "adam";
  else throw std::runtime_error("workloads.json: optimizers." + setting.name + ": unknown to the C++ benchmark");
  for (const auto& [key, value] : setting.hyperparameters) config.hyperparameters[key] = value;
  return config;
}

std::unique_ptr<optim::Optimizer> makeOptimizer(const OptimizerSetting& setting, const nn::ParameterLayout& layout) {
  const optim::OptimizerConfig config = optimizerConfig(setting);
  const optim::OptimizerInfo* info = optim::findOptimizer(config.type);
  if (info == nullptr) throw std::runtime_error("optimizer registry has no '" + config.type + "'");
  return info->create(config, layout);
}

// Everything a Run does per step, for one workload and optimizer.
struct Trainer {
  Trainer(const Workload& w, const OptimizerSetting& setting)
      : network(w.model, w.input),
        params(network.initialParameters(1)),
        grads(network.layout()),
        backprop(network, w.batch),
        optimizer(makeOptimizer(setting, *network.layout())),
        telemetry(network.layout()->count()),
        dataset(makeData(w)),
        batcher(dataset, w.batch, 5) {}

  void step() {
    batcher.next(x, y);
    result = backprop.computeGradients(params, x, y, grads, stepSeed++);
    optimizer->step(params, grads, 1.0, telemetry);
  }

  nn::Network network;
  nn::ParameterStore params;
  nn::ParameterStore grads;
  nn::ShardedBackprop backprop;
  std::unique_ptr<optim::Optimizer> optimizer;
  std::vector<optim::TensorTelemetry> telemetry;
  data::Dataset dataset;
  data::Batcher batcher;
  nn::Matrix x, y;
  std::uint64_t stepSeed = 0;
  nn::BatchResult result;
};

void BM_Train(benchmark::State& state, const Workload& w, const OptimizerSetting& setting, int threads) {
  Trainer trainer(w, setting);
  runInArena(threads, [&] {
    trainer.step();  // one untimed step sizes every buffer (the engine allocates nothing after it)
    for (auto _ : state) trainer.step();
  });
  if (!std::isfinite(trainer.result.loss)) state.SkipWithError("loss became non-finite");
  const double flops = trainingFlops(w.model, w.input, w.batch);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * w.batch);
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["flops_per_step"] = flops;
  state.counters["params"] = static_cast<double>(trainer.network.layout()->totalSize());
  state.counters["threads"] = threads;
  state.counters["batch"] = w.batch;
  state.counters["loss"] = trainer.result.loss;
}

// Times blocks of steps of A and of B alternately (each block about 40 ms, both inside their
// own arenas) and reports the median over rounds of time(B) / time(A) as counter "ratio".
// Two separate benchmark runs see different machine load, and on a shared machine their ratio
// wanders by 20% or more; alternating blocks exposes both sides to the same load.
void measureInterleaved(benchmark::State& state, Trainer& a, tbb::task_arena& arenaA, Trainer& b,
                        tbb::task_arena& arenaB) {
  using Clock = std::chrono::steady_clock;
  auto timeBlock = [](Trainer& t, tbb::task_arena& arena, int steps) {
    const auto start = Clock::now();
    arena.execute([&] {
      for (int i = 0; i < steps; ++i) t.step();
    });
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  timeBlock(a, arenaA, 2);  // size every buffer
  timeBlock(b, arenaB, 2);
  const double oneStep = std::max(timeBlock(a, arenaA, 1), 1e-7);
  const int steps = std::clamp(static_cast<int>(0.04 / oneStep), 1, 1000);
  std::vector<double> ratios;
  for (auto _ : state) {
    const double ta = timeBlock(a, arenaA, steps);
    const double tb = timeBlock(b, arenaB, steps);
    ratios.push_back(tb / ta);
  }
  if (!std::isfinite(a.result.loss) || !std::isfinite(b.result.loss)) state.SkipWithError("loss became non-finite");
  std::nth_element(ratios.begin(), ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2), ratios.end());
  state.counters["ratio"] = ratios[ratios.size() / 2];
  state.counters["rounds"] = static_cast<double>(ratios.size());
  state.counters["steps_per_block"] = steps;
}

// LARS step time / SGD-with-momentum step time, interleaved (target <= 1.05).
void BM_LarsOverSgd(benchmark::State& state, const Workload& w, const OptimizerSetting& sgd,
                    const OptimizerSetting& lars, int threads) {
  Trainer a(w, sgd), b(w, lars);
  tbb::task_arena arena(threads);
  measureInterleaved(state, a, arena, b, arena);
  state.counters["threads"] = threads;
}

// 1-thread step time / 2-thread step time, interleaved: the speed-up from a second thread.
void BM_TwoThreadSpeedup(benchmark::State& state, const Workload& w, const OptimizerSetting& setting) {
  Trainer two(w, setting), one(w, setting);
  tbb::task_arena arenaTwo(2), arenaOne(1);
  measureInterleaved(state, two, arenaTwo, one, arenaOne);
}

// The optimizer step alone: update plus per-tensor telemetry over every tensor.
void BM_OptimizerStep(benchmark::State& state, const Workload& w, const OptimizerSetting& setting, int threads) {
  const nn::Network network(w.model, w.input);
  nn::ParameterStore params = network.initialParameters(1);
  nn::ParameterStore grads(network.layout());
  const nn::Matrix g = randomNormal(1, static_cast<int>(grads.flat().size()), 9);
  grads.flat() = g.row(0).transpose() * nn::Scalar(1e-3);
  const std::unique_ptr<optim::Optimizer> optimizer = makeOptimizer(setting, *network.layout());
  std::vector<optim::TensorTelemetry> telemetry(network.layout()->count());
  runInArena(threads, [&] {
    optimizer->step(params, grads, 1.0, telemetry);
    for (auto _ : state) {
      optimizer->step(params, grads, 1.0, telemetry);
      benchmark::DoNotOptimize(params.flat().data());
    }
  });
  const auto n = static_cast<std::int64_t>(params.flat().size());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
  state.counters["params"] = static_cast<double>(n);
  state.counters["tensors"] = network.layout()->count();
  state.counters["threads"] = threads;
}

// Inference on a 10,000-sample test split (the size of Fashion-MNIST's), as a Run evaluates
// it: nn::Inference in 128-row chunks, buffers kept between evaluations.
void BM_Evaluate(benchmark::State& state, const Workload& w, int threads) {
  const nn::Network network(w.model, w.input);
  const nn::ParameterStore params = network.initialParameters(1);
  constexpr int kTestRows = 10000;
  const nn::Matrix x = randomUniform(kTestRows, w.input.size(), 12);
  nn::Matrix y(kTestRows, 1);
  for (int i = 0; i < kTestRows; ++i) y(i, 0) = static_cast<nn::Scalar>(i % w.classes);
  nn::Inference inference(network, 128);
  nn::BatchResult result;
  runInArena(threads, [&] {
    result = inference.evaluate(params, x, y);  // sizes the buffers, as a run's first evaluation
    for (auto _ : state) result = inference.evaluate(params, x, y);
  });
  if (!std::isfinite(result.loss)) state.SkipWithError("loss is non-finite");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kTestRows);
  state.counters["threads"] = threads;
}

}  // namespace

void registerTrainingBenchmarks(const WorkloadFile& file) {
  for (const Workload& w : file.workloads) {
    for (const OptimizerSetting& setting : file.optimizers) {
      for (int threads : {1, 2}) {
        const std::string name = "BM_Train/" + w.name + "/" + setting.name + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), BM_Train, w, setting, threads)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  // The optimizer alone on each workload's parameters; 2 threads only on the Fashion-MNIST MLP
  // (535,818 parameters in 6 tensors), where the 1->2 thread target is set.
  for (const Workload& w : file.workloads) {
    for (const OptimizerSetting& setting : file.optimizers) {
      for (int threads : {1, 2}) {
        if (threads == 2 && w.name != "fmnist_mlp") continue;
        const std::string name =
            "BM_OptimizerStep/" + w.name + "/" + setting.name + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), BM_OptimizerStep, w, setting, threads)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  const OptimizerSetting* sgd = nullptr;
  const OptimizerSetting* lars = nullptr;
  for (const OptimizerSetting& setting : file.optimizers) {
    if (setting.name == "sgd_momentum") sgd = &setting;
    if (setting.name == "lars") lars = &setting;
  }
  for (const Workload& w : file.workloads) {
    if (sgd && lars) {
      for (int threads : {1, 2}) {
        const std::string name = "BM_LarsOverSgd/" + w.name + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), BM_LarsOverSgd, w, *sgd, *lars, threads)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
    for (const OptimizerSetting& setting : file.optimizers) {
      const std::string name = "BM_TwoThreadSpeedup/" + w.name + "/" + setting.name;
      benchmark::RegisterBenchmark(name.c_str(), BM_TwoThreadSpeedup, w, setting)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (const Workload& w : file.workloads) {
    if (w.input.size() == 2) continue;  // the image workloads, where evaluation costs
    for (int threads : {1, 2}) {
      const std::string name = "BM_Evaluate/" + w.name + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), BM_Evaluate, w, threads)->UseRealTime()->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace larslab::bench
