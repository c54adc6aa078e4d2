#include "run_editor.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

#include "hyperparameter_control.h"

namespace larslab::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Removes every row of a form layout, deleting its widgets.
void clearForm(QFormLayout* form) {
  while (form->rowCount() > 0) form->removeRow(0);
}

QString scheduleHelp(const QString& kind) {
  if (kind == QLatin1String("constant")) return QObject::tr("The learning rate stays at its base value.");
  if (kind == QLatin1String("polynomial"))
    return QObject::tr("lr * (1 - t/T)^power down to the final factor; the LARS paper uses power 2.");
  if (kind == QLatin1String("cosine")) return QObject::tr("Half a cosine from the base LR down to the final factor.");
  if (kind == QLatin1String("step")) return QObject::tr("Multiply the LR by gamma every 'step size' steps.");
  return {};
}

}  // namespace

RunEditor::RunEditor(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);

  auto* top = new QFormLayout;
  top->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  name_ = new QLineEdit(this);
  name_->setObjectName(QStringLiteral("runName"));
  name_->setToolTip(tr("Name of the run; it labels the run's curves and must be unique."));
  top->addRow(tr("Name"), name_);
  type_ = new QComboBox(this);
  type_->setObjectName(QStringLiteral("optimizerType"));
  type_->setToolTip(tr("Which optimizer this run trains with; every run starts from the same weights."));
  for (const auto& info : optim::optimizerRegistry()) {
    type_->addItem(qs(info.displayName), qs(info.type));
    type_->setItemData(type_->count() - 1, qs(info.summary + " (" + info.reference + ")"), Qt::ToolTipRole);
  }
  top->addRow(tr("Optimizer"), type_);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setForegroundRole(QPalette::PlaceholderText);
  top->addRow(summary_);
  preset_ = new QComboBox(this);
  preset_->setObjectName(QStringLiteral("optimizerPreset"));
  preset_->setToolTip(tr("Reproduce the conventions of a published implementation in one click."));
  top->addRow(tr("Preset"), preset_);
  layout->addLayout(top);

  auto* hyperGroup = new QGroupBox(tr("Hyperparameters"), this);
  hyperGroup->setToolTip(tr("Starting values; change them live while training in the Live tuning panel."));
  hyperForm_ = new QFormLayout(hyperGroup);
  hyperForm_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  hyperBox_ = hyperGroup;
  layout->addWidget(hyperGroup);

  auto* optionGroup = new QGroupBox(tr("Conventions"), this);
  optionGroup->setToolTip(tr("Where public implementations of this optimizer differ; each is switchable."));
  optionForm_ = new QFormLayout(optionGroup);
  optionForm_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  optionBox_ = optionGroup;
  layout->addWidget(optionGroup);

  auto* scheduleGroup = new QGroupBox(tr("Learning-rate schedule"), this);
  scheduleForm_ = new QFormLayout(scheduleGroup);
  scheduleForm_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  scheduleKind_ = new QComboBox(scheduleGroup);
  scheduleKind_->setObjectName(QStringLiteral("scheduleKind"));
  for (const auto& k : optim::scheduleKinds()) {
    scheduleKind_->addItem(qs(k), qs(k));
    scheduleKind_->setItemData(scheduleKind_->count() - 1, scheduleHelp(qs(k)), Qt::ToolTipRole);
  }
  scheduleKind_->setToolTip(tr("How the global learning rate changes over the run."));
  scheduleForm_->addRow(tr("Kind"), scheduleKind_);
  warmup_ = new QSpinBox(scheduleGroup);
  warmup_->setRange(0, 100'000'000);
  warmup_->setToolTip(tr("Steps of linear warm-up from about 0 to the base learning rate."));
  scheduleForm_->addRow(tr("Warm-up steps"), warmup_);
  power_ = new QDoubleSpinBox(scheduleGroup);
  power_->setRange(0.0, 10.0);
  power_->setDecimals(2);
  power_->setToolTip(tr("Exponent of the polynomial decay (the LARS paper uses 2)."));
  scheduleForm_->addRow(tr("Power"), power_);
  finalFactor_ = new QDoubleSpinBox(scheduleGroup);
  finalFactor_->setRange(0.0, 1.0);
  finalFactor_->setDecimals(4);
  finalFactor_->setSingleStep(0.01);
  finalFactor_->setToolTip(tr("Floor of the decay as a fraction of the base learning rate."));
  scheduleForm_->addRow(tr("Final factor"), finalFactor_);
  stepSize_ = new QSpinBox(scheduleGroup);
  stepSize_->setRange(1, 100'000'000);
  stepSize_->setToolTip(tr("Steps between two multiplications by gamma."));
  scheduleForm_->addRow(tr("Step size"), stepSize_);
  gamma_ = new QDoubleSpinBox(scheduleGroup);
  gamma_->setRange(0.0, 1.0);
  gamma_->setDecimals(4);
  gamma_->setSingleStep(0.05);
  gamma_->setToolTip(tr("Factor applied to the learning rate every 'step size' steps."));
  scheduleForm_->addRow(tr("Gamma"), gamma_);
  layout->addWidget(scheduleGroup);

  connect(name_, &QLineEdit::editingFinished, this, [this] {
    if (loading_) return;
    const std::string n = name_->text().trimmed().toStdString();
    if (n.empty() || n == run_.name) {
      name_->setText(qs(run_.name));
      return;
    }
    run_.name = n;
    emitEdited();
  });
  connect(type_, &QComboBox::currentIndexChanged, this, [this] { onTypeChanged(); });
  connect(preset_, &QComboBox::currentIndexChanged, this, [this] { onPresetChanged(); });
  connect(scheduleKind_, &QComboBox::currentIndexChanged, this, [this] {
    syncScheduleVisibility();
    if (loading_) return;
    run_.schedule.kind = scheduleKind_->currentData().toString().toStdString();
    emitEdited();
  });
  auto scheduleEdited = [this] {
    if (loading_) return;
    run_.schedule.warmupSteps = warmup_->value();
    run_.schedule.power = power_->value();
    run_.schedule.finalFactor = finalFactor_->value();
    run_.schedule.stepSize = stepSize_->value();
    run_.schedule.gamma = gamma_->value();
    emitEdited();
  };
  for (QSpinBox* s : {warmup_, stepSize_}) {
    s->setKeyboardTracking(false);
    connect(s, &QSpinBox::valueChanged, this, scheduleEdited);
  }
  for (QDoubleSpinBox* s : {power_, finalFactor_, gamma_}) {
    s->setKeyboardTracking(false);
    connect(s, &QDoubleSpinBox::valueChanged, this, scheduleEdited);
  }
  setEnabled(false);
}

void RunEditor::clear() {
  run_ = {};
  setEnabled(false);
}

void RunEditor::setRun(const engine::RunSpec& run) {
  loading_ = true;
  run_ = run;
  setEnabled(!run.name.empty());
  name_->setText(qs(run.name));
  const int typeIndex = type_->findData(qs(run.optimizer.type));
  type_->setCurrentIndex(typeIndex);
  rebuildOptimizerFields();
  const int kindIndex = scheduleKind_->findData(qs(run.schedule.kind));
  scheduleKind_->setCurrentIndex(std::max(0, kindIndex));
  warmup_->setValue(static_cast<int>(std::min<long>(run.schedule.warmupSteps, warmup_->maximum())));
  power_->setValue(run.schedule.power);
  finalFactor_->setValue(run.schedule.finalFactor);
  stepSize_->setValue(static_cast<int>(std::clamp<long>(run.schedule.stepSize, 1, stepSize_->maximum())));
  gamma_->setValue(run.schedule.gamma);
  syncScheduleVisibility();
  loading_ = false;
}

void RunEditor::syncScheduleVisibility() {
  const QString kind = scheduleKind_->currentData().toString();
  const bool decays = kind == QLatin1String("polynomial") || kind == QLatin1String("cosine");
  scheduleForm_->setRowVisible(power_, kind == QLatin1String("polynomial"));
  scheduleForm_->setRowVisible(finalFactor_, decays);
  scheduleForm_->setRowVisible(stepSize_, kind == QLatin1String("step"));
  scheduleForm_->setRowVisible(gamma_, kind == QLatin1String("step"));
  scheduleKind_->setToolTip(scheduleHelp(kind));
}

void RunEditor::rebuildOptimizerFields() {
  const bool wasLoading = loading_;
  loading_ = true;
  clearForm(hyperForm_);
  clearForm(optionForm_);
  hyperControls_.clear();
  optionCombos_.clear();
  preset_->clear();
  const optim::OptimizerInfo* info = optim::findOptimizer(run_.optimizer.type);
  if (info == nullptr) {
    summary_->setText(tr("Unknown optimizer \"%1\".").arg(qs(run_.optimizer.type)));
    loading_ = wasLoading;
    return;
  }
  summary_->setText(qs(info->summary));
  summary_->setToolTip(qs(info->reference));

  if (info->defaultPreset.empty()) {
    preset_->addItem(tr("(none)"), QString());
    preset_->setItemData(0, tr("Every convention at its default value."), Qt::ToolTipRole);
  } else {
    preset_->addItem(tr("(default: %1)").arg(qs(info->defaultPreset)), QString());
    preset_->setItemData(0, tr("The optimizer's default conventions, those of the %1 preset.").arg(qs(info->defaultPreset)),
                         Qt::ToolTipRole);
  }
  for (const auto& p : info->presets) {
    preset_->addItem(qs(p.name), qs(p.name));
    preset_->setItemData(preset_->count() - 1, qs(p.help), Qt::ToolTipRole);
  }
  preset_->setCurrentIndex(std::max(0, preset_->findData(qs(run_.optimizer.preset))));
  preset_->setEnabled(!info->presets.empty());

  for (const auto& h : info->hyperparameters) {
    auto* control = new HyperparameterControl(h, /*showSlider=*/false, hyperBox_);
    control->setValue(optim::effectiveHyperparameter(run_.optimizer, h));
    auto* label = new QLabel(qs(h.label), hyperBox_);
    label->setToolTip(qs(h.help));
    hyperForm_->addRow(label, control);
    hyperControls_.push_back(control);
    connect(control, &HyperparameterControl::valueEdited, this, [this, name = h.name](double v) {
      if (loading_) return;
      run_.optimizer.hyperparameters[name] = v;
      emitEdited();
    });
  }
  hyperBox_->setVisible(!info->hyperparameters.empty());

  for (const auto& o : info->options) {
    auto* combo = new QComboBox(optionBox_);
    combo->setObjectName(QString::fromStdString("option_" + o.name));
    for (const auto& c : o.choices) combo->addItem(qs(c), qs(c));
    combo->setCurrentIndex(std::max(0, combo->findData(qs(optim::effectiveOption(run_.optimizer, o)))));
    combo->setToolTip(qs(o.help));
    auto* label = new QLabel(qs(o.label), optionBox_);
    label->setToolTip(qs(o.help));
    optionForm_->addRow(label, combo);
    optionCombos_.push_back(combo);
    connect(combo, &QComboBox::currentIndexChanged, this, [this, combo, name = o.name] {
      if (loading_) return;
      run_.optimizer.options[name] = combo->currentData().toString().toStdString();
      emitEdited();
    });
  }
  optionBox_->setVisible(!info->options.empty());
  loading_ = wasLoading;
}

void RunEditor::onTypeChanged() {
  if (loading_) return;
  const std::string type = type_->currentData().toString().toStdString();
  if (type == run_.optimizer.type) return;
  // A different optimizer: its own hyperparameters and options start at their defaults.
  run_.optimizer = {};
  run_.optimizer.type = type;
  rebuildOptimizerFields();
  emitEdited();
}

void RunEditor::onPresetChanged() {
  if (loading_) return;
  const std::string preset = preset_->currentData().toString().toStdString();
  run_.optimizer.preset = preset;
  // The preset decides the conventions (and the constants the implementation hard-codes).
  run_.optimizer.options.clear();
  if (const optim::PresetSpec* p = optim::effectivePreset(run_.optimizer))
    for (const auto& [k, v] : p->hyperparameters) run_.optimizer.hyperparameters.erase(k);
  rebuildOptimizerFields();
  emitEdited();
}

void RunEditor::emitEdited() { Q_EMIT edited(run_); }

}  // namespace larslab::ui
