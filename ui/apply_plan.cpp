#include "apply_plan.h"

#include <QObject>
#include <variant>

#include "run_editor.h"

namespace larslab::ui {

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

bool sameSchedule(const optim::ScheduleConfig& a, const optim::ScheduleConfig& b) {
  return a.kind == b.kind && a.warmupSteps == b.warmupSteps && a.power == b.power &&
         a.finalFactor == b.finalFactor && a.stepSize == b.stepSize && a.gamma == b.gamma;
}

QString ApplyPlan::summary() const {
  if (empty()) return QObject::tr("Nothing to apply.");
  if (restart)
    return QObject::tr("Restarts training from step 0 (%1).").arg(restartReasons.join(QStringLiteral("; ")));
  int adds = 0;
  int removes = 0;
  int sets = 0;
  bool described = false;
  for (const auto& c : commands) {
    if (std::holds_alternative<engine::AddRun>(c)) ++adds;
    else if (std::holds_alternative<engine::RemoveRun>(c)) ++removes;
    else if (std::holds_alternative<engine::Describe>(c)) described = true;
    else ++sets;
  }
  QStringList parts;
  if (adds) parts << QObject::tr("add %n run(s)", nullptr, adds);
  if (removes) parts << QObject::tr("remove %n run(s)", nullptr, removes);
  if (sets) parts << QObject::tr("change %n value(s)", nullptr, sets);
  if (described) parts << QObject::tr("rename or re-describe the experiment");
  return QObject::tr("Applies to the running session without a restart: %1.").arg(parts.join(QStringLiteral(", ")));
}

ApplyPlan planApply(const engine::ExperimentSpec& current, const engine::ExperimentSpec& draft) {
  ApplyPlan plan;
  auto need = [&plan](const QString& why) {
    plan.restart = true;
    plan.restartReasons << why;
  };
  const auto& dc = current.dataset;
  const auto& dd = draft.dataset;
  if (dc.kind != dd.kind) need(QObject::tr("dataset %1 → %2").arg(qs(dc.kind), qs(dd.kind)));
  else if (dc.samples != dd.samples || dc.noise != dd.noise || dc.testFraction != dd.testFraction ||
           dc.path != dd.path || dc.labelColumn != dd.labelColumn || dc.standardize != dd.standardize ||
           dc.regression != dd.regression || dc.limit != dd.limit || dc.ignoreColumns != dd.ignoreColumns ||
           dc.missing != dd.missing)
    need(QObject::tr("dataset parameters"));
  bool modelSame = current.model.loss == draft.model.loss && current.model.layers.size() == draft.model.layers.size();
  for (std::size_t i = 0; modelSame && i < current.model.layers.size(); ++i)
    modelSame = current.model.layers[i] == draft.model.layers[i];
  if (!modelSame) need(QObject::tr("model"));
  if (current.batchSize != draft.batchSize)
    need(QObject::tr("batch size %1 → %2").arg(current.batchSize).arg(draft.batchSize));
  if (current.steps != draft.steps || current.epochs != draft.epochs) need(QObject::tr("length"));
  if (current.evalEvery != draft.evalEvery) need(QObject::tr("evaluation interval"));
  if (current.seed != draft.seed) need(QObject::tr("seed %1 → %2").arg(current.seed).arg(draft.seed));
  if (current.shuffle != draft.shuffle) need(QObject::tr("shuffling"));

  for (const auto& d : draft.runs) {
    const engine::RunSpec* c = nullptr;
    for (const auto& r : current.runs)
      if (r.name == d.name) c = &r;
    if (c == nullptr) {
      plan.commands.emplace_back(engine::AddRun{d});
      continue;
    }
    if (c->optimizer.type != d.optimizer.type) {
      need(QObject::tr("run %1: optimizer %2 → %3").arg(qs(d.name), qs(c->optimizer.type), qs(d.optimizer.type)));
      continue;
    }
    if (c->optimizer.preset != d.optimizer.preset) need(QObject::tr("run %1: preset").arg(qs(d.name)));
    if (!sameSchedule(c->schedule, d.schedule)) need(QObject::tr("run %1: schedule").arg(qs(d.name)));
    const optim::OptimizerInfo* info = optim::findOptimizer(d.optimizer.type);
    if (info == nullptr) continue;
    for (const auto& h : info->hyperparameters) {
      const double a = optim::effectiveHyperparameter(c->optimizer, h);
      const double b = optim::effectiveHyperparameter(d.optimizer, h);
      if (a != b) {
        plan.commands.emplace_back(engine::SetHyperparameter{d.name, h.name, b});
      }
    }
    for (const auto& o : info->options) {
      const std::string a = optim::effectiveOption(c->optimizer, o);
      const std::string b = optim::effectiveOption(d.optimizer, o);
      if (a != b) {
        plan.commands.emplace_back(engine::SetOption{d.name, o.name, b});
      }
    }
  }
  // Name and description are part of what Save writes: applied like any live edit.
  if (current.name != draft.name || current.description != draft.description)
    plan.commands.emplace_back(engine::Describe{draft.name, draft.description});
  for (const auto& c : current.runs) {
    bool kept = false;
    for (const auto& d : draft.runs) kept = kept || d.name == c.name;
    if (!kept) {
      plan.commands.emplace_back(engine::RemoveRun{c.name});
    }
  }
  return plan;
}

}  // namespace larslab::ui
