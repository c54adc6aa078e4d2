#include "pinned_runs.h"

#include <QCoreApplication>
#include <algorithm>

namespace larslab::ui {

QString pinKindName(PinnedRun::Kind kind) {
  switch (kind) {
    case PinnedRun::Kind::Pinned:
      return QCoreApplication::translate("larslab::ui::PinnedRuns", "pinned");
    case PinnedRun::Kind::PreviousAttempt:
      return QCoreApplication::translate("larslab::ui::PinnedRuns", "previous");
    case PinnedRun::Kind::Log:
      return QCoreApplication::translate("larslab::ui::PinnedRuns", "log");
  }
  return {};
}

const PinnedRun& PinnedRuns::add(PinnedRun::Kind kind, std::shared_ptr<const engine::MetricsStore> store, int run,
                                 const QString& tag, const QString& source) {
  PinnedRun p;
  p.id = nextId_++;
  p.kind = kind;
  p.run = run;
  p.steps = store->stepCount(run);
  p.evaluations = store->evaluations(run).size();
  p.runName = QString::fromStdString(store->runName(run));
  p.store = std::move(store);
  p.source = source;
  // Labels stay unique, so legends and the runs table tell two pins of one run apart.
  const auto taken = [this, &p](const QString& t) {
    return std::any_of(pins_.begin(), pins_.end(),
                       [&](const PinnedRun& q) { return q.runName == p.runName && q.tag == t; });
  };
  p.tag = tag;
  for (int n = 2; taken(p.tag); ++n) p.tag = tag + QStringLiteral(" ") + QString::number(n);
  pins_.push_back(std::move(p));
  ++revision_;
  return pins_.back();
}

bool PinnedRuns::remove(int id) {
  const auto it = std::find_if(pins_.begin(), pins_.end(), [id](const PinnedRun& p) { return p.id == id; });
  if (it == pins_.end()) return false;
  pins_.erase(it);
  ++revision_;
  return true;
}

int PinnedRuns::removeKind(PinnedRun::Kind kind) {
  const auto n = std::erase_if(pins_, [kind](const PinnedRun& p) { return p.kind == kind; });
  if (n > 0) ++revision_;
  return static_cast<int>(n);
}

void PinnedRuns::clear() {
  if (pins_.empty()) return;
  pins_.clear();
  ++revision_;
}

const PinnedRun* PinnedRuns::find(int id) const {
  const auto it = std::find_if(pins_.begin(), pins_.end(), [id](const PinnedRun& p) { return p.id == id; });
  return it == pins_.end() ? nullptr : &*it;
}

}  // namespace larslab::ui
