// The decision-boundary view: each run's panel is the model's prediction over the input plane
// from the weights the session kept at or before the step shown; a dataset that is not 2-D says
// why there is nothing to draw.
#include <QTemporaryDir>
#include <gtest/gtest.h>

#include "decision_boundary_view.h"
#include "engine/decision_plane.h"
#include "main_window.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

TEST(DecisionBoundaryView, EachPanelIsTheRunsPredictionFromTheKeptWeights) {
  QTemporaryDir dir;
  auto window = test::shownWindow(QSize(1366, 768), 2);
  test::openAndTrain(*window, dir, test::smallExperimentJson(), 30);
  ASSERT_TRUE(window->showView(QStringLiteral("decision-boundary")));
  window->refreshNow();
  auto* view = static_cast<DecisionBoundaryView*>(window->teachingView(QStringLiteral("decision-boundary")));
  ASSERT_NE(view, nullptr);
  ASSERT_TRUE(view->message().isEmpty()) << view->message().toStdString();
  const auto session = window->session();
  const auto store = session->metrics();
  ASSERT_EQ(view->panels().size(), static_cast<std::size_t>(store->runCount()));
  for (int r = 0; r < store->runCount(); ++r) {
    const DecisionBoundaryView::Panel& panel = view->panels()[static_cast<std::size_t>(r)];
    EXPECT_EQ(panel.run.toStdString(), store->runName(r));
    const auto kept = session->weightsAt(r, -1);
    ASSERT_NE(kept, nullptr);
    EXPECT_EQ(panel.step, kept->step);
    EXPECT_EQ(panel.cells, engine::predictPlane(session->network(), kept->params, view->grid(), true)) << panel.run.toStdString();
  }

  // At an earlier step: the copy kept at or before it.
  ViewContext context;
  context.store = store;
  context.session = session;
  context.step = 13;
  view->showContext(context);
  for (int r = 0; r < store->runCount(); ++r) {
    const auto kept = session->weightsAt(r, 13);
    ASSERT_NE(kept, nullptr);
    EXPECT_LE(kept->step, 13);
    EXPECT_EQ(view->panels()[static_cast<std::size_t>(r)].step, kept->step);
    EXPECT_EQ(view->panels()[static_cast<std::size_t>(r)].cells,
              engine::predictPlane(session->network(), kept->params, view->grid(), true));
  }
}

TEST(DecisionBoundaryView, SaysWhyWithoutASessionOrTwoFeatures) {
  test::app();
  DecisionBoundaryView view;
  view.showContext(ViewContext{});
  EXPECT_FALSE(view.message().isEmpty());
  EXPECT_TRUE(view.panels().empty());
}

}  // namespace
}  // namespace larslab::ui
