#pragma once
// The results of a study (engine/study_runner.h) as the pictures of the question it asks.
//
// A batch-size study: final test accuracy against batch size (log x), one line per run with the
// mean over seeds and a min-max band; and steps to the target accuracy against batch size on
// log-log axes, with the line of perfect scaling (steps halve as the batch doubles, Shallue et
// al. 2019) drawn through each run's smallest batch. A grid study: one heatmap per run (see
// study_heatmap.h). A configuration that diverged or blew up is marked, never dropped; a
// skipped one is listed under the pictures with its reason.
//
// Every point (a batch size of a run, a heatmap cell) opens its training curves below: train
// loss and test accuracy against the step, as the mean over its seeds with a min-max band, read
// from the study's configs/<id>/ folders.

#include <QPointF>
#include <QWidget>
#include <optional>
#include <vector>

#include "engine/study.h"
#include "engine/study_runner.h"

class QAbstractSeries;
class QChart;
class QComboBox;
class QLabel;
class QStackedWidget;
class QHBoxLayout;

namespace larslab::ui {

class StudyHeatmap;

class StudyView : public QWidget {
  Q_OBJECT

 public:
  explicit StudyView(QWidget* parent = nullptr);
  // Reads DIR/study.json and DIR/study.csv; false with lastError() naming the file otherwise.
  bool open(const QString& dir);
  // `dir`: where the configurations' metric files are (empty: curves cannot be shown).
  void setStudy(engine::StudySpec spec, std::vector<engine::StudyResult> results, const QString& dir = {});
  // Replaces the results only (a running study's finished configurations), keeping the selection.
  void setResults(std::vector<engine::StudyResult> results);

  // Shows the training curves of the configurations sharing `id`'s run and point (all its
  // seeds); false when no result has that id.
  bool selectConfiguration(const QString& id);
  [[nodiscard]] const std::vector<std::string>& selectedIds() const { return selectedIds_; }

  [[nodiscard]] QString lastError() const { return lastError_; }
  [[nodiscard]] QChart* accuracyChart() const { return accuracy_; }
  [[nodiscard]] QChart* stepsChart() const { return steps_; }
  [[nodiscard]] QChart* curvesChart() const { return curves_; }
  [[nodiscard]] const std::vector<StudyHeatmap*>& heatmaps() const { return heatmaps_; }
  [[nodiscard]] QComboBox* heatmapMetricCombo() const { return heatmapMetric_; }
  [[nodiscard]] QString summaryText() const;
  [[nodiscard]] QString notesText() const;
  [[nodiscard]] bool showsGrid() const { return spec_.grid.has_value(); }
  // A configuration the pictures mark as failed: diverged, blew up or cancelled.
  static bool failed(const engine::StudyResult& r);
  static bool skipped(const engine::StudyResult& r);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;  // clicks on the batch charts

 private:
  // A point a click on a chart selects: where it is drawn and the configuration it stands for.
  struct ClickTarget {
    QChart* chart;
    QAbstractSeries* series;
    QPointF point;
    std::string id;
  };

  void draw();
  void drawBatchCharts();
  void drawHeatmaps();
  void drawCurves();
  void outlineSelection();
  void markSelection();

  QLabel* title_;
  QStackedWidget* pictures_;
  QChart* accuracy_;
  QChart* steps_;
  QComboBox* heatmapMetric_;
  QHBoxLayout* heatmapRow_;
  std::vector<StudyHeatmap*> heatmaps_;
  QChart* curves_;
  QLabel* notes_;
  engine::StudySpec spec_;
  std::vector<engine::StudyResult> results_;
  QString dir_;
  std::vector<std::string> selectedIds_;
  std::vector<ClickTarget> clickTargets_;
  QString lastError_;
};

}  // namespace larslab::ui
