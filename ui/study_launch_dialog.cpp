#include "study_launch_dialog.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QThread>
#include <QVBoxLayout>

#include <QRegularExpression>
#include <nlohmann/json.hpp>

#include "builtin_experiments.h"
#include "engine/json_reader.h"
#include "engine/outside_paths.h"
#include "engine/study_runner.h"

namespace larslab::ui {

namespace {
const QString kFileRole = QStringLiteral("file:");
const QString kCurrentRole = QStringLiteral("current:");

// Batch sizes around the experiment's own, as a user would start: b/4 ... 8b, within the split.
QString suggestedBatchSizes(const engine::ExperimentSpec& e) {
  long split = 0;
  try {
    split = engine::trainingSplitSize(e.dataset, e.seed);
  } catch (const std::exception&) {
    split = 0;  // the study reports the dataset's problem when it is built
  }
  QStringList out;
  for (const double factor : {0.25, 0.5, 1.0, 2.0, 4.0, 8.0}) {
    const long b = std::max(1L, std::lround(e.batchSize * factor));
    if (split > 0 && b > split) break;
    if (!out.contains(QString::number(b))) out << QString::number(b);
  }
  return out.join(QStringLiteral(", "));
}
}  // namespace

QString defaultStudyDirectory(const QString& stem) {
  QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  if (documents.isEmpty()) documents = QDir::homePath();
  return QDir(documents).filePath(QStringLiteral("LARS Lab studies/%1-%2")
                                      .arg(stem, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
}

StudyLaunchDialog::StudyLaunchDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Run a study"));
  studyBox_ = new QComboBox(this);
  for (const BuiltinStudy& s : builtinStudies()) {
    studyBox_->addItem(s.title, s.resourcePath);
    studyBox_->setItemData(studyBox_->count() - 1, s.description, Qt::ToolTipRole);
  }
  auto* browseStudy = new QPushButton(tr("Study &file…"), this);
  browseStudy->setToolTip(tr("A study file (format: Help > Docs > study-format)."));
  auto* studyRow = new QHBoxLayout;
  studyRow->addWidget(studyBox_, 1);
  studyRow->addWidget(browseStudy);
  currentFields_ = new QWidget(this);
  batchSizesEdit_ = new QLineEdit(currentFields_);
  batchSizesEdit_->setToolTip(tr("Batch sizes to train the experiment at, separated by commas."));
  seedsBox_ = new QSpinBox(currentFields_);
  seedsBox_->setRange(1, 20);
  seedsBox_->setValue(3);
  seedsBox_->setToolTip(tr("Each configuration is repeated with this many seeds (initial weights and batch order), "
                           "from the experiment's own seed up."));
  scalingBox_ = new QComboBox(currentFields_);
  for (const char* rule : engine::kLrScalings) scalingBox_->addItem(QString::fromLatin1(rule));
  scalingBox_->setCurrentText(QStringLiteral("linear"));
  scalingBox_->setToolTip(tr("How each run's lr follows the batch size, from the experiment's batch size."));
  targetEdit_ = new QLineEdit(currentFields_);
  targetEdit_->setPlaceholderText(tr("none"));
  targetEdit_->setToolTip(tr("Steps to this test accuracy (0 to 1) are recorded and plotted; empty: none."));
  auto* fields = new QFormLayout(currentFields_);
  fields->setContentsMargins(0, 0, 0, 0);
  fields->addRow(tr("&Batch sizes:"), batchSizesEdit_);
  fields->addRow(tr("S&eeds:"), seedsBox_);
  fields->addRow(tr("&LR scaling:"), scalingBox_);
  fields->addRow(tr("&Target test accuracy:"), targetEdit_);
  currentFields_->hide();
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setMinimumWidth(560);
  outputEdit_ = new QLineEdit(this);
  // Wide enough for Documents/LARS Lab studies/<name>-<date> on a typical home folder.
  outputEdit_->setMinimumWidth(outputEdit_->fontMetrics().horizontalAdvance(QString(72, QLatin1Char('x'))));
  auto* browseOut = new QPushButton(tr("&Browse…"), this);
  auto* outRow = new QHBoxLayout;
  outRow->addWidget(outputEdit_, 1);
  outRow->addWidget(browseOut);
  threadsBox_ = new QSpinBox(this);
  threadsBox_->setRange(1, std::max(1, QThread::idealThreadCount()));
  threadsBox_->setValue(threadsBox_->maximum());
  threadsBox_->setToolTip(tr("Configurations trained at once, one core each. The results do not depend on it."));

  // Rows holding a layout get no buddy from QFormLayout: their labels name their field themselves.
  auto labelFor = [this](const QString& text, QWidget* buddy) {
    auto* label = new QLabel(text, this);
    label->setBuddy(buddy);
    return label;
  };
  auto* form = new QFormLayout;
  form->addRow(labelFor(tr("&Study:"), studyBox_), studyRow);
  form->addRow(QString(), currentFields_);
  form->addRow(QString(), summary_);
  form->addRow(labelFor(tr("Save &results in:"), outputEdit_), outRow);
  form->addRow(labelFor(tr("&Configurations at once:"), threadsBox_), threadsBox_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  runButton_ = buttons->addButton(tr("&Run study"), QDialogButtonBox::AcceptRole);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);

  overwritePrompt_ = [this](const QString& question) {
    return QMessageBox::question(this, tr("Replace the study?"), question) == QMessageBox::Yes;
  };
  connect(studyBox_, &QComboBox::currentIndexChanged, this, &StudyLaunchDialog::onStudyChosen);
  connect(browseStudy, &QPushButton::clicked, this, &StudyLaunchDialog::browseStudy);
  connect(browseOut, &QPushButton::clicked, this, &StudyLaunchDialog::browseOutput);
  connect(outputEdit_, &QLineEdit::textEdited, this, [this] { outputEdited_ = true; });
  connect(batchSizesEdit_, &QLineEdit::textEdited, this, &StudyLaunchDialog::onStudyChosen);
  connect(targetEdit_, &QLineEdit::textEdited, this, &StudyLaunchDialog::onStudyChosen);
  connect(seedsBox_, &QSpinBox::valueChanged, this, &StudyLaunchDialog::onStudyChosen);
  connect(scalingBox_, &QComboBox::currentIndexChanged, this, &StudyLaunchDialog::onStudyChosen);
  connect(buttons, &QDialogButtonBox::accepted, this, &StudyLaunchDialog::tryAccept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  onStudyChosen();
}

void StudyLaunchDialog::onStudyChosen() {
  study_.reset();
  const QString source = studyBox_->currentData().toString();
  QString origin = source;
  currentFields_->setVisible(source == kCurrentRole);
  try {
    if (source == kCurrentRole) {
      origin = QStringLiteral("experiment-study");
      study_ = currentStudy();
    } else if (source.startsWith(kFileRole)) {
      origin = source.mid(kFileRole.size());
      study_ = engine::loadStudy(origin.toStdString());
    } else if (!source.isEmpty()) {
      study_ = loadBuiltinStudy(source);
    }
  } catch (const std::exception& e) {
    summary_->setText(QString::fromUtf8(e.what()));
    runButton_->setEnabled(false);
    return;
  }
  runButton_->setEnabled(study_.has_value());
  if (!study_) {
    summary_->setText(tr("Choose a study file."));
    return;
  }
  studyStem_ = QFileInfo(origin).completeBaseName();
  if (!outputEdited_) outputEdit_->setText(QDir::toNativeSeparators(defaultStudyDirectory(studyStem_)));
  std::size_t configurations = 0;
  try {
    configurations = engine::expandStudy(*study_).size();
  } catch (const std::exception& e) {
    summary_->setText(QString::fromUtf8(e.what()));
    runButton_->setEnabled(false);
    return;
  }
  const engine::StudySpec& s = *study_;
  QString what = s.grid ? tr("%1 × %2 grid").arg(QString::fromStdString(s.grid->x.parameter),
                                                  QString::fromStdString(s.grid->y.parameter))
                        : tr("%1 batch sizes").arg(s.batchSizes.size());
  summary_->setText(tr("%1\n%2 configurations: %3 × %4 × %5, %6 each, lr scaling %7.")
                        .arg(QString::fromStdString(s.description))
                        .arg(configurations)
                        .arg(s.experiment.runs.size() == 1 ? tr("1 run") : tr("%1 runs").arg(s.experiment.runs.size()))
                        .arg(what)
                        .arg(s.seeds.size() == 1 ? tr("1 seed") : tr("%1 seeds").arg(s.seeds.size()))
                        .arg(s.epochs == 1.0 ? tr("1 epoch") : tr("%1 epochs").arg(s.epochs, 0, 'g', 4))
                        .arg(QString::fromStdString(s.lrScaling)));
  // A study file from elsewhere says what it reads outside its own folder before it runs.
  if (source.startsWith(kFileRole)) {
    const auto outside = engine::pathsOutsideFolder(s, engine::folderOf(origin.toStdString()));
    if (!outside.empty())
      summary_->setText(summary_->text() + tr("\nReads files outside its folder (check them before you run it):\n%1")
                                               .arg(QString::fromStdString(engine::describeOutsidePaths(outside))));
  }
}

void StudyLaunchDialog::setCurrentExperiment(const engine::ExperimentSpec& experiment) {
  current_ = experiment;
  batchSizesEdit_->setText(suggestedBatchSizes(experiment));
  const QString title = tr("The running experiment: %1").arg(QString::fromStdString(experiment.name));
  const int index = studyBox_->findData(kCurrentRole);
  if (index >= 0) studyBox_->removeItem(index);
  studyBox_->insertItem(0, title, kCurrentRole);
  if (studyBox_->currentIndex() == 0)
    onStudyChosen();
  else
    studyBox_->setCurrentIndex(0);
}

bool StudyLaunchDialog::setCurrentStudyFields(const QString& batchSizes, int seeds, const QString& lrScaling,
                                              const QString& targetAccuracy) {
  batchSizesEdit_->setText(batchSizes);
  seedsBox_->setValue(seeds);
  scalingBox_->setCurrentText(lrScaling);
  targetEdit_->setText(targetAccuracy);
  onStudyChosen();
  return study_.has_value();
}

engine::StudySpec StudyLaunchDialog::currentStudy() const {
  if (!current_) throw std::runtime_error("no experiment is running");
  nlohmann::ordered_json root;
  root["version"] = 1;
  root["name"] = current_->name + ": batch sizes and seeds";
  root["description"] = "A study of the experiment as it ran in the window (tuned values included).";
  // As a study file written next to nothing: data paths absolute, so the study names the same data.
  root["experiment"] = nlohmann::ordered_json::parse(engine::experimentToJson(engine::relocateExperiment(*current_, "")));
  nlohmann::ordered_json batches = nlohmann::ordered_json::array();
  for (const QString& part : batchSizesEdit_->text().split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
    bool ok = false;
    const int b = part.toInt(&ok);
    if (!ok) throw std::runtime_error(tr("Batch sizes: \"%1\" is not a whole number").arg(part).toStdString());
    batches.push_back(b);
  }
  root["batch_sizes"] = batches;
  root["lr_scaling"] = scalingBox_->currentText().toStdString();
  nlohmann::ordered_json seeds = nlohmann::ordered_json::array();
  for (int k = 0; k < seedsBox_->value(); ++k) seeds.push_back(current_->seed + static_cast<std::uint64_t>(k));
  root["seeds"] = seeds;
  if (!targetEdit_->text().trimmed().isEmpty()) {
    bool ok = false;
    const double t = targetEdit_->text().trimmed().toDouble(&ok);
    if (!ok) throw std::runtime_error(tr("Target test accuracy: \"%1\" is not a number").arg(targetEdit_->text()).toStdString());
    root["target_accuracy"] = t;
  }
  return engine::parseStudy(root.dump(), "the running experiment's study");
}

bool StudyLaunchDialog::addStudyFile(const QString& path) {
  const QString data = kFileRole + path;
  int index = studyBox_->findData(data);
  if (index < 0) {
    studyBox_->addItem(QFileInfo(path).fileName(), data);
    index = studyBox_->count() - 1;
  }
  if (studyBox_->currentIndex() == index)
    onStudyChosen();
  else
    studyBox_->setCurrentIndex(index);
  return study_.has_value();
}

bool StudyLaunchDialog::chooseBuiltin(const QString& resourcePath) {
  const int index = studyBox_->findData(resourcePath);
  if (index < 0) return false;
  studyBox_->setCurrentIndex(index);
  return study_.has_value();
}

void StudyLaunchDialog::setOutputDirectory(const QString& dir) {
  outputEdit_->setText(dir);
  outputEdited_ = true;
}

void StudyLaunchDialog::setThreads(int threads) { threadsBox_->setValue(threads); }
QString StudyLaunchDialog::outputDirectory() const { return QDir::fromNativeSeparators(outputEdit_->text().trimmed()); }
int StudyLaunchDialog::threads() const { return threadsBox_->value(); }
QString StudyLaunchDialog::message() const { return summary_->text(); }

void StudyLaunchDialog::browseStudy() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Study file"), QString(), tr("Studies (*.json)"));
  if (!path.isEmpty()) addStudyFile(path);
}

void StudyLaunchDialog::browseOutput() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Save the study's results in"), outputDirectory());
  if (!dir.isEmpty()) setOutputDirectory(QDir::toNativeSeparators(dir));
}

bool StudyLaunchDialog::tryAccept() {
  if (!study_) return false;
  const QString dir = outputDirectory();
  if (dir.isEmpty()) {
    summary_->setText(tr("Choose a folder for the results."));
    return false;
  }
  const QDir folder(dir);
  if (folder.exists(QString::fromLatin1(engine::kStudyCsvFile)) || folder.exists(QString::fromLatin1(engine::kStudyJsonFile))) {
    const QString question = tr("%1 already holds a study. Replace its results with this study's?")
                                 .arg(QDir::toNativeSeparators(dir));
    if (!overwritePrompt_(question)) return false;
  }
  accept();
  return true;
}

}  // namespace larslab::ui
