// MainWindow: the window's layout. Docks arranged for the window's width (all three tabbed in
// one column on a laptop, so the charts keep most of the width), full screen, and the layout
// remembered across starts (QSettings) with View > Reset layout.
#include <QAction>
#include <QDockWidget>
#include <QGuiApplication>
#include <QScreen>
#include <algorithm>
#include <QResizeEvent>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "experiment_panel.h"
#include "main_window.h"
#include "status_panel.h"
#include "tensor_inspector.h"
#include "tuning_panel.h"
#include "view_settings.h"

namespace larslab::ui {

namespace {
// Below this width the Experiment panel (~360 px) beside the charts and the right column would
// leave the charts less than half the window: tab all docks in one column instead.
constexpr int kCompactBelowWidth = 1500;
constexpr int kLayoutVersion = 1;  // bump when dock names change: an old saved state is ignored
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kStateKey = QStringLiteral("window/state");
}  // namespace

void MainWindow::applyDockLayout(bool compact) {
  arrangingDocks_ = true;
  compactLayout_ = compact;
  for (QDockWidget* d : {panelDock_, tuningDock_, statusDock_}) {
    d->setFloating(false);
    d->show();
  }
  if (compact) {
    // One column on the right, live tuning in front: the η slider is what a student reaches for.
    addDockWidget(Qt::RightDockWidgetArea, tuningDock_);
    tabifyDockWidget(tuningDock_, panelDock_);
    tabifyDockWidget(panelDock_, statusDock_);
    tuningDock_->raise();
    panel_->setMinimumWidth(300);
    resizeDocks({tuningDock_}, {330}, Qt::Horizontal);
  } else {
    addDockWidget(Qt::LeftDockWidgetArea, panelDock_);
    addDockWidget(Qt::RightDockWidgetArea, tuningDock_);
    addDockWidget(Qt::RightDockWidgetArea, statusDock_);
    splitDockWidget(tuningDock_, statusDock_, Qt::Vertical);
    panel_->setMinimumWidth(362);  // the forms without a horizontal scroll bar
    resizeDocks({tuningDock_, statusDock_}, {440, 440}, Qt::Vertical);
    resizeDocks({panelDock_, tuningDock_}, {362, 300}, Qt::Horizontal);
  }
  if (lessonDock_ != nullptr && lesson_) {
    // The lesson's text on the left, in front: what the class reads while the charts move.
    addDockWidget(Qt::LeftDockWidgetArea, lessonDock_);
    if (!compact) tabifyDockWidget(panelDock_, lessonDock_);
    lessonDock_->show();
    lessonDock_->raise();
  }
  applyLessonRestrictions();  // the layout shows every dock: a lesson's hidden ones stay hidden
  arrangingDocks_ = false;
}

void MainWindow::onDockMovedByUser() {
  // The user arranged the docks: keep their arrangement whatever the size.
  if (!arrangingDocks_) autoLayout_ = false;
}

bool MainWindow::wantsCompactLayout(int width) const {
  // The screen counts too: a window that cannot shrink to a laptop's screen is wider than it.
  // (The offscreen platform's screen is a nominal 800x600: only the width asked for counts.)
  if (screen() && QGuiApplication::platformName() != QLatin1String("offscreen"))
    width = std::min(width, screen()->availableGeometry().width());
  return width < kCompactBelowWidth;
}

void MainWindow::fitLayoutTo(int width) {
  // A maximised chart has hidden the docks; its restore brings the layout back, then fits it.
  if (dashboard_->maximizedChart()) return;
  if (autoLayout_ && wantsCompactLayout(width) != compactLayout_) applyDockLayout(!compactLayout_);
}

void MainWindow::resizeEvent(QResizeEvent* event) {
  QMainWindow::resizeEvent(event);
  fitLayoutTo(event->size().width());
}

void MainWindow::toggleFullScreen() {
  if (isFullScreen()) {
    if (wasMaximized_) showMaximized();
    else showNormal();
  } else {
    wasMaximized_ = isMaximized();
    showFullScreen();
    statusBar()->showMessage(tr("Full screen: F11 or Esc returns."), 4000);
  }
  updateEscapeAction();
}

void MainWindow::hideDocksForChart() {
  dockStateBeforeMaximize_ = saveState(kLayoutVersion);
  inspectorHiddenBeforeMaximize_ = inspector_->isHidden();
  arrangingDocks_ = true;
  for (QDockWidget* d : {panelDock_, tuningDock_, statusDock_}) d->hide();
  inspector_->hide();
  arrangingDocks_ = false;
}

void MainWindow::restoreDocksAfterChart() {
  arrangingDocks_ = true;
  // restoreState() can drop full screen (seen on the offscreen platform): keep the window's state.
  const Qt::WindowStates state = windowState();
  restoreState(dockStateBeforeMaximize_, kLayoutVersion);  // visibility, places and tabs as they were
  if (windowState() != state) setWindowState(state);
  arrangingDocks_ = false;
  inspector_->setHidden(inspectorHiddenBeforeMaximize_);
  dockStateBeforeMaximize_.clear();
  fitLayoutTo(width());  // the window may have changed size meanwhile
}

void MainWindow::saveLayout() const {
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  // Only an arrangement the user chose is worth restoring; the automatic one follows the size.
  // While a chart is maximised, the docks as they were before it hid them.
  if (autoLayout_) settings.remove(kStateKey);
  else settings.setValue(kStateKey, dashboard_->maximizedChart() ? dockStateBeforeMaximize_ : saveState(kLayoutVersion));
}

bool MainWindow::restoreLayout() {
  const QSettings settings;
  bool restored = false;
  if (settings.contains(kGeometryKey)) restored = restoreGeometry(settings.value(kGeometryKey).toByteArray());
  if (settings.contains(kStateKey)) {
    arrangingDocks_ = true;
    if (restoreState(settings.value(kStateKey).toByteArray(), kLayoutVersion)) {
      autoLayout_ = false;
      restored = true;
    }
    arrangingDocks_ = false;
  }
  return restored;
}

void MainWindow::resetLayout() {
  QSettings settings;
  settings.remove(kStateKey);
  settings.remove(kGeometryKey);
  autoLayout_ = true;
  restoreChart();
  if (isFullScreen()) toggleFullScreen();
  applyDockLayout(wantsCompactLayout(width()));
  // The view choices go with the layout: a classroom machine starts fresh for the next lecturer.
  clearViewChoices();
  dashboard_->setView(Dashboard::View{});
  setTextScale(kNormalTextScale);
  statusBar()->showMessage(tr("Layout and view reset: docks arranged for this window's size, default chart "
                              "view and text size."),
                           4000);
}

}  // namespace larslab::ui
