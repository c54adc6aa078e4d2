#pragma once
// Live tuning of the selected run: one slider + spin box per hyperparameter of its optimizer
// (from the registry, log-scaled where the registry says so). Edits go to the running session
// and act at the next step, without a reset.

#include <QString>
#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/experiment.h"

class QComboBox;
class QFormLayout;
class QLabel;

namespace larslab::ui {

class HyperparameterControl;
class RunColorMap;

class TuningPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TuningPanel(RunColorMap* colors, QWidget* parent = nullptr);

  // The runs of the live session (its store's experiment record). Keeps the selection when possible.
  void setRuns(const std::vector<engine::RunSpec>& runs);
  void setSelectedRun(const QString& run);
  [[nodiscard]] QString selectedRun() const { return selectedRun_; }
  // Shows these values (the engine's applied ones); controls being edited are left alone.
  void showValues(const std::vector<std::pair<std::string, double>>& values);
  void setNote(const QString& note);  // e.g. "diverged at step 12: press Reset"
  void setReadOnly(bool readOnly);
  // Hyperparameters (by name) a lesson step hides or shows disabled; kept when the run changes.
  void setRestrictions(const QStringList& hidden, const QStringList& locked);

  [[nodiscard]] HyperparameterControl* control(const QString& name) const;
  [[nodiscard]] std::vector<HyperparameterControl*> controls() const { return controls_; }

 Q_SIGNALS:
  void selectedRunChanged(const QString& run);
  void hyperparameterEdited(const QString& run, const QString& name, double value);

 private:
  void rebuild();
  void applyRestrictions();
  QStringList hidden_, locked_;

  RunColorMap* colors_;
  std::vector<engine::RunSpec> runs_;
  QString selectedRun_;
  std::string builtForType_;
  QString builtForRun_;
  QComboBox* runCombo_ = nullptr;
  QLabel* optimizerLabel_ = nullptr;
  QLabel* note_ = nullptr;
  QWidget* formHost_ = nullptr;
  QFormLayout* form_ = nullptr;
  std::vector<HyperparameterControl*> controls_;
};

}  // namespace larslab::ui
