#pragma once
// The window's step cursor: the one step every chart, table and teaching view shows. Live (the
// default) follows the latest recorded step; once the user scrubs it stays at step k, while
// training goes on, until they return to live. Plain C++ (no Qt): the window owns one and maps
// gestures and keys onto these calls.

namespace larslab::ui {

class StepCursor {
 public:
  [[nodiscard]] bool isLive() const { return step_ < 0; }
  // The scrubbed step, or -1 when live (ViewContext::step).
  [[nodiscard]] long step() const { return step_; }
  // The step shown when `latest` (-1: none yet) is the latest recorded one.
  [[nodiscard]] long shown(long latest) const;

  // Scrubs to `step`, clamped to [0, latest]; nothing when no step is recorded (latest < 0).
  // True when the cursor moved.
  bool scrubTo(long step, long latest);
  // Moves by `delta` steps from the step shown (live counts as the latest; forward from live stays
  // live). True when it moved.
  bool moveBy(long delta, long latest);
  // Moves by `fraction` of the steps recorded (at least one step), e.g. -0.1 for 10% back.
  bool moveByFraction(double fraction, long latest);
  // Back to following the latest step. True when it was scrubbed.
  bool goLive();

 private:
  long step_ = -1;
};

}  // namespace larslab::ui
