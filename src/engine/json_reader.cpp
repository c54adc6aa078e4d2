#include "engine/json_reader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/experiment.h"
#include "engine/text_util.h"

namespace larslab::engine {

std::string describeJson(const nlohmann::json& j) {
  if (j.is_string()) return "\"" + j.get<std::string>() + "\"";
  if (j.is_number()) return formatNumber(j.get<double>());
  if (j.is_object()) return "an object";
  if (j.is_array()) return "an array";
  return j.dump();
}

nlohmann::json parseJsonObject(const std::string& jsonText, const std::string& origin) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(jsonText);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message carries "at line L, column C"; keep only the useful tail.
    const std::string what = e.what();
    const auto pos = what.find("parse error");
    throw SpecError(origin, {{"", "invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos))}});
  } catch (const nlohmann::json::exception& e) {
    // A number beyond double's range ("1e400") is out_of_range, not a parse_error (found by
    // tests/fuzz/fuzz_experiment); the message names the number.
    const std::string what = e.what();
    const auto pos = what.find("] ");
    throw SpecError(origin, {{"", "invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2))}});
  }
  if (!root.is_object())
    throw SpecError(origin, {{"", "the top level must be a JSON object, got " + describeJson(root)}});
  return root;
}

std::string readSpecFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SpecError(path, {{"", "cannot open the file"}});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SpecError(path, {{"", "cannot read the file"}});
  return text.str();
}

std::string folderOf(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(std::filesystem::path(path), ec);
  return ec ? std::filesystem::path(path).parent_path().string() : absolute.parent_path().string();
}

std::optional<ExperimentSpec> readExperimentField(const nlohmann::json& root, const std::string& origin,
                                                  const std::string& baseDir, std::string& pathAsWritten,
                                                  std::vector<SpecIssue>& issues) {
  pathAsWritten.clear();
  if (!root.contains("experiment")) {
    issues.push_back({"experiment", "missing required field (an experiment file path or an experiment object)"});
    return std::nullopt;
  }
  const nlohmann::json& value = root["experiment"];
  try {
    if (value.is_string()) {
      pathAsWritten = value.get<std::string>();
      std::filesystem::path p(pathAsWritten);
      if (p.is_relative() && !baseDir.empty()) p = std::filesystem::path(baseDir) / p;
      return loadExperiment(p.lexically_normal().string());
    }
    if (value.is_object()) {
      ExperimentSpec e = parseExperiment(value.dump(), origin);
      e.dataset.baseDir = baseDir;
      return e;
    }
  } catch (const SpecError& e) {
    for (const SpecIssue& i : e.issues()) {
      if (value.is_string())
        issues.push_back({"experiment", e.file() + ": " + (i.path.empty() ? "" : i.path + ": ") + i.message});
      else
        issues.push_back({i.path.empty() ? "experiment" : "experiment." + i.path, i.message});
    }
    return std::nullopt;
  }
  issues.push_back({"experiment", "must be an experiment file path or an experiment object, got " + describeJson(value)});
  return std::nullopt;
}

}  // namespace larslab::engine
