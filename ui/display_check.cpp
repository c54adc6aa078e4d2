#include "display_check.h"

#include <algorithm>
#include <cstdlib>

namespace larslab::ui {

namespace {
std::string envOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}
}  // namespace

DisplayEnvironment DisplayEnvironment::fromProcess() {
  return {envOrEmpty("QT_QPA_PLATFORM"), envOrEmpty("DISPLAY"), envOrEmpty("WAYLAND_DISPLAY")};
}

DisplayDecision decideDisplay(const DisplayEnvironment& env, const std::vector<std::string>& arguments) {
  const auto has = [&](const char* flag) { return std::find(arguments.begin(), arguments.end(), flag) != arguments.end(); };
  if (!env.qpaPlatform.empty() || !env.x11Display.empty() || !env.waylandDisplay.empty() || has("-platform"))
    return DisplayDecision::UseDefault;
  return has("--screenshot") ? DisplayDecision::UseOffscreen : DisplayDecision::ExplainAndExit;
}

std::string displayMissingMessage() {
  return "larslab: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set).\n"
         "  On a desktop, start it from the session's terminal or the applications menu.\n"
         "  Over ssh, use 'ssh -X', or run it under Xvfb: xvfb-run -a larslab\n"
         "  Without any display it still renders itself to a PNG:\n"
         "    larslab --screenshot shot.png --steps 300\n"
         "  and larslab-cli trains, validates and exports without one (larslab-cli --help).\n";
}

}  // namespace larslab::ui
