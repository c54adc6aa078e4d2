#include "range_test_dialog.h"

#include <QComboBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>

#include "duration_text.h"
#include "hyperparameter_control.h"
#include "optim/optimizer.h"

namespace larslab::ui {

namespace {

const optim::HyperparameterSpec* findHyperparameter(const engine::RunSpec& run, const std::string& name) {
  if (const optim::OptimizerInfo* info = optim::findOptimizer(run.optimizer.type))
    for (const auto& h : info->hyperparameters)
      if (h.name == name) return &h;
  return nullptr;
}

// The value the run trains with now: the file's (or tuned) value, else the optimizer's default.
double currentValue(const engine::RunSpec& run, const optim::HyperparameterSpec& h) {
  const auto it = run.optimizer.hyperparameters.find(h.name);
  return it != run.optimizer.hyperparameters.end() ? it->second : h.defaultValue;
}

}  // namespace

RangeTestDialog::RangeTestDialog(engine::ExperimentSpec experiment, const QString& run, int threads,
                                 QWidget* parent)
    : QDialog(parent), experiment_(std::move(experiment)), threads_(threads) {
  setWindowTitle(tr("Range test"));
  runBox_ = new QComboBox(this);
  for (const engine::RunSpec& r : experiment_.runs) runBox_->addItem(QString::fromStdString(r.name));
  nameBox_ = new QComboBox(this);
  fromEdit_ = new QLineEdit(this);
  toEdit_ = new QLineEdit(this);
  fromEdit_->setObjectName(QStringLiteral("rangeFrom"));
  toEdit_->setObjectName(QStringLiteral("rangeTo"));
  for (QLineEdit* edit : {fromEdit_, toEdit_}) edit->setValidator(new QDoubleValidator(0.0, 1e12, 12, edit));
  stepsBox_ = new QSpinBox(this);
  stepsBox_->setRange(10, 100000);
  stepsBox_->setValue(200);
  stepsBox_->setToolTip(tr("One step per value; the value grows by the same factor every step."));

  auto* form = new QFormLayout;
  form->addRow(tr("Run"), runBox_);
  form->addRow(tr("Hyperparameter"), nameBox_);
  auto* bounds = new QHBoxLayout;
  bounds->addWidget(fromEdit_);
  bounds->addWidget(new QLabel(tr("to"), this));
  bounds->addWidget(toEdit_);
  form->addRow(tr("From"), bounds);
  form->addRow(tr("Steps"), stepsBox_);

  startButton_ = new QPushButton(tr("Start"), this);
  startButton_->setDefault(true);
  cancelButton_ = new QPushButton(tr("Cancel test"), this);
  cancelButton_->setEnabled(false);
  progress_ = new QProgressBar(this);
  timeLeft_ = new QLabel(this);
  auto* controls = new QHBoxLayout;
  controls->addWidget(startButton_);
  controls->addWidget(cancelButton_);
  controls->addWidget(progress_, 1);
  controls->addWidget(timeLeft_);

  chart_ = new QChart;
  chart_->setMargins(QMargins(4, 4, 4, 4));
  chart_->legend()->setAlignment(Qt::AlignTop);
  auto* view = new QChartView(chart_, this);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(420, 240);

  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  applyButton_ = new QPushButton(this);
  applyButton_->setVisible(false);
  auto* close = new QPushButton(tr("Close"), this);
  auto* bottom = new QHBoxLayout;
  bottom->addWidget(message_, 1);
  bottom->addWidget(applyButton_);
  bottom->addWidget(close);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(controls);
  layout->addWidget(view, 1);
  layout->addLayout(bottom);

  message_->setText(tr("The value grows log-uniformly from the lower to the upper bound, one step each, "
                       "from the experiment's initial weights. Where the smoothed loss falls fastest is "
                       "suggested; where it blows up is too large."));

  connect(runBox_, &QComboBox::currentIndexChanged, this, &RangeTestDialog::fillHyperparameters);
  connect(nameBox_, &QComboBox::currentIndexChanged, this, &RangeTestDialog::setBoundsForHyperparameter);
  connect(startButton_, &QPushButton::clicked, this, &RangeTestDialog::start);
  connect(cancelButton_, &QPushButton::clicked, this, &RangeTestDialog::cancel);
  connect(close, &QPushButton::clicked, this, &QDialog::reject);
  connect(applyButton_, &QPushButton::clicked, this, [this] {
    // The value the button shows (4 significant digits), so that what is applied is what was read.
    if (result_ && result_->suggestion.step >= 0)
      Q_EMIT applyRequested(QString::fromStdString(result_->spec.run),
                            QString::fromStdString(result_->spec.hyperparameter),
                            formatHyperparameter(result_->suggestion.value).toDouble());
  });

  const int index = runBox_->findText(run);
  runBox_->setCurrentIndex(index >= 0 ? index : 0);
  fillHyperparameters();
}

RangeTestDialog::~RangeTestDialog() {
  cancel_ = true;
  joinWorker();
}

bool RangeTestDialog::choose(const QString& run, const QString& hyperparameter) {
  const int r = runBox_->findText(run);
  if (r < 0) return false;
  runBox_->setCurrentIndex(r);
  const int h = nameBox_->findData(hyperparameter);
  if (h < 0) return false;
  nameBox_->setCurrentIndex(h);
  return true;
}

void RangeTestDialog::fillHyperparameters() {
  const int r = runBox_->currentIndex();
  nameBox_->blockSignals(true);
  nameBox_->clear();
  if (r >= 0 && r < static_cast<int>(experiment_.runs.size()))
    if (const optim::OptimizerInfo* info = optim::findOptimizer(experiment_.runs[r].optimizer.type)) {
      // Only the rates and coefficients that act on a log scale have a range worth testing.
      for (const auto& h : info->hyperparameters)
        if (h.logScale) nameBox_->addItem(QString::fromStdString(h.label), QString::fromStdString(h.name));
      // LARS users tune eta first: offer it first.
      const int eta = nameBox_->findData(QStringLiteral("eta"));
      nameBox_->setCurrentIndex(eta >= 0 ? eta : 0);
    }
  nameBox_->blockSignals(false);
  setBoundsForHyperparameter();
}

void RangeTestDialog::setBoundsForHyperparameter() {
  const int r = runBox_->currentIndex();
  if (r < 0 || nameBox_->currentIndex() < 0) return;
  const engine::RunSpec& run = experiment_.runs[r];
  const optim::HyperparameterSpec* h = findHyperparameter(run, nameBox_->currentData().toString().toStdString());
  if (h == nullptr) return;
  // Three decades either side of the value in use, inside the valid range.
  const double value = currentValue(run, *h) > 0.0 ? currentValue(run, *h) : h->defaultValue;
  const double from = std::max(value * 1e-3, h->minValue > 0.0 ? h->minValue : 1e-12);
  const double to = std::min(value * 1e3, h->maxValue);
  fromEdit_->setText(formatHyperparameter(from));
  toEdit_->setText(formatHyperparameter(to));
}

bool RangeTestDialog::start() {
  if (running()) return false;
  engine::RangeTestSpec spec;
  spec.run = runBox_->currentText().toStdString();
  spec.hyperparameter = nameBox_->currentData().toString().toStdString();
  bool okFrom = false;
  bool okTo = false;
  spec.from = QLocale().toDouble(fromEdit_->text(), &okFrom);
  if (!okFrom) spec.from = fromEdit_->text().toDouble(&okFrom);
  spec.to = QLocale().toDouble(toEdit_->text(), &okTo);
  if (!okTo) spec.to = toEdit_->text().toDouble(&okTo);
  spec.steps = stepsBox_->value();
  QStringList problems;
  if (!okFrom) problems << tr("From: not a number: \"%1\"").arg(fromEdit_->text());
  if (!okTo) problems << tr("To: not a number: \"%1\"").arg(toEdit_->text());
  if (problems.isEmpty())
    for (const engine::SpecIssue& issue : engine::checkRangeTest(experiment_, spec))
      problems << QStringLiteral("%1: %2").arg(QString::fromStdString(issue.path), QString::fromStdString(issue.message));
  if (!problems.isEmpty()) {
    message_->setText(problems.join(QLatin1Char('\n')));
    return false;
  }
  result_.reset();
  applyButton_->setVisible(false);
  cancel_ = false;
  progress_->setRange(0, static_cast<int>(spec.steps));
  progress_->setValue(0);
  timeLeft_->clear();
  startButton_->setEnabled(false);
  cancelButton_->setEnabled(true);
  message_->setText(tr("Training %1 steps of %2…").arg(spec.steps).arg(runBox_->currentText()));
  clock_.start();
  worker_ = std::thread([this, spec, experiment = experiment_, threads = threads_] {
    engine::RangeTestResult result;
    QString error;
    try {
      result = engine::runRangeTest(
          experiment, spec, threads,
          [this, sinceDrawn = QElapsedTimer()](long done, long total) mutable {
            // A small model trains thousands of steps a second: tell the GUI thread at most 20
            // times a second (and at the end), not per step.
            if (done != total && sinceDrawn.isValid() && sinceDrawn.elapsed() < 50) return;
            sinceDrawn.start();
            QMetaObject::invokeMethod(this, [this, done, total] { onProgress(done, total); }, Qt::QueuedConnection);
          },
          &cancel_);
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
    QMetaObject::invokeMethod(
        this, [this, result = std::move(result), error] { onFinished(result, error); }, Qt::QueuedConnection);
  });
  return true;
}

void RangeTestDialog::cancel() { cancel_ = true; }

void RangeTestDialog::joinWorker() {
  if (worker_.joinable()) worker_.join();
}

void RangeTestDialog::onProgress(long done, long total) {
  progress_->setValue(static_cast<int>(done));
  const double elapsed = static_cast<double>(clock_.elapsed()) / 1000.0;
  if (done > 0)
    timeLeft_->setText(tr("about %1 left").arg(durationText(elapsed / static_cast<double>(done) *
                                                             static_cast<double>(total - done))));
}

void RangeTestDialog::onFinished(engine::RangeTestResult result, QString error) {
  joinWorker();
  startButton_->setEnabled(true);
  cancelButton_->setEnabled(false);
  timeLeft_->clear();
  if (!error.isEmpty()) {
    message_->setText(tr("The range test failed: %1").arg(error));
    Q_EMIT finished();
    return;
  }
  progress_->setValue(static_cast<int>(result.values.size()));
  result_ = std::move(result);
  draw();
  Q_EMIT finished();
}

QString RangeTestDialog::message() const { return message_->text(); }

void RangeTestDialog::draw() {
  chart_->removeAllSeries();
  for (QAbstractAxis* axis : chart_->axes()) {
    chart_->removeAxis(axis);
    delete axis;
  }
  const engine::RangeTestResult& r = *result_;
  const QString name = nameBox_->currentText();
  auto* raw = new QLineSeries;
  raw->setName(tr("training loss"));
  raw->setPen(QPen(QColor(150, 150, 150), 1.0));
  auto* smooth = new QLineSeries;
  smooth->setName(tr("smoothed"));
  smooth->setPen(QPen(QColor(31, 119, 180), 2.5));
  // The y range follows the smoothed curve up to the blow-up, so a spike or the final explosion
  // does not flatten the part that matters.
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  const std::size_t end = r.suggestion.blowUpStep >= 0 ? static_cast<std::size_t>(r.suggestion.blowUpStep) + 1
                                                       : r.values.size();
  for (std::size_t t = 0; t < r.values.size(); ++t) {
    if (std::isfinite(r.losses[t])) raw->append(r.values[t], r.losses[t]);
    if (std::isfinite(r.smoothed[t])) smooth->append(r.values[t], r.smoothed[t]);
    if (t < end && std::isfinite(r.smoothed[t])) {
      low = std::min(low, r.smoothed[t]);
      high = std::max(high, r.smoothed[t]);
    }
  }
  if (!std::isfinite(low)) low = 0.0, high = 1.0;
  if (high <= low) high = low + 1.0;
  const double pad = 0.1 * (high - low);
  const double yMin = std::max(0.0, low - pad);
  const double yMax = high + 2.0 * pad;
  chart_->addSeries(raw);
  chart_->addSeries(smooth);
  const auto addMarker = [this, yMin, yMax](double x, const QString& label, const QColor& color, Qt::PenStyle style) {
    auto* line = new QLineSeries;
    line->setName(label);
    line->setPen(QPen(color, 1.5, style));
    line->append(x, yMin);
    line->append(x, yMax);
    chart_->addSeries(line);
  };
  const bool suggested = r.suggestion.step >= 0;
  if (suggested) addMarker(r.suggestion.value, tr("suggested %1").arg(formatHyperparameter(r.suggestion.value)),
                           QColor(44, 160, 44), Qt::SolidLine);
  if (r.suggestion.blowUpStep >= 0)
    addMarker(r.values[static_cast<std::size_t>(r.suggestion.blowUpStep)], tr("blew up"), QColor(214, 39, 40),
              Qt::DashLine);
  auto* x = new QLogValueAxis;
  x->setBase(10.0);
  x->setLabelFormat(QStringLiteral("%g"));
  x->setTitleText(name + tr(" (log scale)"));
  x->setMinorTickCount(-1);
  x->setRange(r.spec.from, r.spec.to);
  auto* y = new QValueAxis;
  y->setTitleText(tr("training loss"));
  y->setRange(yMin, yMax);
  chart_->addAxis(x, Qt::AlignBottom);
  chart_->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s : chart_->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }

  QString text = tr("%1 of %2 from %3 to %4 over %5 steps: %6.")
                     .arg(name, QString::fromStdString(r.spec.run), formatHyperparameter(r.spec.from),
                          formatHyperparameter(r.spec.to))
                     .arg(r.values.size())
                     .arg(QString::fromStdString(r.status));
  if (r.suggestion.blowUpStep >= 0)
    text += tr(" The loss blew up at %1 (step %2).")
                .arg(formatHyperparameter(r.values[static_cast<std::size_t>(r.suggestion.blowUpStep)]))
                .arg(r.suggestion.blowUpStep);
  if (suggested)
    text += tr(" Suggested: %1 = %2 (%3).")
                .arg(name, formatHyperparameter(r.suggestion.value), QString::fromStdString(r.suggestion.reason));
  else
    text += tr(" No suggestion: %1.").arg(QString::fromStdString(r.suggestion.reason));
  message_->setText(text);
  applyButton_->setText(tr("Apply %1 to %2").arg(formatHyperparameter(r.suggestion.value),
                                                  QString::fromStdString(r.spec.run)));
  applyButton_->setToolTip(tr("Sets %1 of %2 in the running session; it acts at the next step.")
                               .arg(name, QString::fromStdString(r.spec.run)));
  applyButton_->setVisible(suggested);
}

}  // namespace larslab::ui
