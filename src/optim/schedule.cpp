#include "optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <stdexcept>

namespace larslab::optim {

namespace {

// Fields are named as in the experiment file (snake_case), where users meet these messages.
template <typename T>
[[noreturn]] void fail(const std::string& field, const std::string& expected, T got) {
  std::ostringstream message;
  message << "schedule field '" << field << "': " << expected << ", got " << got;
  throw std::invalid_argument(message.str());
}

bool needsHorizon(const std::string& kind) { return kind == "polynomial" || kind == "cosine"; }

}  // namespace

const std::vector<std::string>& scheduleKinds() {
  static const std::vector<std::string> kinds{"constant", "polynomial", "cosine", "step"};
  return kinds;
}

void validateSchedule(const ScheduleConfig& c) {
  const auto& kinds = scheduleKinds();
  if (std::find(kinds.begin(), kinds.end(), c.kind) == kinds.end())
    fail("kind", "expected one of constant, polynomial, cosine, step", "'" + c.kind + "'");
  if (c.warmupSteps < 0) fail("warmup_steps", "must be >= 0", c.warmupSteps);
  if (c.totalSteps < 0) fail("total_steps", "must be >= 0", c.totalSteps);
  if (needsHorizon(c.kind) && c.totalSteps <= c.warmupSteps)
    fail("total_steps", "must be > warmup_steps (" + std::to_string(c.warmupSteps) + ") for a " + c.kind + " schedule",
         c.totalSteps);
  if (c.kind == "polynomial" && !(c.power > 0.0 && std::isfinite(c.power)))
    fail("power", "must be a finite number > 0", c.power);
  if (needsHorizon(c.kind) && !(c.finalFactor >= 0.0 && c.finalFactor <= 1.0))
    fail("final_factor", "must be in [0, 1]", c.finalFactor);
  if (c.kind == "step") {
    if (c.stepSize < 1) fail("step_size", "must be >= 1", c.stepSize);
    if (!(c.gamma > 0.0 && c.gamma <= 1.0)) fail("gamma", "must be in (0, 1]", c.gamma);
  }
}

double scheduleFactor(const ScheduleConfig& c, long step) {
  validateSchedule(c);
  if (step < 0) fail("step", "must be >= 0", step);
  if (step < c.warmupSteps) return static_cast<double>(step + 1) / static_cast<double>(c.warmupSteps);
  const long t = step - c.warmupSteps;
  if (c.kind == "constant") return 1.0;
  if (c.kind == "step") return std::pow(c.gamma, static_cast<double>(t / c.stepSize));
  const long horizon = c.totalSteps - c.warmupSteps;
  const double progress = static_cast<double>(std::min(t, horizon)) / static_cast<double>(horizon);
  const double shape = c.kind == "polynomial" ? std::pow(1.0 - progress, c.power)
                                              : 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  return c.finalFactor + (1.0 - c.finalFactor) * shape;
}

}  // namespace larslab::optim
