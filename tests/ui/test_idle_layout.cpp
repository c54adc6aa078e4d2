// An idle window lays its charts out a bounded number of times. Ticks change the labels' width,
// the width changes the plot area, and the plot area chose the ticks: at some sizes two choices
// alternated for ever, a layout loop that kept the GUI thread at 100% with nothing training and
// left every other window (help, dialogs, the study window) unpainted.

#include <gtest/gtest.h>

#include <QDir>
#include <QTest>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <map>

#include "main_window.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

class LayoutCounter : public QObject {
 public:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() == QEvent::LayoutRequest) ++counts[watched];
    return false;
  }
  std::map<QObject*, int> counts;
};

TEST(IdleWindow, ChartsStopLayingOutWhenNothingChanges) {
  test::app();
  QTemporaryDir dir;
  for (const QSize size : {QSize(1280, 720), QSize(1366, 768), QSize(1920, 1080)}) {
    std::unique_ptr<MainWindow> window = test::shownWindow(size);
    test::openAndTrain(*window, dir, test::smallExperimentJson(), 300);
    QTest::qWait(300);  // settle: the first layouts after training are expected
    LayoutCounter counter;
    int charts = 0;
    for (QChartView* view : window->findChildren<QChartView*>()) {
      view->chart()->installEventFilter(&counter);
      ++charts;
    }
    ASSERT_GT(charts, 5);
    QTest::qWait(1000);  // idle: paused, nothing new to draw
    int most = 0;
    for (const auto& [chart, n] : counter.counts) most = std::max(most, n);
    // The loop posted a layout request per turn of the event loop: thousands a second.
    EXPECT_LE(most, 10) << size.width() << "x" << size.height();
  }
}

}  // namespace
}  // namespace larslab::ui
