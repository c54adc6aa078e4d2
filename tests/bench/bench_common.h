#pragma once
// Shared pieces of the LARS Lab benchmarks: the workload file that the PyTorch peer reads
// too, the FLOP count of a training step, and running a body on a bounded number of threads.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "nn/model_spec.h"
#include "nn/tensor.h"

namespace larslab::bench {

struct Workload {
  std::string name;   // "fmnist_mlp"
  std::string title;  // "Fashion-MNIST MLP 784-512-256-10 ReLU"
  int batch = 0;
  nn::Shape input;
  int classes = 0;
  nn::ModelSpec model;
};

struct OptimizerSetting {
  std::string name;                          // "sgd_momentum", "lars", "adam" (workloads.json keys)
  std::map<std::string, double> hyperparameters;  // as in workloads.json
};

struct WorkloadFile {
  std::vector<Workload> workloads;
  std::vector<OptimizerSetting> optimizers;
};

// $LARSLAB_BENCH_WORKLOADS when set, else tests/bench/workloads.json of this source tree.
std::string defaultWorkloadPath();
// Throws std::runtime_error naming the file and the JSON path of a bad field.
WorkloadFile loadWorkloads(const std::string& path);

// FLOPs of one training step that a framework has to do: 2*M*N*K for each GEMM of the forward
// pass, the weight gradient and the input gradient (im2col GEMMs for convolutions). The first
// parametrised layer needs no input gradient, so it counts twice, not three times.
// Element-wise work (activations, pooling, loss, optimizer) is not counted.
double trainingFlops(const nn::ModelSpec& model, nn::Shape input, int batch);

// Runs body() inside a tbb::task_arena of `threads` threads (TBB headers stay in .cpp files).
void runInArena(int threads, const std::function<void()>& body);

// Random rows: uniform [0, 1) (pixel-like) or standard normal, from a fixed seed.
nn::Matrix randomUniform(int rows, int cols, std::uint64_t seed);
nn::Matrix randomNormal(int rows, int cols, std::uint64_t seed);

}  // namespace larslab::bench
