#include "engine/outside_paths.h"

#include <filesystem>

namespace larslab::engine {

namespace {

namespace fs = std::filesystem;

// Whether `resolved` is `folder` itself or below it, compared on normalised absolute paths
// (lexically: a symbolic link inside the folder is the user's own doing).
bool isInside(const std::string& resolved, const std::string& folder) {
  std::error_code ec;
  const fs::path base = fs::absolute(fs::path(folder), ec).lexically_normal();
  const fs::path target = fs::absolute(fs::path(resolved), ec).lexically_normal();
  const fs::path relative = target.lexically_relative(base);
  return !relative.empty() && *relative.begin() != "..";
}

// An absolute path, or a relative one that leads out of `folder`.
void check(std::vector<OutsidePath>& out, const std::string& field, const std::string& written,
           const std::string& resolved, const std::string& folder) {
  if (written.empty()) return;
  if (fs::path(written).is_absolute() || !isInside(resolved, folder)) out.push_back({field, written, resolved});
}

void addExperiment(std::vector<OutsidePath>& out, const std::string& prefix, const ExperimentSpec& spec,
                   const std::string& folder) {
  check(out, prefix + "dataset.path", spec.dataset.path, resolvedDataPath(spec.dataset), folder);
}

std::string resolvedAgainst(const std::string& written, const std::string& baseDir) {
  const fs::path p(written);
  if (p.is_absolute() || baseDir.empty()) return written;
  return (fs::path(baseDir) / p).lexically_normal().string();
}

void addStudy(std::vector<OutsidePath>& out, const std::string& prefix, const StudySpec& study,
              const std::string& folder) {
  check(out, prefix + "experiment", study.experimentPath, resolvedAgainst(study.experimentPath, study.baseDir),
        folder);
  addExperiment(out, prefix + "experiment.", study.experiment, folder);
}

}  // namespace

std::vector<OutsidePath> pathsOutsideFolder(const ExperimentSpec& spec, const std::string& folder) {
  std::vector<OutsidePath> out;
  addExperiment(out, "", spec, folder);
  return out;
}

std::vector<OutsidePath> pathsOutsideFolder(const StudySpec& study, const std::string& folder) {
  std::vector<OutsidePath> out;
  addStudy(out, "", study, folder);
  return out;
}

std::vector<OutsidePath> pathsOutsideFolder(const LessonSpec& lesson, const std::string& folder) {
  std::vector<OutsidePath> out;
  check(out, "experiment", lesson.experimentPath, resolvedAgainst(lesson.experimentPath, folder), folder);
  addExperiment(out, "experiment.", lesson.experiment, folder);
  for (std::size_t i = 0; i < lesson.steps.size(); ++i)
    if (lesson.steps[i].study) addStudy(out, "steps[" + std::to_string(i) + "].study.", *lesson.steps[i].study, folder);
  return out;
}

std::string describeOutsidePaths(const std::vector<OutsidePath>& paths) {
  std::string text;
  for (const OutsidePath& p : paths) {
    if (!text.empty()) text += '\n';
    text += p.field + ": " + p.written;
    if (p.resolved != p.written) text += " (" + p.resolved + ")";
  }
  return text;
}

}  // namespace larslab::engine
