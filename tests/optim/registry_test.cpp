// The registry is what the experiment file, the CLI and the UI read: it must be complete and
// self-consistent, and bad configs must fail with a message naming the offending key.

#include <gtest/gtest.h>

#include <set>

#include "optim_test_util.h"

namespace larslab::optim {
namespace {

std::set<std::string> hyperNames(const OptimizerInfo& info) {
  std::set<std::string> names;
  for (const auto& s : info.hyperparameters) names.insert(s.name);
  return names;
}

TEST(Registry, ListsEveryOptimizerInOrder) {
  std::vector<std::string> types;
  for (const auto& info : optimizerRegistry()) types.push_back(info.type);
  EXPECT_EQ(types, (std::vector<std::string>{"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad",
                                             "lars", "larc", "lamb"}));
  EXPECT_EQ(findOptimizer("lamb")->displayName, "LAMB");
  EXPECT_EQ(findOptimizer("nope"), nullptr);
}

TEST(Registry, HyperparameterNamesAreTheSharedVocabulary) {
  using Names = std::set<std::string>;
  EXPECT_EQ(hyperNames(*findOptimizer("sgd")), (Names{"lr", "weight_decay"}));
  EXPECT_EQ(hyperNames(*findOptimizer("momentum")), (Names{"lr", "momentum", "weight_decay"}));
  EXPECT_EQ(hyperNames(*findOptimizer("nesterov")), (Names{"lr", "momentum", "weight_decay"}));
  EXPECT_EQ(hyperNames(*findOptimizer("adam")), (Names{"lr", "beta1", "beta2", "eps", "weight_decay"}));
  EXPECT_EQ(hyperNames(*findOptimizer("adamw")), (Names{"lr", "beta1", "beta2", "eps", "weight_decay"}));
  EXPECT_EQ(hyperNames(*findOptimizer("rmsprop")), (Names{"lr", "alpha", "eps", "momentum", "weight_decay"}));
  EXPECT_EQ(hyperNames(*findOptimizer("adagrad")), (Names{"lr", "eps", "weight_decay"}));
  EXPECT_EQ(hyperNames(*findOptimizer("lars")), (Names{"lr", "momentum", "weight_decay", "eta", "eps"}));
  EXPECT_EQ(hyperNames(*findOptimizer("larc")), (Names{"lr", "momentum", "weight_decay", "eta", "eps"}));
  EXPECT_EQ(hyperNames(*findOptimizer("lamb")), (Names{"lr", "beta1", "beta2", "eps", "weight_decay", "clamp_max"}));
}

TEST(Registry, SpecsAreComplete) {
  for (const auto& info : optimizerRegistry()) {
    EXPECT_FALSE(info.displayName.empty()) << info.type;
    EXPECT_FALSE(info.summary.empty()) << info.type;
    EXPECT_FALSE(info.reference.empty()) << info.type;
    EXPECT_TRUE(info.create) << info.type;
    std::set<std::string> seen;
    for (const auto& s : info.hyperparameters) {
      const std::string what = info.type + "." + s.name;
      EXPECT_TRUE(seen.insert(s.name).second) << what << " listed twice";
      EXPECT_FALSE(s.label.empty()) << what;
      EXPECT_FALSE(s.help.empty()) << what;
      EXPECT_LE(s.minValue, s.defaultValue) << what;
      EXPECT_LE(s.defaultValue, s.maxValue) << what;
      EXPECT_LT(s.minValue, s.maxValue) << what;
      if (s.logScale) {
        EXPECT_GT(s.maxValue, 0.0) << what;
      }
    }
    std::set<std::string> options;
    for (const auto& o : info.options) {
      EXPECT_TRUE(options.insert(o.name).second) << info.type << "." << o.name;
      EXPECT_FALSE(o.help.empty()) << info.type << "." << o.name;
      EXPECT_GE(o.choices.size(), 2u) << info.type << "." << o.name;
      EXPECT_NE(std::find(o.choices.begin(), o.choices.end(), o.defaultChoice), o.choices.end())
          << info.type << "." << o.name << " default is not a choice";
    }
  }
}

TEST(Registry, PresetsNameOnlyExistingOptionsAndChoices) {
  for (const auto& info : optimizerRegistry()) {
    if (!info.defaultPreset.empty()) {
      EXPECT_NE(info.findPreset(info.defaultPreset), nullptr) << info.type;
    }
    std::set<std::string> names;
    for (const auto& preset : info.presets) {
      const std::string what = info.type + " preset " + preset.name;
      EXPECT_TRUE(names.insert(preset.name).second) << what;
      EXPECT_FALSE(preset.help.empty()) << what;
      for (const auto& [name, choice] : preset.options) {
        const OptionSpec* option = info.findOption(name);
        ASSERT_NE(option, nullptr) << what << " names option " << name;
        EXPECT_NE(std::find(option->choices.begin(), option->choices.end(), choice), option->choices.end())
            << what << " names choice " << choice;
      }
      // A preset fixes every convention, so that it reproduces its implementation whatever the defaults.
      EXPECT_EQ(preset.options.size(), info.options.size()) << what;
      for (const auto& [name, value] : preset.hyperparameters) {
        const HyperparameterSpec* spec = info.findHyperparameter(name);
        ASSERT_NE(spec, nullptr) << what << " names hyperparameter " << name;
        EXPECT_GE(value, spec->minValue) << what;
        EXPECT_LE(value, spec->maxValue) << what;
      }
    }
  }
  for (const char* name : {"paper", "optax", "timm", "apex_larc", "torchlars", "tf_addons"})
    EXPECT_NE(findOptimizer("lars")->findPreset(name), nullptr) << name;
}

// What the UI shows as defaults is what an empty config gets.
TEST(Registry, DefaultsAgreeWithTheDefaultPreset) {
  for (const auto& info : optimizerRegistry()) {
    if (info.defaultPreset.empty()) continue;
    const PresetSpec& preset = *info.findPreset(info.defaultPreset);
    for (const auto& option : info.options) EXPECT_EQ(option.defaultChoice, preset.options.at(option.name)) << info.type;
    for (const auto& [name, value] : preset.hyperparameters)
      EXPECT_EQ(info.findHyperparameter(name)->defaultValue, value) << info.type << "." << name;
  }
}

TEST(Registry, ConventionsOfThePresets) {
  auto options = [](const std::string& type, const std::string& preset) {
    OptimizerConfig c;
    c.type = type;
    c.preset = preset;
    return resolveOptimizerConfig(c).options;
  };
  EXPECT_EQ(options("lars", "optax").at("denominator"), "norm_of_sum");
  EXPECT_EQ(options("lars", "paper").at("lr_placement"), "inside");
  EXPECT_EQ(options("lars", "timm").at("lr_placement"), "outside");
  EXPECT_EQ(options("lars", "timm").at("exclude"), "vectors");
  EXPECT_EQ(options("lars", "apex_larc").at("zero_norm"), "skip");
  EXPECT_EQ(options("lars", "apex_larc").at("clipping"), "larc");
  EXPECT_EQ(options("lars", "torchlars").at("lr_placement"), "outside");
  EXPECT_EQ(options("lars", "tf_addons").at("lr_placement"), "inside");
  EXPECT_EQ(options("lars", "").at("denominator"), "grad_plus_decay");  // defaults = paper
}

TEST(Registry, ResolutionOrderIsDefaultsThenPresetThenExplicit) {
  OptimizerConfig c;
  c.type = "lars";
  c.preset = "apex_larc";
  c.hyperparameters = {{"eps", 1e-9}};
  c.options = {{"zero_norm", "ratio_one"}};
  const auto r = resolveOptimizerConfig(c);
  EXPECT_EQ(r.preset, "apex_larc");
  EXPECT_EQ(r.hyperparameters.at("eta"), 0.02);           // preset
  EXPECT_EQ(r.hyperparameters.at("eps"), 1e-9);           // explicit beats preset
  EXPECT_EQ(r.hyperparameters.at("momentum"), 0.9);       // default
  EXPECT_EQ(r.options.at("zero_norm"), "ratio_one");      // explicit beats preset
  EXPECT_EQ(r.options.at("clipping"), "larc");            // preset
  EXPECT_EQ(r.hyperparameters.size(), findOptimizer("lars")->hyperparameters.size());

  OptimizerConfig larc;
  larc.type = "larc";
  EXPECT_EQ(resolveOptimizerConfig(larc).preset, "apex_larc");  // the larc type's default preset
}

TEST(Registry, EveryOptimizerCreatesWithItsDefaults) {
  testing::Problem p({{"w", nn::TensorKind::Weight, {1.0, 2.0}}, {"b", nn::TensorKind::Bias, {0.1}}});
  for (const auto& info : optimizerRegistry()) {
    auto opt = p.make(info.type);
    ASSERT_NE(opt, nullptr) << info.type;
    for (const auto& spec : info.hyperparameters) {
      if (info.defaultPreset.empty()) {
        EXPECT_EQ(opt->hyperparameter(spec.name), spec.defaultValue) << info.type;
      }
    }
    EXPECT_EQ(opt->hyperparameters().size(), info.hyperparameters.size());
    EXPECT_EQ(opt->options().size(), info.options.size());
    EXPECT_EQ(opt->stepCount(), 0);
  }
}

void expectThrowNaming(const OptimizerConfig& config, const std::string& needle) {
  const nn::ParameterLayout layout;
  try {
    createOptimizer(config, layout);
    ADD_FAILURE() << "accepted a config that should name " << needle;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolveOptimizerConfig(config), std::invalid_argument);
}

TEST(Registry, BadConfigsThrowNamingTheKey) {
  OptimizerConfig c;
  c.type = "lasr";
  expectThrowNaming(c, "'lasr'");
  c = {};
  c.type = "lars";
  c.hyperparameters = {{"trust", 0.1}};
  expectThrowNaming(c, "'trust'");
  c = {};
  c.type = "lars";
  c.options = {{"denominatr", "norm_of_sum"}};
  expectThrowNaming(c, "'denominatr'");
  c = {};
  c.type = "lars";
  c.options = {{"denominator", "sum_of_norms"}};
  expectThrowNaming(c, "'sum_of_norms'");
  c = {};
  c.type = "lars";
  c.preset = "keras";
  expectThrowNaming(c, "'keras'");
  c = {};
  c.type = "lars";
  c.hyperparameters = {{"eta", -1.0}};
  expectThrowNaming(c, "'eta'");
  c = {};
  c.type = "adam";
  c.preset = "paper";
  expectThrowNaming(c, "no presets");
  c = {};
  c.type = "sgd";
  c.options = {{"exclude", "vectors"}};
  expectThrowNaming(c, "'exclude'");
  c = {};
  c.type = "sgd";
  c.hyperparameters = {{"eta", 0.001}};  // a name of another optimizer is still unknown here
  expectThrowNaming(c, "'eta'");
}

}  // namespace
}  // namespace larslab::optim
