#pragma once
// A plain, unfused implementation of every optimizer of the registry, the test oracle of the
// fused chain (reference_optimizers_test.cpp). Written from the formulas of
// resources/docs/optimizers.md, one tensor at a time, one vector formula per loop, without
// any stage of src/optim. It shares with the chain only what is a convention rather than
// mathematics, so that the two can agree to the last bit:
//  - scalars (gamma, beta, bias corrections, trust factors) are formed in double and rounded to
//    float once, where they meet float elements; element arithmetic is float;
//  - an intermediate vector of a formula is stored before the next formula reads it (the chain
//    stores u between stages), so only a * b + c within one formula may become one FMA;
//  - norms are sums of squares in double, added in the chain's fixed order (see squaredNorm).

#include <map>
#include <string>
#include <vector>

#include "nn/parameters.h"
#include "optim/optimizer.h"

namespace larslab::optim::reference {

class ReferenceOptimizer {
 public:
  ReferenceOptimizer(const ResolvedOptimizerConfig& config, const nn::ParameterLayout& layout);

  // As Optimizer::step: gamma = lr * lrFactor; one telemetry entry per tensor.
  void step(nn::ParameterStore& params, const nn::ParameterStore& grads, double lrFactor,
            std::vector<TensorTelemetry>& telemetry);
  void setHyperparameter(const std::string& name, double value) { hyper_.at(name) = value; }
  // Same names as Optimizer::state; nullptr when this optimizer keeps no such state.
  [[nodiscard]] const nn::Vector* state(const std::string& name) const;

 private:
  struct Tensor;  // views of one tensor for one step
  void stepTensor(const Tensor& t, TensorTelemetry& out);
  [[nodiscard]] double h(const char* name) const { return hyper_.at(name); }
  [[nodiscard]] bool option(const char* name, const char* choice) const { return options_.at(name) == choice; }

  std::string type_;
  std::map<std::string, double> hyper_;
  std::map<std::string, std::string> options_;
  std::vector<nn::TensorInfo> tensors_;
  std::map<std::string, nn::Vector> state_;
  long count_ = 0;
  double gamma_ = 0.0;
};

}  // namespace larslab::optim::reference
