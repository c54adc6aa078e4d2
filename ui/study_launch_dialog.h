#pragma once
// Training > Run study…: which study to run (a built-in one or a study file), where its results
// go and how many configurations train at once. It says what the study will do (configurations,
// epochs, scaling) before anything starts, and asks before reusing a folder that holds a study.

#include <QDialog>
#include <functional>
#include <optional>

#include "engine/study.h"

class QComboBox;
class QWidget;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace larslab::ui {

class StudyLaunchDialog : public QDialog {
  Q_OBJECT

 public:
  explicit StudyLaunchDialog(QWidget* parent = nullptr);

  // Offers "the running experiment" first (and selects it): a batch-size study of it built from
  // the fields below the choice (batch sizes, seeds, LR scaling, target accuracy).
  void setCurrentExperiment(const engine::ExperimentSpec& experiment);
  // The fields of that choice, as the user would type them; false (reason shown) when invalid.
  bool setCurrentStudyFields(const QString& batchSizes, int seeds, const QString& lrScaling,
                             const QString& targetAccuracy);
  // Adds a study file to the choices and selects it; false (reason shown) when it does not load.
  bool addStudyFile(const QString& path);
  bool chooseBuiltin(const QString& resourcePath);
  void setOutputDirectory(const QString& dir);
  void setThreads(int threads);
  [[nodiscard]] const std::optional<engine::StudySpec>& study() const { return study_; }
  [[nodiscard]] QString outputDirectory() const;
  [[nodiscard]] int threads() const;
  [[nodiscard]] QString message() const;  // what the study will do, or why it cannot run
  [[nodiscard]] QComboBox* studyCombo() const { return studyBox_; }
  // Asked before writing into a folder that already holds study files (true: overwrite).
  // Default: a question box.
  void setOverwritePrompt(std::function<bool(const QString& question)> prompt) {
    overwritePrompt_ = std::move(prompt);
  }
  // Run: accepts when the study loaded and the folder may be written.
  bool tryAccept();

 private:
  void onStudyChosen();
  // The running experiment as a study from the fields; throws with a message naming the field.
  engine::StudySpec currentStudy() const;
  void browseStudy();
  void browseOutput();

  QComboBox* studyBox_;
  QWidget* currentFields_;
  QLineEdit* batchSizesEdit_;
  QSpinBox* seedsBox_;
  QComboBox* scalingBox_;
  QLineEdit* targetEdit_;
  std::optional<engine::ExperimentSpec> current_;
  QLabel* summary_;
  QLineEdit* outputEdit_;
  QSpinBox* threadsBox_;
  QPushButton* runButton_;
  std::optional<engine::StudySpec> study_;
  QString studyStem_;  // names the default output folder
  bool outputEdited_ = false;
  std::function<bool(const QString&)> overwritePrompt_;
};

// Where a study's results go unless the user says otherwise: Documents/LARS Lab studies/<stem>-<time>.
QString defaultStudyDirectory(const QString& stem);

}  // namespace larslab::ui
