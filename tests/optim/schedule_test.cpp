// Learning-rate schedules, values worked out by hand.

#include <gtest/gtest.h>

#include "optim/schedule.h"

namespace larslab::optim {
namespace {

ScheduleConfig make(const std::string& kind, long total, long warmup = 0) {
  ScheduleConfig c;
  c.kind = kind;
  c.totalSteps = total;
  c.warmupSteps = warmup;
  return c;
}

TEST(Schedule, Constant) {
  const auto c = make("constant", 0);
  EXPECT_EQ(scheduleFactor(c, 0), 1.0);
  EXPECT_EQ(scheduleFactor(c, 12345), 1.0);
}

// Paper: gamma0 (1 - t/T)^2. T = 10: t = 5 -> 0.25, t = 8 -> 0.04, t >= 10 -> 0.
TEST(Schedule, PolynomialPaper) {
  const auto c = make("polynomial", 10);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 0), 1.0);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 5), 0.25);
  EXPECT_NEAR(scheduleFactor(c, 8), 0.04, 1e-15);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 10), 0.0);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 50), 0.0);
}

// power 1 and a floor: f + (1 - f)(1 - t/T); f = 0.1, T = 4, t = 1 -> 0.1 + 0.9*0.75 = 0.775.
TEST(Schedule, PolynomialPowerAndFloor) {
  auto c = make("polynomial", 4);
  c.power = 1.0;
  c.finalFactor = 0.1;
  EXPECT_NEAR(scheduleFactor(c, 1), 0.775, 1e-15);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 4), 0.1);
}

// Warm-up W = 4 then polynomial over the remaining T - W = 10 steps:
// t = 0..3 -> 1/4, 2/4, 3/4, 1; t = 4 -> (1 - 0/10)^2 = 1; t = 9 -> (1 - 5/10)^2 = 0.25; t = 14 -> 0.
TEST(Schedule, WarmupThenPolynomial) {
  const auto c = make("polynomial", 14, 4);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 0), 0.25);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 1), 0.5);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 3), 1.0);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 4), 1.0);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 9), 0.25);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 14), 0.0);
}

// Cosine, T = 10: t = 5 -> (1 + cos(pi/2))/2 = 0.5; t = 10 -> 0; floor 0.2: t = 5 -> 0.2 + 0.8*0.5 = 0.6.
// With warm-up 2 and T = 12 the cosine starts at t = 2: t = 7 -> 0.5.
TEST(Schedule, Cosine) {
  auto c = make("cosine", 10);
  EXPECT_DOUBLE_EQ(scheduleFactor(c, 0), 1.0);
  EXPECT_NEAR(scheduleFactor(c, 5), 0.5, 1e-15);
  EXPECT_NEAR(scheduleFactor(c, 10), 0.0, 1e-15);
  c.finalFactor = 0.2;
  EXPECT_NEAR(scheduleFactor(c, 5), 0.6, 1e-15);
  const auto w = make("cosine", 12, 2);
  EXPECT_DOUBLE_EQ(scheduleFactor(w, 1), 1.0);
  EXPECT_NEAR(scheduleFactor(w, 7), 0.5, 1e-15);
}

// Step: gamma^floor(t / stepSize), stepSize 3, gamma 0.5: 1,1,1,0.5,0.5,0.5,0.25.
// With warm-up 2: t = 0 -> 0.5, t = 1 -> 1, then the steps count from t = 2: t = 5 -> 0.5.
TEST(Schedule, Step) {
  auto c = make("step", 0);
  c.stepSize = 3;
  c.gamma = 0.5;
  EXPECT_EQ(scheduleFactor(c, 2), 1.0);
  EXPECT_EQ(scheduleFactor(c, 3), 0.5);
  EXPECT_EQ(scheduleFactor(c, 6), 0.25);
  c.warmupSteps = 2;
  EXPECT_EQ(scheduleFactor(c, 0), 0.5);
  EXPECT_EQ(scheduleFactor(c, 1), 1.0);
  EXPECT_EQ(scheduleFactor(c, 4), 1.0);
  EXPECT_EQ(scheduleFactor(c, 5), 0.5);
}

void expectInvalid(const ScheduleConfig& c, const std::string& field) {
  try {
    validateSchedule(c);
    ADD_FAILURE() << "accepted an invalid " << field;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'" + field + "'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(scheduleFactor(c, 0), std::invalid_argument);
}

TEST(Schedule, ValidationNamesTheField) {
  expectInvalid(make("exponential", 10), "kind");
  expectInvalid(make("constant", 10, -1), "warmup_steps");
  expectInvalid(make("constant", -5), "total_steps");
  expectInvalid(make("polynomial", 0), "total_steps");
  expectInvalid(make("cosine", 10, 10), "total_steps");
  auto c = make("polynomial", 10);
  c.power = 0.0;
  expectInvalid(c, "power");
  c = make("cosine", 10);
  c.finalFactor = 1.5;
  expectInvalid(c, "final_factor");
  c = make("step", 0);
  c.stepSize = 0;
  expectInvalid(c, "step_size");
  c = make("step", 0);
  c.gamma = 0.0;
  expectInvalid(c, "gamma");
  EXPECT_THROW(scheduleFactor(make("constant", 0), -1), std::invalid_argument);
  EXPECT_NO_THROW(validateSchedule(make("constant", 0, 100)));  // warm-up alone needs no horizon
  EXPECT_EQ(scheduleKinds().size(), 4u);
}

}  // namespace
}  // namespace larslab::optim
