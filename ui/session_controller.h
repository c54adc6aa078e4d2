#pragma once
// Drives an engine::Session on a worker thread.
//
// The controller is moved to its own QThread. All training happens there: while playing, a
// zero-interval timer repeatedly runs as many Session::step() calls as fit in a short time
// slice (or as the speed limit allows) and then returns to the event loop, so queued commands
// (pause, step, speed, load) are handled within one slice. Signals are emitted only when the
// state changes, never per training step; the GUI polls the MetricsStore on its own timer.
// Hyperparameter changes go straight to the Session's thread-safe command queue.

#include <QElapsedTimer>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <mutex>

#include "engine/experiment.h"
#include "engine/session.h"

class QTimer;

namespace larslab::ui {

class SessionController : public QObject {
  Q_OBJECT

 public:
  enum class State { Empty, Loading, Paused, Playing, Finished };
  Q_ENUM(State)

  explicit SessionController(int threads = 0, QObject* parent = nullptr);
  ~SessionController() override;

  // Any thread: the current session (may be null) and its state.
  [[nodiscard]] std::shared_ptr<engine::Session> session() const;
  [[nodiscard]] State state() const { return state_.load(); }
  [[nodiscard]] double speed() const { return speed_.load(); }

 public Q_SLOTS:
  // Builds a Session from `spec` (loading its data) and replaces the current one. On failure the
  // current session is kept and loadFailed is emitted. `autoplay` starts training at once.
  void load(const larslab::engine::ExperimentSpec& spec, bool autoplay);
  // A fresh session from the current one's spec (tuned hyperparameters, added runs kept): same
  // seed, so every run restarts from the same initial weights and sees the same batches.
  void reset();
  void play();
  void pause();
  void togglePlay();
  void stepOnce();
  void stepN(long n);
  // Steps per second while playing; <= 0 means as fast as possible.
  void setSpeed(double stepsPerSecond);
  // Trains `n` steps now, in this call (screenshots, tests). Returns the steps taken.
  long runStepsNow(long n);
  // Stops training and drops the session (shutdown).
  void stop();

 Q_SIGNALS:
  void sessionChanged(std::shared_ptr<larslab::engine::Session> session);
  void stateChanged(larslab::ui::SessionController::State state);
  void loadFailed(const QString& message);

 private:
  void setState(State s);
  void schedulePump(int delayMs);
  void pump();
  void startTimedPlay();

  int threads_;
  mutable std::mutex sessionMutex_;  // guards session_ (read from the GUI thread)
  std::shared_ptr<engine::Session> session_;
  std::atomic<State> state_{State::Empty};
  std::atomic<double> speed_{0.0};
  std::atomic<bool> pauseRequested_{false};
  QTimer* pumpTimer_ = nullptr;
  long pendingSteps_ = 0;          // step N still to do (paused mode)
  QElapsedTimer playClock_;        // speed limit: steps allowed = elapsed * speed
  long stepsSincePlay_ = 0;
};

}  // namespace larslab::ui
