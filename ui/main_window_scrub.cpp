// MainWindow: the step scrubber. One StepCursor for the window: live until the user scrubs
// (a drag along any chart's x axis, Alt+drag in a plot, or the keys below), then step k for
// every chart, the runs table, the tensor inspector and the teaching view in front, until L.
#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QStatusBar>
#include <algorithm>

#include "main_window.h"

namespace larslab::ui {

namespace {
constexpr double kCursorJump = 0.1;  // Alt+Shift+Left/Right: a tenth of the steps recorded
}  // namespace

void MainWindow::buildScrubActions(QMenu* view) {
  QMenu* menu = view->addMenu(tr("Step &cursor"));
  menu->setToolTipsVisible(true);
  struct Key {
    QString text;
    QKeySequence keys;
    std::function<void()> act;
  };
  const Key keys[] = {
      {tr("One step &back"), QKeySequence(Qt::ALT | Qt::Key_Left), [this] { moveCursor(-1); }},
      {tr("One step &forward"), QKeySequence(Qt::ALT | Qt::Key_Right), [this] { moveCursor(1); }},
      {tr("10% of the steps b&ack"), QKeySequence(Qt::ALT | Qt::SHIFT | Qt::Key_Left),
       [this] { moveCursorByFraction(-kCursorJump); }},
      {tr("10% of the steps f&orward"), QKeySequence(Qt::ALT | Qt::SHIFT | Qt::Key_Right),
       [this] { moveCursorByFraction(kCursorJump); }},
      {tr("Back to &live"), QKeySequence(Qt::Key_L), [this] { returnToLive(); }},
  };
  for (const Key& k : keys) {
    QAction* a = menu->addAction(k.text, this, k.act);
    a->setShortcut(k.keys);
    a->setShortcutContext(Qt::WindowShortcut);
    a->setStatusTip(tr("The step cursor: every chart, the runs table, the inspector and the views show that step; "
                       "drag along a chart's x axis to scrub, L follows the latest step again."));
    addAction(a);
  }
  connect(dashboard_, &Dashboard::scrubRequested, this, &MainWindow::scrubTo);

  cursorLabel_ = new QLabel(this);
  cursorLabel_->setObjectName(QStringLiteral("cursorLabel"));
  cursorLabel_->setToolTip(tr("Every chart, the runs table, the inspector and the views show this step. "
                              "Alt+Left/Right: one step, Alt+Shift+Left/Right: 10%, L: back to live."));
  cursorLabel_->hide();
  statusBar()->addPermanentWidget(cursorLabel_);
}

long MainWindow::latestStep() const {
  const auto store = currentStore();
  long steps = 0;
  if (store)
    for (int r = 0; r < store->runCount(); ++r) steps = std::max(steps, store->stepCount(r));
  return steps - 1;
}

void MainWindow::scrubTo(long step) {
  if (cursor_.scrubTo(step, latestStep())) refreshNow();
}

void MainWindow::moveCursor(long delta) {
  if (cursor_.moveBy(delta, latestStep())) refreshNow();
}

void MainWindow::moveCursorByFraction(double fraction) {
  if (cursor_.moveByFraction(fraction, latestStep())) refreshNow();
}

void MainWindow::returnToLive() {
  if (cursor_.goLive()) refreshNow();
}

void MainWindow::showCursor() {
  dashboard_->setCursorStep(cursor_.step());
  const QString text = cursor_.isLive()
                           ? QString()
                           : tr("<b>Step %1</b> (scrubbed, L returns to live)").arg(cursor_.step());
  if (cursorLabel_->text() != text) {
    cursorLabel_->setText(text);
    cursorLabel_->setVisible(!text.isEmpty());
  }
}

}  // namespace larslab::ui
