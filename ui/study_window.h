#pragma once
// A study in a window of its own: File > Open study… shows a finished one, Training > Run
// study… runs one in the background and shows its results as configurations finish.
//
// The study trains in a std::thread (engine::runStudy, configurations in parallel on TBB); the
// window gets throttled progress (at most 10 updates a second) with the time left, and Stop.
// Nothing is lost: study.json is written before the first step, study.csv again after every
// configuration (the finished ones), so a crash or a kill leaves a study that opens with what
// had finished; stopping or closing the window marks the rest "cancelled" and saves.

#include <QElapsedTimer>
#include <QWidget>
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/study.h"
#include "engine/study_runner.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace larslab::ui {

class StudyView;

class StudyWindow : public QWidget {
  Q_OBJECT

 public:
  explicit StudyWindow(QWidget* parent = nullptr);
  ~StudyWindow() override;  // stops a running study, waits for it and saves what finished

  // A finished (or stopped) study's folder; false with lastError() naming the file otherwise.
  bool open(const QString& dir);
  // Trains `spec` into `dir` in the background; false with lastError() when it cannot start
  // (a folder that cannot be written, a study without configurations).
  bool start(engine::StudySpec spec, const QString& dir, int threads);
  void stop();  // asks the running study to stop between steps; finished() follows
  [[nodiscard]] bool running() const { return worker_.joinable(); }
  [[nodiscard]] StudyView* view() const { return view_; }
  [[nodiscard]] QString lastError() const { return lastError_; }
  [[nodiscard]] QString progressText() const;  // "12 of 21 configurations, about 2 min left"
  [[nodiscard]] QString directory() const { return dir_; }
  // Asked before closing the window stops a running study (true: stop and close). Default: a
  // question box; tests and scripted windows set their own.
  void setStopPrompt(std::function<bool()> prompt) { stopPrompt_ = std::move(prompt); }

 Q_SIGNALS:
  void finished();  // the running study ended (finished or stopped) and study.csv is written

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void onProgress(engine::StudyProgress progress);
  void onConfigurationDone();
  void onFinished(QString error);
  void join();

  StudyView* view_;
  QWidget* runBar_;
  QProgressBar* progress_;
  QLabel* progressLabel_;
  QPushButton* stopButton_;
  QString dir_;
  QString lastError_;
  engine::StudySpec spec_;
  std::vector<engine::StudyConfiguration> configurations_;
  std::thread worker_;
  std::atomic<bool> cancel_{false};
  // Written by the worker (under resultsMutex_), read by the GUI thread.
  std::mutex resultsMutex_;
  std::vector<std::optional<engine::StudyResult>> results_;
  engine::StudyProgress lastProgress_;
  QElapsedTimer clock_;
  std::function<bool()> stopPrompt_;
};

// The finished configurations, in configuration order.
std::vector<engine::StudyResult> finishedResults(const std::vector<std::optional<engine::StudyResult>>& all);

}  // namespace larslab::ui
