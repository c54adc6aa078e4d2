#include "teaching_views.h"

#include "decision_boundary_view.h"
#include "formula_view.h"
#include "teaching_view.h"

namespace larslab::ui {

const std::vector<TeachingViewInfo>& teachingViews() {
  // One row per view, in tab order.
  static const std::vector<TeachingViewInfo> views = {
      {"formula", "Formula",
       "The selected run's update rule for one tensor at the cursor's step, with the recorded numbers "
       "substituted: how η, ‖w‖, ‖g‖ and β make the trust ratio and the local learning rate.",
       [](QWidget* parent) -> TeachingView* { return new FormulaView(parent); }},
      {"decision-boundary", "Decision boundary",
       "For a dataset with two input features: the class each run predicts over the input plane, with the "
       "training and test points on top, side by side, at the current or scrubbed step.",
       [](QWidget* parent) -> TeachingView* { return new DecisionBoundaryView(parent); }},
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
