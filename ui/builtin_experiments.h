#pragma once
// The experiments, studies, lessons and docs embedded in the executable (resources/experiments,
// resources/studies, resources/lessons (*.json) and resources/docs (*.md), under :/experiments,
// :/studies, :/lessons and :/docs).

#include <QList>
#include <QString>

#include "engine/experiment.h"
#include "engine/lesson.h"
#include "engine/study.h"

namespace larslab::ui {

struct BuiltinExperiment {
  QString resourcePath;  // ":/experiments/default.json"
  QString title;         // the experiment's "name", or the file name
  QString description;   // one or two sentences from the file
};

// Makes the resources of the static larslab_ui library available (idempotent).
void initUiResources();

// Every embedded experiment that parses, the default one first.
QList<BuiltinExperiment> builtinExperiments();
// ":/experiments/default.json" (or the first embedded experiment when there is no default).
QString defaultExperimentPath();
// Reads and parses an embedded experiment; throws engine::SpecError / std::runtime_error.
engine::ExperimentSpec loadBuiltinExperiment(const QString& resourcePath);

struct BuiltinStudy {
  QString resourcePath;  // ":/studies/batch-size-moons.json"
  QString title;         // the study's "name"
  QString description;
};
// Every embedded study that parses (resources/studies/*.json under :/studies), by file name.
QList<BuiltinStudy> builtinStudies();
// Reads and parses an embedded study; throws engine::SpecError / std::runtime_error.
engine::StudySpec loadBuiltinStudy(const QString& resourcePath);

struct BuiltinLesson {
  QString resourcePath;  // ":/lessons/trust-coefficient.json"
  QString name;          // "trust-coefficient": what --lesson takes
  QString title;
  QString summary;
};
// Every embedded lesson that parses (resources/lessons/*.json under :/lessons), by file name.
QList<BuiltinLesson> builtinLessons();
// Reads and parses an embedded lesson against the app's vocabulary; throws engine::SpecError.
engine::LessonSpec loadBuiltinLesson(const QString& resourcePath);

struct BuiltinDoc {
  QString resourcePath;  // ":/docs/metrics.md"
  QString title;         // first "# " heading, or the file name
};
QList<BuiltinDoc> builtinDocs();
QString readResourceText(const QString& resourcePath);  // empty if missing

}  // namespace larslab::ui
