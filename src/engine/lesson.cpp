#include "engine/lesson.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "engine/atomic_file.h"
#include "engine/json_reader.h"
#include "engine/session.h"
#include "engine/text_util.h"
#include "optim/optimizer.h"

namespace larslab::engine {

namespace {

using Json = nlohmann::json;

const std::vector<std::string> kLessonFields = {"version", "title", "summary", "experiment", "steps"};
const std::vector<std::string> kStepFields = {"title", "text",    "view",      "tensor",     "charts", "hide",
                                              "lock",  "actions", "questions", "text_scale", "study"};
const std::vector<std::string> kActionKinds = {"train_to", "set", "option", "pin"};

std::string listOf(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Collects every problem of a lesson file with its JSON path.
struct LessonReader {
  std::vector<SpecIssue> issues;
  const ExperimentSpec* experiment = nullptr;  // null when the experiment did not parse
  const LessonVocabulary& vocabulary;
  long lastTrainTo = 0;
  std::string baseDir;  // a study file's path is relative to the lesson's folder
  std::string origin;

  void issue(std::string path, std::string message) { issues.push_back({std::move(path), std::move(message)}); }

  void checkKeys(const Json& j, const std::string& path, const std::vector<std::string>& allowed) {
    for (const auto& item : j.items())
      if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end())
        issue(path + (path.empty() ? "" : ".") + item.key(), "unknown field" + didYouMean(item.key(), allowed));
  }

  std::string string(const Json& j, const std::string& path, bool required) {
    if (!j.is_string()) {
      issue(path, required ? "must be a string, got " + describeJson(j) : "must be a string, got " + describeJson(j));
      return {};
    }
    return j.get<std::string>();
  }

  // A name from `allowed` (unchecked when the list is empty).
  std::string name(const Json& j, const std::string& path, const std::vector<std::string>& allowed,
                   const char* what) {
    std::string n = string(j, path, true);
    if (!n.empty() && !allowed.empty() && std::find(allowed.begin(), allowed.end(), n) == allowed.end())
      issue(path, std::string("unknown ") + what + " \"" + n + "\"" + didYouMean(n, allowed) + " (one of " +
                      listOf(allowed) + ")");
    return n;
  }

  std::vector<std::string> names(const Json& j, const std::string& path, const std::vector<std::string>& allowed,
                                 const char* what) {
    std::vector<std::string> out;
    if (!j.is_array()) {
      issue(path, std::string("must be an array of ") + what + " names, got " + describeJson(j));
      return out;
    }
    for (std::size_t i = 0; i < j.size(); ++i)
      out.push_back(name(j[i], path + "[" + std::to_string(i) + "]", allowed, what));
    return out;
  }

  const RunSpec* run(const Json& j, const std::string& path) {
    const std::string n = string(j, path, true);
    if (experiment == nullptr || n.empty()) return nullptr;
    for (const RunSpec& r : experiment->runs)
      if (r.name == n) return &r;
    std::vector<std::string> runs;
    for (const RunSpec& r : experiment->runs) runs.push_back(r.name);
    issue(path, "no run named \"" + n + "\"" + didYouMean(n, runs) + " in the experiment (runs: " + listOf(runs) + ")");
    return nullptr;
  }

  std::optional<LessonAction> action(const Json& j, const std::string& path) {
    if (!j.is_object() || j.size() != 1) {
      issue(path, "must be an object with one of " + listOf(kActionKinds) + ", got " + describeJson(j));
      return std::nullopt;
    }
    const std::string kind = j.begin().key();
    const Json& v = j.begin().value();
    const std::string at = path + "." + kind;
    if (kind == "train_to") {
      if (!v.is_number_integer() || v.get<long long>() < 0) {
        issue(at, "must be a step (an integer >= 0), got " + describeJson(v));
        return std::nullopt;
      }
      const long step = v.get<long>();
      if (step < lastTrainTo)
        issue(at, "must not go back (an earlier action trains to " + std::to_string(lastTrainTo) + "), got " +
                      std::to_string(step));
      lastTrainTo = std::max(lastTrainTo, step);
      return TrainTo{step};
    }
    if (kind == "pin") {
      const RunSpec* r = run(v, at);
      return r ? std::optional<LessonAction>(PinRun{r->name}) : std::nullopt;
    }
    if (kind == "set" || kind == "option") {
      if (!v.is_object()) {
        issue(at, "must be an object {\"run\": ..., \"name\": ..., \"" + std::string(kind == "set" ? "value" : "choice") +
                      "\": ...}, got " + describeJson(v));
        return std::nullopt;
      }
      const std::string valueKey = kind == "set" ? "value" : "choice";
      checkKeys(v, at, {"run", "name", valueKey});
      for (const std::string& key : {std::string("run"), std::string("name"), valueKey})
        if (!v.contains(key)) issue(at + "." + key, "missing required field");
      if (!v.contains("run") || !v.contains("name") || !v.contains(valueKey)) return std::nullopt;
      const RunSpec* r = run(v["run"], at + ".run");
      const std::string n = string(v["name"], at + ".name", true);
      if (r == nullptr || n.empty()) return std::nullopt;
      const optim::OptimizerInfo* info = optim::findOptimizer(r->optimizer.type);
      if (info == nullptr) return std::nullopt;  // the experiment reported it
      if (kind == "set") {
        const optim::HyperparameterSpec* h = info->findHyperparameter(n);
        if (h == nullptr) {
          std::vector<std::string> all;
          for (const optim::HyperparameterSpec& x : info->hyperparameters) all.push_back(x.name);
          issue(at + ".name", r->name + " (" + info->displayName + ") has no hyperparameter \"" + n + "\"" +
                                  didYouMean(n, all) + " (it has " + listOf(all) + ")");
          return std::nullopt;
        }
        if (!v["value"].is_number() || !(v["value"].get<double>() >= h->minValue) ||
            !(v["value"].get<double>() <= h->maxValue)) {
          issue(at + ".value", "must be a number in [" + formatNumber(h->minValue) + ", " + formatNumber(h->maxValue) +
                                   "] for " + n + ", got " + describeJson(v["value"]));
          return std::nullopt;
        }
        return SetHyperparameter{r->name, n, v["value"].get<double>()};
      }
      const optim::OptionSpec* o = info->findOption(n);
      if (o == nullptr) {
        std::vector<std::string> all;
        for (const optim::OptionSpec& x : info->options) all.push_back(x.name);
        issue(at + ".name", r->name + " (" + info->displayName + ") has no option \"" + n + "\"" + didYouMean(n, all) +
                                (all.empty() ? std::string() : " (it has " + listOf(all) + ")"));
        return std::nullopt;
      }
      const std::string choice = string(v["choice"], at + ".choice", true);
      if (std::find(o->choices.begin(), o->choices.end(), choice) == o->choices.end()) {
        issue(at + ".choice", "must be one of " + listOf(o->choices) + " for " + n + ", got \"" + choice + "\"" +
                                  didYouMean(choice, o->choices));
        return std::nullopt;
      }
      return SetOption{r->name, n, choice};
    }
    issue(at, "unknown action" + didYouMean(kind, kActionKinds) + " (one of " + listOf(kActionKinds) + ")");
    return std::nullopt;
  }

  LessonStep step(const Json& j, const std::string& path) {
    LessonStep s;
    if (!j.is_object()) {
      issue(path, "must be an object (a step), got " + describeJson(j));
      return s;
    }
    checkKeys(j, path, kStepFields);
    for (const char* key : {"title", "text"})
      if (!j.contains(key)) issue(path + "." + key, "missing required field");
    if (j.contains("title")) s.title = string(j["title"], path + ".title", true);
    if (j.contains("text")) s.text = string(j["text"], path + ".text", true);
    if (j.contains("view")) s.view = name(j["view"], path + ".view", vocabulary.views, "view");
    if (j.contains("tensor")) s.tensor = string(j["tensor"], path + ".tensor", false);
    if (j.contains("charts")) s.charts = names(j["charts"], path + ".charts", vocabulary.charts, "chart");
    if (j.contains("hide")) s.hide = names(j["hide"], path + ".hide", vocabulary.controls, "control");
    if (j.contains("lock")) s.lock = names(j["lock"], path + ".lock", vocabulary.controls, "control");
    if (j.contains("text_scale")) {
      const Json& t = j["text_scale"];
      if (!t.is_number_integer() || t.get<int>() < 80 || t.get<int>() > 200)
        issue(path + ".text_scale", "must be a percentage from 80 to 200, got " + describeJson(t));
      else
        s.textScale = t.get<int>();
    }
    if (j.contains("actions")) {
      const Json& a = j["actions"];
      if (!a.is_array()) {
        issue(path + ".actions", "must be an array of actions, got " + describeJson(a));
      } else {
        for (std::size_t i = 0; i < a.size(); ++i)
          if (auto act = action(a[i], path + ".actions[" + std::to_string(i) + "]")) s.actions.push_back(*act);
      }
    }
    if (j.contains("study")) {
      const Json& st = j["study"];
      try {
        if (st.is_string()) {
          std::filesystem::path p(st.get<std::string>());
          if (p.is_relative() && !baseDir.empty()) p = std::filesystem::path(baseDir) / p;
          s.study = loadStudy(p.lexically_normal().string());
        } else if (st.is_object()) {
          s.study = parseStudy(st.dump(), origin, baseDir);
        } else {
          issue(path + ".study", "must be a study file path or a study object, got " + describeJson(st));
        }
      } catch (const SpecError& e) {
        for (const SpecIssue& i : e.issues())
          issue(path + ".study" + (i.path.empty() ? "" : "." + i.path),
                (st.is_string() ? e.file() + ": " : std::string()) + i.message);
      }
    }
    if (j.contains("questions")) {
      const Json& q = j["questions"];
      if (!q.is_array()) {
        issue(path + ".questions", "must be an array of {\"question\", \"answer\"}, got " + describeJson(q));
      } else {
        for (std::size_t i = 0; i < q.size(); ++i) {
          const std::string at = path + ".questions[" + std::to_string(i) + "]";
          if (!q[i].is_object()) {
            issue(at, "must be an object {\"question\": ..., \"answer\": ...}, got " + describeJson(q[i]));
            continue;
          }
          checkKeys(q[i], at, {"question", "answer"});
          LessonQuestion lq;
          for (const char* key : {"question", "answer"}) {
            if (!q[i].contains(key)) {
              issue(at + "." + key, "missing required field");
              continue;
            }
            (std::string(key) == "question" ? lq.question : lq.answer) = string(q[i][key], at + "." + key, true);
          }
          s.questions.push_back(std::move(lq));
        }
      }
    }
    return s;
  }
};

}  // namespace

LessonSpec parseLesson(const std::string& jsonText, const std::string& origin, const std::string& baseDir,
                       const LessonVocabulary& vocabulary) {
  const Json root = parseJsonObject(jsonText, origin);
  LessonReader r{{}, nullptr, vocabulary, 0, baseDir, origin};
  LessonSpec lesson;
  r.checkKeys(root, "", kLessonFields);
  if (!root.contains("version"))
    r.issue("version", "missing required field (must be 1)");
  else if (!root["version"].is_number_integer() || root["version"].get<long long>() != 1)
    r.issue("version", "must be 1, got " + describeJson(root["version"]));
  if (!root.contains("title"))
    r.issue("title", "missing required field");
  else
    lesson.title = r.string(root["title"], "title", true);
  if (root.contains("summary")) lesson.summary = r.string(root["summary"], "summary", false);

  const std::optional<ExperimentSpec> experiment =
      readExperimentField(root, origin, baseDir, lesson.experimentPath, r.issues);
  if (experiment) {
    lesson.experiment = *experiment;
    r.experiment = &lesson.experiment;
  }

  if (!root.contains("steps")) {
    r.issue("steps", "missing required field (a non-empty array of steps)");
  } else if (!root["steps"].is_array() || root["steps"].empty()) {
    r.issue("steps", "must be a non-empty array of steps, got " +
                         (root["steps"].is_array() ? std::string("an empty array") : describeJson(root["steps"])));
  } else {
    for (std::size_t i = 0; i < root["steps"].size(); ++i)
      lesson.steps.push_back(r.step(root["steps"][i], "steps[" + std::to_string(i) + "]"));
  }
  if (!r.issues.empty()) throw SpecError(origin, std::move(r.issues));
  return lesson;
}

LessonSpec loadLesson(const std::string& path, const LessonVocabulary& vocabulary) {
  return parseLesson(readSpecFile(path), path, folderOf(path), vocabulary);
}

std::string lessonToJson(const LessonSpec& lesson, const std::string& folder) {
  nlohmann::ordered_json root;
  root["version"] = lesson.version;
  root["title"] = lesson.title;
  if (!lesson.summary.empty()) root["summary"] = lesson.summary;
  root["experiment"] = nlohmann::ordered_json::parse(experimentToJson(relocateExperiment(lesson.experiment, folder)));
  root["steps"] = nlohmann::ordered_json::array();
  for (const LessonStep& s : lesson.steps) {
    nlohmann::ordered_json j;
    j["title"] = s.title;
    j["text"] = s.text;
    if (!s.view.empty()) j["view"] = s.view;
    if (!s.tensor.empty()) j["tensor"] = s.tensor;
    if (!s.charts.empty()) j["charts"] = s.charts;
    if (!s.hide.empty()) j["hide"] = s.hide;
    if (!s.lock.empty()) j["lock"] = s.lock;
    if (s.textScale > 0) j["text_scale"] = s.textScale;
    if (s.study) j["study"] = nlohmann::ordered_json::parse(studyToJson(*s.study, folder));
    if (!s.actions.empty()) {
      j["actions"] = nlohmann::ordered_json::array();
      for (const LessonAction& a : s.actions) {
        nlohmann::ordered_json action;
        if (const auto* t = std::get_if<TrainTo>(&a)) action["train_to"] = t->step;
        if (const auto* h = std::get_if<SetHyperparameter>(&a))
          action["set"] = {{"run", h->run}, {"name", h->name}, {"value", h->value}};
        if (const auto* o = std::get_if<SetOption>(&a))
          action["option"] = {{"run", o->run}, {"name", o->name}, {"choice", o->choice}};
        if (const auto* p = std::get_if<PinRun>(&a)) action["pin"] = p->run;
        j["actions"].push_back(action);
      }
    }
    if (!s.questions.empty()) {
      j["questions"] = nlohmann::ordered_json::array();
      for (const LessonQuestion& q : s.questions) j["questions"].push_back({{"question", q.question}, {"answer", q.answer}});
    }
    root["steps"].push_back(j);
  }
  return root.dump(2) + "\n";
}

void saveLesson(const LessonSpec& lesson, const std::string& path) {
  writeFileAtomically(path, lessonToJson(lesson, folderOf(path)));
}

std::vector<LessonAction> lessonActionsThrough(const LessonSpec& lesson, int step) {
  std::vector<LessonAction> out;
  const int last = std::min(step, static_cast<int>(lesson.steps.size()) - 1);
  for (int k = 0; k <= last; ++k)
    out.insert(out.end(), lesson.steps[static_cast<std::size_t>(k)].actions.begin(),
               lesson.steps[static_cast<std::size_t>(k)].actions.end());
  return out;
}

std::vector<PinRun> applyLessonActions(Session& session, const std::vector<LessonAction>& actions) {
  std::vector<PinRun> pins;
  for (const LessonAction& a : actions) {
    if (const auto* train = std::get_if<TrainTo>(&a)) {
      while (session.currentStep() < train->step && session.step()) {
      }
    } else if (const auto* set = std::get_if<SetHyperparameter>(&a)) {
      session.submit(*set);
    } else if (const auto* option = std::get_if<SetOption>(&a)) {
      session.submit(*option);
    } else if (const auto* pin = std::get_if<PinRun>(&a)) {
      pins.push_back(*pin);
    }
  }
  return pins;
}

}  // namespace larslab::engine
