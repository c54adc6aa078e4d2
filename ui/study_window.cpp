#include "study_window.h"

#include <QCloseEvent>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <chrono>
#include <filesystem>

#include "engine/atomic_file.h"
#include "duration_text.h"
#include "study_view.h"

namespace larslab::ui {

std::vector<engine::StudyResult> finishedResults(const std::vector<std::optional<engine::StudyResult>>& all) {
  std::vector<engine::StudyResult> out;
  for (const std::optional<engine::StudyResult>& r : all)
    if (r) out.push_back(*r);
  return out;
}


StudyWindow::StudyWindow(QWidget* parent) : QWidget(parent, Qt::Window) {
  setWindowTitle(tr("Study — LARS Lab"));
  view_ = new StudyView(this);
  runBar_ = new QWidget(this);
  auto* bar = new QHBoxLayout(runBar_);
  bar->setContentsMargins(0, 0, 0, 0);
  progress_ = new QProgressBar(runBar_);
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  progressLabel_ = new QLabel(runBar_);
  stopButton_ = new QPushButton(tr("&Stop study"), runBar_);
  stopButton_->setToolTip(tr("Stop between steps: finished configurations are kept, the rest are marked cancelled."));
  bar->addWidget(progress_, 1);
  bar->addWidget(progressLabel_);
  bar->addWidget(stopButton_);
  runBar_->hide();
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(runBar_);
  layout->addWidget(view_, 1);
  connect(stopButton_, &QPushButton::clicked, this, &StudyWindow::stop);
  stopPrompt_ = [this] {
    return QMessageBox::question(this, tr("Stop the study?"),
                                 tr("The study is still training. Stop it and close the window? "
                                    "Finished configurations are saved in %1.")
                                     .arg(QDir::toNativeSeparators(dir_))) == QMessageBox::Yes;
  };
  resize(1100, 720);
}

StudyWindow::~StudyWindow() {
  cancel_ = true;
  join();
}

void StudyWindow::join() {
  if (worker_.joinable()) worker_.join();
}

bool StudyWindow::open(const QString& dir) {
  if (running()) {
    lastError_ = tr("a study is running in this window");
    return false;
  }
  if (!view_->open(dir)) {
    lastError_ = view_->lastError();
    return false;
  }
  dir_ = dir;
  setWindowTitle(tr("%1 — study — LARS Lab").arg(QDir::toNativeSeparators(dir)));
  return true;
}

bool StudyWindow::start(engine::StudySpec spec, const QString& dir, int threads) {
  if (running()) {
    lastError_ = tr("a study is already running in this window");
    return false;
  }
  try {
    configurations_ = engine::expandStudy(spec);
    if (configurations_.empty()) throw std::runtime_error("the study has no configurations");
    std::filesystem::create_directories(dir.toStdString());
    // The description first: a crash before the first configuration ends leaves a study that opens.
    engine::writeStudyResults(dir.toStdString(), spec, {});
  } catch (const std::exception& e) {
    lastError_ = QString::fromUtf8(e.what());
    return false;
  }
  spec_ = std::move(spec);
  dir_ = dir;
  results_.assign(configurations_.size(), std::nullopt);
  cancel_ = false;
  lastProgress_ = {};
  setWindowTitle(tr("%1 — running — LARS Lab").arg(QString::fromStdString(spec_.name)));
  view_->setStudy(spec_, {}, dir_);
  runBar_->show();
  progress_->show();
  stopButton_->show();
  stopButton_->setEnabled(true);
  progressLabel_->setStyleSheet(QString());
  progress_->setValue(0);
  progressLabel_->setText(tr("starting %1 configurations…").arg(configurations_.size()));
  clock_.start();
  worker_ = std::thread([this, threads] {
    engine::StudyRunOptions options;
    options.threads = threads;
    options.cancel = &cancel_;
    options.outDir = dir_.toStdString();
    auto lastReport = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    options.progress = [this, &lastReport](const engine::StudyProgress& p) {
      // Thousands of steps a second on a small model: the GUI hears of at most 10 a second.
      const auto now = std::chrono::steady_clock::now();
      if (now - lastReport < std::chrono::milliseconds(100) && p.stepsDone < p.steps) return;
      lastReport = now;
      QMetaObject::invokeMethod(this, [this, p] { onProgress(p); }, Qt::QueuedConnection);
    };
    const std::string dir = dir_.toStdString();
    std::string saveError;
    options.configurationDone = [this, &dir, &saveError](std::size_t index, const engine::StudyResult& r) {
      std::vector<engine::StudyResult> done;
      {
        std::lock_guard lock(resultsMutex_);
        results_[index] = r;
        done = finishedResults(results_);
      }
      try {
        engine::writeStudyResults(dir, spec_, done);  // what a crash would leave: the finished ones
      } catch (const std::exception& e) {
        if (saveError.empty()) saveError = e.what();
      }
      QMetaObject::invokeMethod(this, [this] { onConfigurationDone(); }, Qt::QueuedConnection);
    };
    const engine::StudyOutcome outcome = engine::runStudy(spec_, configurations_, options);
    std::string error = outcome.writeError.empty() ? saveError : outcome.writeError;
    try {
      engine::writeStudyResults(dir, spec_, outcome.results);
      std::lock_guard lock(resultsMutex_);
      for (std::size_t i = 0; i < outcome.results.size(); ++i) results_[i] = outcome.results[i];
    } catch (const std::exception& e) {
      error = e.what();
    }
    QMetaObject::invokeMethod(
        this, [this, error] { onFinished(QString::fromStdString(error)); }, Qt::QueuedConnection);
  });
  return true;
}

void StudyWindow::stop() {
  if (!running()) return;
  cancel_ = true;
  stopButton_->setEnabled(false);
  progressLabel_->setText(tr("stopping after the current steps…"));
}

QString StudyWindow::progressText() const { return progressLabel_->text(); }

void StudyWindow::onProgress(engine::StudyProgress p) {
  if (cancel_) return;
  lastProgress_ = p;
  const double done = p.samples > 0 ? p.samplesDone / p.samples : 0.0;
  progress_->setValue(static_cast<int>(std::lround(1000.0 * done)));
  const double elapsed = static_cast<double>(clock_.elapsed()) / 1000.0;
  // The time left from the samples trained so far (a step at batch 8192 costs 64 steps at 128);
  // no estimate in the first seconds, when loading the data dominates.
  const QString left = (elapsed > 3.0 && done > 0.01) ? tr(", about %1 left").arg(durationText(elapsed * (1.0 - done) / done))
                                                     : QString();
  progressLabel_->setText(tr("%1 of %2 configurations done, %3%%4")
                              .arg(p.configurationsDone)
                              .arg(p.configurations)
                              .arg(static_cast<int>(100.0 * done))
                              .arg(left));
}

void StudyWindow::onConfigurationDone() {
  std::vector<engine::StudyResult> done;
  {
    std::lock_guard lock(resultsMutex_);
    done = finishedResults(results_);
  }
  view_->setResults(std::move(done));
}

void StudyWindow::onFinished(QString error) {
  join();
  onConfigurationDone();
  setWindowTitle(tr("%1 — study — LARS Lab").arg(QDir::toNativeSeparators(dir_)));
  lastError_ = error;
  if (error.isEmpty()) {
    runBar_->hide();
  } else {
    // Stays on screen (no modal box that a scripted window would wait on): the user must see it.
    progress_->hide();
    stopButton_->hide();
    progressLabel_->setStyleSheet(QStringLiteral("color: #b00000"));
    progressLabel_->setWordWrap(true);
    progressLabel_->setText(tr("Not saved completely: %1").arg(error));
  }
  Q_EMIT finished();
}

void StudyWindow::closeEvent(QCloseEvent* event) {
  if (running()) {
    if (!stopPrompt_()) {
      event->ignore();
      return;
    }
    cancel_ = true;
    join();  // the worker saves what finished before it ends
  }
  event->accept();
}

}  // namespace larslab::ui
