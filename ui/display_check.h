#pragma once
// Before QApplication exists: is there a display for the window? Without one Qt aborts with
// "could not connect to display" and a core dump; a user deserves a sentence that says what to do.

#include <string>
#include <vector>

namespace larslab::ui {

struct DisplayEnvironment {
  std::string qpaPlatform{};   // $QT_QPA_PLATFORM
  std::string x11Display{};    // $DISPLAY
  std::string waylandDisplay{};// $WAYLAND_DISPLAY
  static DisplayEnvironment fromProcess();
};

enum class DisplayDecision {
  UseDefault,      // a display (or a platform the user chose) is there: let Qt pick
  UseOffscreen,    // no display, but only a screenshot is wanted: render offscreen
  ExplainAndExit,  // no display and a window is wanted: print displayMissingMessage(), exit 1
};

// `arguments` is argv without argv[0]; `-platform NAME` counts as the user's choice.
DisplayDecision decideDisplay(const DisplayEnvironment& env, const std::vector<std::string>& arguments);
std::string displayMissingMessage();

}  // namespace larslab::ui
