#pragma once
// What it takes to turn the running experiment into the edited one. Hyperparameter and option
// changes and added/removed runs can be applied to the live session (no restart); a different
// dataset, model, batch size, seed, length, optimizer type, preset or schedule needs a new
// session (training restarts from step 0).

#include <QString>
#include <QStringList>
#include <string>
#include <vector>

#include "engine/experiment.h"

namespace larslab::ui {

struct LiveCommand {
  enum class Kind { SetHyperparameter, SetOption, AddRun, RemoveRun };
  Kind kind = Kind::SetHyperparameter;
  std::string run;
  std::string name;      // hyperparameter or option
  double value = 0.0;
  std::string choice;
  engine::RunSpec spec;  // AddRun
};

struct ApplyPlan {
  bool restart = false;
  QStringList restartReasons;  // "batch size 64 -> 512"
  std::vector<LiveCommand> commands;
  [[nodiscard]] bool empty() const { return !restart && commands.empty(); }
  [[nodiscard]] QString summary() const;  // one line for the Apply button's tooltip / status
};

ApplyPlan planApply(const engine::ExperimentSpec& current, const engine::ExperimentSpec& draft);

bool sameSchedule(const optim::ScheduleConfig& a, const optim::ScheduleConfig& b);  // ignores totalSteps

}  // namespace larslab::ui
