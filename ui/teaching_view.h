#pragma once
// A teaching view: one page of the window's centre (next to the charts) that explains what the
// optimizers do at one step: the layer profile, the heatmap, the formula, the decision
// boundary. Every view is shown the same context and draws only from it; the window feeds it
// on each GUI tick to the view in front only (a hidden view costs nothing), and feed() draws
// it at once when the context changed, at most four times a second while it follows training.
//
// Adding a view: a TeachingView subclass in its own file and a row in teachingViews()
// (teaching_views.cpp). The window, the View menu, F1 help and `--view NAME` read that table.

#include <QString>
#include <QWidget>
#include <memory>

#include "engine/metrics_store.h"
#include "engine/session.h"

namespace larslab::ui {

// What the window shows now.
struct ViewContext {
  std::shared_ptr<const engine::MetricsStore> store;  // the session's, or a log's; may be null
  QString run;     // the selected run (its name in the store)
  QString tensor;  // the selected tensor ("dense1.weight"); may be empty
  // The step the step cursor points at; -1 follows the latest recorded step (live).
  long step = -1;
  // The running session (its data, network and kept weights); null while a log is shown.
  std::shared_ptr<const engine::Session> session;
  // New steps keep arriving (the session plays): feed() may hold live redraws back.
  bool training = false;
};

class TeachingView : public QWidget {
  Q_OBJECT
 public:
  using QWidget::QWidget;
  // Draws `context` now. It must cost little when nothing changed (compare with what it drew last).
  virtual void showContext(const ViewContext& context) = 0;

  // The GUI tick's entry (up to 30 Hz): draws `context` at once when the user changed what it
  // shows (another store, session, run, tensor or step) or nothing is training (a single step,
  // a pause: the last picture is the one the user reads); while training moves on, at most
  // once per kLivePeriodMs: the views redraw whole pictures (a heatmap, a profile, a network run
  // over a grid), and four new pictures a second read as live. `nowMs` is a monotonic clock.
  void feed(const ViewContext& context, qint64 nowMs);
  // Several views shown at once take their live redraws in turn: each is offset by `phaseMs`.
  void setLivePhase(qint64 phaseMs) { livePhaseMs_ = phaseMs; }
  static constexpr qint64 kLivePeriodMs = 250;

 private:
  ViewContext fed_;
  bool everFed_ = false;
  qint64 liveSlot_ = -1;
  qint64 livePhaseMs_ = 0;
};

}  // namespace larslab::ui
