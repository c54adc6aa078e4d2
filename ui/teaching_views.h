#pragma once
// The table of teaching views (teaching_view.h): the one list the window's tabs, the View menu,
// the F1 help and the `--view NAME` option read.

#include <QStringList>
#include <QWidget>
#include <functional>
#include <vector>

namespace larslab::ui {

class RunColorMap;
class TeachingView;

struct TeachingViewInfo {
  const char* id;     // `--view` name and object name: "layer-profile"
  const char* title;  // tab and menu text: "Layer profile"
  const char* help;   // one sentence: what a student learns from it (tooltip, F1)
  // `colors`: the window's run colours, so that a view colours each run as the charts do.
  std::function<TeachingView*(QWidget* parent, RunColorMap* colors)> create;
};

const std::vector<TeachingViewInfo>& teachingViews();
// nullptr when no view has that id.
const TeachingViewInfo* findTeachingView(const QString& id);
// Every id, in table order ("layer-profile", ...), for help texts and error messages.
QStringList teachingViewIds();

}  // namespace larslab::ui
