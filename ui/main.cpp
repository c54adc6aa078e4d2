// larslab: the desktop application. See app_options.cpp for the command line.

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QIcon>
#include <QImageWriter>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "app_options.h"
#include "builtin_experiments.h"
#include "display_check.h"
#include "engine/experiment.h"
#include "main_window.h"
#include "range_test_dialog.h"
#include "study_view.h"
#include "study_window.h"

namespace {

void applyViewOptions(larslab::ui::MainWindow& window, const larslab::ui::AppOptions& options) {
  if (!options.selectRun.isEmpty()) window.setSelectedRun(options.selectRun);
  if (!options.compareTensor.isEmpty()) {
    window.dashboard()->setSelectedTensor(options.compareTensor);
    window.dashboard()->setTensorMode(larslab::ui::Dashboard::TensorMode::RunsOfTensor);
  }
  if (options.smoothing >= 0) window.dashboard()->setSmoothing(options.smoothing);
  if (options.textScale > 0) window.setTextScale(options.textScale);
  if (!options.view.isEmpty()) window.showView(options.view);
  if (options.maximizeChart >= 0) window.maximizeChart(larslab::ui::Dashboard::ChartId{options.maximizeChart});
}

// --step K: the cursor at K, once the steps are recorded. Empty, or the error.
QString applyCursorOption(larslab::ui::MainWindow& window, const larslab::ui::AppOptions& options) {
  if (options.cursorStep < 0) return {};
  const QString error = larslab::ui::checkCursorStep(options.cursorStep, window.latestStep());
  if (error.isEmpty()) window.scrubTo(options.cursorStep);
  return error;
}

bool isLog(const QString& path) {
  const QFileInfo fi(path);
  return fi.isDir() || fi.suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0;
}

// Pins are a view, independent of the session: they can be made before it starts.
bool pinLogs(larslab::ui::MainWindow& window, const larslab::ui::AppOptions& options) {
  for (const QString& log : options.pinLogs)
    if (!window.pinLog(log)) return false;
  return true;
}

// The experiment a screenshot trains: the file given, else the default built-in one. Errors are
// printed (every issue of an invalid file) and give nullopt.
std::optional<larslab::engine::ExperimentSpec> loadScreenshotExperiment(const larslab::ui::AppOptions& options) {
  using namespace larslab;
  try {
    return options.experimentFile.isEmpty()
               ? ui::loadBuiltinExperiment(ui::defaultExperimentPath())
               : engine::loadExperiment(QDir::toNativeSeparators(options.experimentFile).toStdString());
  } catch (const engine::SpecError& e) {
    std::fprintf(stderr, "larslab: %s\n", e.what());
    for (const auto& issue : e.issues())
      std::fprintf(stderr, "  %s: %s\n", issue.path.c_str(), issue.message.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "larslab: %s\n", e.what());
  }
  return std::nullopt;
}

bool writeScreenshot(const QImage& image, const QString& file) {
  QImageWriter writer(file);
  if (writer.write(image)) return true;
  std::fprintf(stderr, "larslab: cannot write %s: %s\n", file.toLocal8Bit().constData(),
               writer.errorString().toLocal8Bit().constData());
  return false;
}

// --screenshot F --range-test NAME: the range-test dialog, as Training > Range test… opens it for
// --run (or the first run), after the test has run to the end.
int runRangeTestScreenshot(const larslab::ui::AppOptions& options) {
  using namespace larslab;
  const std::optional<engine::ExperimentSpec> spec = loadScreenshotExperiment(options);
  if (!spec) return 1;
  const QString run = options.selectRun.isEmpty() && !spec->runs.empty() ? QString::fromStdString(spec->runs.front().name)
                                                                         : options.selectRun;
  ui::RangeTestDialog dialog(*spec, run, options.threads);
  if (!dialog.choose(run, options.rangeTest)) {
    std::fprintf(stderr, "larslab: --range-test: run '%s' has no hyperparameter '%s' to test\n",
                 run.toLocal8Bit().constData(), options.rangeTest.toLocal8Bit().constData());
    return 2;
  }
  dialog.resize(options.screenshotWidth, options.screenshotHeight);
  dialog.show();
  QEventLoop loop;
  QObject::connect(&dialog, &ui::RangeTestDialog::finished, &loop, &QEventLoop::quit);
  if (!dialog.start()) {
    std::fprintf(stderr, "larslab: %s\n", dialog.message().toLocal8Bit().constData());
    return 1;
  }
  loop.exec();
  // Qt Charts lays out newly attached axes and the legend on later events: let them run before
  // the grab (without this the 1920x1080 grab showed the series without axes or legend).
  for (int i = 0; i < 3; ++i) {
    QTimer::singleShot(20, &loop, &QEventLoop::quit);
    loop.exec();
  }
  if (!writeScreenshot(dialog.grab().toImage(), options.screenshotFile)) return 1;
  std::printf("larslab: wrote %s (%s)\n", options.screenshotFile.toLocal8Bit().constData(),
              dialog.message().toLocal8Bit().constData());
  return 0;
}

// --study DIR [--study-point ID]: a finished study in its window, with a point's curves shown.
bool showStudyPoint(larslab::ui::StudyWindow& study, const larslab::ui::AppOptions& options) {
  if (options.studyPoint.isEmpty() || study.view()->selectConfiguration(options.studyPoint)) return true;
  std::fprintf(stderr, "larslab: --study-point: no configuration \"%s\" in %s/study.csv\n",
               options.studyPoint.toLocal8Bit().constData(), options.studyDir.toLocal8Bit().constData());
  return false;
}

// --screenshot F --study DIR: the study window of a finished study.
int runStudyScreenshot(const larslab::ui::AppOptions& options) {
  larslab::ui::StudyWindow study;
  if (!study.open(options.studyDir)) {
    std::fprintf(stderr, "larslab: --study: %s\n", study.lastError().toLocal8Bit().constData());
    return 1;
  }
  if (!showStudyPoint(study, options)) return 2;
  study.resize(options.screenshotWidth, options.screenshotHeight);
  study.show();
  QEventLoop loop;
  for (int i = 0; i < 3; ++i) {  // let Qt Charts lay out its axes (see runRangeTestScreenshot)
    QTimer::singleShot(20, &loop, &QEventLoop::quit);
    loop.exec();
  }
  if (!writeScreenshot(study.grab().toImage(), options.screenshotFile)) return 1;
  std::printf("larslab: wrote %s\n", options.screenshotFile.toLocal8Bit().constData());
  return 0;
}

// --list-lessons: name and title of every built-in lesson (no display needed).
int listLessons() {
  larslab::ui::initUiResources();
  for (const larslab::ui::BuiltinLesson& l : larslab::ui::builtinLessons())
    std::printf("%-22s %s\n", l.name.toLocal8Bit().constData(), l.title.toLocal8Bit().constData());
  return 0;
}

// --lesson NAME [--lesson-step K]: the lesson opened at step K (1-based); false when it cannot be.
bool openLessonOption(larslab::ui::MainWindow& window, const larslab::ui::AppOptions& options) {
  if (!window.openLessonNamed(options.lesson)) return false;
  const int steps = static_cast<int>(window.lesson()->steps.size());
  if (options.lessonStep > steps) {
    std::fprintf(stderr, "larslab: --lesson-step: the lesson has %d steps, got %d\n", steps, options.lessonStep);
    return false;
  }
  return window.goToLessonStep(options.lessonStep - 1);
}

// What a --live run measures, so the app's throughput can be compared with larslab-cli's
// (tests/bench/app_throughput.py): steps trained, wall time, and the CPU time of the GUI
// thread (this one), which competes with the training threads for the cores.
struct LiveMark {
  long step = 0;
  std::chrono::steady_clock::time_point wall;
  double guiCpuSeconds = 0;
  static LiveMark now(const larslab::ui::MainWindow& window) {
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    return {window.session() ? window.session()->currentStep() : 0, std::chrono::steady_clock::now(),
            static_cast<double>(cpu.tv_sec) + 1e-9 * static_cast<double>(cpu.tv_nsec)};
  }
};

void printLiveThroughput(const larslab::ui::MainWindow& window, const LiveMark& start, const LiveMark& end) {
  const double seconds = std::chrono::duration<double>(end.wall - start.wall).count();
  const long steps = end.step - start.step;
  const bool finished = window.session() && window.session()->finished();
  std::printf("larslab: live %.2f s: %ld steps, %.1f steps/s%s; GUI thread CPU %.2f s, %.0f%% of a core, a refresh every %d ms; "
              "%d training threads\n",
              seconds, steps, static_cast<double>(steps) / std::max(seconds, 1e-9),
              finished ? " (the session finished before the end: the rate is low)" : "",
              end.guiCpuSeconds - start.guiCpuSeconds,
              100.0 * (end.guiCpuSeconds - start.guiCpuSeconds) / std::max(seconds, 1e-9), window.refreshIntervalMs(),
              window.session() ? window.session()->threads() : 0);
}

int runScreenshot(larslab::ui::MainWindow& window, const larslab::ui::AppOptions& options) {
  using namespace larslab;
  window.setInteractive(false);
  if (!pinLogs(window, options)) {
    std::fprintf(stderr, "larslab: %s\n", window.lastError().toLocal8Bit().constData());
    return 1;
  }
  const QSize size(options.screenshotWidth, options.screenshotHeight);
  QImage image;
  QString cursorError;
  if (!options.lesson.isEmpty()) {
    // As a student sees the step: the lesson's own view choices, not the command line's.
    window.resize(size);
    window.show();
    if (!openLessonOption(window, options)) {
      if (!window.lastError().isEmpty())
        std::fprintf(stderr, "larslab: %s\n", window.lastError().toLocal8Bit().constData());
      return 1;
    }
    image = window.renderCurrent(size);
  } else if (!options.experimentFile.isEmpty() && isLog(options.experimentFile)) {
    // A CSV log: nothing to train, render it read-only.
    if (!window.openLog(options.experimentFile)) {
      std::fprintf(stderr, "larslab: %s\n", window.lastError().toLocal8Bit().constData());
      return 1;
    }
    applyViewOptions(window, options);
    cursorError = applyCursorOption(window, options);
    image = window.renderCurrent(size);
  } else {
    const std::optional<engine::ExperimentSpec> loaded = loadScreenshotExperiment(options);
    if (!loaded) return 1;
    const engine::ExperimentSpec& spec = *loaded;
    if (options.liveSeconds > 0) {
      // The interactive path: worker thread, autoplay, the window's own refresh timer.
      window.resize(size);
      window.show();
      window.startSession(spec, /*autoplay=*/true, larslab::ui::MainWindow::DocumentSource{options.experimentFile, QStringLiteral("screenshot")});
      applyViewOptions(window, options);
      // Measured from the first step on, as larslab-cli times its training loop: building the
      // session (data, model) is not training.
      QElapsedTimer waited;
      waited.start();
      while ((!window.session() || window.session()->currentStep() == 0) && window.lastError().isEmpty() &&
             !(window.session() && window.session()->finished()) && waited.elapsed() < 60'000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
      const LiveMark start = LiveMark::now(window);
      QEventLoop loop;
      QTimer::singleShot(static_cast<int>(options.liveSeconds * 1000), &loop, &QEventLoop::quit);
      loop.exec();
      printLiveThroughput(window, start, LiveMark::now(window));
      applyViewOptions(window, options);
      cursorError = applyCursorOption(window, options);
      image = window.renderCurrent(size);
    } else {
      image = window.renderAfterTraining(spec, options.screenshotSteps, size,
                                         [&window, &options, &cursorError] {
                                           applyViewOptions(window, options);
                                           cursorError = applyCursorOption(window, options);
                                         });
    }
  }
  if (!cursorError.isEmpty()) {
    std::fprintf(stderr, "larslab: %s\n", cursorError.toLocal8Bit().constData());
    return 2;
  }
  if (!window.lastError().isEmpty()) {
    std::fprintf(stderr, "larslab: %s\n", window.lastError().toLocal8Bit().constData());
    return 1;
  }
  if (!writeScreenshot(image, options.screenshotFile)) return 1;
  std::printf("larslab: wrote %s (%dx%d", options.screenshotFile.toLocal8Bit().constData(), image.width(),
              image.height());
  if (window.session() && !window.isReadOnly()) std::printf(", step %ld", window.session()->currentStep());
  std::printf(")\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Help must work without a display.
  for (int i = 1; i < argc; ++i) {
    const QString a = QString::fromLocal8Bit(argv[i]);
    if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
      std::fputs(larslab::ui::appHelpText().toLocal8Bit().constData(), stdout);
      return 0;
    }
    if (a == QLatin1String("--list-lessons")) return listLessons();
  }
  {
    using larslab::ui::DisplayDecision;
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    switch (larslab::ui::decideDisplay(larslab::ui::DisplayEnvironment::fromProcess(), arguments)) {
      case DisplayDecision::UseDefault: break;
      case DisplayDecision::UseOffscreen: qputenv("QT_QPA_PLATFORM", "offscreen"); break;
      case DisplayDecision::ExplainAndExit:
        std::fputs(larslab::ui::displayMissingMessage().c_str(), stderr);
        return 1;
    }
  }
  QApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("larslab"));
  QApplication::setApplicationDisplayName(QStringLiteral("LARS Lab"));
  QApplication::setOrganizationName(QStringLiteral("LARS Lab"));
  QApplication::setApplicationVersion(QStringLiteral(LARSLAB_VERSION));
  QApplication::setDesktopFileName(QStringLiteral("larslab"));
  larslab::ui::initUiResources();
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/larslab.svg")));

  const larslab::ui::AppOptions options = larslab::ui::parseAppOptions(QApplication::arguments());
  if (!options.error.isEmpty()) {
    std::fprintf(stderr, "larslab: %s\n", options.error.toLocal8Bit().constData());
    return 2;
  }

  if (!options.rangeTest.isEmpty()) return runRangeTestScreenshot(options);
  if (!options.studyDir.isEmpty() && !options.screenshotFile.isEmpty()) return runStudyScreenshot(options);
  larslab::ui::MainWindow window(options.threads);
  if (!options.screenshotFile.isEmpty()) return runScreenshot(window, options);

  window.restoreLayout();
  window.restoreViewChoices();  // before the command line, which overrides them
  window.show();
  // Open after the window is shown so that an error dialog has a parent on screen.
  QTimer::singleShot(0, &window, [&window, &options] {
    // Work a crash or a kill left behind comes first; then the file asked for.
    bool ok = window.offerRecovery();
    if (!ok && !options.lesson.isEmpty()) ok = openLessonOption(window, options);
    if (!ok && !options.experimentFile.isEmpty()) ok = window.openFile(options.experimentFile);
    if (!ok) window.openDefaultExperiment(/*autoplay=*/true);
    pinLogs(window, options);  // a bad log is reported in a dialog; the rest goes on
    applyViewOptions(window, options);
    if (!options.studyDir.isEmpty())
      if (larslab::ui::StudyWindow* study = window.openStudy(options.studyDir)) showStudyPoint(*study, options);
  });
  return app.exec();
}
