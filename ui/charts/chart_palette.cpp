#include "ui/charts/chart_palette.h"

#include <array>

namespace larslab::ui {
namespace {

// Okabe & Ito (2008) without black (invisible on dark backgrounds) and reordered so that the
// first runs get the most distinct hues. Yellow comes last: it is weak on white.
constexpr std::array<QRgb, 7> kRunColors = {0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7,
                                            0xE69F00, 0x56B4E9, 0xF0E442};
// Tableau 10.
constexpr std::array<QRgb, 10> kLayerColors = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                               0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                          static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                          static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

}  // namespace

bool isDarkPalette(const QPalette& palette) {
  return palette.color(QPalette::Window).lightnessF() < 0.5;
}

int runColorCount() { return static_cast<int>(kRunColors.size()); }
int layerColorCount() { return static_cast<int>(kLayerColors.size()); }

QColor runColor(int runIndex, const QPalette& palette) {
  const int i = runIndex < 0 ? 0 : runIndex % runColorCount();
  QColor c(kRunColors[static_cast<size_t>(i)]);
  if (isDarkPalette(palette)) {
    c = c.lighter(125);  // the darker hues (blue, green) lose contrast on a dark background
  } else if (i == runColorCount() - 1) {
    c = c.darker(130);   // yellow on white
  }
  return c;
}

QColor tensorColor(int layerIndex, TensorRole role, const QPalette& palette) {
  const int i = layerIndex < 0 ? 0 : layerIndex % layerColorCount();
  QColor c(kLayerColors[static_cast<size_t>(i)]);
  const bool dark = isDarkPalette(palette);
  // Past the tenth layer hues repeat; shift their shade so layer 0 and layer 10 still differ.
  if ((layerIndex / layerColorCount()) % 2 == 1) c = dark ? c.lighter(130) : c.darker(140);
  // Thin lines in the pale hues (yellow, pink, grey) vanish on white.
  if (!dark && c.lightness() > 150) c = c.darker(120);
  switch (role) {
    case TensorRole::Weight:
      return c;
    case TensorRole::Bias:
      // Same hue, pushed towards the background: reads as "the lighter partner of the weight".
      return mix(c, palette.color(QPalette::Base), 0.3);
    case TensorRole::Other:
      return mix(c, palette.color(QPalette::Text), 0.3);
  }
  return c;
}

}  // namespace larslab::ui
