// MainWindow: the document. What Save writes is the running experiment as the store records it
// (tuned values, added runs, applied edits, name and description). It is modified when that
// differs from the file as opened or last saved, or when the Experiment panel holds edits not
// applied yet. Every path that would discard it asks first (maybeSave), and an autosave keeps a
// copy that survives a crash or a kill, offered back at the next start.
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

#include <cstdio>

#include "experiment_panel.h"
#include "main_window.h"

namespace larslab::ui {

namespace {
constexpr int kAutosaveDelayMs = 1500;  // after the last change: one write per burst of edits
}  // namespace

bool MainWindow::isModified() const {
  const std::optional<engine::ExperimentSpec> running = runningExperiment();
  if (!running) return false;
  return panel_->isDirty() || engine::experimentToJson(*running) != savedJson_;
}

void MainWindow::adoptPendingDocument() {
  if (!pendingSource_) return;
  currentFile_ = pendingSource_->file;
  sourceLabel_ = pendingSource_->label;
  const std::optional<engine::ExperimentSpec> running = runningExperiment();
  savedJson_ = pendingSource_->modified || !running ? std::string() : engine::experimentToJson(*running);
  savedSpec_ = pendingSource_->modified ? std::nullopt : pendingSpec_;
  if (!currentFile_.isEmpty()) addRecentFile(currentFile_);
  rememberFileStamp();
  pendingSource_.reset();
  pendingSpec_.reset();
  ++adoptedDocuments_;
}

namespace {
// Empty when the file cannot be read (gone, unreadable).
QByteArray fileHash(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash hash(QCryptographicHash::Sha1);
  hash.addData(&file);
  return hash.result();
}
}  // namespace

void MainWindow::rememberFileStamp() {
  currentFileHash_ = currentFile_.isEmpty() ? QByteArray() : fileHash(currentFile_);
}

bool MainWindow::fileChangedOnDisk() const {
  if (currentFile_.isEmpty() || currentFileHash_.isEmpty()) return false;
  // A file that is gone is simply written again; one that is there must still be ours.
  const QByteArray now = fileHash(currentFile_);
  return !now.isEmpty() && now != currentFileHash_;
}

bool MainWindow::confirm(const QString& title, const QString& question) {
  if (confirmPrompt_) return confirmPrompt_(question);
  if (!interactive_) {
    std::fprintf(stderr, "larslab: %s\n", qPrintable(question));
    return true;
  }
  QMessageBox box(QMessageBox::Question, title, question, QMessageBox::Yes | QMessageBox::No, this);
  box.setDefaultButton(QMessageBox::No);
  return box.exec() == QMessageBox::Yes;
}

bool MainWindow::confirmOutsidePaths(const QString& file, const std::vector<engine::OutsidePath>& paths) {
  if (paths.empty()) return true;
  const QString question =
      tr("%1 reads files outside its own folder:\n\n%2\n\nLARS Lab only reads them (no file names a place to "
         "write or anything to run). Open it?")
          .arg(QDir::toNativeSeparators(file), QString::fromStdString(engine::describeOutsidePaths(paths)));
  return confirm(tr("Files outside the folder"), question);
}

void MainWindow::documentChanged() {
  updateTitle();
  if (!autosave_) return;
  if (isModified()) {
    autosaveTimer_.start(kAutosaveDelayMs);
  } else if (autosaveWritten_) {
    // Back to the saved state: nothing to recover any more.
    autosaveTimer_.stop();
    autosave_->discard();
    autosaveWritten_ = false;
  }
}

bool MainWindow::maybeSave(const QString& action) {
  if (!isModified()) return true;
  const QString name = sourceLabel_.isEmpty() ? tr("this experiment") : sourceLabel_;
  QStringList what;
  const std::optional<engine::ExperimentSpec> running = runningExperiment();
  if (running && engine::experimentToJson(*running) != savedJson_)
    what << (savedJson_.empty() ? tr("it has not been saved to a file")
                                : tr("it was tuned or edited since it was opened or saved"));
  if (panel_->isDirty())
    what << tr("the Experiment panel has edits that are not applied (Save writes the running experiment "
               "without them; Apply first to keep them)");
  const QString question = tr("Save changes to %1 before you %2?\n\n%3.").arg(name, action, what.join(QStringLiteral("; ")));
  SaveAnswer answer = SaveAnswer::Discard;
  if (saveChangesPrompt_) {
    answer = saveChangesPrompt_(question);
  } else if (interactive_) {
    QMessageBox box(QMessageBox::Question, tr("Save changes?"), question,
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setDefaultButton(QMessageBox::Save);
    const int b = box.exec();
    answer = b == QMessageBox::Save ? SaveAnswer::Save : b == QMessageBox::Discard ? SaveAnswer::Discard : SaveAnswer::Cancel;
  }
  switch (answer) {
    case SaveAnswer::Save: return save();
    case SaveAnswer::Discard: return true;
    case SaveAnswer::Cancel: return false;
  }
  return false;
}

void MainWindow::setAutosaveDirectory(const QString& directory) {
  if (autosave_ && autosaveWritten_) autosave_->discard();
  autosave_ = std::make_unique<Autosave>(directory);
  autosaveWritten_ = false;
  documentChanged();
}

void MainWindow::autosaveNow() {
  autosaveTimer_.stop();
  const std::optional<engine::ExperimentSpec> running = runningExperiment();
  if (!autosave_ || !running) return;
  AutosaveContents contents;
  contents.running = *running;
  if (panel_->isDirty()) contents.draft = panel_->draft();
  contents.sourceFile = currentFile_;
  QString error;
  if (!autosave_->write(contents, &error)) {
    // Not a dialog: the user did nothing wrong, and the next change tries again.
    statusBar()->showMessage(tr("Autosave failed: %1").arg(error), 10000);
    return;
  }
  autosaveWritten_ = true;
}

bool MainWindow::offerRecovery() {
  if (!autosave_) return false;
  const std::vector<Autosave::Orphan> orphans = autosave_->orphans();
  if (orphans.empty()) return false;
  const Autosave::Orphan& found = orphans.front();
  const AutosaveContents& c = found.contents;
  const QString name = QString::fromStdString(c.running.name);
  const QString from = c.sourceFile.isEmpty() ? tr("not saved to a file") : tr("from %1").arg(c.sourceFile);
  if (interactive_) {
    QMessageBox box(QMessageBox::Question, tr("Restore unsaved work?"),
                    tr("LARS Lab did not close normally. It kept a copy of \"%1\" (%2), saved %3, with its "
                       "tuned values, runs and edits%4.\n\nRestore it? Its training starts again from step 0.")
                        .arg(name, from, QDateTime::fromString(c.savedAt, Qt::ISODate).toString(QLocale().dateTimeFormat(QLocale::ShortFormat)),
                             c.draft ? tr(", and edits that were not applied yet") : QString()),
                    QMessageBox::NoButton, this);
    QPushButton* restore = box.addButton(tr("Restore"), QMessageBox::AcceptRole);
    QPushButton* discard = box.addButton(tr("Discard it"), QMessageBox::DestructiveRole);
    box.addButton(tr("Not now"), QMessageBox::RejectRole);
    box.setDefaultButton(restore);
    box.exec();
    if (box.clickedButton() == discard) Autosave::removeOrphan(found.path);
    if (box.clickedButton() != restore) return false;
  }
  const int before = adoptedDocuments_;
  const QString label = c.sourceFile.isEmpty() ? tr("restored") : QFileInfo(c.sourceFile).fileName() + tr(", restored");
  pendingDraft_ = c.draft;
  startSession(c.running, /*autoplay=*/false, DocumentSource{c.sourceFile, label, /*modified=*/true}, /*wait=*/true);
  if (adoptedDocuments_ == before) return false;  // it failed to start (reported): keep the copy
  // Our own copy first, then the orphan: a crash in between leaves one of them.
  autosaveNow();
  Autosave::removeOrphan(found.path);
  statusBar()->showMessage(tr("Restored \"%1\" (%2). Save it to keep it.").arg(name, from), 15000);
  return true;
}

void MainWindow::resetToFile() {
  if (isReadOnly() || !session_) return;
  std::optional<engine::ExperimentSpec> spec = savedSpec_;
  if (!spec && !currentFile_.isEmpty() && QFileInfo::exists(currentFile_)) {
    try {
      spec = engine::loadExperiment(QDir::toNativeSeparators(currentFile_).toStdString());
    } catch (const engine::SpecError& e) {
      reportError(tr("Cannot reset to the file"), specErrorText(e));
      return;
    } catch (const std::exception& e) {
      reportError(tr("Cannot reset to the file"), QString::fromUtf8(e.what()));
      return;
    }
  }
  if (!spec) {
    reportError(tr("No file to go back to"), tr("This experiment has not been saved to a file; Reset keeps the tuned values."));
    return;
  }
  if (!maybeSave(tr("go back to the file's values"))) return;
  resetPending_ = true;
  const bool autoplay = state_ == SessionController::State::Playing;
  startSession(*spec, autoplay, DocumentSource{currentFile_, sourceLabel_, false});
  statusBar()->showMessage(tr("Reset to the values of %1: every run restarts from the same initial weights.")
                               .arg(sourceLabel_.isEmpty() ? tr("the file") : sourceLabel_),
                           5000);
}

}  // namespace larslab::ui
