#pragma once
// Learning-rate schedules as a multiplier of the base LR: lr_t = lr * factor(t), t = 0, 1, ...
//
// With W = warmupSteps > 0 the first W steps ramp linearly, factor = (t + 1) / W (so the LR
// reaches the base value at t = W - 1 and is never 0), and the chosen kind then runs on the
// remaining steps as if they started at 0: factor = kind(t - W) over a horizon of T - W steps.
//   constant:   1
//   polynomial: f + (1 - f) (1 - s/S)^power        s = min(t - W, S), S = T - W  (paper: f = 0, power 2)
//   cosine:     f + (1 - f) (1 + cos(pi s/S)) / 2
//   step:       gamma^floor((t - W) / stepSize)
// f = finalFactor. polynomial and cosine need totalSteps > warmupSteps (the engine fills
// totalSteps from the experiment length before validating).

#include <string>
#include <vector>

namespace larslab::optim {

struct ScheduleConfig {
  std::string kind = "constant";  // constant, polynomial, cosine, step
  long warmupSteps = 0;           // linear warm-up from ~0 to 1 before the schedule (composes with any kind)
  long totalSteps = 0;            // T, set by the engine from the experiment length
  double power = 2.0;             // polynomial: (1 - t/T)^power, paper uses 2
  double finalFactor = 0.0;       // polynomial/cosine floor as a fraction of the base LR
  long stepSize = 1000;           // step: multiply by gamma every stepSize steps
  double gamma = 0.1;
};

// Factor for step t (0-based). Throws std::invalid_argument on an invalid config.
double scheduleFactor(const ScheduleConfig& config, long step);
// Throws std::invalid_argument naming the field as the experiment file spells it
// ("schedule field 'warmup_steps': must be >= 0, got -1").
void validateSchedule(const ScheduleConfig& config);
const std::vector<std::string>& scheduleKinds();

}  // namespace larslab::optim
