#include "tuning_panel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSlider>
#include <QVBoxLayout>

#include "hyperparameter_control.h"
#include "run_colors.h"
#include "run_editor.h"

namespace larslab::ui {

TuningPanel::TuningPanel(RunColorMap* colors, QWidget* parent) : QWidget(parent), colors_(colors) {
  // Scrolls rather than squeezing the sliders when an optimizer has many hyperparameters.
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* content = new QWidget(scroll);
  scroll->setWidget(content);
  outer->addWidget(scroll);
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(6, 6, 6, 6);
  auto* top = new QFormLayout;
  runCombo_ = new QComboBox(content);
  runCombo_->setObjectName(QStringLiteral("tuningRun"));
  runCombo_->setToolTip(tr("The run whose hyperparameters the sliders change while it trains."));
  top->addRow(tr("Run"), runCombo_);
  layout->addLayout(top);
  optimizerLabel_ = new QLabel(content);
  optimizerLabel_->setWordWrap(true);
  optimizerLabel_->setForegroundRole(QPalette::PlaceholderText);
  layout->addWidget(optimizerLabel_);
  formHost_ = new QWidget(content);
  form_ = new QFormLayout(formHost_);
  form_->setContentsMargins(0, 0, 0, 0);
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form_->setRowWrapPolicy(QFormLayout::WrapAllRows);
  layout->addWidget(formHost_);
  note_ = new QLabel(content);
  note_->setWordWrap(true);
  note_->setVisible(false);
  layout->addWidget(note_);
  auto* hint = new QLabel(tr("Changes act at the next step, keep the optimizer's state, and appear as markers on the charts."), content);
  hint->setWordWrap(true);
  hint->setForegroundRole(QPalette::PlaceholderText);
  layout->addWidget(hint);
  layout->addStretch(1);

  connect(runCombo_, &QComboBox::currentIndexChanged, this, [this] {
    const QString name = runCombo_->currentData().toString();
    if (name.isEmpty() || name == selectedRun_) return;
    selectedRun_ = name;
    rebuild();
    Q_EMIT selectedRunChanged(name);
  });
}

void TuningPanel::setRuns(const std::vector<engine::RunSpec>& runs) {
  runs_ = runs;
  const QSignalBlocker block(runCombo_);
  runCombo_->clear();
  for (const auto& r : runs_) {
    const QString name = QString::fromStdString(r.name);
    runCombo_->addItem(name, name);
    runCombo_->setItemData(runCombo_->count() - 1, colors_->color(name), Qt::DecorationRole);
  }
  int i = runCombo_->findData(selectedRun_);
  if (i < 0 && runCombo_->count() > 0) i = 0;
  runCombo_->setCurrentIndex(i);
  selectedRun_ = runCombo_->currentData().toString();
  rebuild();
}

void TuningPanel::setSelectedRun(const QString& run) {
  if (run == selectedRun_) return;
  const int i = runCombo_->findData(run);
  if (i < 0) return;
  selectedRun_ = run;
  {
    const QSignalBlocker block(runCombo_);
    runCombo_->setCurrentIndex(i);
  }
  rebuild();
}

HyperparameterControl* TuningPanel::control(const QString& name) const {
  for (auto* c : controls_)
    if (QString::fromStdString(c->spec().name) == name) return c;
  return nullptr;
}

void TuningPanel::rebuild() {
  const engine::RunSpec* run = nullptr;
  for (const auto& r : runs_)
    if (QString::fromStdString(r.name) == selectedRun_) run = &r;
  const std::string type = run ? run->optimizer.type : std::string();
  if (type == builtForType_ && selectedRun_ == builtForRun_ && !controls_.empty()) {
    // Same optimizer: only the values change.
    for (auto* c : controls_) c->setValue(optim::effectiveHyperparameter(run->optimizer, c->spec()));
    return;
  }
  builtForType_ = type;
  builtForRun_ = selectedRun_;
  while (form_->rowCount() > 0) form_->removeRow(0);
  controls_.clear();
  const optim::OptimizerInfo* info = run ? optim::findOptimizer(type) : nullptr;
  if (info == nullptr) {
    optimizerLabel_->setText(run ? tr("Unknown optimizer") : tr("No run to tune."));
    return;
  }
  optimizerLabel_->setText(QString::fromStdString(info->displayName + ": " + info->summary));
  for (const auto& h : info->hyperparameters) {
    auto* c = new HyperparameterControl(h, /*showSlider=*/true, formHost_);
    c->setValue(optim::effectiveHyperparameter(run->optimizer, h));
    auto* label = new QLabel(QString::fromStdString(h.label), formHost_);
    label->setToolTip(QString::fromStdString(h.help));
    form_->addRow(label, c);
    controls_.push_back(c);
    connect(c, &HyperparameterControl::valueEdited, this, [this, name = QString::fromStdString(h.name)](double v) {
      Q_EMIT hyperparameterEdited(selectedRun_, name, v);
    });
  }
  applyRestrictions();
}

void TuningPanel::setRestrictions(const QStringList& hidden, const QStringList& locked) {
  hidden_ = hidden;
  locked_ = locked;
  applyRestrictions();
}

void TuningPanel::applyRestrictions() {
  for (HyperparameterControl* c : controls_) {
    const QString name = QString::fromStdString(c->spec().name);
    form_->setRowVisible(c, !hidden_.contains(name));
    const bool locked = locked_.contains(name);
    c->setEnabled(!locked);
    c->setToolTip(locked ? tr("Locked by the lesson for this step") : QString());
  }
}

void TuningPanel::showValues(const std::vector<std::pair<std::string, double>>& values) {
  for (const auto& [name, v] : values) {
    HyperparameterControl* c = control(QString::fromStdString(name));
    if (c == nullptr || c->spinBox()->hasFocus()) continue;
    c->setValue(v);
  }
}

void TuningPanel::setNote(const QString& note) {
  note_->setText(note);
  note_->setVisible(!note.isEmpty());
}

void TuningPanel::setReadOnly(bool readOnly) { formHost_->setEnabled(!readOnly); }

}  // namespace larslab::ui
