#pragma once
// What the readers of JSON files (experiments, studies, lessons) share: parsing the top level
// with a message that names the line, describing a value in an error message, reading a file
// and finding its folder (relative paths inside a file are relative to it).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/experiment.h"

namespace larslab::engine {

// "\"linar\"", "3", "an object", "an array", "true", "null".
std::string describeJson(const nlohmann::json& j);

// The top-level object of `jsonText`. Throws SpecError(origin) on invalid JSON (with nlohmann's
// "at line L, column C") or when the top level is not an object.
nlohmann::json parseJsonObject(const std::string& jsonText, const std::string& origin);

// A file's bytes. Throws SpecError(path): "cannot open the file" / "cannot read the file".
std::string readSpecFile(const std::string& path);

// The absolute folder of `path` (its parent as written when it cannot be made absolute).
std::string folderOf(const std::string& path);

// The "experiment" field of a study or a lesson (`root` holds it): an experiment file (a relative
// path is relative to `baseDir`) or an inline experiment object. Its problems are appended to
// `issues` under "experiment" (an inline object's keep their own path after it); nullopt then.
// `pathAsWritten` receives the file path as written ("" for an inline object).
std::optional<ExperimentSpec> readExperimentField(const nlohmann::json& root, const std::string& origin,
                                                  const std::string& baseDir, std::string& pathAsWritten,
                                                  std::vector<SpecIssue>& issues);

}  // namespace larslab::engine
