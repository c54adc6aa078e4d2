#include "experiment_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "apply_plan.h"
#include "csv_preview.h"
#include "data/dataset_facts.h"
#include "data/synthetic.h"
#include "nn/layer_registry.h"
#include "run_colors.h"
#include "run_editor.h"

namespace larslab::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QIcon colorDot(const QColor& c) {
  QPixmap pm(12, 12);
  pm.fill(Qt::transparent);
  QPainter p(&pm);
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(c);
  p.setPen(Qt::NoPen);
  p.drawEllipse(QRectF(1, 1, 10, 10));
  return QIcon(pm);
}

}  // namespace

ExperimentPanel::ExperimentPanel(RunColorMap* colors, QWidget* parent) : QWidget(parent), colors_(colors) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  formArea_ = new QWidget(this);
  auto* layout = new QVBoxLayout(formArea_);
  layout->setContentsMargins(6, 6, 6, 0);
  outer->addWidget(formArea_, 1);
  // Runs, data and model on tabs: each fits a laptop screen without scrolling far.
  auto* tabs = new QTabWidget(formArea_);
  tabs->setObjectName(QStringLiteral("experimentTabs"));
  tabs->setDocumentMode(true);
  auto addPage = [tabs](QWidget* content, const QString& title, const QString& tip) {
    auto* scroll = new QScrollArea(tabs);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(content);
    tabs->addTab(scroll, title);
    tabs->setTabToolTip(tabs->count() - 1, tip);
  };

  // Name and description.
  name_ = new QLineEdit(formArea_);
  name_->setObjectName(QStringLiteral("experimentName"));
  name_->setToolTip(tr("Name of the experiment, saved in the file."));
  layout->addWidget(name_);
  description_ = new QLabel(formArea_);
  description_->setWordWrap(true);
  description_->setForegroundRole(QPalette::PlaceholderText);
  description_->setObjectName(QStringLiteral("experimentDescription"));
  description_->setTextFormat(Qt::RichText);
  description_->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
  connect(description_, &QLabel::linkActivated, this, [this](const QString& link) {
    descriptionExpanded_ = link == QLatin1String("more");
    showDescription();
  });
  layout->addWidget(description_);

  // Data and training.
  auto* dataGroup = new QWidget(formArea_);
  dataForm_ = new QFormLayout(dataGroup);
  dataForm_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  datasetKind_ = new QComboBox(dataGroup);
  datasetKind_->setObjectName(QStringLiteral("datasetKind"));
  for (const auto& k : data::syntheticKinds()) datasetKind_->addItem(qs(k), qs(k));
  datasetKind_->addItem(QStringLiteral("fashion_mnist"), QStringLiteral("fashion_mnist"));
  datasetKind_->addItem(QStringLiteral("csv"), QStringLiteral("csv"));
  datasetKind_->setToolTip(tr("The problem every run learns: a 2-D toy set, Fashion-MNIST, or your own CSV file."));
  dataForm_->addRow(tr("Dataset"), datasetKind_);
  samples_ = new QSpinBox(dataGroup);
  samples_->setRange(4, 10'000'000);
  samples_->setSingleStep(500);
  samples_->setToolTip(tr("Number of generated points, training and test together."));
  dataForm_->addRow(tr("Samples"), samples_);
  noise_ = new QDoubleSpinBox(dataGroup);
  noise_->setRange(0.0, 10.0);
  noise_->setDecimals(3);
  noise_->setSingleStep(0.05);
  noise_->setToolTip(tr("Standard deviation of the noise added to the generated points."));
  dataForm_->addRow(tr("Noise"), noise_);
  testFraction_ = new QDoubleSpinBox(dataGroup);
  testFraction_->setRange(0.01, 0.99);
  testFraction_->setDecimals(2);
  testFraction_->setSingleStep(0.05);
  testFraction_->setToolTip(tr("Fraction of the data held out to measure test loss and accuracy."));
  dataForm_->addRow(tr("Test fraction"), testFraction_);
  auto* pathRow = new QWidget(dataGroup);
  auto* pathLayout = new QHBoxLayout(pathRow);
  pathLayout->setContentsMargins(0, 0, 0, 0);
  path_ = new QLineEdit(pathRow);
  path_->setToolTip(tr("CSV file, or the Fashion-MNIST directory (empty: the Debian package's location)."));
  browse_ = new QPushButton(tr("…"), pathRow);
  browse_->setToolTip(tr("Choose the file or directory."));
  browse_->setFixedWidth(28);
  pathLayout->addWidget(path_, 1);
  pathLayout->addWidget(browse_);
  dataForm_->addRow(tr("Path"), pathRow);
  standardize_ = new QCheckBox(tr("Standardize features"), dataGroup);
  standardize_->setToolTip(tr("Shift and scale every feature to zero mean and unit variance."));
  dataForm_->addRow(standardize_);
  regression_ = new QCheckBox(tr("Regression target"), dataGroup);
  regression_->setToolTip(tr("The label column is a real number to predict, not a class."));
  dataForm_->addRow(regression_);
  csvPreview_ = new CsvPreview(dataGroup);
  dataForm_->addRow(csvPreview_);
  limit_ = new QSpinBox(dataGroup);
  limit_->setRange(0, data::kFashionMnistTrainImages);
  limit_->setSpecialValueText(tr("all"));
  limit_->setSingleStep(1000);
  limit_->setToolTip(tr("Use only the first N training images (0: all 60,000)."));
  dataForm_->addRow(tr("Images"), limit_);
  batchSize_ = new QSpinBox(dataGroup);
  batchSize_->setObjectName(QStringLiteral("batchSize"));
  batchSize_->setRange(1, 1'000'000);
  batchSize_->setToolTip(tr("Samples per step; LARS was made for very large batches where plain SGD struggles."));
  dataForm_->addRow(tr("Batch size"), batchSize_);
  auto* lengthRow = new QWidget(dataGroup);
  auto* lengthLayout = new QHBoxLayout(lengthRow);
  lengthLayout->setContentsMargins(0, 0, 0, 0);
  length_ = new QDoubleSpinBox(lengthRow);
  length_->setRange(0.01, 1e9);
  length_->setToolTip(tr("How long every run trains."));
  lengthUnit_ = new QComboBox(lengthRow);
  lengthUnit_->addItem(tr("steps"));
  lengthUnit_->addItem(tr("epochs"));
  lengthUnit_->setToolTip(tr("Length in optimizer steps or in passes over the training set."));
  lengthLayout->addWidget(length_, 1);
  lengthLayout->addWidget(lengthUnit_);
  dataForm_->addRow(tr("Length"), lengthRow);
  evalEvery_ = new QSpinBox(dataGroup);
  evalEvery_->setRange(0, 100'000'000);
  evalEvery_->setSpecialValueText(tr("only at the end"));
  evalEvery_->setToolTip(tr("Evaluate test loss and accuracy every this many steps."));
  dataForm_->addRow(tr("Evaluate every"), evalEvery_);
  seed_ = new QSpinBox(dataGroup);
  seed_->setRange(0, 2'000'000'000);
  seed_->setToolTip(tr("Seed of data, initial weights and batch order: the same seed gives the same curves."));
  dataForm_->addRow(tr("Seed"), seed_);
  shuffle_ = new QCheckBox(tr("Shuffle every epoch"), dataGroup);
  shuffle_->setToolTip(tr("Reshuffle the training set each epoch (the order is the same for every run)."));
  dataForm_->addRow(shuffle_);

  // Model.
  auto* modelGroup = new QWidget(formArea_);
  auto* modelLayout = new QVBoxLayout(modelGroup);
  layers_ = new QTableWidget(0, 3, modelGroup);
  layers_->setObjectName(QStringLiteral("layerTable"));
  layers_->setHorizontalHeaderLabels({tr("Layer"), tr("Units"), tr("Name")});
  layers_->horizontalHeaderItem(1)->setToolTip(tr("Output features of a dense layer, or filters of a convolution."));
  layers_->horizontalHeaderItem(2)->setToolTip(tr("Prefix of the layer's tensor names (empty: automatic)."));
  layers_->verticalHeader()->setVisible(false);
  layers_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  layers_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  layers_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
  layers_->setSelectionBehavior(QAbstractItemView::SelectRows);
  layers_->setSelectionMode(QAbstractItemView::SingleSelection);
  layers_->setToolTip(tr("The network, input to output; the last dense layer's units must match the number of classes."));
  layers_->setMinimumHeight(150);
  modelLayout->addWidget(layers_);
  auto* layerButtons = new QHBoxLayout;
  auto* addLayer = new QPushButton(tr("Add"), modelGroup);
  addLayer->setToolTip(tr("Insert a dense layer and a ReLU after the selected layer."));
  auto* removeLayer = new QPushButton(tr("Remove"), modelGroup);
  removeLayer->setToolTip(tr("Delete the selected layer."));
  auto* up = new QPushButton(QStringLiteral("▲"), modelGroup);
  up->setToolTip(tr("Move the selected layer towards the input."));
  auto* down = new QPushButton(QStringLiteral("▼"), modelGroup);
  down->setToolTip(tr("Move the selected layer towards the output."));
  for (auto* b : {up, down}) b->setFixedWidth(32);
  for (auto* b : {addLayer, removeLayer, up, down}) layerButtons->addWidget(b);
  modelLayout->addLayout(layerButtons);
  auto* lossRow = new QFormLayout;
  loss_ = new QComboBox(modelGroup);
  loss_->addItem(QStringLiteral("cross_entropy"), QStringLiteral("cross_entropy"));
  loss_->addItem(QStringLiteral("mse"), QStringLiteral("mse"));
  loss_->setToolTip(tr("Softmax cross-entropy for classes, mean squared error for regression."));
  lossRow->addRow(tr("Loss"), loss_);
  modelLayout->addLayout(lossRow);

  // Runs.
  auto* runsGroup = new QWidget(formArea_);
  auto* runsLayout = new QVBoxLayout(runsGroup);
  auto* runsHint = new QLabel(tr("Every run trains the same model on the same batches from the same initial weights; only the optimizer differs."), runsGroup);
  runsHint->setWordWrap(true);
  runsHint->setForegroundRole(QPalette::PlaceholderText);
  runsLayout->addWidget(runsHint);
  runList_ = new QListWidget(runsGroup);
  runList_->setObjectName(QStringLiteral("runList"));
  runList_->setToolTip(tr("The runs of the experiment; select one to edit it."));
  runList_->setMaximumHeight(96);
  runsLayout->addWidget(runList_);
  auto* runButtons = new QHBoxLayout;
  addRun_ = new QPushButton(tr("Add"), runsGroup);
  addRun_->setObjectName(QStringLiteral("addRun"));
  addRun_->setToolTip(tr("Add a run (it replays the batches it missed to catch up)."));
  duplicateRun_ = new QPushButton(tr("Duplicate"), runsGroup);
  duplicateRun_->setObjectName(QStringLiteral("duplicateRun"));
  duplicateRun_->setToolTip(tr("Copy the selected run, to change one setting and compare."));
  removeRun_ = new QPushButton(tr("Remove"), runsGroup);
  removeRun_->setObjectName(QStringLiteral("removeRun"));
  removeRun_->setToolTip(tr("Remove the selected run."));
  for (auto* b : {addRun_, duplicateRun_, removeRun_}) runButtons->addWidget(b);
  runsLayout->addLayout(runButtons);
  runEditor_ = new RunEditor(runsGroup);
  runsLayout->addWidget(runEditor_);
  runsLayout->addStretch(1);
  modelLayout->addStretch(1);
  addPage(runsGroup, tr("Runs"), tr("The optimizers to compare: add, duplicate, remove and edit runs."));
  addPage(dataGroup, tr("Data"), tr("Dataset, batch size, length and seed."));
  addPage(modelGroup, tr("Model"), tr("The network's layers, input to output, and the loss."));
  layout->addWidget(tabs, 1);

  // Apply bar, always visible under the scroll area.
  auto* applyBar = new QWidget(this);
  auto* applyLayout = new QVBoxLayout(applyBar);
  applyLayout->setContentsMargins(6, 4, 6, 6);
  pending_ = new QLabel(applyBar);
  pending_->setObjectName(QStringLiteral("pendingChanges"));
  pending_->setWordWrap(true);
  applyLayout->addWidget(pending_);
  auto* applyButtons = new QHBoxLayout;
  revert_ = new QPushButton(tr("Revert"), applyBar);
  revert_->setObjectName(QStringLiteral("revert"));
  revert_->setToolTip(tr("Discard the edits above and show the running experiment again."));
  apply_ = new QPushButton(tr("Apply"), applyBar);
  apply_->setObjectName(QStringLiteral("apply"));
  apply_->setDefault(true);
  applyButtons->addWidget(revert_);
  applyButtons->addWidget(apply_, 1);
  applyLayout->addLayout(applyButtons);
  outer->addWidget(applyBar);

  // Wiring.
  connect(name_, &QLineEdit::editingFinished, this, [this] {
    if (loading_) return;
    draft_.name = name_->text().trimmed().toStdString();
    draftChanged();
  });
  connect(datasetKind_, &QComboBox::currentIndexChanged, this, [this] {
    syncDatasetVisibility();
    if (!loading_) {
      readDataWidgets();
      draftChanged();
    }
  });
  auto dataEdited = [this] {
    if (loading_) return;
    readDataWidgets();
    draftChanged();
  };
  for (QSpinBox* s : {samples_, limit_, batchSize_, evalEvery_, seed_}) {
    s->setKeyboardTracking(false);
    connect(s, &QSpinBox::valueChanged, this, dataEdited);
  }
  for (QDoubleSpinBox* s : {noise_, testFraction_, length_}) {
    s->setKeyboardTracking(false);
    connect(s, &QDoubleSpinBox::valueChanged, this, dataEdited);
  }
  for (QCheckBox* c : {standardize_, regression_, shuffle_}) connect(c, &QCheckBox::toggled, this, dataEdited);
  connect(lengthUnit_, &QComboBox::currentIndexChanged, this, [this, dataEdited] {
    if (loading_) return;
    // Keep the same length when switching unit: a whole number of steps or epochs.
    length_->setDecimals(lengthUnit_->currentIndex() == 0 ? 0 : 2);
    dataEdited();
  });
  connect(path_, &QLineEdit::editingFinished, this, dataEdited);
  connect(csvPreview_, &CsvPreview::edited, this, dataEdited);
  connect(browse_, &QPushButton::clicked, this, [this, dataEdited] {
    QString chosen;
    if (datasetKind_->currentData().toString() == QLatin1String("csv"))
      chosen = QFileDialog::getOpenFileName(this, tr("CSV dataset"), path_->text(), tr("CSV files (*.csv);;All files (*)"));
    else
      chosen = QFileDialog::getExistingDirectory(this, tr("Fashion-MNIST directory"), path_->text());
    if (chosen.isEmpty()) return;
    path_->setText(chosen);
    dataEdited();
  });
  connect(loss_, &QComboBox::currentIndexChanged, this, [this] {
    if (loading_) return;
    draft_.model.loss = loss_->currentData().toString().toStdString();
    draftChanged();
  });
  connect(addLayer, &QPushButton::clicked, this, &ExperimentPanel::addLayer);
  connect(removeLayer, &QPushButton::clicked, this, &ExperimentPanel::removeLayer);
  connect(up, &QPushButton::clicked, this, [this] { moveLayer(-1); });
  connect(down, &QPushButton::clicked, this, [this] { moveLayer(+1); });
  connect(layers_, &QTableWidget::itemChanged, this, [this] {
    if (loading_) return;
    readLayers();
    draftChanged();
  });
  connect(runList_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (loading_) return;
    if (row >= 0 && row < static_cast<int>(draft_.runs.size())) {
      runEditor_->setRun(draft_.runs[static_cast<std::size_t>(row)]);
      Q_EMIT selectedRunChanged(qs(draft_.runs[static_cast<std::size_t>(row)].name));
    } else {
      runEditor_->clear();
    }
    removeRun_->setEnabled(!readOnly_ && row >= 0);
    duplicateRun_->setEnabled(!readOnly_ && row >= 0);
  });
  connect(runEditor_, &RunEditor::edited, this, [this](const engine::RunSpec& run) {
    const int row = selectedRunIndex();
    if (row < 0) return;
    // Names must stay unique.
    engine::RunSpec edited = run;
    for (int i = 0; i < static_cast<int>(draft_.runs.size()); ++i)
      if (i != row && draft_.runs[static_cast<std::size_t>(i)].name == edited.name) {
        edited.name = uniqueRunName(edited.name);
        runEditor_->setRun(edited);
      }
    draft_.runs[static_cast<std::size_t>(row)] = edited;
    QListWidgetItem* item = runList_->item(row);
    item->setText(qs(edited.name));
    item->setIcon(colorDot(colors_->color(qs(edited.name))));
    draftChanged();
  });
  connect(addRun_, &QPushButton::clicked, this, &ExperimentPanel::addRun);
  connect(duplicateRun_, &QPushButton::clicked, this, &ExperimentPanel::duplicateRun);
  connect(removeRun_, &QPushButton::clicked, this, &ExperimentPanel::removeRun);
  connect(apply_, &QPushButton::clicked, this, [this] { Q_EMIT applyRequested(draft_); });
  connect(revert_, &QPushButton::clicked, this, &ExperimentPanel::revert);
  draftChanged();
}

void ExperimentPanel::setSpec(const engine::ExperimentSpec& spec) {
  draft_ = spec;
  baseline_ = spec;
  draftNotice_.clear();
  loadDraftIntoWidgets();
  draftChanged();
}

void ExperimentPanel::setDraft(const engine::ExperimentSpec& draft) {
  const QString selected = selectedRun();
  draft_ = draft;
  loadDraftIntoWidgets();
  selectRun(selected);
  draftChanged();
}

void ExperimentPanel::setDraftNotice(const QString& notice) {
  draftNotice_ = notice;
  draftChanged();
}

void ExperimentPanel::setBaseline(const engine::ExperimentSpec& current, bool keepDraft) {
  const engine::ExperimentSpec old = baseline_;
  baseline_ = current;
  if (keepDraft) {
    draftChanged();
    return;
  }
  if (planApply(old, draft_).empty()) {
    // Nothing edited: the draft is the running experiment.
    const QString selected = selectedRun();
    draft_ = current;
    loadDraftIntoWidgets();
    selectRun(selected);
  } else {
    // Follow tuned values in fields the user has not edited.
    bool changed = false;
    for (auto& d : draft_.runs) {
      const engine::RunSpec* o = nullptr;
      const engine::RunSpec* c = nullptr;
      for (const auto& r : old.runs)
        if (r.name == d.name) o = &r;
      for (const auto& r : current.runs)
        if (r.name == d.name) c = &r;
      if (!o || !c || o->optimizer.type != d.optimizer.type || c->optimizer.type != d.optimizer.type) continue;
      const optim::OptimizerInfo* info = optim::findOptimizer(d.optimizer.type);
      if (!info) continue;
      for (const auto& h : info->hyperparameters) {
        const double was = optim::effectiveHyperparameter(o->optimizer, h);
        const double now = optim::effectiveHyperparameter(c->optimizer, h);
        if (was != now && optim::effectiveHyperparameter(d.optimizer, h) == was) {
          d.optimizer.hyperparameters[h.name] = now;
          changed = true;
        }
      }
    }
    if (changed) {
      const int row = selectedRunIndex();
      if (row >= 0) runEditor_->setRun(draft_.runs[static_cast<std::size_t>(row)]);
    }
  }
  draftChanged();
}

bool ExperimentPanel::isDirty() const { return !planApply(baseline_, draft_).empty(); }

void ExperimentPanel::revert() {
  const QString selected = selectedRun();
  draft_ = baseline_;
  loadDraftIntoWidgets();
  selectRun(selected);
  draftChanged();
}

void ExperimentPanel::setReadOnly(bool readOnly) {
  readOnly_ = readOnly;
  formArea_->setEnabled(!readOnly);
  draftChanged();
}

void ExperimentPanel::selectRun(const QString& name) {
  for (int i = 0; i < static_cast<int>(draft_.runs.size()); ++i) {
    if (qs(draft_.runs[static_cast<std::size_t>(i)].name) == name) {
      if (runList_->currentRow() != i) {
        const bool wasLoading = loading_;
        loading_ = true;
        runList_->setCurrentRow(i);
        loading_ = wasLoading;
      }
      runEditor_->setRun(draft_.runs[static_cast<std::size_t>(i)]);
      removeRun_->setEnabled(!readOnly_);
      duplicateRun_->setEnabled(!readOnly_);
      return;
    }
  }
}

QString ExperimentPanel::selectedRun() const {
  const int row = selectedRunIndex();
  return row >= 0 ? qs(draft_.runs[static_cast<std::size_t>(row)].name) : QString();
}

int ExperimentPanel::selectedRunIndex() const {
  const int row = runList_->currentRow();
  return row >= 0 && row < static_cast<int>(draft_.runs.size()) ? row : -1;
}

// A long description would push the form off the panel: its first three lines are shown, cut
// at a word and followed by a "Show all" link (never an ellipsis that hides text for good).
void ExperimentPanel::showDescription() {
  const QString text = qs(draft_.description);
  description_->setVisible(!text.isEmpty());
  const QFontMetrics fm(description_->font());
  const int width = std::max(200, formArea_->width() - 16);
  const auto lines = [&](const QString& t) {
    const int h = fm.boundingRect(QRect(0, 0, width, 100000), Qt::TextWordWrap, t).height();
    return (h + fm.lineSpacing() / 2) / fm.lineSpacing();
  };
  const auto html = [](const QString& t) { return t.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")); };
  const QString more = tr("Show all");
  const QString less = tr("Show less");
  if (lines(text) <= 3) {
    description_->setText(html(text));
    return;
  }
  if (descriptionExpanded_) {
    description_->setText(html(text) + QStringLiteral(" <a href=\"less\">%1</a>").arg(less));
    return;
  }
  // The longest prefix ending at a word that fits three lines together with the link.
  qsizetype lo = 0;
  qsizetype hi = text.size();
  while (lo < hi) {
    const qsizetype mid = (lo + hi + 1) / 2;
    if (lines(text.left(mid) + QLatin1Char(' ') + more) <= 3) lo = mid; else hi = mid - 1;
  }
  qsizetype cut = text.lastIndexOf(QLatin1Char(' '), lo);
  if (cut <= 0) cut = lo;
  description_->setText(html(text.left(cut)) + QStringLiteral(" <a href=\"more\">%1</a>").arg(more));
}

void ExperimentPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  if (event->size().width() != event->oldSize().width()) showDescription();
}

void ExperimentPanel::loadDraftIntoWidgets() {
  const bool wasLoading = loading_;
  loading_ = true;
  name_->setText(qs(draft_.name));
  showDescription();
  const auto& d = draft_.dataset;
  datasetKind_->setCurrentIndex(std::max(0, datasetKind_->findData(qs(d.kind))));
  samples_->setValue(d.samples);
  noise_->setValue(d.noise);
  testFraction_->setValue(d.testFraction);
  path_->setText(qs(d.path));
  if (d.kind == "csv") csvPreview_->setDataset(d, draft_.seed);
  standardize_->setChecked(d.standardize);
  regression_->setChecked(d.regression);
  limit_->setValue(d.limit);
  batchSize_->setValue(draft_.batchSize);
  if (draft_.steps > 0) {
    lengthUnit_->setCurrentIndex(0);
    length_->setDecimals(0);
    length_->setValue(static_cast<double>(draft_.steps));
  } else {
    lengthUnit_->setCurrentIndex(1);
    length_->setDecimals(2);
    length_->setValue(draft_.epochs);
  }
  evalEvery_->setValue(static_cast<int>(std::min<long>(draft_.evalEvery, evalEvery_->maximum())));
  seed_->setValue(static_cast<int>(std::min<std::uint64_t>(draft_.seed, static_cast<std::uint64_t>(seed_->maximum()))));
  shuffle_->setChecked(draft_.shuffle);
  loss_->setCurrentIndex(std::max(0, loss_->findData(qs(draft_.model.loss))));
  syncDatasetVisibility();
  loadLayers();
  loadRuns();
  loading_ = wasLoading;
}

void ExperimentPanel::syncDatasetVisibility() {
  const QString kind = datasetKind_->currentData().toString();
  const bool csv = kind == QLatin1String("csv");
  const bool fashion = kind == QLatin1String("fashion_mnist");
  const bool synthetic = !csv && !fashion;
  dataForm_->setRowVisible(samples_, synthetic);
  dataForm_->setRowVisible(noise_, synthetic);
  dataForm_->setRowVisible(testFraction_, !fashion);
  dataForm_->setRowVisible(path_->parentWidget(), csv || fashion);
  dataForm_->setRowVisible(csvPreview_, csv);
  dataForm_->setRowVisible(standardize_, csv);
  dataForm_->setRowVisible(regression_, csv);
  dataForm_->setRowVisible(limit_, fashion);
}

void ExperimentPanel::readDataWidgets() {
  auto& d = draft_.dataset;
  d.kind = datasetKind_->currentData().toString().toStdString();
  d.samples = samples_->value();
  d.noise = noise_->value();
  d.testFraction = testFraction_->value();
  d.path = path_->text().trimmed().toStdString();
  if (d.kind == "csv") csvPreview_->readInto(d);
  d.standardize = standardize_->isChecked();
  d.regression = regression_->isChecked();
  d.limit = limit_->value();
  draft_.batchSize = batchSize_->value();
  if (lengthUnit_->currentIndex() == 0) {
    draft_.steps = std::max(1L, static_cast<long>(std::llround(length_->value())));
    draft_.epochs = 0.0;
  } else {
    draft_.steps = 0;
    draft_.epochs = length_->value();
  }
  draft_.evalEvery = evalEvery_->value();
  draft_.seed = static_cast<std::uint64_t>(seed_->value());
  draft_.shuffle = shuffle_->isChecked();
  // A new file, regression, test fraction or seed changes what the preview shows.
  if (d.kind == "csv") csvPreview_->setDataset(d, draft_.seed);
}

void ExperimentPanel::loadLayers() {
  const bool wasLoading = loading_;
  loading_ = true;
  layers_->setRowCount(0);
  layers_->setRowCount(static_cast<int>(draft_.model.layers.size()));
  for (int i = 0; i < static_cast<int>(draft_.model.layers.size()); ++i) {
    const nn::LayerSpec& l = draft_.model.layers[static_cast<std::size_t>(i)];
    auto* type = new QComboBox(layers_);
    for (const nn::LayerType& t : nn::layerTypes()) {
      type->addItem(qs(t.type), qs(t.type));
      type->setItemData(type->count() - 1, qs(t.help), Qt::ToolTipRole);
    }
    type->setCurrentIndex(std::max(0, type->findData(qs(l.type))));
    const nn::LayerType* layerType = nn::findLayerType(l.type);
    if (layerType) type->setToolTip(qs(layerType->help));
    layers_->setCellWidget(i, 0, type);
    auto* size = new QSpinBox(layers_);
    const nn::LayerField* sizeField = layerType && layerType->sizeField ? layerType->field(layerType->sizeField) : nullptr;
    const bool sized = sizeField != nullptr;
    size->setRange(1, sized ? static_cast<int>(sizeField->range.hi) : 1);
    size->setKeyboardTracking(false);
    size->setValue(sized ? std::max(1, static_cast<int>(sizeField->number(l))) : 1);
    size->setEnabled(sized);
    size->setSpecialValueText(QString());
    if (!sized) size->setButtonSymbols(QAbstractSpinBox::NoButtons);
    size->setToolTip(sized ? qs(std::string(sizeField->key) + ": " + sizeField->help) : QString());
    layers_->setCellWidget(i, 1, size);
    if (!sized) size->setVisible(false);
    auto* name = new QTableWidgetItem(qs(l.name));
    name->setToolTip(tr("Tensor name prefix; empty means automatic (type + index)."));
    layers_->setItem(i, 2, name);
    connect(type, &QComboBox::currentIndexChanged, this, [this] {
      if (loading_) return;
      readLayers();
      loadLayers();  // the size cell depends on the type
      draftChanged();
    });
    connect(size, &QSpinBox::valueChanged, this, [this] {
      if (loading_) return;
      readLayers();
      draftChanged();
    });
  }
  layers_->resizeRowsToContents();
  loading_ = wasLoading;
}

void ExperimentPanel::readLayers() {
  std::vector<nn::LayerSpec> layers;
  for (int i = 0; i < layers_->rowCount(); ++i) {
    nn::LayerSpec l = i < static_cast<int>(draft_.model.layers.size()) ? draft_.model.layers[static_cast<std::size_t>(i)]
                                                                        : nn::LayerSpec{};
    auto* type = qobject_cast<QComboBox*>(layers_->cellWidget(i, 0));
    auto* size = qobject_cast<QSpinBox*>(layers_->cellWidget(i, 1));
    const std::string newType = type ? type->currentData().toString().toStdString() : l.type;
    const nn::LayerType* layerType = nn::findLayerType(newType);
    const nn::LayerField* sizeField = layerType && layerType->sizeField ? layerType->field(layerType->sizeField) : nullptr;
    if (newType != l.type && layerType) {
      // Fields of another type would be rejected as unknown: start from that type's defaults,
      // keeping a size the old layer had in the same field (a dense layer's units).
      nn::LayerSpec fresh = nn::newLayerSpec(*layerType);
      fresh.name = l.name;
      if (sizeField && sizeField->number(l) > 0) sizeField->setNumber(fresh, sizeField->number(l));
      l = fresh;
    } else if (size && sizeField) {
      sizeField->setNumber(l, size->value());
    }
    if (QTableWidgetItem* name = layers_->item(i, 2)) l.name = name->text().trimmed().toStdString();
    layers.push_back(l);
  }
  draft_.model.layers = layers;
}

void ExperimentPanel::addLayer() {
  readLayers();
  int row = layers_->currentRow();
  auto& layers = draft_.model.layers;
  // Insert before the output layer when nothing is selected.
  int at = row >= 0 ? row + 1 : std::max(0, static_cast<int>(layers.size()) - 1);
  const nn::LayerSpec dense = nn::newLayerSpec(*nn::findLayerType("dense"));
  const nn::LayerSpec act = nn::newLayerSpec(*nn::findLayerType("relu"));
  layers.insert(layers.begin() + at, act);
  layers.insert(layers.begin() + at, dense);
  loadLayers();
  layers_->selectRow(at);
  draftChanged();
}

void ExperimentPanel::removeLayer() {
  readLayers();
  const int row = layers_->currentRow();
  if (row < 0 || row >= static_cast<int>(draft_.model.layers.size())) return;
  draft_.model.layers.erase(draft_.model.layers.begin() + row);
  loadLayers();
  layers_->selectRow(std::min(row, layers_->rowCount() - 1));
  draftChanged();
}

void ExperimentPanel::moveLayer(int delta) {
  readLayers();
  const int row = layers_->currentRow();
  const int to = row + delta;
  auto& layers = draft_.model.layers;
  if (row < 0 || to < 0 || to >= static_cast<int>(layers.size())) return;
  std::swap(layers[static_cast<std::size_t>(row)], layers[static_cast<std::size_t>(to)]);
  loadLayers();
  layers_->selectRow(to);
  draftChanged();
}

void ExperimentPanel::loadRuns() {
  const bool wasLoading = loading_;
  loading_ = true;
  const int row = runList_->currentRow();
  runList_->clear();
  for (const auto& r : draft_.runs) {
    auto* item = new QListWidgetItem(colorDot(colors_->color(qs(r.name))), qs(r.name));
    const optim::OptimizerInfo* info = optim::findOptimizer(r.optimizer.type);
    item->setToolTip(info ? qs(info->displayName + ": " + info->summary) : qs(r.optimizer.type));
    runList_->addItem(item);
  }
  const int n = static_cast<int>(draft_.runs.size());
  const int select = n == 0 ? -1 : std::clamp(row, 0, n - 1);
  runList_->setCurrentRow(select);
  if (select >= 0)
    runEditor_->setRun(draft_.runs[static_cast<std::size_t>(select)]);
  else
    runEditor_->clear();
  removeRun_->setEnabled(!readOnly_ && select >= 0);
  duplicateRun_->setEnabled(!readOnly_ && select >= 0);
  loading_ = wasLoading;
}

std::string ExperimentPanel::uniqueRunName(const std::string& base) const {
  auto taken = [this](const std::string& n) {
    for (const auto& r : draft_.runs)
      if (r.name == n) return true;
    for (const auto& r : baseline_.runs)
      if (r.name == n) return true;  // a removed run's name stays taken until applied
    return false;
  };
  if (!taken(base)) return base;
  for (int i = 2;; ++i) {
    const std::string n = base + " " + std::to_string(i);
    if (!taken(n)) return n;
  }
}

void ExperimentPanel::addRun() {
  const auto& registry = optim::optimizerRegistry();
  if (registry.empty()) return;
  engine::RunSpec run;
  run.optimizer.type = registry.front().type;
  run.name = uniqueRunName(registry.front().displayName);
  draft_.runs.push_back(run);
  loadRuns();
  runList_->setCurrentRow(static_cast<int>(draft_.runs.size()) - 1);
  draftChanged();
}

void ExperimentPanel::duplicateRun() {
  const int row = selectedRunIndex();
  if (row < 0) return;
  engine::RunSpec copy = draft_.runs[static_cast<std::size_t>(row)];
  copy.name = uniqueRunName(copy.name + " copy");
  draft_.runs.insert(draft_.runs.begin() + row + 1, copy);
  loadRuns();
  runList_->setCurrentRow(row + 1);
  draftChanged();
}

void ExperimentPanel::removeRun() {
  const int row = selectedRunIndex();
  if (row < 0) return;
  draft_.runs.erase(draft_.runs.begin() + row);
  loadRuns();
  draftChanged();
}

void ExperimentPanel::draftChanged() {
  const ApplyPlan plan = planApply(baseline_, draft_);
  const bool dirty = !plan.empty();
  if (!dirty) draftNotice_.clear();
  apply_->setEnabled(dirty && !readOnly_);
  revert_->setEnabled(dirty && !readOnly_);
  if (!dirty) {
    apply_->setText(tr("Apply"));
    pending_->setText(readOnly_ ? tr("Viewing a log: editing is off.") : tr("No pending changes."));
    pending_->setStyleSheet(QString());
  } else {
    apply_->setText(plan.restart ? tr("Apply and restart training") : tr("Apply now (no restart)"));
    pending_->setText(draftNotice_.isEmpty() ? plan.summary() : draftNotice_ + QStringLiteral("\n") + plan.summary());
    pending_->setStyleSheet(draftNotice_.isEmpty() ? QStringLiteral("font-weight: bold;")
                                                   : QStringLiteral("font-weight: bold; color: #b35900;"));
  }
  apply_->setToolTip(plan.summary());
  Q_EMIT dirtyChanged(dirty);
}

}  // namespace larslab::ui
