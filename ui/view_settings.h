#pragma once
// The view choices LARS Lab remembers across starts (QSettings "view/..."): how the charts are
// drawn (smoothing, log scale, x unit, per-tensor mode and filter) and the presentation text
// scale. The window layout itself is main_window_layout.cpp's; View > Reset layout clears both.

#include <array>

#include "dashboard.h"

namespace larslab::ui {

// Presentation text scale steps in percent (View > Larger text / Smaller text walk them).
inline constexpr std::array<int, 6> kTextScales{80, 100, 125, 150, 175, 200};
inline constexpr int kNormalTextScale = 100;
// The step `steps` away from `percent` (clamped at the ends; from between two steps, the next
// one in that direction is one step away).
int steppedTextScale(int percent, int steps);
[[nodiscard]] bool isTextScale(int percent);

struct ViewChoices {
  Dashboard::View charts;  // a default-constructed View is the initial one
  int textScale = kNormalTextScale;
  bool operator==(const ViewChoices&) const = default;
};

// What was saved; any value missing or not valid (a hand-edited file) is the default.
ViewChoices loadViewChoices();
void saveViewChoices(const ViewChoices& choices);
void clearViewChoices();

}  // namespace larslab::ui
