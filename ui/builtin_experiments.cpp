#include "builtin_experiments.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <stdexcept>

#include "lesson_vocabulary.h"

inline void initLarslabQrc() { Q_INIT_RESOURCE(larslab); }

namespace larslab::ui {

void initUiResources() {
  static const bool done = [] {
    initLarslabQrc();
    return true;
  }();
  (void)done;
}

QString readResourceText(const QString& resourcePath) {
  QFile f(resourcePath);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

engine::ExperimentSpec loadBuiltinExperiment(const QString& resourcePath) {
  initUiResources();
  QFile f(resourcePath);
  if (!f.open(QIODevice::ReadOnly))
    throw std::runtime_error("built-in experiment " + resourcePath.toStdString() + " is missing");
  const QByteArray bytes = f.readAll();
  return engine::parseExperiment(bytes.toStdString(),
                                 "<built-in>/" + QFileInfo(resourcePath).fileName().toStdString());
}

QString defaultExperimentPath() {
  initUiResources();
  const QString preferred = QStringLiteral(":/experiments/default.json");
  if (QFile::exists(preferred)) return preferred;
  const QStringList files =
      QDir(QStringLiteral(":/experiments")).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
  return files.isEmpty() ? QString() : QStringLiteral(":/experiments/") + files.front();
}

QList<BuiltinExperiment> builtinExperiments() {
  initUiResources();
  QList<BuiltinExperiment> out;
  const QString def = defaultExperimentPath();
  QStringList files =
      QDir(QStringLiteral(":/experiments")).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
  for (const QString& name : files) {
    const QString path = QStringLiteral(":/experiments/") + name;
    BuiltinExperiment e;
    e.resourcePath = path;
    try {
      const engine::ExperimentSpec spec = loadBuiltinExperiment(path);
      e.title = QString::fromStdString(spec.name);
      e.description = QString::fromStdString(spec.description);
    } catch (const std::exception&) {
      continue;  // a broken example is skipped here and reported when opened explicitly
    }
    if (e.title.isEmpty()) e.title = QFileInfo(name).completeBaseName();
    if (path == def)
      out.prepend(e);
    else
      out.append(e);
  }
  return out;
}

namespace {
// Every JSON file embedded under `folder` that `fill` accepts, by file name; one that throws
// (a broken file) is left out here and reported when opened explicitly.
template <class Item, class Fill>
QList<Item> builtinsIn(const QString& folder, const Fill& fill) {
  initUiResources();
  QList<Item> out;
  for (const QString& name : QDir(folder).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
    Item item;
    item.resourcePath = folder + QLatin1Char('/') + name;
    try {
      fill(item);
    } catch (const std::exception&) {
      continue;
    }
    out.append(item);
  }
  return out;
}
}  // namespace

engine::StudySpec loadBuiltinStudy(const QString& resourcePath) {
  initUiResources();
  const QString text = readResourceText(resourcePath);
  if (text.isEmpty()) throw std::runtime_error("built-in study " + resourcePath.toStdString() + " is missing");
  // Built-in studies hold their experiment inline: no folder to resolve paths against.
  return engine::parseStudy(text.toStdString(), "<built-in>/" + QFileInfo(resourcePath).fileName().toStdString());
}

QList<BuiltinStudy> builtinStudies() {
  return builtinsIn<BuiltinStudy>(QStringLiteral(":/studies"), [](BuiltinStudy& s) {
    const engine::StudySpec spec = loadBuiltinStudy(s.resourcePath);
    s.title = QString::fromStdString(spec.name);
    s.description = QString::fromStdString(spec.description);
  });
}

engine::LessonSpec loadBuiltinLesson(const QString& resourcePath) {
  initUiResources();
  const QString text = readResourceText(resourcePath);
  if (text.isEmpty()) throw std::runtime_error("built-in lesson " + resourcePath.toStdString() + " is missing");
  return engine::parseLesson(text.toStdString(), "<built-in>/" + QFileInfo(resourcePath).fileName().toStdString(), "",
                             appLessonVocabulary());
}

QList<BuiltinLesson> builtinLessons() {
  return builtinsIn<BuiltinLesson>(QStringLiteral(":/lessons"), [](BuiltinLesson& l) {
    l.name = QFileInfo(l.resourcePath).completeBaseName();
    const engine::LessonSpec spec = loadBuiltinLesson(l.resourcePath);
    l.title = QString::fromStdString(spec.title);
    l.summary = QString::fromStdString(spec.summary);
  });
}

QList<BuiltinDoc> builtinDocs() {
  initUiResources();
  QList<BuiltinDoc> out;
  const QStringList files =
      QDir(QStringLiteral(":/docs")).entryList({QStringLiteral("*.md")}, QDir::Files, QDir::Name);
  for (const QString& name : files) {
    BuiltinDoc d;
    d.resourcePath = QStringLiteral(":/docs/") + name;
    d.title = QFileInfo(name).completeBaseName();
    const QString text = readResourceText(d.resourcePath);
    for (const QString& line : text.split(QLatin1Char('\n'))) {
      if (line.startsWith(QLatin1String("# "))) {
        d.title = line.mid(2).trimmed();
        break;
      }
    }
    out.append(d);
  }
  return out;
}

}  // namespace larslab::ui
