#pragma once
// The results of a batch-size study (engine/study_runner.h) as the two pictures of the question
// LARS asks: final test accuracy against batch size (log x), one line per run with the mean over
// seeds and a min-max band; and steps to the target accuracy against batch size on log-log axes,
// with the line of perfect scaling (steps halve as the batch doubles, Shallue et al. 2019) drawn
// through each run's smallest batch. A configuration that diverged or blew up is a red marker at
// its accuracy (at 0 when it has none), never dropped.

#include <QWidget>
#include <vector>

#include "engine/study_runner.h"

class QChart;
class QLabel;

namespace larslab::ui {

class StudyView : public QWidget {
  Q_OBJECT

 public:
  explicit StudyView(QWidget* parent = nullptr);
  // Reads DIR/study.json and DIR/study.csv; false with lastError() naming the file otherwise.
  bool open(const QString& dir);
  void setResults(const QString& title, double targetAccuracy, std::vector<engine::StudyResult> results);
  [[nodiscard]] QString lastError() const { return lastError_; }
  [[nodiscard]] QChart* accuracyChart() const { return accuracy_; }
  [[nodiscard]] QChart* stepsChart() const { return steps_; }
  // A configuration the pictures mark as failed: diverged, blew up or cancelled.
  static bool failed(const engine::StudyResult& r);

 private:
  void draw();

  QLabel* title_;
  QChart* accuracy_;
  QChart* steps_;
  QString titleText_;
  double target_ = -1.0;
  std::vector<engine::StudyResult> results_;
  QString lastError_;
};

}  // namespace larslab::ui
