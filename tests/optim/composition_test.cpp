// A composition maps every option onto a typed stage setting; a misspelt or forgotten choice
// must fail when the optimizer is created, not pick the other branch.

#include <gtest/gtest.h>

#include <functional>

#include "optim/composition.h"

namespace larslab::optim {
namespace {

struct LarsComposition {
  LarsComposition() {
    OptimizerConfig config;
    config.type = "lars";
    config.preset = "optax";
    const ResolvedOptimizerConfig resolved = resolveOptimizerConfig(config);
    options = resolved.options;
    for (const auto& spec : info.hyperparameters) values.push_back(resolved.hyperparameters.at(spec.name));
  }
  const OptimizerInfo& info = *findOptimizer("lars");
  std::map<std::string, std::string> options;
  std::vector<double> values;
  [[nodiscard]] Composition composition() const { return {info, values.data(), options}; }
};

void expectLogicErrorNaming(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "accepted; expected an error naming " << needle;
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Composition, SelectReturnsTheValueOfTheCurrentChoice) {
  const LarsComposition lars;
  const Composition c = lars.composition();
  EXPECT_EQ(c.select<TrustDenominator>("denominator", {{"grad_plus_decay", TrustDenominator::GradPlusDecay},
                                                       {"norm_of_sum", TrustDenominator::InputNorm}}),
            TrustDenominator::InputNorm);  // the optax preset
  EXPECT_EQ(c.select<int>("lr_placement", {{"outside", 2}, {"inside", 1}}), 1);  // order of the mapping is free
  EXPECT_EQ(c.hyper("eps")(), 0.0);
}

TEST(Composition, UnknownChoiceFailsLoudly) {
  const LarsComposition lars;
  const Composition c = lars.composition();
  // "paper" is not a denominator: the typo of a choice, or a choice of another option.
  expectLogicErrorNaming([&] { (void)c.select<int>("denominator", {{"grad_plus_decay", 0}, {"paperr", 1}}); },
                         "'paperr'");
  expectLogicErrorNaming([&] { (void)c.select<int>("denominator", {{"norm_of_sum", 0}, {"grad_plus_decayy", 1}}); },
                         "'grad_plus_decayy'");
}

TEST(Composition, EveryDeclaredChoiceMustBeMapped) {
  const LarsComposition lars;
  const Composition c = lars.composition();
  // The current choice (norm_of_sum) is mapped, but grad_plus_decay is forgotten.
  expectLogicErrorNaming([&] { (void)c.select<int>("denominator", {{"norm_of_sum", 0}}); }, "'grad_plus_decay'");
  expectLogicErrorNaming([&] { (void)c.select<int>("clipping", {{"none", 0}, {"larc", 1}, {"none", 2}}); }, "twice");
}

TEST(Composition, UndeclaredNamesFailLoudly) {
  const LarsComposition lars;
  const Composition c = lars.composition();
  expectLogicErrorNaming([&] { (void)c.select<int>("denominatr", {{"grad_plus_decay", 0}}); }, "'denominatr'");
  expectLogicErrorNaming([&] { (void)c.select<int>("phi", {{"identity", 0}, {"clamp", 1}}); }, "'phi'");  // LAMB's
  expectLogicErrorNaming([&] { (void)c.hyper("clamp_max"); }, "'clamp_max'");
}

}  // namespace
}  // namespace larslab::optim
