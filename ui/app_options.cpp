#include "app_options.h"

#include <QCommandLineParser>

#include "dashboard.h"
#include "engine/session.h"
#include "teaching_views.h"
#include "view_settings.h"

namespace larslab::ui {

namespace {

// Every option of `larslab`, once: the parser, the help text and the checks below read these.
const QCommandLineOption kScreenshot(QStringLiteral("screenshot"),
                                     QStringLiteral("Train --steps steps (deterministic), render the main window to "
                                                    "FILE.png and exit. Needs no display: without one it renders "
                                                    "offscreen."),
                                     QStringLiteral("FILE.png"));
const QCommandLineOption kSteps(QStringLiteral("steps"),
                                QStringLiteral("Steps to train before the screenshot (default 300)."),
                                QStringLiteral("N"));
const QCommandLineOption kSize(QStringLiteral("size"),
                               QStringLiteral("Window size for the screenshot (default 1600x1000)."),
                               QStringLiteral("WxH"));
const QCommandLineOption kLive(QStringLiteral("live"),
                               QStringLiteral("With --screenshot: instead of --steps, let the app train live (worker "
                                              "thread, charts refreshed up to 30 times a second) for S seconds, then render, "
                                              "and print the steps/s trained and the GUI thread's CPU share. Not "
                                              "deterministic: the step reached depends on the machine."),
                               QStringLiteral("S"));
const QCommandLineOption kThreads(QStringLiteral("threads"), QStringLiteral("Training threads (default: all cores)."),
                                  QStringLiteral("N"));
const QCommandLineOption kRun(QStringLiteral("run"),
                              QStringLiteral("Select this run (its tensors in the per-tensor charts)."),
                              QStringLiteral("NAME"));
const QCommandLineOption kTensor(QStringLiteral("tensor"),
                                 QStringLiteral("Show this tensor across all runs in the per-tensor charts."),
                                 QStringLiteral("NAME"));
const QCommandLineOption kSmoothing(QStringLiteral("smoothing"),
                                    QStringLiteral("Smoothing weight in [0, 0.99] (debiased EMA)."),
                                    QStringLiteral("W"));
const QCommandLineOption kPin(QStringLiteral("pin"),
                              QStringLiteral("Pin every run of this metric log (a directory or its run_metrics.csv, "
                                             "from larslab-cli or an exported PyTorch script) next to the live runs, "
                                             "dimmed, in every chart. May be given several times."),
                              QStringLiteral("LOG"));
const QCommandLineOption kTextScale(QStringLiteral("text-scale"),
                                    QStringLiteral("Presentation text size of charts and tables in percent (as View > "
                                                   "Larger text): 80, 100, 125, 150, 175 or 200."),
                                    QStringLiteral("PERCENT"));
const QCommandLineOption kMaximize(QStringLiteral("maximize"),
                                   QStringLiteral("Show this chart alone, filling the window (as its corner button "
                                                  "does): loss, accuracy, lr, or a per-tensor metric such as "
                                                  "trust_ratio."),
                                   QStringLiteral("CHART"));
const QCommandLineOption kView(QStringLiteral("view"),
                               QStringLiteral("Show this teaching view in front of the charts: %1.")
                                   .arg(teachingViewIds().join(QStringLiteral(", "))),
                               QStringLiteral("NAME"));
const QCommandLineOption kStep(QStringLiteral("step"),
                               QStringLiteral("With --screenshot: put the step cursor at step K (0 to the last step "
                                              "trained) before rendering; every chart draws it, the tables and the "
                                              "view show that step."),
                               QStringLiteral("K"));
const QCommandLineOption kRangeTest(QStringLiteral("range-test"),
                                    QStringLiteral("With --screenshot: run the range test of this hyperparameter (lr, "
                                                   "eta, ...) of --run (default: the first run) and render the "
                                                   "Range test dialog instead of the window."),
                                    QStringLiteral("NAME"));
const QCommandLineOption kStudy(QStringLiteral("study"),
                                QStringLiteral("Open a finished study (the --out DIR of larslab-cli study, or a "
                                               "folder of Training > Run study…) in a study window; with "
                                               "--screenshot, render that window instead of the main one."),
                                QStringLiteral("DIR"));
const QCommandLineOption kStudyPoint(QStringLiteral("study-point"),
                                     QStringLiteral("With --study: show the training curves of this configuration "
                                                    "(an id of study.csv, e.g. lars_b1024_s1) and its other seeds."),
                                     QStringLiteral("ID"));
const QCommandLineOption kLesson(QStringLiteral("lesson"),
                                 QStringLiteral("Open a lesson: a built-in one's name (see --list-lessons) or a "
                                                "lesson file. With --screenshot, render it as a student sees it."),
                                 QStringLiteral("NAME"));
const QCommandLineOption kLessonStep(QStringLiteral("lesson-step"),
                                     QStringLiteral("With --lesson: go to step K (1 is the first), performing "
                                                    "the lesson's actions up to it."),
                                     QStringLiteral("K"));
const QCommandLineOption kListLessons(QStringLiteral("list-lessons"),
                                      QStringLiteral("Print the built-in lessons' names and titles and exit."));
const QCommandLineOption kHelp(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                               QStringLiteral("Show this help and exit."));

void configure(QCommandLineParser& parser) {
  parser.setApplicationDescription(
      QStringLiteral("LARS Lab trains small neural networks and shows, live, what LARS and other\n"
                     "optimizers do inside every layer. Without arguments it opens the built-in\n"
                     "default experiment and starts training."));
  parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
  parser.addOptions({kHelp, kScreenshot, kSteps, kSize, kLive, kThreads, kRun, kTensor, kSmoothing, kPin, kTextScale,
                     kMaximize, kView, kStep, kRangeTest, kStudy, kStudyPoint, kLesson, kLessonStep,
                     kListLessons});
  parser.addPositionalArgument(QStringLiteral("FILE"),
                               QStringLiteral("An experiment file (EXPERIMENT.json, same format as larslab-cli), or "
                                              "a per-step CSV log (LOG.csv) written by larslab-cli or the exported "
                                              "PyTorch script, shown read-only."),
                               QStringLiteral("[EXPERIMENT.json | LOG.csv]"));
}

bool parsePositiveLong(const QString& text, long& out) {
  bool ok = false;
  const qlonglong v = text.toLongLong(&ok);
  if (!ok || v <= 0) return false;
  out = static_cast<long>(v);
  return true;
}

// Reads one option's value into `out` with `check`; on failure sets o.error naming the option.
template <typename Check>
bool readValue(const QCommandLineParser& parser, const QCommandLineOption& option, AppOptions& o, const char* expected,
               Check check) {
  if (!parser.isSet(option)) return true;
  const QString v = parser.value(option);
  if (check(v)) return true;
  o.error = QStringLiteral("--%1: expected %2, got '%3'").arg(option.names().constLast(), QLatin1String(expected), v);
  return false;
}

}  // namespace

QString appHelpText() {
  QCommandLineParser parser;
  configure(parser);
  // helpText() names the running binary; the help must read the same wherever it is installed.
  QString text = parser.helpText();
  const qsizetype usageEnd = text.indexOf(QLatin1Char('\n'));
  return QStringLiteral("Usage: larslab [options] [EXPERIMENT.json | LOG.csv]\n") + text.mid(usageEnd);
}

AppOptions parseAppOptions(const QStringList& arguments) {
  AppOptions o;
  QCommandLineParser parser;
  configure(parser);
  if (!parser.parse(arguments)) {
    // Qt's own options (-platform, -style, ...) were removed by QApplication already.
    QString message = parser.errorText();
    if (message.startsWith(QLatin1String("Unknown option")))
      message = QStringLiteral("unknown option '%1' (see --help)").arg(parser.unknownOptionNames().constFirst());
    o.error = message;
    return o;
  }
  o.showHelp = parser.isSet(kHelp);
  o.screenshotFile = parser.value(kScreenshot);
  o.selectRun = parser.value(kRun);
  o.compareTensor = parser.value(kTensor);
  o.pinLogs = parser.values(kPin);

  const bool ok =
      readValue(parser, kSteps, o, "a positive integer", [&](const QString& v) { return parsePositiveLong(v, o.screenshotSteps); }) &&
      readValue(parser, kThreads, o, "a positive integer up to 1024",
                [&](const QString& v) {
                  long t = 0;
                  if (!parsePositiveLong(v, t) || t > engine::kMaxThreads) return false;
                  o.threads = static_cast<int>(t);
                  return true;
                }) &&
      readValue(parser, kLive, o, "seconds in (0, 3600]",
                [&](const QString& v) {
                  bool number = false;
                  o.liveSeconds = v.toDouble(&number);
                  return number && o.liveSeconds > 0 && o.liveSeconds <= 3600;
                }) &&
      readValue(parser, kSmoothing, o, "a number in [0, 0.99]",
                [&](const QString& v) {
                  bool number = false;
                  o.smoothing = v.toDouble(&number);
                  return number && o.smoothing >= 0 && o.smoothing <= 0.99;
                }) &&
      readValue(parser, kSize, o, "WxH between 320x240 and 8000x8000", [&](const QString& v) {
        const QStringList parts = v.split(QLatin1Char('x'));
        long w = 0;
        long h = 0;
        if (parts.size() != 2 || !parsePositiveLong(parts[0], w) || !parsePositiveLong(parts[1], h) || w < 320 ||
            h < 240 || w > 8000 || h > 8000)
          return false;
        o.screenshotWidth = static_cast<int>(w);
        o.screenshotHeight = static_cast<int>(h);
        return true;
      });
  if (!ok) return o;
  if (parser.isSet(kTextScale)) {
    bool number = false;
    o.textScale = parser.value(kTextScale).toInt(&number);
    if (!number || !isTextScale(o.textScale)) {
      QStringList steps;
      for (int p : kTextScales) steps.append(QString::number(p));
      o.error = QStringLiteral("--text-scale: expected one of %1, got '%2'")
                    .arg(steps.join(QStringLiteral(", ")), parser.value(kTextScale));
      return o;
    }
  }
  if (parser.isSet(kMaximize)) {
    QStringList names;
    for (int i = 0; i < Dashboard::kChartCount; ++i) {
      names.append(Dashboard::chartFileStem(Dashboard::ChartId{i}));
      if (names.back() == parser.value(kMaximize)) o.maximizeChart = i;
    }
    if (o.maximizeChart < 0) {
      o.error = QStringLiteral("--maximize: expected one of %1, got '%2'")
                    .arg(names.join(QStringLiteral(", ")), parser.value(kMaximize));
      return o;
    }
  }

  if (parser.isSet(kView)) {
    o.view = parser.value(kView);
    if (findTeachingView(o.view) == nullptr) {
      o.error = QStringLiteral("--view: expected one of %1, got '%2'")
                    .arg(teachingViewIds().join(QStringLiteral(", ")), o.view);
      return o;
    }
  }

  if (parser.isSet(kStep)) {
    bool number = false;
    const qlonglong k = parser.value(kStep).toLongLong(&number);
    if (!number || k < 0) {
      o.error = QStringLiteral("--step: expected a step number >= 0, got '%1'").arg(parser.value(kStep));
      return o;
    }
    if (o.screenshotFile.isEmpty()) {
      o.error = QStringLiteral("--step: only with --screenshot (in the window, drag along a chart's x axis)");
      return o;
    }
    o.cursorStep = static_cast<long>(k);
  }

  if (parser.isSet(kRangeTest)) {
    if (o.screenshotFile.isEmpty()) {
      o.error = QStringLiteral("--range-test: only with --screenshot (in the window: Training > Range test…)");
      return o;
    }
    o.rangeTest = parser.value(kRangeTest);
  }

  if (parser.isSet(kStudy)) o.studyDir = parser.value(kStudy);
  o.listLessons = parser.isSet(kListLessons);
  if (parser.isSet(kLesson)) o.lesson = parser.value(kLesson);
  if (parser.isSet(kLessonStep)) {
    bool ok = false;
    const int k = parser.value(kLessonStep).toInt(&ok);
    if (o.lesson.isEmpty()) {
      o.error = QStringLiteral("--lesson-step: only with --lesson NAME");
      return o;
    }
    if (!ok || k < 1) {
      o.error = QStringLiteral("--lesson-step: expected a step number from 1, got '%1'").arg(parser.value(kLessonStep));
      return o;
    }
    o.lessonStep = k;
  }
  if (parser.isSet(kStudyPoint)) {
    if (o.studyDir.isEmpty()) {
      o.error = QStringLiteral("--study-point: only with --study DIR");
      return o;
    }
    o.studyPoint = parser.value(kStudyPoint);
  }

  const QStringList files = parser.positionalArguments();
  if (files.size() > 1) {
    o.error = QStringLiteral("more than one file given ('%1' and '%2')").arg(files[0], files[1]);
    return o;
  }
  if (!files.isEmpty()) o.experimentFile = files.front();
  return o;
}

QString checkCursorStep(long step, long latest) {
  if (step >= 0 && step <= latest) return {};
  if (latest < 0) return QStringLiteral("--step: no step was recorded, got '%1'").arg(step);
  return QStringLiteral("--step: expected a step in [0, %1] (the steps trained), got '%2'").arg(latest).arg(step);
}

}  // namespace larslab::ui
