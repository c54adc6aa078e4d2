#include "autosave.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <algorithm>
#include <nlohmann/json.hpp>

namespace larslab::ui {

namespace {
constexpr int kFormatVersion = 1;
const QString kPattern = QStringLiteral("autosave-*.json");

QString defaultDirectory() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("autosave"));
}

QString lockPathFor(const QString& path) { return path + QStringLiteral(".lock"); }

engine::SpecError formatError(const QString& path, const std::string& field, const std::string& message) {
  return engine::SpecError(path.toStdString(), {engine::SpecIssue{field, message}});
}
}  // namespace

Autosave::Autosave(QString directory) : directory_(directory.isEmpty() ? defaultDirectory() : std::move(directory)) {
  // Process id and start time: unique per window even when a crashed process's id is reused.
  path_ = QDir(directory_).filePath(QStringLiteral("autosave-%1-%2.json")
                                        .arg(QCoreApplication::applicationPid())
                                        .arg(QDateTime::currentMSecsSinceEpoch()));
}

Autosave::~Autosave() = default;  // the copy stays unless discard() ran: that is the point

bool Autosave::write(const AutosaveContents& contents, QString* error) {
  if (!QDir().mkpath(directory_)) {
    if (error) *error = QCoreApplication::translate("Autosave", "cannot create %1").arg(directory_);
    return false;
  }
  if (!lock_) {
    lock_ = std::make_unique<QLockFile>(lockPathFor(path_));
    lock_->setStaleLockTime(0);  // stale only when its process is gone, however long it runs
    if (!lock_->tryLock(0)) {
      if (error) *error = QCoreApplication::translate("Autosave", "cannot lock %1").arg(lock_->fileName());
      lock_.reset();
      return false;
    }
  }
  QSaveFile file(path_);
  if (!file.open(QIODevice::WriteOnly) || file.write(serialize(contents)) < 0 || !file.commit()) {
    if (error) *error = QStringLiteral("%1: %2").arg(path_, file.errorString());
    return false;
  }
  return true;
}

void Autosave::discard() {
  QFile::remove(path_);
  if (lock_) {
    lock_->unlock();
    lock_.reset();
  }
}

std::vector<Autosave::Orphan> Autosave::orphans() const {
  std::vector<Orphan> found;
  const QDir dir(directory_);
  for (const QFileInfo& fi : dir.entryInfoList({kPattern}, QDir::Files, QDir::Time)) {
    if (fi.absoluteFilePath() == QFileInfo(path_).absoluteFilePath()) continue;
    // A live window holds its lock; tryLock succeeds only when the holder has died (Qt checks
    // the process id) or never locked (a copy written but never locked cannot exist).
    QLockFile probe(lockPathFor(fi.absoluteFilePath()));
    probe.setStaleLockTime(0);
    if (!probe.tryLock(0)) continue;
    probe.unlock();
    QFile file(fi.absoluteFilePath());
    if (!file.open(QIODevice::ReadOnly)) continue;
    try {
      found.push_back({fi.absoluteFilePath(), parse(file.readAll(), fi.absoluteFilePath())});
    } catch (const std::exception&) {
      // Unreadable (written by another version?): leave it for the user to inspect, do not offer.
    }
  }
  return found;
}

void Autosave::removeOrphan(const QString& path) {
  QFile::remove(path);
  QFile::remove(lockPathFor(path));
}

QByteArray Autosave::serialize(const AutosaveContents& contents) {
  nlohmann::ordered_json j;
  j["larslab_autosave"] = kFormatVersion;
  j["source"] = contents.sourceFile.toStdString();
  j["saved_at"] = contents.savedAt.isEmpty() ? QDateTime::currentDateTime().toString(Qt::ISODate).toStdString()
                                             : contents.savedAt.toStdString();
  // The copy lives in another folder than the experiment: a relative data path becomes absolute.
  j["experiment"] = nlohmann::ordered_json::parse(engine::experimentToJson(engine::relocateExperiment(contents.running, "")));
  if (contents.draft)
    j["draft"] = nlohmann::ordered_json::parse(engine::experimentToJson(engine::relocateExperiment(*contents.draft, "")));
  return QByteArray::fromStdString(j.dump(2) + "\n");
}

AutosaveContents Autosave::parse(const QByteArray& bytes, const QString& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(bytes.toStdString());
  } catch (const nlohmann::json::exception& e) {
    throw formatError(path, "", std::string("not JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("larslab_autosave"))
    throw formatError(path, "larslab_autosave", "missing: not a LARS Lab autosave file");
  if (j["larslab_autosave"] != kFormatVersion)
    throw formatError(path, "larslab_autosave", "expected version 1, found " + j["larslab_autosave"].dump());
  if (!j.contains("experiment") || !j["experiment"].is_object())
    throw formatError(path, "experiment", "expected an experiment object");
  AutosaveContents c;
  const std::string origin = path.toStdString();
  c.running = engine::parseExperiment(j["experiment"].dump(), origin + " (experiment)");
  if (j.contains("draft")) c.draft = engine::parseExperiment(j["draft"].dump(), origin + " (draft)");
  if (j.contains("source") && j["source"].is_string()) c.sourceFile = QString::fromStdString(j["source"].get<std::string>());
  if (j.contains("saved_at") && j["saved_at"].is_string()) c.savedAt = QString::fromStdString(j["saved_at"].get<std::string>());
  return c;
}

}  // namespace larslab::ui
