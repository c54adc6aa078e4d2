#pragma once
// Training > Range test…: the range test of engine/range_test.h on a run of the experiment as it
// stands (tuned values included). The test trains a copy in a background thread, so the window's
// own session is untouched; the dialog shows progress with the time left, can cancel, plots the
// loss against the value on a log axis and offers the suggestion as a button that applies it to
// the run (as if the user had typed it in the tuning panel).

#include <QDialog>
#include <QElapsedTimer>
#include <atomic>
#include <optional>
#include <thread>

#include "engine/experiment.h"
#include "engine/range_test.h"

class QChart;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace larslab::ui {

class RangeTestDialog : public QDialog {
  Q_OBJECT

 public:
  RangeTestDialog(engine::ExperimentSpec experiment, const QString& run, int threads,
                  QWidget* parent = nullptr);
  ~RangeTestDialog() override;  // cancels and joins a test in progress

  // Chooses what to test (as the controls would); false when the run or hyperparameter is unknown.
  bool choose(const QString& run, const QString& hyperparameter);
  // Starts the test with the controls' values; false (and the reason shown) when they are invalid.
  bool start();
  void cancel();
  [[nodiscard]] bool running() const { return worker_.joinable(); }
  [[nodiscard]] const std::optional<engine::RangeTestResult>& result() const { return result_; }
  [[nodiscard]] QString message() const;  // the line under the plot

 Q_SIGNALS:
  void finished();  // a test ended (finished, diverged or cancelled) and is drawn
  void applyRequested(const QString& run, const QString& hyperparameter, double value);

 private:
  void fillHyperparameters();
  void setBoundsForHyperparameter();
  void onProgress(long done, long total);
  void onFinished(engine::RangeTestResult result, QString error);
  void draw();
  void joinWorker();

  engine::ExperimentSpec experiment_;
  int threads_;
  QComboBox* runBox_;
  QComboBox* nameBox_;
  QLineEdit* fromEdit_;
  QLineEdit* toEdit_;
  QSpinBox* stepsBox_;
  QPushButton* startButton_;
  QPushButton* cancelButton_;
  QPushButton* applyButton_;
  QProgressBar* progress_;
  QLabel* timeLeft_;
  QLabel* message_;
  QChart* chart_;
  std::thread worker_;
  std::atomic<bool> cancel_{false};
  QElapsedTimer clock_;
  std::optional<engine::RangeTestResult> result_;
};

}  // namespace larslab::ui
