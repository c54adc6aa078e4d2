#pragma once
// Editor for one run of the experiment draft: name, optimizer, preset, hyperparameters,
// convention options and schedule. Every optimizer field is generated from the optimizer
// registry (optim::optimizerRegistry()); nothing here knows a particular optimizer.

#include <QWidget>
#include <vector>

#include "engine/experiment.h"

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace larslab::ui {

class HyperparameterControl;

class RunEditor : public QWidget {
  Q_OBJECT
 public:
  explicit RunEditor(QWidget* parent = nullptr);

  // Shows `run` (no edited signal). An empty name disables the editor.
  void setRun(const engine::RunSpec& run);
  [[nodiscard]] const engine::RunSpec& run() const { return run_; }
  void clear();

 Q_SIGNALS:
  void edited(const larslab::engine::RunSpec& run);

 private:
  void rebuildOptimizerFields();
  void syncScheduleVisibility();
  void onTypeChanged();
  void onPresetChanged();
  void emitEdited();

  engine::RunSpec run_;
  bool loading_ = false;
  QLineEdit* name_ = nullptr;
  QComboBox* type_ = nullptr;
  QLabel* summary_ = nullptr;
  QComboBox* preset_ = nullptr;
  QWidget* hyperBox_ = nullptr;
  QFormLayout* hyperForm_ = nullptr;
  QWidget* optionBox_ = nullptr;
  QFormLayout* optionForm_ = nullptr;
  std::vector<HyperparameterControl*> hyperControls_;
  std::vector<QComboBox*> optionCombos_;
  QComboBox* scheduleKind_ = nullptr;
  QSpinBox* warmup_ = nullptr;
  QDoubleSpinBox* power_ = nullptr;
  QDoubleSpinBox* finalFactor_ = nullptr;
  QSpinBox* stepSize_ = nullptr;
  QDoubleSpinBox* gamma_ = nullptr;
  QFormLayout* scheduleForm_ = nullptr;
};

}  // namespace larslab::ui
