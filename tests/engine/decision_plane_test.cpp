// The weights a session keeps for redrawing a model at an earlier step, and the plane of
// predictions the decision-boundary view draws.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/decision_plane.h"
#include "engine/session.h"
#include "engine/weight_history.h"
#include "nn/backprop.h"
#include "tiny_experiment.h"

namespace larslab::engine {
namespace {

TEST(WeightHistory, KeepsEveryIntervalAndTheLastUpdate) {
  nn::Network net(testing::tinySpec().model, nn::Shape{2, 1, 1});
  nn::ParameterStore p = net.initialParameters(1);
  WeightHistory h(10);
  EXPECT_EQ(h.at(-1), nullptr);
  for (long s = 0; s <= 25; ++s) {
    p.flat()[0] = static_cast<float>(s);
    h.record(s, p, s == 25);
  }
  EXPECT_EQ(h.at(0)->step, 0);
  EXPECT_EQ(h.at(9)->step, 0);
  EXPECT_EQ(h.at(10)->step, 10);
  EXPECT_EQ(h.at(19)->step, 10);
  EXPECT_EQ(h.at(24)->step, 20);
  EXPECT_EQ(h.at(25)->step, 25);
  EXPECT_EQ(h.at(-1)->step, 25);
  EXPECT_EQ(h.at(20)->params.flat()[0], 20.0f);  // a copy, not the live weights
  EXPECT_EQ(WeightHistory::intervalFor(2000), 8);
  EXPECT_EQ(WeightHistory::intervalFor(100), 1);
}

TEST(WeightHistory, ASessionOnTwoDimensionalInputsKeepsItsRunsWeights) {
  Session session(testing::tinySpec(40), {1});
  while (session.step()) {
  }
  for (int run = 0; run < 3; ++run) {
    const auto last = session.weightsAt(run, -1);
    ASSERT_NE(last, nullptr);
    EXPECT_EQ(last->step, 40);
    EXPECT_TRUE(last->params.flat() == session.parameters(run).flat()) << "the final weights, exactly";
    const auto first = session.weightsAt(run, 0);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->step, 0);
    EXPECT_TRUE(first->params.flat() == session.initialParameters().flat());
    EXPECT_EQ(session.weightsAt(run, 17)->step, 17);  // 40 steps: a copy after every update
  }
  EXPECT_EQ(session.weightsAt(7, 0), nullptr);
}

TEST(DecisionPlane, EveryCellIsTheModelsPredictionAtItsCentre) {
  Session session(testing::tinySpec(30), {1});
  while (session.step()) {
  }
  const nn::ParameterStore& params = session.weightsAt(0, -1)->params;
  const PlaneGrid grid = planeAround(session.data(), 9, 7);
  EXPECT_LT(grid.x0, grid.x1);
  EXPECT_LT(grid.y0, grid.y1);
  const std::vector<float> classes = predictPlane(session.network(), params, grid, true);
  const std::vector<float> scores = predictPlane(session.network(), params, grid, false);
  ASSERT_EQ(classes.size(), 63u);
  for (int r : {0, 3, 6})
    for (int c : {0, 4, 8}) {
      nn::Matrix x(1, 2);
      x(0, 0) = static_cast<float>(grid.cellX(c));
      x(0, 1) = static_cast<float>(grid.cellY(r));
      nn::Matrix out;
      nn::ShardedBackprop::predict(session.network(), params, x, out);
      Eigen::Index best = 0;
      out.row(0).maxCoeff(&best);
      EXPECT_EQ(classes[static_cast<std::size_t>(r * 9 + c)], static_cast<float>(best)) << r << "," << c;
      // One row against 63: the GEMM sums in another order, so float rounding may differ.
      EXPECT_NEAR(scores[static_cast<std::size_t>(r * 9 + c)], out(0, 0), 1e-5f * (1.0f + std::abs(out(0, 0))))
          << r << "," << c;
    }
}

}  // namespace
}  // namespace larslab::engine
