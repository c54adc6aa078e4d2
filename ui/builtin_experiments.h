#pragma once
// The experiments and docs embedded in the executable (resources/experiments/*.json and
// resources/docs/*.md, under :/experiments and :/docs).

#include <QList>
#include <QString>

#include "engine/experiment.h"

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

struct BuiltinDoc {
  QString resourcePath;  // ":/docs/metrics.md"
  QString title;         // first "# " heading, or the file name
};
QList<BuiltinDoc> builtinDocs();
QString readResourceText(const QString& resourcePath);  // empty if missing

}  // namespace larslab::ui
