// MetricChart in a lecture hall: the presentation font scale, the maximise request (corner
// button and title double-click, while a double-click in the plot still resets the zoom), and a
// PNG export at a print resolution.
#include <gtest/gtest.h>

#include <QFontMetrics>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <cmath>

#include "ui/charts/font_scale.h"
#include "ui/charts/metric_chart.h"
#include "ui/charts/png_export_dialog.h"

namespace larslab::ui {
namespace {

QList<QPointF> line(int n) {
  QList<QPointF> pts;
  for (int i = 0; i < n; ++i) pts.append(QPointF(i, 1.0 + 0.5 * std::sin(i / 10.0)));
  return pts;
}

// Height in pixels of the first band of dark (text) rows from the top, over the middle of the
// image: the title. Grid lines are light and the axis lines are at the left and bottom.
int titleBandHeight(const QImage& img) {
  const auto darkRow = [&](int y) {
    for (int x = img.width() * 3 / 10; x < img.width() * 7 / 10; ++x)
      if (img.pixelColor(x, y).lightness() < 110) return true;
    return false;
  };
  int y = 0;
  while (y < img.height() && !darkRow(y)) ++y;
  const int top = y;
  while (y < img.height() && darkRow(y)) ++y;
  return y - top;
}

TEST(MetricChartPresentation, FontScaleScalesTitleAndTickLabels) {
  MetricChart chart;
  chart.resize(600, 400);
  chart.setTitle(QStringLiteral("Loss"));
  chart.setSeries("a", "A", Qt::blue, line(100));
  const double title = chart.titleFont().pointSizeF();
  const double ticks = chart.tickLabelFont().pointSizeF();
  ASSERT_GT(title, 0);
  ASSERT_GT(ticks, 0);
  chart.setFontScale(2.0);
  EXPECT_DOUBLE_EQ(chart.fontScale(), 2.0);
  EXPECT_NEAR(chart.titleFont().pointSizeF(), 2.0 * title, 1e-6);
  EXPECT_NEAR(chart.tickLabelFont().pointSizeF(), 2.0 * ticks, 1e-6);
  EXPECT_TRUE(chart.titleFont().bold());
  // A log axis made after the scale (the log switch) has the scaled labels too.
  chart.setLogY(!chart.logY());
  EXPECT_NEAR(chart.tickLabelFont().pointSizeF(), 2.0 * ticks, 1e-6);
  chart.setFontScale(1.0);
  EXPECT_NEAR(chart.titleFont().pointSizeF(), title, 1e-6);
}

TEST(MetricChartPresentation, CornerButtonAndTitleDoubleClickAskToMaximise) {
  MetricChart chart;
  chart.resize(600, 400);
  chart.setTitle(QStringLiteral("Trust ratio"));
  chart.setSeries("a", "A", Qt::blue, line(100));
  chart.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
  QSignalSpy spy(&chart, &MetricChart::maximizeRequested);

  auto* button = chart.findChild<QToolButton*>(QStringLiteral("maximizeButton"));
  ASSERT_NE(button, nullptr);
  EXPECT_TRUE(button->isVisible());
  EXPECT_EQ(button->toolTip(), QStringLiteral("Maximise (double-click the title)"));
  EXPECT_GT(button->x(), chart.width() / 2) << "in the top-right corner";
  EXPECT_LT(button->y(), 10);
  QTest::mouseClick(button, Qt::LeftButton);
  EXPECT_EQ(spy.count(), 1);

  QTest::mouseDClick(chart.interactionSurface(), Qt::LeftButton, Qt::NoModifier, chart.titlePosition());
  EXPECT_EQ(spy.count(), 2);

  // In the plot a double-click still resets the zoom, and does not maximise.
  const QPoint plot(chart.width() / 2, chart.height() / 2);
  QTest::mouseDClick(chart.interactionSurface(), Qt::LeftButton, Qt::NoModifier, plot);
  EXPECT_EQ(spy.count(), 2);

  chart.setMaximized(true);
  EXPECT_TRUE(chart.isMaximized());
  EXPECT_TRUE(button->toolTip().startsWith(QStringLiteral("Restore")));
}

TEST(MetricChartPresentation, PngAtAChosenSizeAndDpi) {
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  MetricChart chart;
  chart.resize(500, 300);
  chart.setTitle(QStringLiteral("Loss of every run"));
  const QString screen = dir.filePath(QStringLiteral("screen.png"));
  const QString print = dir.filePath(QStringLiteral("print.png"));
  QString error;
  ASSERT_TRUE(chart.exportPng(screen, QSize(1000, 600), 96, &error)) << error.toStdString();
  ASSERT_TRUE(chart.exportPng(print, QSize(1000, 600), 200, &error)) << error.toStdString();

  const QImage atScreen(screen);
  const QImage atPrint(print);
  ASSERT_EQ(atPrint.size(), QSize(1000, 600)) << "exactly the pixels asked for";
  EXPECT_EQ(atPrint.dotsPerMeterX(), std::lround(200 / 0.0254));
  EXPECT_EQ(atPrint.dotsPerMeterY(), std::lround(200 / 0.0254));
  EXPECT_EQ(atScreen.dotsPerMeterX(), std::lround(96 / 0.0254));
  // Text is drawn 200/96 times larger: the title takes about twice the pixels.
  const int small = titleBandHeight(atScreen);
  const int large = titleBandHeight(atPrint);
  ASSERT_GT(small, 4);
  EXPECT_NEAR(static_cast<double>(large) / small, 200.0 / 96.0, 0.35) << small << " px vs " << large << " px";

  EXPECT_FALSE(chart.exportPng(print, QSize(100, 100), -5, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("DPI")));
  EXPECT_EQ(chart.grab().toImage().size(), QSize(500, 300)) << "the widget keeps its own layout";
}

TEST(MetricChartPresentation, TheLegendOverflowEntryStaysInsideTheChartAtEveryScale) {
  // Three runs with dashed test curves in a small chart: the dashed entries give way and
  // "+3 more" follows the last solid entry; it must never be placed past the right edge.
  for (double scale : {1.0, 1.25, 1.5, 1.75, 2.0}) {
    for (int width : {260, 332, 400}) {
      MetricChart chart;
      chart.resize(width, 220);
      chart.show();
      ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
      for (const char* n : {"LARS", "SGD momentum", "Adam"}) {
        const QString name = QString::fromLatin1(n);
        chart.setSeries(name, name, Qt::blue, line(100));
        chart.setSeries(name + QStringLiteral(":test"), name + QStringLiteral(" (test)"), Qt::red, line(100));
        chart.setDashed(name + QStringLiteral(":test"), true);
      }
      chart.setFontScale(scale);
      QCoreApplication::processEvents();
      if (chart.legendOverflowCount() == 0) continue;
      const QFontMetrics fm(scaledFont(chart.font(), 0.85 * scale));
      const int halfWidth = fm.horizontalAdvance(QStringLiteral("+%1 more").arg(chart.legendOverflowCount())) / 2;
      const QPoint more = chart.legendOverflowPosition();
      EXPECT_LE(more.x() + halfWidth, width) << "scale " << scale << ", " << width << " px wide";
      EXPECT_LT(more.y(), 220);
    }
  }
}

TEST(MetricChartPresentation, PngExportDialogOffersTheRememberedChoice) {
  const PngExportChoice choice{QSize(1000, 600), 300};
  PngExportDialog dialog(choice);
  EXPECT_EQ(dialog.choice(), choice);
  auto* note = dialog.findChild<QLabel*>(QStringLiteral("pngNote"));
  ASSERT_NE(note, nullptr);
  EXPECT_TRUE(note->text().contains(QStringLiteral("320 × 192 px"))) << note->text().toStdString();
}

}  // namespace
}  // namespace larslab::ui
