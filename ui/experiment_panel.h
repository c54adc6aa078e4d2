#pragma once
// The experiment panel: dataset and its parameters, training length, batch size and seed, the
// model's layers, and the runs (add, duplicate, remove; each edited with a RunEditor generated
// from the optimizer registry). It edits a draft; "Apply" hands the draft to the window, which
// applies it live when it can (hyperparameters, options, added/removed runs) and otherwise
// restarts training with it. Live tuning from the sliders is mirrored into the draft, so no
// tuned value is lost by an Apply.

#include <QWidget>

#include "engine/experiment.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace larslab::ui {

class CsvPreview;
class RunColorMap;
class RunEditor;

class ExperimentPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ExperimentPanel(RunColorMap* colors, QWidget* parent = nullptr);

  // A new experiment: draft and baseline both become `spec`.
  void setSpec(const engine::ExperimentSpec& spec);
  // The running session's spec changed (tuning, applied edits): the baseline follows, and
  // draft fields the user has not edited follow too.
  // With keepDraft the draft is left exactly as it is (it becomes pending edits).
  void setBaseline(const engine::ExperimentSpec& current, bool keepDraft = false);
  // Replaces the draft (a restored autosave's unapplied edits); the baseline stays.
  void setDraft(const engine::ExperimentSpec& draft);
  // A sentence shown above Apply while the draft differs from the running experiment, saying
  // where the draft came from (an experiment that failed to start, say); cleared when the draft
  // is applied or reverted, or a new experiment is shown.
  void setDraftNotice(const QString& notice);
  [[nodiscard]] QString draftNotice() const { return draftNotice_; }
  [[nodiscard]] const engine::ExperimentSpec& draft() const { return draft_; }
  [[nodiscard]] const engine::ExperimentSpec& baseline() const { return baseline_; }
  [[nodiscard]] bool isDirty() const;
  void revert();
  void setReadOnly(bool readOnly);
  void selectRun(const QString& name);
  [[nodiscard]] QString selectedRun() const;

  [[nodiscard]] QPushButton* applyButton() const { return apply_; }
  [[nodiscard]] QPushButton* addRunButton() const { return addRun_; }
  [[nodiscard]] QPushButton* duplicateRunButton() const { return duplicateRun_; }
  [[nodiscard]] QPushButton* removeRunButton() const { return removeRun_; }
  [[nodiscard]] QListWidget* runList() const { return runList_; }
  [[nodiscard]] RunEditor* runEditor() const { return runEditor_; }
  [[nodiscard]] QSpinBox* batchSizeBox() const { return batchSize_; }
  [[nodiscard]] CsvPreview* csvPreview() const { return csvPreview_; }

 Q_SIGNALS:
  void applyRequested(const larslab::engine::ExperimentSpec& draft);
  void selectedRunChanged(const QString& run);
  void dirtyChanged(bool dirty);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void loadDraftIntoWidgets();
  void loadLayers();
  void loadRuns();
  void readDataWidgets();
  void readLayers();
  void syncDatasetVisibility();
  void draftChanged();
  void addRun();
  void duplicateRun();
  void removeRun();
  void addLayer();
  void removeLayer();
  void moveLayer(int delta);
  [[nodiscard]] std::string uniqueRunName(const std::string& base) const;
  [[nodiscard]] int selectedRunIndex() const;
  void showDescription();

  RunColorMap* colors_;
  engine::ExperimentSpec draft_;
  engine::ExperimentSpec baseline_;
  QString draftNotice_;
  bool loading_ = false;
  bool readOnly_ = false;

  QLineEdit* name_ = nullptr;
  QLabel* description_ = nullptr;
  bool descriptionExpanded_ = false;  // "Show all" clicked
  QComboBox* datasetKind_ = nullptr;
  QSpinBox* samples_ = nullptr;
  QDoubleSpinBox* noise_ = nullptr;
  QDoubleSpinBox* testFraction_ = nullptr;
  QLineEdit* path_ = nullptr;
  QPushButton* browse_ = nullptr;
  CsvPreview* csvPreview_ = nullptr;
  QCheckBox* standardize_ = nullptr;
  QCheckBox* regression_ = nullptr;
  QSpinBox* limit_ = nullptr;
  QSpinBox* batchSize_ = nullptr;
  QComboBox* lengthUnit_ = nullptr;
  QDoubleSpinBox* length_ = nullptr;
  QSpinBox* evalEvery_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QCheckBox* shuffle_ = nullptr;
  QTableWidget* layers_ = nullptr;
  QComboBox* loss_ = nullptr;
  QListWidget* runList_ = nullptr;
  QPushButton* addRun_ = nullptr;
  QPushButton* duplicateRun_ = nullptr;
  QPushButton* removeRun_ = nullptr;
  RunEditor* runEditor_ = nullptr;
  QPushButton* apply_ = nullptr;
  QPushButton* revert_ = nullptr;
  QLabel* pending_ = nullptr;
  QWidget* formArea_ = nullptr;
  QFormLayout* dataForm_ = nullptr;
};

}  // namespace larslab::ui
