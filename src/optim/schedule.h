#pragma once
// Learning-rate schedules as a multiplier of the base LR: lr_t = lr * factor(t).

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
void validateSchedule(const ScheduleConfig& config);  // throws std::invalid_argument naming the field
const std::vector<std::string>& scheduleKinds();

}  // namespace larslab::optim
