#pragma once
// What an optimizer's composition reads from its resolved config: live hyperparameter slots
// and the chosen options, each mapped onto a typed stage setting.

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "optim/optimizer.h"
#include "optim/transforms.h"

namespace larslab::optim {

class Composition {
 public:
  // `values` holds one live slot per info.hyperparameters entry, in that order.
  Composition(const OptimizerInfo& info, const double* values, const std::map<std::string, std::string>& options)
      : info_(info), values_(values), options_(options) {}

  // The live slot of a declared hyperparameter. Throws std::logic_error for an undeclared one.
  [[nodiscard]] HyperRef hyper(const std::string& name) const;

  // The value mapped to the option's current choice. The mapping must name every declared choice
  // of the option exactly once and nothing else, so a misspelt or a forgotten choice fails when
  // the optimizer is created instead of silently picking another branch. Throws std::logic_error.
  template <typename T>
  [[nodiscard]] T select(const std::string& option, std::initializer_list<std::pair<std::string_view, T>> mapping) const {
    std::vector<std::string_view> choices;
    choices.reserve(mapping.size());
    for (const auto& entry : mapping) choices.push_back(entry.first);
    return mapping.begin()[chosenIndex(option, choices)].second;
  }

 private:
  // Index in `choices` of the option's current choice, after checking `choices` against the spec.
  [[nodiscard]] std::size_t chosenIndex(const std::string& option, const std::vector<std::string_view>& choices) const;

  const OptimizerInfo& info_;
  const double* values_;
  const std::map<std::string, std::string>& options_;
};

}  // namespace larslab::optim
