#pragma once
// One colour scheme for every chart, so a run (or a tensor) has the same colour everywhere.
// Runs use the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
// tensors use Tableau 10 by layer, the weight in the full hue and the bias in a lighter tint of
// the same hue, so a layer's two tensors read as a pair. Both have variants for dark backgrounds.

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

namespace larslab::ui {

enum class TensorRole { Weight, Bias, Other };

// True when the palette's window colour is dark (a dark desktop theme).
bool isDarkPalette(const QPalette& palette);

// Colour of run number `runIndex` (0-based; cycles after 7). Negative indices are treated as 0.
QColor runColor(int runIndex, const QPalette& palette = QGuiApplication::palette());

// Colour of the tensor with role `role` in layer `layerIndex` (0-based; hues cycle after 10).
QColor tensorColor(int layerIndex, TensorRole role,
                   const QPalette& palette = QGuiApplication::palette());

// How many distinct run / layer colours exist before they repeat.
int runColorCount();
int layerColorCount();

}  // namespace larslab::ui
