#pragma once
// A lesson: an experiment and a sequence of steps a class walks through (format in
// resources/docs/lesson-format.md). Each step has Markdown text, what the window shows (a view,
// a tensor, a subset of the charts, a text scale), which controls are hidden or locked, actions
// that bring the session to the state the text talks about, and questions with answers.
//
// Parsed and validated like experiment files: SpecError with the JSON path of every bad field.
// Run names, hyperparameters, options and their values are checked against the experiment and
// the optimizer registry here; view, chart and control names belong to the app, which passes
// them in (LessonVocabulary) so that a lesson naming a view that does not exist is refused.
//
// The state at step k is deterministic: a fresh session of the experiment, then the actions of
// steps 0..k in order (lessonActionsThrough). "Start this step again" replays them and gives the
// same curves, bitwise.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/command.h"
#include "engine/experiment.h"
#include "engine/study.h"

namespace larslab::engine {

class Session;

struct TrainTo {
  long step = 0;  // train until the session has completed this many steps, then pause
};
struct PinRun {
  std::string run;  // keep the run as it is now as a pinned copy in every chart (the app's)
};
using LessonAction = std::variant<TrainTo, SetHyperparameter, SetOption, PinRun>;

struct LessonQuestion {
  std::string question;
  std::string answer;  // revealed on demand
};

struct LessonStep {
  std::string title;
  std::string text;                 // Markdown; $...$ formulas
  std::string view;                 // "" keeps the current one; "charts" or a teaching view id
  std::string tensor;               // "" keeps the current one; a parameter tensor ("dense1.weight")
  std::vector<std::string> charts;  // empty: every chart; else only these (presentation)
  std::vector<std::string> hide;    // controls not shown in this step
  std::vector<std::string> lock;    // controls shown but not editable
  std::vector<LessonAction> actions;
  std::vector<LessonQuestion> questions;
  int textScale = 0;  // percent of the normal text size (80..200); 0 keeps the user's
  // A study the step runs (or reopens, once run) and shows in a study window: a question the
  // lesson's single experiment cannot answer, such as the same runs at two batch sizes.
  std::optional<StudySpec> study;
};

struct LessonSpec {
  int version = 1;
  std::string title;
  std::string summary;
  std::string experimentPath;  // as written ("" when inline)
  ExperimentSpec experiment;
  std::vector<LessonStep> steps;
};

// The names a lesson may use for what the app shows; empty lists are not checked.
struct LessonVocabulary {
  std::vector<std::string> views;     // "charts" and the teaching views' ids
  std::vector<std::string> charts;    // the dashboard's chart names
  std::vector<std::string> controls;  // hideable and lockable controls
};

LessonSpec parseLesson(const std::string& jsonText, const std::string& origin, const std::string& baseDir = "",
                       const LessonVocabulary& vocabulary = {});
LessonSpec loadLesson(const std::string& path, const LessonVocabulary& vocabulary = {});

// The lesson as a file: the experiment inline (relocated for `folder`, where the file goes),
// defaults left out; parseLesson reads it back to the same lesson.
std::string lessonToJson(const LessonSpec& lesson, const std::string& folder = "");
// Writes lessonToJson atomically; throws std::runtime_error naming the path on failure.
void saveLesson(const LessonSpec& lesson, const std::string& path);

// Every action of steps 0..step, in order (step clamped to the lesson's last).
std::vector<LessonAction> lessonActionsThrough(const LessonSpec& lesson, int step);

// Applies actions to a session on the driver thread: TrainTo trains (stopping early when the
// session ends), commands are submitted and applied at the next step boundary (a TrainTo after
// them, or the returned flush), PinRun is left to the caller. Returns the pins, in order.
std::vector<PinRun> applyLessonActions(Session& session, const std::vector<LessonAction>& actions);

}  // namespace larslab::engine
