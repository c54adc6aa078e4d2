#pragma once
// Command line of the `larslab` executable.

#include <QString>
#include <QStringList>

namespace larslab::ui {

struct AppOptions {
  QString experimentFile;   // optional positional argument: experiment JSON or CSV log
  QString screenshotFile;   // --screenshot FILE.png: train, render, save, exit
  long screenshotSteps = 300;
  double liveSeconds = 0.0; // --live S: train in the background as usual for S seconds, then grab
  int screenshotWidth = 1600;
  int screenshotHeight = 1000;
  int threads = 0;          // --threads N (0: all cores)
  QString selectRun;        // --run NAME: the run whose tensors the charts show
  QString compareTensor;    // --tensor NAME: show this tensor across runs instead
  double smoothing = -1.0;  // --smoothing W in [0, 0.99] (< 0: keep the default)
  QStringList pinLogs;      // --pin LOG (repeatable): metric logs pinned next to the live runs
  int textScale = 0;         // --text-scale PERCENT (0: the remembered or normal size)
  int maximizeChart = -1;   // --maximize CHART: index of the chart shown alone (< 0: none)
  QString view;             // --view NAME: the teaching view in front (teaching_views.h); empty: the charts
  QString rangeTest;        // --range-test NAME: with --screenshot, render the range-test dialog of NAME
  QString studyDir;         // --study DIR: open a finished study in a study window (with --screenshot: render it)
  QString studyPoint;       // --study-point ID: with --study, show that configuration's curves
  long cursorStep = -1;     // --step K: the step cursor at K before the screenshot (< 0: live)
  QString lesson;           // --lesson NAME|FILE: a built-in lesson's name or a lesson file
  int lessonStep = 1;       // --lesson-step K: with --lesson, go to step K (1 = the first)
  bool listLessons = false; // --list-lessons: print the built-in lessons and exit
  bool showHelp = false;
  QString error;            // non-empty: bad command line, print and exit with status 2
};

// Parses argv (including argv[0]). Never exits; the caller prints `helpText()` or `error`.
AppOptions parseAppOptions(const QStringList& arguments);
// --step K against the steps recorded (latest: the last step index, -1 for none): empty when K
// can be shown, else the error naming the option and the range.
QString checkCursorStep(long step, long latest);
QString appHelpText();

}  // namespace larslab::ui
