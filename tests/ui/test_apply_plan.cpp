// Which experiment edits apply to the live session and which need a restart.

#include <gtest/gtest.h>

#include <variant>

#include "apply_plan.h"
#include "engine/experiment.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

engine::ExperimentSpec base() { return engine::parseExperiment(test::smallExperimentJson(), "test"); }

TEST(ApplyPlan, IdenticalSpecsNeedNothing) {
  EXPECT_TRUE(planApply(base(), base()).empty());
}

TEST(ApplyPlan, HyperparametersOptionsAndRunsApplyLive) {
  engine::ExperimentSpec draft = base();
  draft.runs[0].optimizer.hyperparameters["eta"] = 0.05;
  draft.runs[0].optimizer.options["clipping"] = "larc";
  engine::RunSpec extra = draft.runs[1];
  extra.name = "SGD 2";
  draft.runs.push_back(extra);
  draft.runs.erase(draft.runs.begin() + 2);  // Adam
  const ApplyPlan plan = planApply(base(), draft);
  ASSERT_FALSE(plan.restart) << plan.summary().toStdString();
  ASSERT_EQ(plan.commands.size(), 4u);
  const auto* set = std::get_if<engine::SetHyperparameter>(&plan.commands[0]);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->name, "eta");
  EXPECT_DOUBLE_EQ(set->value, 0.05);
  const auto* option = std::get_if<engine::SetOption>(&plan.commands[1]);
  ASSERT_NE(option, nullptr);
  EXPECT_EQ(option->choice, "larc");
  const auto* add = std::get_if<engine::AddRun>(&plan.commands[2]);
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->run.name, "SGD 2");
  const auto* remove = std::get_if<engine::RemoveRun>(&plan.commands[3]);
  ASSERT_NE(remove, nullptr);
  EXPECT_EQ(remove->run, "Adam");
}

TEST(ApplyPlan, ADefaultWrittenOutIsNotAChange) {
  engine::ExperimentSpec draft = base();
  draft.runs[2].optimizer.hyperparameters["beta1"] = 0.9;  // Adam's default
  EXPECT_TRUE(planApply(base(), draft).empty());
}

TEST(ApplyPlan, StructuralEditsRestart) {
  auto restarts = [](auto edit) {
    engine::ExperimentSpec draft = base();
    edit(draft);
    const ApplyPlan plan = planApply(base(), draft);
    return plan.restart && !plan.restartReasons.isEmpty();
  };
  EXPECT_TRUE(restarts([](engine::ExperimentSpec& s) { s.batchSize = 128; }));
  EXPECT_TRUE(restarts([](engine::ExperimentSpec& s) { s.seed = 99; }));
  EXPECT_TRUE(restarts([](engine::ExperimentSpec& s) { s.dataset.kind = "moons"; }));
  EXPECT_TRUE(restarts([](engine::ExperimentSpec& s) { s.model.layers[0].units = 8; }));
  EXPECT_TRUE(restarts([](engine::ExperimentSpec& s) { s.runs[1].optimizer.type = "nesterov"; }));
  EXPECT_TRUE(restarts([](engine::ExperimentSpec& s) { s.runs[0].optimizer.preset = "timm"; }));
  EXPECT_TRUE(restarts([](engine::ExperimentSpec& s) { s.runs[0].schedule.kind = "cosine"; }));
  EXPECT_TRUE(restarts([](engine::ExperimentSpec& s) { s.steps = 500; }));
}

}  // namespace
}  // namespace larslab::ui
