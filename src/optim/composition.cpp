#include "optim/composition.h"

#include <algorithm>
#include <stdexcept>

namespace larslab::optim {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

HyperRef Composition::hyper(const std::string& name) const {
  for (std::size_t i = 0; i < info_.hyperparameters.size(); ++i)
    if (info_.hyperparameters[i].name == name) return HyperRef(values_ + i);
  throw std::logic_error("composition of '" + info_.type + "' reads undeclared hyperparameter '" + name + "'");
}

std::size_t Composition::chosenIndex(const std::string& option, const std::vector<std::string_view>& choices) const {
  const std::string where = "composition of '" + info_.type + "', option '" + option + "'";
  const OptionSpec* spec = info_.findOption(option);
  const auto current = options_.find(option);
  if (spec == nullptr || current == options_.end()) throw std::logic_error(where + ": not declared");
  const auto& declared = spec->choices;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (std::find(declared.begin(), declared.end(), choices[i]) == declared.end())
      throw std::logic_error(where + ": maps '" + std::string(choices[i]) + "', which is not a declared choice (" +
                             joined(declared) + ")");
    if (std::find(choices.begin(), choices.begin() + static_cast<std::ptrdiff_t>(i), choices[i]) !=
        choices.begin() + static_cast<std::ptrdiff_t>(i))
      throw std::logic_error(where + ": maps '" + std::string(choices[i]) + "' twice");
  }
  for (const auto& choice : declared)
    if (std::find(choices.begin(), choices.end(), choice) == choices.end())
      throw std::logic_error(where + ": does not map the declared choice '" + choice + "'");
  const auto chosen = std::find(choices.begin(), choices.end(), current->second);
  // resolve() accepts declared choices only, and every declared choice is mapped.
  if (chosen == choices.end()) throw std::logic_error(where + ": choice '" + current->second + "' is not declared");
  return static_cast<std::size_t>(chosen - choices.begin());
}

}  // namespace larslab::optim
