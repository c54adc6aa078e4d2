// The window fits a laptop screen: at 1280x720 every dock is reachable (tabbed in one column,
// live tuning in front) and the status bar is on screen; wide windows put the Experiment panel
// beside the charts. A layout the user chose is kept and remembered; View > Reset layout undoes it.

#include <QAction>
#include <QDockWidget>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTest>
#include <gtest/gtest.h>
#include <memory>

#include "main_window.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::dock;
using test::shownWindow;

bool onScreen(const QWidget* child, const QWidget& window) {
  const QRect r(child->mapTo(&window, QPoint(0, 0)), child->size());
  return QRect(QPoint(0, 0), window.size()).contains(r);
}

TEST(WindowLayout, ALaptopWindowTabsTheDocksAndKeepsEverythingOnScreen) {
  for (const QSize size : {QSize(1280, 720), QSize(1366, 768)}) {
    auto w = shownWindow(size);

    EXPECT_EQ(w->size(), size) << "the window can shrink to " << size.width() << "x" << size.height();
    EXPECT_TRUE(w->isCompactLayout());
    QDockWidget* tuning = dock(*w, "tuningDock");
    ASSERT_NE(tuning, nullptr);
    EXPECT_EQ(w->tabifiedDockWidgets(tuning).size(), 2) << "experiment and runs are tabs beside live tuning";
    EXPECT_TRUE(tuning->isVisible());
    EXPECT_TRUE(onScreen(tuning, *w));
    EXPECT_TRUE(onScreen(w->statusBar(), *w));
  }
}

TEST(WindowLayout, AWideWindowPutsTheExperimentPanelBesideTheCharts) {
  auto w = shownWindow(QSize(1920, 1080));
  EXPECT_FALSE(w->isCompactLayout());
  EXPECT_EQ(w->dockWidgetArea(dock(*w, "experimentDock")), Qt::LeftDockWidgetArea);
  EXPECT_TRUE(w->tabifiedDockWidgets(dock(*w, "tuningDock")).isEmpty());
  // Shrinking it follows the width while the layout is automatic.
  w->resize(1280, 720);
  QTest::qWait(50);
  EXPECT_TRUE(w->isCompactLayout());
}

TEST(WindowLayout, AUsersArrangementIsKeptRememberedAndReset) {
  {
    auto w = shownWindow(QSize(1920, 1080));
    w->addDockWidget(Qt::RightDockWidgetArea, dock(*w, "experimentDock"));  // the user moves a dock
    EXPECT_FALSE(w->isAutomaticLayout());
    w->resize(1280, 720);
    QTest::qWait(50);
    EXPECT_FALSE(w->isCompactLayout()) << "the user's arrangement is not overridden";
    w->saveLayout();
  }
  {
    auto w = shownWindow(QSize(1600, 900));
    ASSERT_TRUE(w->restoreLayout());
    EXPECT_FALSE(w->isAutomaticLayout());
    EXPECT_EQ(w->dockWidgetArea(dock(*w, "experimentDock")), Qt::RightDockWidgetArea);
    EXPECT_EQ(w->width(), 1280) << "the saved geometry is back";
    w->resetLayout();
    EXPECT_TRUE(w->isAutomaticLayout());
    EXPECT_TRUE(w->isCompactLayout()) << "arranged for the 1280 px window";
    w->resize(1920, 1080);
    QTest::qWait(50);
    EXPECT_FALSE(w->isCompactLayout()) << "automatic again: it follows the width";
    EXPECT_EQ(w->dockWidgetArea(dock(*w, "experimentDock")), Qt::LeftDockWidgetArea);
    EXPECT_FALSE(QSettings().contains(QStringLiteral("window/state")));
  }
}

TEST(WindowLayout, F11TogglesFullScreen) {
  auto w = shownWindow(QSize(1280, 720));
  QAction* full = nullptr;
  for (QAction* a : w->findChildren<QAction*>())
    if (a->shortcut() == QKeySequence(Qt::Key_F11)) full = a;
  ASSERT_NE(full, nullptr);
  full->trigger();
  EXPECT_TRUE(w->isFullScreen());
  full->trigger();
  EXPECT_FALSE(w->isFullScreen());
}

}  // namespace
}  // namespace larslab::ui
