#pragma once
// What it takes to turn the running experiment into the edited one. Hyperparameter and option
// changes, added/removed runs and the experiment's name and description can be applied to the live session (no restart); a different
// dataset, model, batch size, seed, length, optimizer type, preset or schedule needs a new
// session (training restarts from step 0). The live changes are engine commands, submitted to
// the session as they are.

#include <QString>
#include <QStringList>
#include <string>
#include <vector>

#include "engine/command.h"
#include "engine/experiment.h"

namespace larslab::ui {

struct ApplyPlan {
  bool restart = false;
  QStringList restartReasons;  // "batch size 64 -> 512"
  std::vector<engine::Command> commands;
  [[nodiscard]] bool empty() const { return !restart && commands.empty(); }
  [[nodiscard]] QString summary() const;  // one line for the Apply button's tooltip / status
};

ApplyPlan planApply(const engine::ExperimentSpec& current, const engine::ExperimentSpec& draft);

bool sameSchedule(const optim::ScheduleConfig& a, const optim::ScheduleConfig& b);  // ignores totalSteps

}  // namespace larslab::ui
