#pragma once
// A crash-safe copy of the experiment the user is working on, so that a crash or a kill loses
// nothing: the running experiment (tuned values, added runs, applied edits), the Experiment
// panel's unapplied draft, and the file it came from. One file per window, written atomically
// (QSaveFile), held with a QLockFile while the window lives; a clean quit removes it. At start
// the app looks for copies whose lock is stale (their process died) and offers them back.
//
// The curves are not in it: a restored experiment trains again from step 0.

#include <QLockFile>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

#include "engine/experiment.h"

namespace larslab::ui {

struct AutosaveContents {
  engine::ExperimentSpec running;
  std::optional<engine::ExperimentSpec> draft;  // the panel's unapplied edits, if any
  QString sourceFile;                           // "" for a built-in example or an unsaved experiment
  QString savedAt;                              // ISO 8601, local time
};

class Autosave {
 public:
  // `directory` "" means the per-user default (QStandardPaths::AppDataLocation/autosave).
  explicit Autosave(QString directory = QString());
  ~Autosave();
  Autosave(const Autosave&) = delete;
  Autosave& operator=(const Autosave&) = delete;

  // Writes (atomically) or replaces this window's copy. False with `error` set on failure.
  bool write(const AutosaveContents& contents, QString* error = nullptr);
  // Removes this window's copy: nothing left to lose (a clean quit, or nothing modified).
  void discard();
  [[nodiscard]] QString path() const { return path_; }
  [[nodiscard]] QString directory() const { return directory_; }

  // Copies left by windows whose process is gone (their lock is stale), newest first.
  struct Orphan {
    QString path;
    AutosaveContents contents;
  };
  [[nodiscard]] std::vector<Orphan> orphans() const;
  // Deletes an orphan once it has been restored or declined.
  static void removeOrphan(const QString& path);

  // Reading and writing the file format (a JSON object: "larslab_autosave": 1, "source",
  // "saved_at", "experiment", optional "draft"); parse errors throw engine::SpecError naming
  // the file and field.
  static QByteArray serialize(const AutosaveContents& contents);
  static AutosaveContents parse(const QByteArray& bytes, const QString& path);

 private:
  QString directory_;
  QString path_;
  std::unique_ptr<QLockFile> lock_;
};

}  // namespace larslab::ui
