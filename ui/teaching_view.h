#pragma once
// A teaching view: one page of the window's centre (next to the charts) that explains what the
// optimizers do at one step: the layer profile, the heatmap, the formula, the decision
// boundary. Every view is shown the same context and draws only from it; the window passes it
// on each GUI tick to the view in front only (a hidden view costs nothing).
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
};

class TeachingView : public QWidget {
  Q_OBJECT
 public:
  using QWidget::QWidget;
  // Draws `context`. Called at up to 30 Hz while the view is in front, so it must cost little
  // when nothing changed (compare with what it drew last).
  virtual void showContext(const ViewContext& context) = 0;
};

}  // namespace larslab::ui
