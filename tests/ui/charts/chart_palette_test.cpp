#include "ui/charts/chart_palette.h"

#include <gtest/gtest.h>

#include <set>

namespace larslab::ui {
namespace {

QPalette lightPalette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0xF0, 0xF0, 0xF0));
  p.setColor(QPalette::Base, Qt::white);
  p.setColor(QPalette::Text, Qt::black);
  return p;
}

QPalette darkPalette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0x30, 0x30, 0x30));
  p.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
  p.setColor(QPalette::Text, QColor(0xE0, 0xE0, 0xE0));
  return p;
}

TEST(ChartPalette, DetectsDarkPalettes) {
  EXPECT_FALSE(isDarkPalette(lightPalette()));
  EXPECT_TRUE(isDarkPalette(darkPalette()));
}

TEST(ChartPalette, RunColoursAreDistinctThenCycle) {
  std::set<QRgb> seen;
  for (int i = 0; i < runColorCount(); ++i) seen.insert(runColor(i, lightPalette()).rgb());
  EXPECT_EQ(static_cast<int>(seen.size()), runColorCount());
  EXPECT_EQ(runColor(0, lightPalette()), runColor(runColorCount(), lightPalette()));
  EXPECT_EQ(runColor(-3, lightPalette()), runColor(0, lightPalette()));
  // Same run, same colour, every time (charts are built independently).
  EXPECT_EQ(runColor(2, lightPalette()), runColor(2, lightPalette()));
}

TEST(ChartPalette, DarkBackgroundsGetLighterColours) {
  for (int i = 0; i < runColorCount(); ++i) {
    EXPECT_GT(runColor(i, darkPalette()).lightness(), runColor(i, lightPalette()).lightness() - 1)
        << "run " << i;
  }
  EXPECT_GT(runColor(0, darkPalette()).lightness(), runColor(0, lightPalette()).lightness());
}

TEST(ChartPalette, BiasIsALighterPartnerOfItsWeight) {
  const QPalette light = lightPalette();
  for (int layer = 0; layer < layerColorCount(); ++layer) {
    const QColor w = tensorColor(layer, TensorRole::Weight, light);
    const QColor b = tensorColor(layer, TensorRole::Bias, light);
    EXPECT_NE(w, b);
    EXPECT_GT(b.lightness(), w.lightness()) << "layer " << layer;
    if (w.hsvSaturation() > 40) {  // greys have no meaningful hue
      EXPECT_NEAR(w.hsvHue(), b.hsvHue(), 8) << "layer " << layer;
    }
  }
  // On a dark background the bias moves towards the dark base instead.
  const QPalette dark = darkPalette();
  EXPECT_LT(tensorColor(0, TensorRole::Bias, dark).lightness(),
            tensorColor(0, TensorRole::Weight, dark).lightness());
}

TEST(ChartPalette, LayersBeyondThePaletteStillDiffer) {
  std::set<QRgb> seen;
  for (int layer = 0; layer < 2 * layerColorCount(); ++layer) {
    seen.insert(tensorColor(layer, TensorRole::Weight, lightPalette()).rgb());
  }
  EXPECT_EQ(static_cast<int>(seen.size()), 2 * layerColorCount());
}

}  // namespace
}  // namespace larslab::ui
