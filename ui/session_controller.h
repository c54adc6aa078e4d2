#pragma once
// Drives an engine::Session on a worker thread.
//
// The controller is moved to its own QThread. All training happens there: while playing, a
// zero-interval timer repeatedly runs as many Session::step() calls as fit in a short time
// slice (or as the speed limit allows) and then returns to the event loop, so requests
// (pause, step, speed, load) are handled within one slice. Signals are emitted only when the
// state changes, never per training step; the GUI polls the MetricsStore on its own timer.
//
// Two routes in, one per kind of request: what the training loop does (transport, load, reset)
// is a Request posted here with post(); what the experiment is (hyperparameters, options, runs)
// is an engine::Command submitted to the Session, applied at its next step boundary.

#include <QElapsedTimer>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <mutex>
#include <variant>

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

  // ---- requests, handled in order on the worker thread ----
  struct Play {};
  struct Pause {};
  struct TogglePlay {};
  struct Step {  // pauses, then trains `count` steps
    long count = 1;
  };
  struct SetSpeed {  // steps per second while playing; <= 0 means as fast as possible
    double stepsPerSecond = 0.0;
  };
  // Builds a Session from `spec` (loading its data) and replaces the current one. On failure
  // the current session is kept and loadFailed is emitted. `autoplay` starts training at once.
  struct Load {
    engine::ExperimentSpec spec;
    bool autoplay = false;
  };
  // The one meaning of reset (session.h): Load of the experiment the store records, same seed,
  // so every run restarts from the same initial weights; playing goes on playing.
  struct Reset {};
  struct TrainNow {  // trains `steps` steps inside the handler (screenshots, tests)
    long steps = 0;
  };
  struct Stop {};  // stops training and drops the session (shutdown)
  using Request = std::variant<Play, Pause, TogglePlay, Step, SetSpeed, Load, Reset, TrainNow, Stop>;

  enum class Delivery { Queued, Wait };
  // Any thread except the worker's: queues `request` to the worker; Wait blocks until it (and
  // everything posted before it) has been handled.
  void post(Request request, Delivery delivery = Delivery::Queued);
  // Blocks until the worker has handled everything posted before this call.
  void sync();

  // Any thread: the current session (may be null) and its state.
  [[nodiscard]] std::shared_ptr<engine::Session> session() const;
  [[nodiscard]] State state() const { return state_.load(); }
  [[nodiscard]] double speed() const { return speed_.load(); }

 Q_SIGNALS:
  void sessionChanged(std::shared_ptr<larslab::engine::Session> session);
  void stateChanged(larslab::ui::SessionController::State state);
  void loadFailed(const QString& message);

 private:
  void handle(const Play&);
  void handle(const Pause&);
  void handle(const TogglePlay&);
  void handle(const Step& request);
  void handle(const SetSpeed& request);
  void handle(const Load& request);
  void handle(const Reset&);
  void handle(const TrainNow& request);
  void handle(const Stop&);
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
