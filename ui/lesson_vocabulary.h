#pragma once
// The names a lesson file may use for what the window shows (engine/lesson.h checks them):
// "charts" and the teaching views' ids, the dashboard's chart names (as --maximize takes them)
// and the controls a step can hide or lock (this file's table).

#include <QString>
#include <vector>

#include "engine/lesson.h"

namespace larslab::ui {

struct LessonControlInfo {
  const char* name;  // "tuning", "tuning.eta", "experiment", "runs", "transport"
  const char* what;  // for the format doc and tooltips
};

// Every control a lesson can hide or lock: the docks, the transport bar and each hyperparameter
// of the tuning panel (one entry per hyperparameter any optimizer has: "tuning.<name>").
const std::vector<LessonControlInfo>& lessonControls();

engine::LessonVocabulary appLessonVocabulary();

}  // namespace larslab::ui
