#include "ui/charts/metric_chart.h"
#include "ui/charts/value_format.h"

#include <gtest/gtest.h>

#include <initializer_list>

#include <QFile>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QGraphicsView>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

namespace larslab::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A decaying, noisy norm-like curve of n points.
QList<QPointF> curve(int n, double scale, double phase) {
  QList<QPointF> pts;
  pts.reserve(n);
  for (int i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / n;
    pts.append(QPointF(i, scale * std::exp(-3.0 * t) * (1.2 + 0.2 * std::sin(40.0 * t + phase))));
  }
  return pts;
}

// Pixels that are `c` drawn with at least half coverage over the background `bg` (lines are
// antialiased, so few pixels carry the exact pen colour).
int countColour(const QImage& img, const QColor& c, const QRect& region,
                const QColor& bg = QColor(Qt::white)) {
  const int cs[3] = {c.red(), c.green(), c.blue()};
  const int bs[3] = {bg.red(), bg.green(), bg.blue()};
  int k = 0;  // the channel where colour and background differ most gives the coverage
  for (int i = 1; i < 3; ++i) {
    if (std::abs(cs[i] - bs[i]) > std::abs(cs[k] - bs[k])) k = i;
  }
  int n = 0;
  const QRect r = region.intersected(img.rect());
  for (int y = r.top(); y <= r.bottom(); ++y) {
    for (int x = r.left(); x <= r.right(); ++x) {
      const QColor p = img.pixelColor(x, y);
      const int ps[3] = {p.red(), p.green(), p.blue()};
      const double a = static_cast<double>(ps[k] - bs[k]) / (cs[k] - bs[k]);
      if (a < 0.5 || a > 1.05) continue;
      bool ok = true;
      for (int i = 0; i < 3; ++i) ok = ok && std::abs(a * cs[i] + (1 - a) * bs[i] - ps[i]) <= 14;
      if (ok) ++n;
    }
  }
  return n;
}

const QColor kRed(0xD5, 0x5E, 0x00);
const QColor kBlue(0x00, 0x72, 0xB2);
const QColor kGreen(0x00, 0x9E, 0x73);

// One solid line per run and its dashed test-split companion, as the loss chart draws them.
void addRunsWithTestCurves(MetricChart& chart, std::initializer_list<const char*> runs) {
  for (const char* run : runs) {
    chart.setSeries(QStringLiteral("run:%1").arg(run), run, kBlue, curve(50, 1.0, 0.0));
    const QString test = QStringLiteral("test:%1").arg(run);
    chart.setSeries(test, QStringLiteral("%1 (test)").arg(run), kBlue, curve(50, 2.0, 0.0));
    chart.setDashed(test, true);
  }
}

TEST(MetricChart, RendersThreeLargeSeriesWithBadValuesOnALogAxis) {
  MetricChart chart;
  chart.resize(900, 500);
  chart.setTitle(QStringLiteral("weight norm"));
  chart.setYAxisLabel(QStringLiteral("|w|"));
  chart.setLogY(true);
  QList<QPointF> a = curve(10000, 1.0, 0.0);
  QList<QPointF> b = curve(10000, 1e-3, 1.0);
  QList<QPointF> c = curve(10000, 30.0, 2.0);
  // Early zeros and negatives: QLogValueAxis would stop drawing the series there.
  a[10].setY(0.0);
  a[11].setY(-1.0);
  b[20].setY(kNaN);
  b[21].setY(kInf);
  c[30].setY(-kInf);
  c[9990].setY(kNaN);
  c[40].setX(kNaN);
  chart.setSeries("a", "fc1.weight", kBlue, a);
  chart.setSeries("b", "fc1.bias", kRed, b);
  chart.setSeries("c", "fc2.weight", kGreen, c);
  EXPECT_EQ(chart.chartSeriesCount(), 3);
  EXPECT_EQ(chart.hiddenPointCount(), 7);
  EXPECT_TRUE(chart.hiddenPointsNote().contains(QStringLiteral("5 non-finite")));
  EXPECT_TRUE(chart.hiddenPointsNote().contains(QStringLiteral("2 points")));
  // Log axis in whole decades around 1e-3*e^-3 .. 30*1.4.
  EXPECT_NEAR(chart.yRange().x(), 1e-5, 1e-5 * 1e-6);
  EXPECT_NEAR(chart.yRange().y(), 100.0, 100.0 * 1e-6);

  const QImage img = chart.grab().toImage();
  ASSERT_FALSE(img.isNull());
  EXPECT_EQ(img.size(), chart.size() * img.devicePixelRatio());
  // Every series is drawn past its bad points: its colour appears in the right half of the plot.
  const QRect rightHalf(img.width() / 2, 0, img.width() / 4, img.height());
  EXPECT_GT(countColour(img, kBlue, rightHalf), 20);
  EXPECT_GT(countColour(img, kRed, rightHalf), 20);
  EXPECT_GT(countColour(img, kGreen, rightHalf), 20);

  chart.setLogY(false);  // and back: zeros and negatives are drawn again
  EXPECT_EQ(chart.hiddenPointCount(), 5);
  EXPECT_FALSE(chart.hiddenPointsNote().contains(QStringLiteral("log")));
  EXPECT_EQ(chart.chartSeriesCount(), 3);
  EXPECT_FALSE(chart.grab().toImage().isNull());
}

TEST(MetricChart, ExportsPngOfTheRequestedSizeAndAnSvg) {
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  MetricChart chart;
  chart.resize(600, 400);
  chart.setTitle(QStringLiteral("loss"));
  chart.setSeries("lars", "LARS", kBlue, curve(2000, 2.3, 0.0));
  chart.setSeries("sgd", "SGD", kRed, curve(2000, 2.0, 1.0));
  chart.setReferenceLine(1.0, QStringLiteral("reference"));
  chart.setMarkers({{500.0, QStringLiteral("eta 0.001 -> 0.01"), QColor(Qt::darkMagenta)}});

  const QString png = dir.filePath("chart.png");
  QString error;
  ASSERT_TRUE(chart.exportPng(png, QSize(1234, 567), 0, &error)) << error.toStdString();
  const QImage loaded(png);
  ASSERT_FALSE(loaded.isNull());
  EXPECT_EQ(loaded.size(), QSize(1234, 567));
  EXPECT_GT(countColour(loaded, kBlue, loaded.rect()), 100);

  const QString svg = dir.filePath("chart.svg");
  ASSERT_TRUE(chart.exportSvg(svg, QSize(), &error)) << error.toStdString();
  QFile f(svg);
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  const QByteArray text = f.readAll();
  EXPECT_TRUE(text.startsWith("<?xml") || text.contains("<svg"));
  EXPECT_TRUE(text.contains("<path") || text.contains("<polyline"));
  EXPECT_TRUE(text.contains("LARS"));  // legend text is real text, not pixels

  // Failures say where and why, and leave nothing behind.
  const QString bad = dir.filePath("no/such/dir/chart.png");
  EXPECT_FALSE(chart.exportPng(bad, QSize(100, 100), 0, &error));
  EXPECT_TRUE(error.contains(bad));
  EXPECT_FALSE(chart.exportSvg(dir.filePath("no/such/dir/chart.svg"), QSize(), &error));
  EXPECT_FALSE(chart.exportPng(png, QSize(0, 10), 0, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("size")));
  // The widget keeps its own layout after exporting at another size.
  EXPECT_EQ(chart.grab().toImage().size(), QSize(600, 400));
}

TEST(MetricChart, LegendClickTogglesTheSeriesAndEmits) {
  MetricChart chart;
  chart.resize(700, 400);
  chart.setSeries("w", "fc1.weight", kBlue, curve(500, 1.0, 0.0));
  chart.setSeries("b", "fc1.bias", kRed, curve(500, 0.5, 1.0));
  chart.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
  const QImage before = chart.grab().toImage();
  const QRect plotRegion(0, 0, before.width() * 3 / 4, before.height());
  ASSERT_GT(countColour(before, kRed, plotRegion), 50);

  QSignalSpy spy(&chart, &MetricChart::seriesToggled);
  const QPoint pos = chart.legendEntryPosition("b");
  ASSERT_FALSE(pos.isNull());
  QTest::mouseClick(chart.interactionSurface(), Qt::LeftButton, Qt::NoModifier, pos);
  ASSERT_EQ(spy.count(), 1);
  EXPECT_EQ(spy.at(0).at(0).toString(), QStringLiteral("b"));
  EXPECT_FALSE(spy.at(0).at(1).toBool());
  EXPECT_FALSE(chart.isSeriesVisible("b"));
  EXPECT_TRUE(chart.isSeriesVisible("w"));
  EXPECT_EQ(countColour(chart.grab().toImage(), kRed, plotRegion), 0);
  // The entry stays in the legend, so a second click brings the series back.
  QTest::mouseClick(chart.interactionSurface(), Qt::LeftButton, Qt::NoModifier,
                    chart.legendEntryPosition("b"));
  ASSERT_EQ(spy.count(), 2);
  EXPECT_TRUE(spy.at(1).at(1).toBool());
  EXPECT_TRUE(chart.isSeriesVisible("b"));
  // Programmatic changes do not emit (no feedback loops when charts are kept in sync).
  chart.setSeriesVisible("w", false);
  EXPECT_EQ(spy.count(), 2);
  EXPECT_FALSE(chart.isSeriesVisible("w"));
}

TEST(MetricChart, RepeatedSetSeriesReusesItsSeries) {
  MetricChart chart;
  for (int tick = 0; tick < 100; ++tick) {
    for (const char* key : {"a", "b", "c"}) {
      chart.setSeries(key, key, kBlue, curve(50 + tick, 1.0, tick));
    }
    ASSERT_EQ(chart.chartSeriesCount(), 3);
  }
  EXPECT_EQ(chart.seriesKeys(), (QStringList{"a", "b", "c"}));
  chart.removeSeries("b");
  EXPECT_EQ(chart.chartSeriesCount(), 2);
  EXPECT_FALSE(chart.hasSeries("b"));
  chart.removeSeries("nope");
  EXPECT_EQ(chart.chartSeriesCount(), 2);
  chart.clearSeries();
  EXPECT_EQ(chart.chartSeriesCount(), 0);
  EXPECT_TRUE(chart.seriesKeys().isEmpty());
}

TEST(MetricChart, AxesGrowWithHysteresisAndShrinkOnlyOnReset) {
  MetricChart chart;
  chart.resize(600, 400);
  QList<QPointF> pts;
  int xChanges = 0;
  QPointF lastX = chart.xRange();
  for (int step = 0; step < 5000; ++step) {
    pts.append(QPointF(step, 1.0 + 0.5 * std::sin(step * 0.01)));
    if (step % 50 == 0) {  // a GUI tick every 50 steps
      chart.setSeries("loss", "loss", kBlue, pts);
      if (chart.xRange() != lastX) ++xChanges;
      lastX = chart.xRange();
      ASSERT_GE(chart.xRange().y(), step);
    }
  }
  EXPECT_LE(xChanges, 16);
  // Less data does not shrink the axes...
  const QPointF x = chart.xRange(), y = chart.yRange();
  chart.setSeries("loss", "loss", kBlue, pts.mid(0, 100));
  EXPECT_EQ(chart.xRange(), x);
  EXPECT_EQ(chart.yRange(), y);
  // ...resetZoom does.
  chart.resetZoom();
  EXPECT_LT(chart.xRange().y(), x.y());
  EXPECT_GE(chart.xRange().y(), 99.0);
}

TEST(MetricChart, ReferenceLineStaysInView) {
  MetricChart chart;
  chart.setLogY(true);
  QList<QPointF> ratio;
  for (int i = 0; i < 100; ++i) ratio.append(QPointF(i, 2e-6 + 1e-7 * i));
  chart.setSeries("r", "ratio", kBlue, ratio);
  EXPECT_LT(chart.yRange().y(), 2e-4);  // the data alone spans 1e-6 .. 1e-4
  chart.setReferenceLine(1e-3, QStringLiteral("1e-3 rule of thumb"));
  EXPECT_GE(chart.yRange().y(), 1e-3);
  EXPECT_LE(chart.yRange().x(), 2e-6);
}

TEST(MetricChart, WheelZoomFreezesAxesUntilReset) {
  MetricChart chart;
  chart.resize(600, 400);
  chart.setSeries("s", "s", kBlue, curve(1000, 1.0, 0.0));
  chart.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
  const QPointF fullX = chart.xRange();
  QSignalSpy zoomSpy(&chart, &MetricChart::zoomChanged);
  QWidget* surface = chart.interactionSurface();
  const QPointF centre(surface->width() / 2.0, surface->height() / 2.0);
  QWheelEvent wheel(centre, surface->mapToGlobal(centre), QPoint(), QPoint(0, 240), Qt::NoButton,
                    Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(surface, &wheel);
  EXPECT_TRUE(chart.isZoomed());
  ASSERT_EQ(zoomSpy.count(), 1);
  const QPointF zoomedX = chart.xRange();
  EXPECT_LT(zoomedX.y() - zoomedX.x(), 0.7 * (fullX.y() - fullX.x()));
  // New data beyond the view does not move a zoomed view.
  chart.setSeries("s", "s", kBlue, curve(5000, 1.0, 0.0));
  EXPECT_EQ(chart.xRange(), zoomedX);
  // Double-click in the plot resets and refits to all the data.
  QTest::mouseDClick(surface, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
  EXPECT_FALSE(chart.isZoomed());
  EXPECT_GE(chart.xRange().y(), 4999.0);
  EXPECT_EQ(zoomSpy.count(), 2);
}

TEST(MetricChart, StepCursorIsALineThatNeverMovesTheAxesAndTheXAxisStripScrubs) {
  MetricChart chart;
  chart.resize(600, 400);
  chart.setSeries("s", "s", kBlue, curve(1000, 1.0, 0.0));
  chart.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
  const QPointF x = chart.xRange();
  const QPointF y = chart.yRange();
  EXPECT_TRUE(std::isnan(chart.cursorX()));
  EXPECT_EQ(chart.cursorPixel(), -1);
  chart.setCursorX(250.0, QStringLiteral("step 250"));
  EXPECT_EQ(chart.cursorX(), 250.0);
  EXPECT_EQ(chart.cursorLabel(), QStringLiteral("step 250"));
  EXPECT_EQ(chart.xRange(), x) << "no refit";
  EXPECT_EQ(chart.yRange(), y);
  EXPECT_FALSE(chart.isZoomed());
  // The line sits where x = 250 is: between the strip positions of 249 and 251.
  const int px = chart.cursorPixel();
  EXPECT_GE(px, chart.scrubStripPosition(249.0).x());
  EXPECT_LE(px, chart.scrubStripPosition(251.0).x());
  // The line is drawn: a column of dark pixels at px in the plot.
  // (antialiased: the darkest of the pixels next to px, in the chart's own coordinates).
  const QImage image = chart.renderImage(chart.size(), 1.0);
  const int column = chart.interactionSurface()->mapTo(&chart, QPoint(px, 0)).x();
  int dark = 0;
  for (int row = 0; row < image.height(); ++row) {
    int darkest = 255;
    for (int dx = -1; dx <= 1; ++dx) darkest = std::min(darkest, qGray(image.pixel(column + dx, row)));
    dark += darkest < 140 ? 1 : 0;
  }
  EXPECT_GT(dark, image.height() / 4);
  chart.setCursorX(kNaN);
  EXPECT_EQ(chart.cursorPixel(), -1);

  // A press and drag on the strip under the plot asks for the step there; the chart itself
  // does not move its cursor (its owner decides).
  QSignalSpy scrub(&chart, &MetricChart::cursorDragged);
  QWidget* surface = chart.interactionSurface();
  QTest::mousePress(surface, Qt::LeftButton, Qt::NoModifier, chart.scrubStripPosition(400.0));
  QTest::mouseMove(surface, chart.scrubStripPosition(700.0));
  QTest::mouseRelease(surface, Qt::LeftButton, Qt::NoModifier, chart.scrubStripPosition(700.0));
  ASSERT_GE(scrub.count(), 2);
  const double perPixel = (x.y() - x.x()) / 300.0;
  EXPECT_NEAR(scrub.first().at(0).toDouble(), 400.0, 2 * perPixel);
  EXPECT_NEAR(scrub.last().at(0).toDouble(), 700.0, 2 * perPixel);
  EXPECT_TRUE(std::isnan(chart.cursorX()));
  EXPECT_FALSE(chart.isZoomed());
}

TEST(MetricChart, RubberBandZoomPanAndKeysDoNotCrash) {
  MetricChart chart;
  chart.resize(600, 400);
  QList<QPointF> pts = curve(3000, 1.0, 0.0);
  pts[100].setY(kNaN);
  chart.setSeries("s", "s", kBlue, pts);
  chart.setSeries("t", "t", kRed, curve(3000, 0.5, 1.0));
  chart.setMarkers({{1500.0, QStringLiteral("reset"), QColor(Qt::red)}});
  chart.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
  QWidget* s = chart.interactionSurface();
  const QPointF full = chart.xRange();
  const QPoint a(s->width() / 4, s->height() / 3), b(s->width() / 2, s->height() * 2 / 3);
  QTest::mousePress(s, Qt::LeftButton, Qt::NoModifier, a);
  QTest::mouseMove(s, b);
  QTest::mouseRelease(s, Qt::LeftButton, Qt::NoModifier, b);
  EXPECT_TRUE(chart.isZoomed());
  EXPECT_LT(chart.xRange().y() - chart.xRange().x(), 0.5 * (full.y() - full.x()));
  // Pan with the arrow keys moves the window, keeping its width.
  const QPointF before = chart.xRange();
  s->setFocus();
  QTest::keyClick(s, Qt::Key_Right);
  EXPECT_GT(chart.xRange().x(), before.x());
  EXPECT_NEAR(chart.xRange().y() - chart.xRange().x(), before.y() - before.x(), 1e-6);
  // Hover over the data, clicks outside the plot and on an empty chart: no crash.
  QTest::mouseMove(s, QPoint(s->width() / 2, s->height() / 2));
  EXPECT_FALSE(chart.grab().toImage().isNull());
  QTest::mouseClick(s, Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
  QTest::mouseClick(s, Qt::MiddleButton, Qt::NoModifier, QPoint(s->width() / 2, 5));
  QTest::keyClick(s, Qt::Key_Home);
  EXPECT_FALSE(chart.isZoomed());
  chart.clearSeries();
  QTest::mouseClick(s, Qt::LeftButton, Qt::NoModifier, QPoint(s->width() / 2, s->height() / 2));
  QTest::mouseMove(s, QPoint(s->width() / 3, s->height() / 2));
  EXPECT_FALSE(chart.grab().toImage().isNull());
}

TEST(MetricChart, FollowsTheWidgetPalette) {
  MetricChart chart;
  chart.resize(400, 300);
  chart.setSeries("s", "s", kBlue, curve(100, 1.0, 0.0));
  QPalette dark = chart.palette();
  dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
  dark.setColor(QPalette::Base, QColor(0x18, 0x18, 0x18));
  dark.setColor(QPalette::Text, QColor(0xE8, 0xE8, 0xE8));
  chart.setPalette(dark);
  const QImage img = chart.grab().toImage();
  EXPECT_EQ(img.pixelColor(2, img.height() / 2), QColor(0x18, 0x18, 0x18));
  // Light text (axis labels, title) is present on the dark background.
  EXPECT_GT(countColour(img, QColor(0xE8, 0xE8, 0xE8), img.rect(), QColor(0x18, 0x18, 0x18)), 20);
}

TEST(MetricChart, EmptyChartAndAllBadDataRenderWithoutCrash) {
  MetricChart chart;
  chart.resize(400, 300);
  EXPECT_FALSE(chart.grab().toImage().isNull());
  chart.setLogY(true);
  chart.setSeries("bad", "bad", kBlue, {{0, kNaN}, {1, 0.0}, {2, -1.0}, {3, kInf}});
  EXPECT_EQ(chart.hiddenPointCount(), 4);
  EXPECT_FALSE(chart.grab().toImage().isNull());
  chart.setDashed("bad", true);
  chart.setReferenceLine(-1.0, QStringLiteral("invisible on log"));
  EXPECT_FALSE(chart.grab().toImage().isNull());
}

// The texts Qt Charts draws (tick labels, axis and chart titles) as they are on screen: Qt
// Charts elides a label that does not fit into "..." (or "…").
QStringList drawnTexts(const MetricChart& chart) {
  QStringList out;
  const auto* view = chart.findChild<QGraphicsView*>();
  if (view == nullptr || view->scene() == nullptr) return out;
  for (const QGraphicsItem* item : view->scene()->items()) {
    const auto* text = qgraphicsitem_cast<const QGraphicsTextItem*>(item);
    if (text != nullptr && text->isVisible() && !text->toPlainText().isEmpty()) {
      out.append(text->toPlainText());
    }
  }
  return out;
}

bool anyElided(const QStringList& texts) {
  return std::any_of(texts.begin(), texts.end(), [](const QString& t) {
    return t.contains(QStringLiteral("...")) || t.contains(QChar(0x2026));
  });
}

TEST(MetricChart, NoTickLabelIsElidedAtAnySizeOrRange) {
  for (int decades : {3, 7, 12, 25, 40}) {
    for (const QSize size : {QSize(220, 150), QSize(300, 190), QSize(420, 260), QSize(900, 600)}) {
      MetricChart chart;
      chart.setTitle(QStringLiteral("Trust ratio"));
      chart.resize(size);
      chart.show();
      chart.setLogY(true);
      // A blow-up: from 1e-(decades/2) up to 1e+(decades/2) within a few hundred steps.
      QList<QPointF> a, b;
      for (int i = 0; i <= 400; ++i) {
        a.append(QPointF(i * 50.0, std::pow(10.0, -decades / 2.0 + decades * i / 400.0)));
        b.append(QPointF(i * 50.0, 0.5 + 0.1 * std::sin(i * 0.1)));
      }
      chart.setSeries("a", "a", kBlue, a);
      chart.setSeries("b", "b", kRed, b);
      QCoreApplication::processEvents();  // the queued retick after the first layout
      const QStringList texts = drawnTexts(chart);
      EXPECT_FALSE(anyElided(texts)) << decades << " decades at " << size.width() << "x"
                                     << size.height() << ": " << texts.join(" | ").toStdString();
      EXPECT_GE(texts.size(), 3) << "some labels are drawn";
      chart.setLogY(false);
      // Qt Charts deletes a detached axis' items with deleteLater(), which an event loop runs.
      QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
      QCoreApplication::processEvents();
      const QStringList linear = drawnTexts(chart);
      EXPECT_FALSE(anyElided(linear)) << "linear, " << decades << " decades at " << size.width()
                                      << "x" << size.height() << ": "
                                      << linear.join(" | ").toStdString();
    }
  }
}

TEST(MetricChart, LegendTakesAtMostAFifthOfTheChartAndListsTheRestOnDemand) {
  MetricChart chart;
  chart.resize(300, 200);
  chart.show();
  for (int i = 0; i < 12; ++i) {
    const QString key = QStringLiteral("dense%1.weight").arg(i);
    chart.setSeries(key, key, kBlue, curve(50, 1.0 + i, i));
  }
  QCoreApplication::processEvents();
  EXPECT_LE(chart.legendHeight(), 200 / 5 + 1);
  EXPECT_GT(chart.legendOverflowCount(), 0);
  EXPECT_FALSE(chart.legendOverflowPosition().isNull());
  int shown = 0;
  for (const QString& key : chart.seriesKeys()) shown += !chart.legendEntryPosition(key).isNull();
  EXPECT_EQ(shown + chart.legendOverflowCount(), 12);
  EXPECT_GE(shown, 1);
  // A tall chart has room for every entry.
  chart.resize(900, 700);
  QCoreApplication::processEvents();
  EXPECT_EQ(chart.legendOverflowCount(), 0);
  EXPECT_TRUE(chart.legendOverflowPosition().isNull());
  EXPECT_LE(chart.legendHeight(), 700 / 5 + 1);
}

TEST(MetricChart, ShortOfRoomDashedCompanionsGiveWayToSolidLines) {
  MetricChart chart;
  chart.resize(260, 170);
  chart.show();
  addRunsWithTestCurves(chart, {"LARS", "SGD momentum", "Adam"});
  QCoreApplication::processEvents();
  ASSERT_GT(chart.legendOverflowCount(), 0) << "the chart is too short for six entries";
  for (const char* run : {"LARS", "SGD momentum", "Adam"}) {
    EXPECT_FALSE(chart.legendEntryPosition(QStringLiteral("run:%1").arg(run)).isNull()) << run;
    EXPECT_TRUE(chart.legendEntryPosition(QStringLiteral("test:%1").arg(run)).isNull()) << run;
  }
  EXPECT_EQ(chart.legendOverflowCount(), 3);
  EXPECT_LE(chart.legendHeight(), 170 / 5 + 1);
}

// At 1366x768 the CNN example's loss chart (337 px) fitted its three solid entries in one row
// and hung "+3 more" past the right edge ("+3 m").
TEST(MetricChart, LegendStaysInsideTheChartAtEveryWidth) {
  for (int width = 220; width <= 480; width += 7) {
    for (int height : {150, 170, 200, 260}) {
      MetricChart chart;
      chart.resize(width, height);
      chart.show();
      addRunsWithTestCurves(chart, {"LARS paper", "LARS timm", "SGD momentum"});
      QCoreApplication::processEvents();
      const QRect bounds = chart.legendBounds();
      ASSERT_FALSE(bounds.isNull()) << width << "x" << height;
      EXPECT_TRUE(chart.interactionSurface()->rect().contains(bounds))
          << width << "x" << height << ": legend at " << bounds.left() << ".." << bounds.right() << " in a "
          << chart.interactionSurface()->width() << " px wide plot";
    }
  }
}

// Pinned runs give long labels: when every solid entry fits on a row before the last allowed one,
// "+N more" still needs room at the end of its row, never past the chart's right edge.
TEST(MetricChart, TheMoreLinkStaysInsideTheChart) {
  for (int width = 360; width <= 520; width += 10) {
    MetricChart chart;
    chart.resize(width, 250);
    chart.show();
    int id = 0;
    addRunsWithTestCurves(chart, {"LARS", "SGD momentum", "Adam"});
    for (const char* run : {"LARS", "SGD momentum", "Adam"}) {
      ++id;
      chart.setSeries(QStringLiteral("pin:%1").arg(id), QStringLiteral("%1 (previous attempt)").arg(run), kRed,
                      curve(50, 1.5, 0.0));
      const QString test = QStringLiteral("pintest:%1").arg(id);
      chart.setSeries(test, QStringLiteral("%1 (test, previous attempt)").arg(run), kRed, curve(50, 2.5, 0.0));
      chart.setDashed(test, true);
    }
    QCoreApplication::processEvents();
    ASSERT_GT(chart.legendOverflowCount(), 0) << width;
    const QPoint more = chart.legendOverflowPosition();
    ASSERT_FALSE(more.isNull()) << width;
    EXPECT_TRUE(chart.interactionSurface()->rect().contains(chart.legendBounds())) << "chart " << width << " px wide";
  }
}

TEST(MetricChart, MarkerLabelsNeverOverlap) {
  MetricChart chart;
  chart.resize(420, 300);
  chart.show();
  chart.setSeries("s", "s", kBlue, curve(200, 1.0, 0.0));
  QList<MetricChart::Marker> markers;
  // Unsorted, some at the same step: a burst of slider changes.
  for (int x : {120, 20, 22, 24, 24, 26, 60, 61, 150, 151, 152, 30}) {
    markers.append({static_cast<double>(x), QStringLiteral("lr 0.05 -> %1").arg(x), kRed});
  }
  chart.setMarkers(markers);
  QCoreApplication::processEvents();
  const auto* view = chart.findChild<QGraphicsView*>();
  ASSERT_NE(view, nullptr);
  std::vector<QRectF> labels;
  for (const QGraphicsItem* item : view->scene()->items()) {
    const auto* text = qgraphicsitem_cast<const QGraphicsSimpleTextItem*>(item);
    if (text != nullptr && text->isVisible() && text->text().startsWith(QStringLiteral("lr "))) {
      labels.push_back(text->sceneBoundingRect());
    }
  }
  EXPECT_GE(labels.size(), 4u) << "close markers use more than one row";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    for (std::size_t j = i + 1; j < labels.size(); ++j) {
      EXPECT_FALSE(labels[i].intersects(labels[j])) << i << " and " << j;
    }
  }
}

TEST(ValueFormat, AtMostFourSignificantDigits) {
  EXPECT_EQ(formatValue(0.123456), QStringLiteral("0.1235"));
  EXPECT_EQ(formatValue(5.8e8), QStringLiteral("5.8e+08"));
  EXPECT_EQ(formatX(1234.0), QStringLiteral("1234"));
  EXPECT_EQ(formatX(12.3456), QStringLiteral("12.35"));
}

}  // namespace
}  // namespace larslab::ui
