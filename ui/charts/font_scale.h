#pragma once
// Font scaling shared by the charts and the window's presentation text scale (View > Larger
// text): one rule for fonts sized in points or in pixels.

#include <QFont>

namespace larslab::ui {

// `base` scaled by `factor` whether it is sized in points or pixels, bold or not as asked.
QFont scaledFont(const QFont& base, double factor, bool bold = false);

// `base` scaled by `factor`, keeping its weight (a presentation scale of any font).
inline QFont presentationFont(const QFont& base, double factor) { return scaledFont(base, factor, base.bold()); }

}  // namespace larslab::ui
