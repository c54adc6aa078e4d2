// No heap allocation per training step after warm-up.
//
// This executable replaces the C allocation functions (glibc symbol interposition), so that it
// counts malloc-family allocations from any thread: operator new (libstdc++ calls malloc) and
// Eigen's aligned_malloc included; the first test proves that the counter sees both. Not seen:
// oneTBB's own allocations, which go to libtbbmalloc (opened with dlopen, so not interposable).
// Checked by hand with gdb breakpoints on scalable_malloc/scalable_aligned_malloc: all 94 calls
// in these tests happen before counting starts (TBB pools its task objects).

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <memory>
#include <vector>

#include "nn/backprop.h"
#include "nn/random.h"
#include "random_matrix.h"

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* ptr, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace {
std::atomic<bool> gCounting{false};
std::atomic<long> gAllocations{0};
inline void countAllocation() {
  if (gCounting.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(std::size_t size) noexcept {
  countAllocation();
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  countAllocation();
  return __libc_calloc(count, size);
}
void* realloc(void* ptr, std::size_t size) noexcept {
  countAllocation();
  return __libc_realloc(ptr, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  countAllocation();
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  countAllocation();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  countAllocation();
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(alignment, size);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
}

namespace larslab::nn {
namespace {

class AllocationCounter {
 public:
  AllocationCounter() {
    gAllocations = 0;
    gCounting = true;
  }
  ~AllocationCounter() { gCounting = false; }
  long count() const { return gAllocations.load(); }
};

using test::randomMatrix;

TEST(Allocation, CounterSeesOperatorNewAndEigen) {
  long seen = 0;
  {
    AllocationCounter counter;
    auto p = std::make_unique<int>(3);
    seen = counter.count();
  }
  EXPECT_GE(seen, 1);
  {
    AllocationCounter counter;
    Matrix m(64, 64);
    m.setZero();
    seen = counter.count();
  }
  EXPECT_GE(seen, 1);
}

LayerSpec make(std::string type, int size = 0) {
  LayerSpec l;
  l.type = std::move(type);
  if (l.type == "dense") l.units = size;
  if (l.type == "conv2d") l.filters = size;
  if (l.type == "maxpool2d") l.kernel = size;
  return l;
}

// Warm-up steps, then counted steps of computeGradients + an inline SGD update.
long allocationsPerSteadyState(const ModelSpec& spec, Shape input, int batch, int threads) {
  long allocations = -1;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    const Network net(spec, input);
    ShardedBackprop backprop(net, batch);
    ParameterStore params = net.initialParameters(1);
    ParameterStore grads(net.layout());
    const Matrix x = randomMatrix(batch, input.size(), 2);
    Matrix y(batch, 1);
    for (int i = 0; i < batch; ++i) y(i, 0) = static_cast<Scalar>(i % net.outputShape().size());
    for (std::uint64_t step = 0; step < 2; ++step) {
      backprop.computeGradients(params, x, y, grads, step);
      params.flat().noalias() -= Scalar(0.01) * grads.flat();
    }
    AllocationCounter counter;
    for (std::uint64_t step = 2; step < 6; ++step) {
      backprop.computeGradients(params, x, y, grads, step);
      params.flat().noalias() -= Scalar(0.01) * grads.flat();
    }
    allocations = counter.count();
  });
  return allocations;
}

ModelSpec fashionMlp() {
  ModelSpec spec;
  LayerSpec drop = make("dropout");
  drop.rate = 0.2;
  spec.layers = {make("dense", 256), make("batchnorm"), make("relu"), drop, make("dense", 128), make("gelu"),
                 make("dense", 10)};
  return spec;
}

ModelSpec fashionCnn() {
  ModelSpec spec;
  LayerSpec c1 = make("conv2d", 8);
  c1.padding = 1;
  LayerSpec c2 = make("conv2d", 16);
  c2.stride = 2;
  spec.layers = {c1, make("batchnorm"), make("relu"), make("maxpool2d", 2), c2, make("leaky_relu"), make("flatten"),
                 make("dropout"), make("dense", 32), make("sigmoid"), make("dense", 10)};
  return spec;
}

TEST(Allocation, MlpStepsAllocateNothingAfterWarmUp) {
  EXPECT_EQ(allocationsPerSteadyState(fashionMlp(), Shape{1, 28, 28}, 128, 2), 0);
  EXPECT_EQ(allocationsPerSteadyState(fashionMlp(), Shape{1, 28, 28}, 128, 1), 0);
}

TEST(Allocation, CnnStepsAllocateNothingAfterWarmUp) {
  EXPECT_EQ(allocationsPerSteadyState(fashionCnn(), Shape{1, 28, 28}, 32, 2), 0);
}

}  // namespace
}  // namespace larslab::nn
