#include "ui/charts/tick_policy.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QFont>
#include <QFontMetricsF>
#include <cmath>

namespace larslab::ui {
namespace {

// The charts' tick-label font (0.85 of the application font) and a wide synthetic one, so the
// policy is checked against more than the one font this machine happens to have.
std::vector<std::pair<const char*, LabelMetrics>> fonts() {
  QFont f = QApplication::font();
  f.setPointSizeF(f.pointSizeF() * 0.85);
  const QFontMetricsF fm(f);
  LabelMetrics real{[fm](const QString& s) { return fm.horizontalAdvance(s); },
                    std::max(fm.height(), fm.lineSpacing())};
  LabelMetrics wide{[](const QString& s) { return 9.0 * static_cast<double>(s.size()); }, 18.0};
  return {{"application font", real}, {"9x18 px font", wide}};
}

// Qt Charts' rule: a label is elided unless it fits its share of the axis minus the padding.
void expectEveryLabelFits(const AxisTicks& t, double length, bool vertical, const LabelMetrics& m,
                          const std::string& what) {
  if (!t.labelsVisible) return;
  const double slot = length / static_cast<double>(t.labels.size()) - 2.0 * kLabelPadding;
  for (double v : t.labels) {
    const double size = vertical ? m.height : m.width(tickLabel(v));
    ASSERT_LE(size + kLabelSafety, slot) << what << ": label " << tickLabel(v).toStdString()
                                         << " of " << t.labels.size();
  }
}

TEST(TickPolicy, LogLabelsFitTheirSlotFor1To40DecadesOn80To1000Pixels) {
  for (const auto& [fontName, m] : fonts()) {
    for (int decades = 1; decades <= 40; ++decades) {
      for (double offset : {-30.0, -12.0, -3.0, 0.0, 5.0}) {
        const double lo = std::pow(10.0, offset), hi = std::pow(10.0, offset + decades);
        for (double length = 80.0; length <= 1000.0; length += 10.0) {
          for (bool vertical : {true, false}) {
            const AxisTicks t = logTicks(lo, hi, length, vertical, m);
            const std::string what = std::string(fontName) + ", " + std::to_string(decades) +
                                     " decades from 1e" + std::to_string(int(offset)) + ", " +
                                     std::to_string(int(length)) + " px " +
                                     (vertical ? "vertical" : "horizontal");
            expectEveryLabelFits(t, length, vertical, m, what);
            // 80 px always has room for one label: the policy must not give up.
            EXPECT_TRUE(t.labelsVisible) << what;
            EXPECT_FALSE(t.labels.empty()) << what;
            EXPECT_DOUBLE_EQ(t.interval, std::pow(10.0, t.decadeStep)) << what;
            for (double v : t.labels) {
              EXPECT_GE(v, lo * (1 - 1e-6)) << what;
              EXPECT_LE(v, hi * (1 + 1e-6)) << what;
            }
          }
        }
      }
    }
  }
}

TEST(TickPolicy, LogLabelsEveryDecadeWhenThereIsRoomAndFewerWhenNot) {
  const LabelMetrics m{[](const QString& s) { return 7.0 * static_cast<double>(s.size()); }, 14.0};
  // 6 decades, 7 labels on 400 px: 57 px each, every decade.
  AxisTicks t = logTicks(1e-5, 10.0, 400.0, true, m);
  EXPECT_EQ(t.decadeStep, 1);
  EXPECT_EQ(t.labels.size(), 7u);
  // The same on 120 px (labels need 14 + 8 + 3 = 25 px): at most 4 labels, so every 2nd decade.
  t = logTicks(1e-5, 10.0, 120.0, true, m);
  EXPECT_EQ(t.decadeStep, 2);
  EXPECT_LE(t.labels.size(), 4u);
  // A blow-up over 30 decades on 150 px: every 5th decade or coarser, never every one.
  t = logTicks(1e-20, 1e10, 150.0, true, m);
  EXPECT_GE(t.decadeStep, 5);
  EXPECT_TRUE(labelsFit(t.labels, 150.0, true, m));
  // Too short for any label: none, rather than dots.
  t = logTicks(1e-3, 1.0, 20.0, true, m);
  EXPECT_FALSE(t.labelsVisible);
}

TEST(TickPolicy, LinearLabelsFitTheirSlotOnEveryLengthAndScale) {
  for (const auto& [fontName, m] : fonts()) {
    for (double hi : {1.0, 0.37, 7.5, 123.0, 2000.0, 98765.0, 3.2e6, 1e-4}) {
      for (double loFactor : {0.0, 0.5, -1.0}) {
        const double lo = hi * loFactor;
        for (double length = 80.0; length <= 1000.0; length += 10.0) {
          for (bool vertical : {true, false}) {
            const AxisTicks t = linearTicks(lo, hi, length, vertical, vertical ? 45.0 : 90.0, m);
            const std::string what = std::string(fontName) + ", [" + std::to_string(lo) + ", " +
                                     std::to_string(hi) + "] on " + std::to_string(int(length)) +
                                     " px " + (vertical ? "vertical" : "horizontal");
            EXPECT_TRUE(t.labelsVisible) << what;
            EXPECT_FALSE(t.labels.empty()) << what;
            expectEveryLabelFits(t, length, vertical, m, what);
            EXPECT_EQ(t.labels, linearTickValues(lo, hi, t.interval)) << what;
          }
        }
      }
    }
  }
}

TEST(TickPolicy, LinearTicksKeepThePreferredDensityWhenLabelsFit) {
  const LabelMetrics m{[](const QString& s) { return 7.0 * static_cast<double>(s.size()); }, 14.0};
  // 0..1 on 450 px at 45 px per tick: target 10 ticks, step 0.1.
  AxisTicks t = linearTicks(0.0, 1.0, 450.0, true, 45.0, m);
  EXPECT_DOUBLE_EQ(t.interval, 0.1);
  // On 100 px only 4 labels fit (100 / 25): step 0.5 (3 labels), not 0.2 (6).
  t = linearTicks(0.0, 1.0, 100.0, true, 45.0, m);
  EXPECT_DOUBLE_EQ(t.interval, 0.5);
  EXPECT_EQ(t.labels, (std::vector<double>{0.0, 0.5, 1.0}));
  // Wide labels on a short horizontal axis: "100000" is 42 px, so at most 2 on 110 px.
  t = linearTicks(0.0, 200000.0, 110.0, false, 90.0, m);
  EXPECT_LE(t.labels.size(), 2u);
  EXPECT_TRUE(labelsFit(t.labels, 110.0, false, m));
}

TEST(TickPolicy, LabelTextIsQtChartsPercentG) {
  EXPECT_EQ(tickLabel(1e-5), QStringLiteral("1e-05"));
  EXPECT_EQ(tickLabel(1000.0), QStringLiteral("1000"));
  EXPECT_EQ(tickLabel(0.30000000000000004), QStringLiteral("0.3"));
  EXPECT_EQ(linearTickValues(-0.2, 0.2, 0.1).size(), 5u);
  EXPECT_EQ(tickLabel(linearTickValues(-0.2, 0.2, 0.1)[2]), QStringLiteral("0"));
}

}  // namespace
}  // namespace larslab::ui
