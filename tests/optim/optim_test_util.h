#pragma once
// Small fixtures for optimizer tests: a layout built from literal tensors, and a stepper
// that copies given gradients into a gradient store and runs one optimizer step.

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nn/parameters.h"
#include "optim/optimizer.h"

namespace larslab::optim::testing {

struct TensorDef {
  std::string name;
  nn::TensorKind kind = nn::TensorKind::Weight;
  std::vector<double> values;
};

class Problem {
 public:
  explicit Problem(const std::vector<TensorDef>& tensors) {
    auto layout = std::make_shared<nn::ParameterLayout>();
    for (const auto& t : tensors) layout->add(t.name, t.kind, {static_cast<int>(t.values.size())});
    layout_ = layout;
    params = nn::ParameterStore(layout_);
    grads = nn::ParameterStore(layout_);
    for (int i = 0; i < layout_->count(); ++i)
      for (std::size_t j = 0; j < tensors[i].values.size(); ++j)
        params.vector(i)[static_cast<Eigen::Index>(j)] = static_cast<nn::Scalar>(tensors[i].values[j]);
    telemetry.resize(tensors.size());
  }

  [[nodiscard]] const nn::ParameterLayout& layout() const { return *layout_; }

  std::unique_ptr<Optimizer> make(const std::string& type, const std::string& preset = "",
                                  std::map<std::string, double> hyper = {},
                                  std::map<std::string, std::string> options = {}) const {
    OptimizerConfig config;
    config.type = type;
    config.preset = preset;
    config.hyperparameters = std::move(hyper);
    config.options = std::move(options);
    return createOptimizer(config, *layout_);
  }

  // One step with one gradient vector per tensor.
  void step(Optimizer& opt, const std::vector<std::vector<double>>& g, double lrFactor = 1.0) {
    for (int i = 0; i < layout_->count(); ++i)
      for (std::size_t j = 0; j < g.at(i).size(); ++j)
        grads.vector(i)[static_cast<Eigen::Index>(j)] = static_cast<nn::Scalar>(g[i][j]);
    opt.step(params, grads, lrFactor, telemetry);
  }

  [[nodiscard]] std::vector<double> values(int tensor) const {
    std::vector<double> out;
    const auto v = params.vector(tensor);
    for (Eigen::Index j = 0; j < v.size(); ++j) out.push_back(v[j]);
    return out;
  }

  nn::ParameterStore params;
  nn::ParameterStore grads;
  std::vector<TensorTelemetry> telemetry;

 private:
  std::shared_ptr<const nn::ParameterLayout> layout_;
};

inline std::vector<double> slice(const nn::Vector& v, const nn::TensorInfo& t) {
  std::vector<double> out;
  for (std::size_t j = 0; j < t.size; ++j) out.push_back(v[static_cast<Eigen::Index>(t.offset + j)]);
  return out;
}

// Float storage: compare with an absolute tolerance scaled by the magnitude.
inline void expectNear(const std::vector<double>& actual, const std::vector<double>& expected, double tol,
                       const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << what << "[" << i << "]";
}

}  // namespace larslab::optim::testing
