// The layer profile and the heatmap (ui/layer_profile_view.h, ui/heatmap_view.h): what they plot
// equals the store's values, the spread sentence equals max/min from the store, heatmap cells are
// stored values at every bucket size, both follow ViewContext::step; the log scale helpers; and
// the profile in the real window agrees with the inspector.

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <cmath>
#include <gtest/gtest.h>
#include <memory>

#include "charts/value_format.h"
#include "heatmap_view.h"
#include "layer_profile_view.h"
#include "teaching_view.h"
#include "log_scale.h"
#include "main_window.h"
#include "run_colors.h"
#include "tensor_inspector.h"
#include "ui_test_support.h"
#include "view_metrics.h"

namespace larslab::ui {
namespace {

using optim::TensorMetric;

// Two runs, three tensors (dense1.weight, dense1.bias, dense2.weight); value of (run, tensor,
// metric, step) is distinct and positive, except dense1.bias's weight norm at step 0 (0, as at
// initialisation) and one NaN.
std::shared_ptr<engine::MetricsStore> makeStore(long capacity = 1 << 16) {
  std::vector<engine::TensorColumnInfo> tensors = {{"dense1.weight", nn::TensorKind::Weight, {4, 2}},
                                                   {"dense1.bias", nn::TensorKind::Bias, {4}},
                                                   {"dense2.weight", nn::TensorKind::Weight, {1, 4}}};
  auto store = std::make_shared<engine::MetricsStore>(tensors, capacity);
  store->addRun("LARS");
  store->addRun("SGD");
  return store;
}

float valueOf(int run, int tensor, int metric, long step) {
  if (tensor == 1 && metric == 0 && step == 0) return 0.0f;
  if (run == 1 && tensor == 2 && metric == 1 && step == 7) return std::nanf("");
  return static_cast<float>((1 + run) * std::pow(10.0, tensor - 1) * (1.0 + 0.25 * metric) * (1.0 + 0.001 * step));
}

void append(engine::MetricsStore& store, long steps) {
  for (int r = 0; r < store.runCount(); ++r) {
    for (long s = store.stepCount(r); s < steps; ++s) {
      std::vector<float> runValues(engine::kRunMetricCount, 1.0f);
      std::vector<float> tensorValues;
      for (int t = 0; t < store.tensorCount(); ++t)
        for (int m = 0; m < engine::kTensorMetricCount; ++m) tensorValues.push_back(valueOf(r, t, m, s));
      store.appendStep(r, runValues, tensorValues);
    }
  }
}

bool sameValue(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

TEST(LogScale, DecadesTicksLabelsAndColours) {
  const DecadeRange r = decadeRangeOf({0.0, std::nan(""), 0.0031, 42.0, INFINITY, -5.0});
  EXPECT_EQ(r.lowExp, -3);
  EXPECT_EQ(r.highExp, 2);
  EXPECT_EQ(decadeRangeOf({1e-3}).lowExp, -3);  // an exact decade is its own lower bound
  EXPECT_EQ(decadeRangeOf({1e-3}).highExp, -2);
  EXPECT_EQ(decadeRangeOf({}).lowExp, -1);
  EXPECT_DOUBLE_EQ(logPosition(0.001, r), 0.0);
  EXPECT_DOUBLE_EQ(logPosition(100.0, r), 1.0);
  EXPECT_NEAR(logPosition(std::sqrt(10.0) * 0.001, r), 0.1, 1e-12);
  EXPECT_TRUE(std::isnan(logPosition(0.0, r)));
  EXPECT_TRUE(std::isnan(logPosition(INFINITY, r)));
  EXPECT_EQ(decadeTicks(r), (std::vector<int>{-3, -2, -1, 0, 1, 2}));
  EXPECT_EQ(decadeTicks(DecadeRange{-12, 12}, 5), (std::vector<int>{-12, -7, -2, 3, 8}));
  EXPECT_EQ(decadeLabel(-3), QStringLiteral("0.001"));
  EXPECT_EQ(decadeLabel(-1), QStringLiteral("0.1"));
  EXPECT_EQ(decadeLabel(0), QStringLiteral("1"));
  EXPECT_EQ(decadeLabel(3), QStringLiteral("1000"));
  EXPECT_EQ(decadeLabel(-4), QStringLiteral("1e-4"));
  EXPECT_EQ(decadeLabel(5), QStringLiteral("1e5"));
  // Viridis: dark purple to yellow, luminance rising, clamped outside [0, 1].
  auto luminance = [](const QColor& c) { return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF(); };
  EXPECT_EQ(viridis(0.0).name(), QColor::fromRgbF(0.267f, 0.005f, 0.329f).name());
  EXPECT_EQ(viridis(1.0).name(), QColor::fromRgbF(0.993f, 0.906f, 0.144f).name());
  EXPECT_EQ(viridis(-1.0), viridis(0.0));
  EXPECT_EQ(viridis(2.0), viridis(1.0));
  for (int i = 1; i <= 20; ++i) EXPECT_GT(luminance(viridis(i / 20.0)), luminance(viridis((i - 1) / 20.0))) << i;
}

TEST(ViewMetrics, WeightOverGradIsTheRatioOfTheStoredNorms) {
  auto store = makeStore();
  append(*store, 3);
  const ViewMetric& ratio = viewMetrics()[static_cast<std::size_t>(weightGradRatioIndex())];
  EXPECT_EQ(viewMetricSymbol(ratio), QStringLiteral("‖w‖/‖g‖"));
  EXPECT_EQ(viewMetricValue(*store, 1, 2, ratio, 2),
            static_cast<double>(store->value(1, 2, TensorMetric::WeightNorm, 2)) / store->value(1, 2, TensorMetric::GradNorm, 2));
  EXPECT_EQ(viewMetricReference(viewMetrics().back()), 1e-3);  // ‖Δw‖/‖w‖ has the guide line
  EXPECT_EQ(viewMetricReference(ratio), 0.0);
}

TEST(LayerProfileView, PlotsTheStoredValuesAtTheContextStepForEveryQuantity) {
  test::app();
  auto store = makeStore();
  append(*store, 10);
  RunColorMap colors;
  LayerProfileView view(&colors);
  view.resize(900, 500);
  view.show();
  for (const long step : {0L, 5L, -1L}) {
    view.showContext({store, QStringLiteral("LARS"), {}, step, nullptr});
    for (int i = 0; i < view.metricCombo()->count(); ++i) {
      view.metricCombo()->setCurrentIndex(i);
      const ViewMetric& m = viewMetrics()[static_cast<std::size_t>(i)];
      for (int r = 0; r < 2; ++r) {
        const long s = step < 0 ? 9 : step;
        EXPECT_EQ(view.plottedStep(r), s);
        for (int t = 0; t < 3; ++t) {
          EXPECT_TRUE(sameValue(view.plottedValue(r, t), viewMetricValue(*store, r, t, m, s))) << i << r << t << step;
          EXPECT_TRUE(sameValue(view.ghostValue(r, t), viewMetricValue(*store, r, t, m, 0)));
          if (m.denominator == TensorMetric::Count) {
            EXPECT_TRUE(sameValue(view.plottedValue(r, t), store->value(r, t, m.metric, s)));
          }
        }
      }
    }
  }
  // A step a run has not reached: nothing plotted for it, and the sentence says so.
  view.showContext({store, QStringLiteral("SGD"), {}, 50, nullptr});
  EXPECT_EQ(view.plottedStep(1), -1);
  EXPECT_TRUE(std::isnan(view.plottedValue(1, 0)));
  EXPECT_EQ(view.spreadText(), QStringLiteral("SGD has no step 50 yet."));
  // It follows the store as it grows while live.
  view.showContext({store, QStringLiteral("SGD"), {}, -1, nullptr});
  append(*store, 12);
  view.showContext({store, QStringLiteral("SGD"), {}, -1, nullptr});
  EXPECT_EQ(view.plottedStep(0), 11);
  EXPECT_FALSE(view.grab().isNull());
}

TEST(LayerProfileView, SpreadSentenceIsMaxOverMinOfTheWeightTensorsFromTheStore) {
  test::app();
  auto store = makeStore();
  append(*store, 10);
  LayerProfileView view(nullptr);
  view.metricCombo()->setCurrentIndex(weightGradRatioIndex());
  view.showContext({store, QStringLiteral("LARS"), {}, 6, nullptr});
  auto spread = [&](long s) {
    const double a = static_cast<double>(store->value(0, 0, TensorMetric::WeightNorm, s)) / store->value(0, 0, TensorMetric::GradNorm, s);
    const double b = static_cast<double>(store->value(0, 2, TensorMetric::WeightNorm, s)) / store->value(0, 2, TensorMetric::GradNorm, s);
    return std::max(a, b) / std::min(a, b);  // the bias (tensor 1) is not a weight tensor
  };
  EXPECT_EQ(view.weightSpread(0, 0), spread(0));
  EXPECT_EQ(view.spreadText(), QStringLiteral("‖w‖/‖g‖ spans %1x across weight tensors at step 0; %2x at step 6 (LARS).")
                                   .arg(formatValue(spread(0)), formatValue(spread(6))));
  EXPECT_EQ(view.findChild<QLabel*>(QStringLiteral("profileSpread"))->text(), view.spreadText());
  // Another quantity: the sentence names it.
  view.metricCombo()->setCurrentIndex(0);
  const double w = static_cast<double>(store->value(0, 2, TensorMetric::WeightNorm, 0)) / store->value(0, 0, TensorMetric::WeightNorm, 0);
  EXPECT_TRUE(view.spreadText().startsWith(QStringLiteral("‖w‖ spans %1x").arg(formatValue(w)))) << view.spreadText().toStdString();
}

// The window's tick feeds the view in front up to 30 times a second: what the user changes is
// drawn at once, training's progress at most once per live period, and a paused session's last
// steps are drawn when they arrive.
class CountingView : public TeachingView {
 public:
  void showContext(const ViewContext& context) override {
    ++draws;
    last = context;
  }
  int draws = 0;
  ViewContext last;
};

TEST(TeachingView, FeedDrawsChangesAtOnceAndTrainingAFewTimesASecond) {
  test::app();
  auto store = makeStore();
  CountingView view;
  ViewContext live{store, QStringLiteral("LARS"), {}, -1, nullptr};
  live.training = true;
  const qint64 period = TeachingView::kLivePeriodMs;
  view.feed(live, 0);
  EXPECT_EQ(view.draws, 1) << "the first context is drawn";
  view.feed(live, period / 3);
  view.feed(live, 2 * period / 3);
  EXPECT_EQ(view.draws, 1) << "training moved on within one period: held back";
  view.feed(live, period);
  EXPECT_EQ(view.draws, 2) << "the next period: redrawn";
  ViewContext scrubbed = live;
  scrubbed.step = 5;
  view.feed(scrubbed, period + 1);
  EXPECT_EQ(view.draws, 3) << "a scrub is drawn at once";
  EXPECT_EQ(view.last.step, 5);
  ViewContext otherRun = scrubbed;
  otherRun.run = QStringLiteral("SGD");
  view.feed(otherRun, period + 2);
  EXPECT_EQ(view.draws, 4) << "another run is drawn at once";
  ViewContext paused = otherRun;
  paused.training = false;
  view.feed(paused, period + 3);
  view.feed(paused, period + 4);
  EXPECT_EQ(view.draws, 6) << "nothing trains: every feed draws (a single step is shown when it lands)";
  // Offset views take their live redraws in turn.
  CountingView second;
  second.setLivePhase(period / 2);
  second.feed(live, 0);
  second.feed(live, period / 2 - 1);
  EXPECT_EQ(second.draws, 1);
  second.feed(live, period / 2);
  EXPECT_EQ(second.draws, 2) << "its period starts half a period earlier";
}

TEST(HeatmapView, EveryCellIsTheStoredValueAtItsStepAsColumnsDouble) {
  test::app();
  auto store = makeStore(1 << 14);
  HeatmapView view;
  view.resize(700, 400);
  view.show();
  const ViewMetric& m = viewMetrics()[static_cast<std::size_t>(weightGradRatioIndex())];
  auto check = [&](long steps) {
    ASSERT_GT(view.columnCount(), 0);
    ASSERT_LE(view.columnCount(), 700);
    ASSERT_EQ(view.rowCount(), 3);
    EXPECT_EQ(view.columnCount(), (steps + view.bucketSteps() - 1) / view.bucketSteps());
    for (int row = 0; row < 3; ++row) {
      EXPECT_EQ(view.rowLabel(row), QString::fromStdString(store->tensors()[static_cast<std::size_t>(row)].name));
      for (int c = 0; c < view.columnCount(); ++c) {
        const long s = view.cellStep(row, c);
        ASSERT_EQ(s, std::min((c + 1) * view.bucketSteps() - 1, steps - 1));
        ASSERT_TRUE(sameValue(view.cellValue(row, c), viewMetricValue(*store, 0, row, m, s))) << row << " " << c;
      }
    }
  };
  append(*store, 300);
  view.showContext({store, QStringLiteral("LARS"), {}, -1, nullptr});
  EXPECT_EQ(view.bucketSteps(), 1);
  check(300);
  // Nothing new: only the last (still filling) column is read again, none when it is full.
  view.showContext({store, QStringLiteral("LARS"), {}, -1, nullptr});
  EXPECT_EQ(view.cellsReadLastTime(), 0);
  append(*store, 301);
  view.showContext({store, QStringLiteral("LARS"), {}, -1, nullptr});
  EXPECT_EQ(view.cellsReadLastTime(), 3);
  // Beyond the pixel width: the bucket doubles (possibly several times), cells stay exact.
  append(*store, 5003);
  view.showContext({store, QStringLiteral("LARS"), {}, -1, nullptr});
  EXPECT_GT(view.bucketSteps(), 4);
  check(5003);
  append(*store, 9001);
  view.showContext({store, QStringLiteral("LARS"), {}, -1, nullptr});
  check(9001);
  // Growing, only the new columns are coloured: the picture is the one drawn from scratch.
  for (const long steps : {9002L, 9050L, 9100L}) {
    append(*store, steps);
    view.showContext({store, QStringLiteral("LARS"), {}, -1, nullptr});
    HeatmapView fresh;
    fresh.resize(view.size());
    fresh.show();
    fresh.showContext({store, QStringLiteral("LARS"), {}, -1, nullptr});
    ASSERT_EQ(fresh.bucketSteps(), view.bucketSteps());
    EXPECT_TRUE(fresh.colorRange() == view.colorRange());
    EXPECT_EQ(fresh.image(), view.image()) << "at " << steps << " steps";
  }
  EXPECT_LE(view.cellsReadLastTime(), 3L * (view.columnCount() / 2 + 2));
  // The cell under a pixel.
  const auto cell = view.cellAt(view.mapFromGlobal(view.mapToGlobal(QPoint(0, 0))) + QPoint(view.width() / 2, view.height() / 2));
  ASSERT_TRUE(cell.has_value());
  EXPECT_TRUE(sameValue(view.cellValue(cell->first, cell->second),
                        viewMetricValue(*store, 0, cell->first, m, view.cellStep(cell->first, cell->second))));
  // Zero and NaN have their own colour, off the viridis bar.
  EXPECT_EQ(view.colorOf(0.0), HeatmapView::nonFiniteColor());
  EXPECT_EQ(view.colorOf(std::nan("")), HeatmapView::nonFiniteColor());
  EXPECT_EQ(view.colorOf(view.colorRange().low()).name(), viridis(0.0).name());
}

TEST(HeatmapView, RunsModeFollowsTheTensorAndTheStepCursor) {
  test::app();
  auto store = makeStore();
  append(*store, 40);
  HeatmapView view;
  view.resize(700, 400);
  view.show();
  view.modeCombo()->setCurrentIndex(static_cast<int>(HeatmapView::Mode::RunsOfTensor));
  view.metricCombo()->setCurrentIndex(0);
  view.showContext({store, QStringLiteral("LARS"), QStringLiteral("dense2.weight"), -1, nullptr});
  ASSERT_EQ(view.rowCount(), 2);
  EXPECT_EQ(view.rowLabel(1), QStringLiteral("SGD"));
  EXPECT_EQ(view.cursorColumn(), -1);
  for (int c = 0; c < view.columnCount(); ++c)
    EXPECT_EQ(view.cellValue(1, c), store->value(1, 2, TensorMetric::WeightNorm, view.cellStep(1, c)));
  view.showContext({store, QStringLiteral("LARS"), QStringLiteral("dense2.weight"), 17, nullptr});
  EXPECT_EQ(view.cursorColumn(), 17 / view.bucketSteps());
  EXPECT_EQ(view.cellStep(0, view.cursorColumn()), 17);
  view.showContext({store, QStringLiteral("LARS"), QStringLiteral("dense1.bias"), 17, nullptr});
  EXPECT_EQ(view.cellValue(0, 0), 0.0);  // rows now show dense1.bias
}

// The real window: the profile tab, after one step, shows at step 0 what the inspector shows.
TEST(TeachingPlotsInWindow, LayerProfileAtStepZeroEqualsTheInspector) {
  auto w = test::shownWindow(QSize(1400, 900));
  ASSERT_TRUE(w->openDefaultExperiment(/*autoplay=*/false));
  ASSERT_TRUE(test::waitFor([&] { return w->session() != nullptr; }));
  ASSERT_TRUE(w->showView(QStringLiteral("layer-profile")));
  w->stepN(1);
  ASSERT_TRUE(test::waitFor([&] { return w->session()->currentStep() == 1; }));
  w->syncWithWorker();
  w->refreshNow();
  auto* view = qobject_cast<LayerProfileView*>(w->teachingView(QStringLiteral("layer-profile")));
  ASSERT_NE(view, nullptr);
  const auto store = w->session()->metrics();
  TensorTableModel* model = w->inspector()->model();
  ASSERT_EQ(model->step(), 0);
  ASSERT_EQ(model->rowCount(), store->tensorCount());
  const int selected = store->runIndex(w->selectedRun().toStdString());
  ASSERT_GE(selected, 0);
  for (int i = 0; i < view->metricCombo()->count(); ++i) {
    view->metricCombo()->setCurrentIndex(i);
    const ViewMetric& m = viewMetrics()[static_cast<std::size_t>(i)];
    for (int r = 0; r < store->runCount(); ++r) {
      ASSERT_EQ(view->plottedStep(r), 0);
      for (int t = 0; t < store->tensorCount(); ++t) {
        EXPECT_TRUE(sameValue(view->plottedValue(r, t), viewMetricValue(*store, r, t, m, 0)));
        if (r != selected) continue;
        auto inspector = [&](TensorMetric metric) {
          return model->data(model->index(t, TensorTableModel::columnOf(metric)), TensorTableModel::kValueRole).toDouble();
        };
        const double shown = m.denominator == TensorMetric::Count ? inspector(m.metric)
                                                                   : inspector(m.metric) / inspector(m.denominator);
        EXPECT_TRUE(sameValue(view->plottedValue(r, t), shown)) << i << " " << t;
      }
    }
  }
  ASSERT_TRUE(w->showView(QStringLiteral("heatmap")));
  w->refreshNow();
  auto* heat = qobject_cast<HeatmapView*>(w->teachingView(QStringLiteral("heatmap")));
  ASSERT_NE(heat, nullptr);
  ASSERT_EQ(heat->rowCount(), store->tensorCount());
  ASSERT_EQ(heat->columnCount(), 1);
  for (int t = 0; t < store->tensorCount(); ++t)
    EXPECT_TRUE(sameValue(heat->cellValue(t, 0), viewMetricValue(*store, selected, t, viewMetrics()[2], 0)));
}

}  // namespace
}  // namespace larslab::ui
