#include "lesson_vocabulary.h"

#include <algorithm>
#include <set>
#include <string>

#include "dashboard.h"
#include "optim/optimizer.h"
#include "teaching_views.h"

namespace larslab::ui {

const std::vector<LessonControlInfo>& lessonControls() {
  static const std::vector<LessonControlInfo> controls = [] {
    std::vector<LessonControlInfo> out = {
        {"tuning", "the Live tuning dock (run choice and every hyperparameter)"},
        {"experiment", "the Experiment dock (editing and applying the experiment)"},
        {"runs", "the Runs and events dock"},
        {"transport", "Play, Step, Reset and the speed (hidden: the lesson drives training alone)"},
    };
    // The names must outlive the table: keep them in a static set.
    static std::set<std::string> names;
    for (const optim::OptimizerInfo& info : optim::optimizerRegistry())
      for (const optim::HyperparameterSpec& h : info.hyperparameters) names.insert("tuning." + h.name);
    for (const std::string& n : names) out.push_back({n.c_str(), "one slider of the Live tuning dock"});
    return out;
  }();
  return controls;
}

engine::LessonVocabulary appLessonVocabulary() {
  engine::LessonVocabulary v;
  v.views.push_back("charts");
  for (const TeachingViewInfo& view : teachingViews()) v.views.push_back(view.id);
  for (int i = 0; i < Dashboard::kChartCount; ++i)
    v.charts.push_back(Dashboard::chartFileStem(Dashboard::ChartId{i}).toStdString());
  for (const LessonControlInfo& c : lessonControls()) v.controls.push_back(c.name);
  return v;
}

}  // namespace larslab::ui
