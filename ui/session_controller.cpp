#include "session_controller.h"

#include <QTimer>
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <utility>

namespace larslab::ui {

namespace {
// Longest uninterrupted stretch of training before the worker returns to its event loop; keeps
// pause/step latency well under a GUI frame.
constexpr qint64 kSliceNs = 12'000'000;
}  // namespace

SessionController::SessionController(int threads, QObject* parent)
    : QObject(parent), threads_(threads) {
  qRegisterMetaType<std::shared_ptr<engine::Session>>();
  qRegisterMetaType<SessionController::State>();
  // Child of this object, so it moves to the worker thread with it.
  pumpTimer_ = new QTimer(this);
  pumpTimer_->setSingleShot(true);
  connect(pumpTimer_, &QTimer::timeout, this, &SessionController::pump);
}

SessionController::~SessionController() = default;

void SessionController::post(Request request, Delivery delivery) {
  // The one place the GUI crosses into the worker thread.
  QMetaObject::invokeMethod(
      this,
      [this, request = std::move(request)] { std::visit([this](const auto& r) { handle(r); }, request); },
      delivery == Delivery::Wait ? Qt::BlockingQueuedConnection : Qt::QueuedConnection);
}

void SessionController::sync() { QMetaObject::invokeMethod(this, [] {}, Qt::BlockingQueuedConnection); }

std::shared_ptr<engine::Session> SessionController::session() const {
  const std::lock_guard lock(sessionMutex_);
  return session_;
}

void SessionController::setState(State s) {
  if (state_.exchange(s) != s) Q_EMIT stateChanged(s);
}

void SessionController::handle(const Load& request) {
  const engine::ExperimentSpec& spec = request.spec;
  const bool autoplay = request.autoplay;
  const State before = state_.load();
  setState(State::Loading);
  pumpTimer_->stop();
  pendingSteps_ = 0;
  std::shared_ptr<engine::Session> fresh;
  try {
    engine::SessionOptions options;
    options.threads = threads_;
    fresh = std::make_shared<engine::Session>(spec, options);
  } catch (const engine::SpecError& e) {
    QString text = QString::fromStdString(e.file()) + QStringLiteral(":");
    for (const auto& issue : e.issues())
      text += QStringLiteral("\n  ") + QString::fromStdString(issue.path) + QStringLiteral(": ") +
              QString::fromStdString(issue.message);
    if (e.issues().empty()) text = QString::fromUtf8(e.what());
    setState(before == State::Loading ? State::Empty : before);
    if (state_.load() == State::Playing) schedulePump(0);
    Q_EMIT loadFailed(text);
    return;
  } catch (const std::exception& e) {
    setState(before == State::Loading ? State::Empty : before);
    if (state_.load() == State::Playing) schedulePump(0);
    Q_EMIT loadFailed(QString::fromUtf8(e.what()));
    return;
  }
  {
    const std::lock_guard lock(sessionMutex_);
    session_ = fresh;
  }
  Q_EMIT sessionChanged(fresh);
  if (autoplay) {
    setState(State::Playing);
    startTimedPlay();
  } else {
    setState(fresh->finished() ? State::Finished : State::Paused);
  }
}

void SessionController::handle(const Reset&) {
  const auto s = session();
  if (!s) return;
  std::optional<engine::ExperimentSpec> spec = s->metrics()->experiment();
  if (!spec) return;
  handle(Load{std::move(*spec), state_.load() == State::Playing});
}

void SessionController::startTimedPlay() {
  pauseRequested_ = false;
  playClock_.start();
  stepsSincePlay_ = 0;
  schedulePump(0);
}

void SessionController::handle(const Play&) {
  if (!session()) return;
  pendingSteps_ = 0;
  setState(State::Playing);
  startTimedPlay();
}

void SessionController::handle(const Pause&) {
  pauseRequested_ = true;
  pumpTimer_->stop();
  pendingSteps_ = 0;
  const State s = state_.load();
  if (s == State::Playing) setState(State::Paused);
}

void SessionController::handle(const TogglePlay&) {
  if (state_.load() == State::Playing)
    handle(Pause{});
  else
    handle(Play{});
}

void SessionController::handle(const Step& request) {
  const long n = request.count;
  if (!session() || n <= 0) return;
  if (state_.load() == State::Playing) handle(Pause{});
  pauseRequested_ = false;
  pendingSteps_ = n;
  schedulePump(0);
}

void SessionController::handle(const SetSpeed& request) {
  const double stepsPerSecond = request.stepsPerSecond;
  speed_ = stepsPerSecond > 0 && std::isfinite(stepsPerSecond) ? stepsPerSecond : 0.0;
  if (state_.load() == State::Playing) startTimedPlay();  // restart the speed clock
}

void SessionController::handle(const TrainNow& request) {
  const auto s = session();
  if (!s) return;
  for (long done = 0; done < request.steps; ++done) {
    if (!s->step()) {
      setState(State::Finished);
      break;
    }
  }
}

void SessionController::handle(const Stop&) {
  pauseRequested_ = true;
  pumpTimer_->stop();
  pendingSteps_ = 0;
  {
    const std::lock_guard lock(sessionMutex_);
    session_.reset();
  }
  setState(State::Empty);
}

void SessionController::schedulePump(int delayMs) { pumpTimer_->start(delayMs); }

void SessionController::pump() {
  const auto s = session();
  if (!s) return;
  const bool playing = state_.load() == State::Playing;
  if (!playing && pendingSteps_ <= 0) return;

  // How many steps this slice may take.
  long allowed = playing ? std::numeric_limits<long>::max() : pendingSteps_;
  const double speed = speed_.load();
  if (playing && speed > 0) {
    const double due = static_cast<double>(playClock_.nsecsElapsed()) * 1e-9 * speed;
    allowed = static_cast<long>(std::floor(due)) - stepsSincePlay_;
    if (allowed <= 0) {
      // Sleep until the next step is due.
      const double waitS = (static_cast<double>(stepsSincePlay_ + 1) / speed) -
                           static_cast<double>(playClock_.nsecsElapsed()) * 1e-9;
      schedulePump(std::max(1, static_cast<int>(std::ceil(waitS * 1000.0))));
      return;
    }
  }

  QElapsedTimer slice;
  slice.start();
  bool finished = false;
  long done = 0;
  while (done < allowed && !pauseRequested_.load(std::memory_order_relaxed)) {
    bool more = true;
    try {
      more = s->step();
    } catch (const std::exception& e) {
      // The engine reports divergence as data; anything thrown here is a bug or a resource
      // problem (out of memory). Stop training rather than crash the window.
      pendingSteps_ = 0;
      setState(State::Paused);
      Q_EMIT loadFailed(QStringLiteral("Training stopped: %1").arg(QString::fromUtf8(e.what())));
      return;
    }
    ++done;
    if (!more) {
      finished = true;
      break;
    }
    if (slice.nsecsElapsed() > kSliceNs) break;
  }
  stepsSincePlay_ += done;
  if (!playing) pendingSteps_ -= done;

  if (finished) {
    pendingSteps_ = 0;
    setState(State::Finished);
    return;
  }
  if (pauseRequested_.load()) return;
  if (playing || pendingSteps_ > 0) schedulePump(0);
}

}  // namespace larslab::ui
