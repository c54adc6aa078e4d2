#include "teaching_views.h"

#include "decision_boundary_view.h"
#include "formula_view.h"
#include "heatmap_view.h"
#include "layer_profile_view.h"
#include "teaching_view.h"

namespace larslab::ui {

const std::vector<TeachingViewInfo>& teachingViews() {
  // One row per view, in tab order.
  static const std::vector<TeachingViewInfo> views = {
      {"layer-profile", QT_TRANSLATE_NOOP("larslab::ui::MainWindow", "Layer profile"),
       QT_TRANSLATE_NOOP("larslab::ui::MainWindow",
                         "One dot per tensor and run at the chosen step on a log axis: see that ‖w‖/‖g‖ "
                         "differs by orders of magnitude from layer to layer (so one global learning rate "
                         "cannot suit every layer) and that LARS makes the update ratio ‖Δw‖/‖w‖ line up "
                         "across layers while SGD's does not."),
       [](QWidget* parent, RunColorMap* colors) -> TeachingView* { return new LayerProfileView(colors, parent); }},
      {"heatmap", QT_TRANSLATE_NOOP("larslab::ui::MainWindow", "Heatmap"),
       QT_TRANSLATE_NOOP("larslab::ui::MainWindow",
                         "Tensors × steps coloured by the chosen quantity on a log scale: see at a glance, "
                         "even for a deep network, which layers' ratios drift apart, when, and how far."),
       [](QWidget* parent, RunColorMap*) -> TeachingView* { return new HeatmapView(parent); }},
      {"formula", QT_TRANSLATE_NOOP("larslab::ui::MainWindow", "Formula"),
       QT_TRANSLATE_NOOP("larslab::ui::MainWindow",
                         "The selected run's update rule for one tensor at the cursor's step, with the recorded "
                         "numbers substituted: how η, ‖w‖, ‖g‖ and β make the trust ratio and the local "
                         "learning rate."),
       [](QWidget* parent, RunColorMap*) -> TeachingView* { return new FormulaView(parent); }},
      {"decision-boundary", QT_TRANSLATE_NOOP("larslab::ui::MainWindow", "Decision boundary"),
       QT_TRANSLATE_NOOP("larslab::ui::MainWindow",
                         "For a dataset with two input features: the class each run predicts over the input "
                         "plane, with the training and test points on top, side by side, at the current or "
                         "scrubbed step."),
       [](QWidget* parent, RunColorMap*) -> TeachingView* { return new DecisionBoundaryView(parent); }},
  };
  return views;
}

const TeachingViewInfo* findTeachingView(const QString& id) {
  for (const TeachingViewInfo& v : teachingViews())
    if (id == QLatin1String(v.id)) return &v;
  return nullptr;
}

QStringList teachingViewIds() {
  QStringList ids;
  for (const TeachingViewInfo& v : teachingViews()) ids.append(QLatin1String(v.id));
  return ids;
}

}  // namespace larslab::ui
