#pragma once
// Pinned runs: read-only copies of runs drawn, dimmed, next to the live ones in every chart, to
// compare an attempt with the one before (kept on Reset), a run with its own earlier state, or a
// metric log from disk (the CLI's or an exported PyTorch script's).
//
// A pin holds its store's shared_ptr (the store outlives the session that wrote it) and the
// number of steps and evaluations the run had when it was pinned: a pinned run that goes on
// training in its live session never grows in the charts. Pins are a view: they are never
// saved in the experiment and never mark the document modified.

#include <QString>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/metrics_store.h"

namespace larslab::ui {

struct PinnedRun {
  enum class Kind {
    Pinned,           // "Pin run": kept until removed
    PreviousAttempt,  // the attempt before the last Reset: replaced by the next one
    Log,              // a run of a metric log read from disk
  };
  int id = 0;  // unique for the window's lifetime: chart series keys, removal
  Kind kind = Kind::Pinned;
  std::shared_ptr<const engine::MetricsStore> store;
  int run = 0;
  long steps = 0;                   // rows drawn: the run's length when pinned
  std::size_t evaluations = 0;      // evaluations drawn: the count when pinned
  QString runName;                  // the source run's name: its colour, its tensors' chart
  QString tag;                      // "pinned", "previous attempt", the log's name; unique per run name
  QString source;                   // where it came from, for tooltips: "step 120 of ...", a log path
  [[nodiscard]] QString label() const { return runName + QStringLiteral(" (") + tag + QStringLiteral(")"); }
};

class PinnedRuns {
 public:
  // Pins `run` of `store` as it is now. `tag` is made unique among the pins of the same run
  // name ("pinned", "pinned 2"...). Returns the new pin.
  const PinnedRun& add(PinnedRun::Kind kind, std::shared_ptr<const engine::MetricsStore> store, int run,
                       const QString& tag, const QString& source);
  bool remove(int id);
  // Removes every pin of `kind`; returns how many went.
  int removeKind(PinnedRun::Kind kind);
  void clear();

  [[nodiscard]] const std::vector<PinnedRun>& list() const { return pins_; }
  [[nodiscard]] const PinnedRun* find(int id) const;
  [[nodiscard]] bool empty() const { return pins_.empty(); }
  [[nodiscard]] std::size_t size() const { return pins_.size(); }
  // Bumps on every change, so views rebuild only then.
  [[nodiscard]] std::uint64_t revision() const { return revision_; }

 private:
  std::vector<PinnedRun> pins_;
  int nextId_ = 1;
  std::uint64_t revision_ = 0;
};

// What a pin's kind is called in the runs table's narrow status column: "pinned", "previous", "log".
QString pinKindName(PinnedRun::Kind kind);

}  // namespace larslab::ui
