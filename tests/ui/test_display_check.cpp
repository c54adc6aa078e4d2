#include <gtest/gtest.h>

#include "display_check.h"

namespace larslab::ui {
namespace {

TEST(DisplayCheck, NoDisplayAndAWindowWantedExplains) {
  EXPECT_EQ(decideDisplay({}, {}), DisplayDecision::ExplainAndExit);
  EXPECT_EQ(decideDisplay({}, {"resources/experiments/default.json"}), DisplayDecision::ExplainAndExit);
  const std::string message = displayMissingMessage();
  EXPECT_NE(message.find("DISPLAY"), std::string::npos);
  EXPECT_NE(message.find("--screenshot"), std::string::npos);
  EXPECT_NE(message.find("xvfb-run"), std::string::npos);
}

TEST(DisplayCheck, NoDisplayAndAScreenshotWantedRendersOffscreen) {
  EXPECT_EQ(decideDisplay({}, {"--screenshot", "shot.png"}), DisplayDecision::UseOffscreen);
}

TEST(DisplayCheck, AnyDisplayOrChosenPlatformIsLeftToQt) {
  EXPECT_EQ(decideDisplay({.x11Display = ":0"}, {}), DisplayDecision::UseDefault);
  EXPECT_EQ(decideDisplay({.waylandDisplay = "wayland-0"}, {}), DisplayDecision::UseDefault);
  EXPECT_EQ(decideDisplay({.qpaPlatform = "offscreen"}, {}), DisplayDecision::UseDefault);
  EXPECT_EQ(decideDisplay({}, {"-platform", "vnc"}), DisplayDecision::UseDefault);
  EXPECT_EQ(decideDisplay({.x11Display = ":0"}, {"--screenshot", "a.png"}), DisplayDecision::UseDefault);
}

}  // namespace
}  // namespace larslab::ui
