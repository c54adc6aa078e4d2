// After the first step, an optimizer step allocates nothing (DESIGN.md section 5).
// malloc is interposed for this test executable (glibc: forward to __libc_malloc); Eigen's
// aligned allocations and operator new both end up in malloc, so one counter sees them all.

#include <gtest/gtest.h>

#include <cstddef>
#include <random>

#include "optim_test_util.h"

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
}

namespace {
bool gCounting = false;
long gAllocations = 0;
}  // namespace

extern "C" {
void* malloc(std::size_t size) {
  if (gCounting) ++gAllocations;
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
  if (gCounting) ++gAllocations;
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, std::size_t size) {
  if (gCounting) ++gAllocations;
  return __libc_realloc(pointer, size);
}
}

namespace larslab::optim {
namespace {

class OptimizerAllocation : public ::testing::TestWithParam<std::size_t> {};

// A small model is stepped serially, a large one in parallel on TBB: neither allocates.
TEST_P(OptimizerAllocation, NoHeapAllocationAfterFirstStep) {
  std::mt19937 rng(1);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<testing::TensorDef> defs{{"w1", nn::TensorKind::Weight, {}},
                                       {"b1", nn::TensorKind::Bias, {}},
                                       {"w2", nn::TensorKind::Weight, {}}};
  defs[0].values.assign(GetParam(), 0.5);
  defs[1].values.assign(10, 0.1);
  defs[2].values.assign(300, -0.2);
  for (const auto& info : optimizerRegistry()) {
    testing::Problem p(defs);
    for (Eigen::Index i = 0; i < p.grads.flat().size(); ++i) p.grads.flat()[i] = static_cast<nn::Scalar>(normal(rng));
    auto opt = p.make(info.type);
    opt->step(p.params, p.grads, 1.0, p.telemetry);  // first step may allocate (it does not, but is allowed to)
    gAllocations = 0;
    gCounting = true;
    for (int s = 0; s < 5; ++s) opt->step(p.params, p.grads, 0.5, p.telemetry);
    opt->setHyperparameter("lr", opt->hyperparameter("lr") * 0.5);
    opt->step(p.params, p.grads, 1.0, p.telemetry);
    gCounting = false;
    EXPECT_EQ(gAllocations, 0) << info.type;
  }
  // The counter works: an allocation while counting is seen.
  gAllocations = 0;
  gCounting = true;
  std::vector<double>* probe = new std::vector<double>(100);
  gCounting = false;
  delete probe;
  EXPECT_GE(gAllocations, 1);
}

INSTANTIATE_TEST_SUITE_P(ModelSizes, OptimizerAllocation, ::testing::Values(std::size_t{1000}, std::size_t{200000}));

}  // namespace
}  // namespace larslab::optim
