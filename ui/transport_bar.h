#pragma once
// Play/pause, step, step N, reset and speed; shows the current step and steps per second.

#include <QWidget>

#include "session_controller.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QSpinBox;
class QToolButton;

namespace larslab::ui {

class TransportBar : public QWidget {
  Q_OBJECT
 public:
  explicit TransportBar(QWidget* parent = nullptr);

  void setState(SessionController::State state);
  // Current step, total steps (0: unknown) and measured steps per second (< 0: hide).
  void setProgress(long step, long total, double stepsPerSecond);
  void setReadOnly(bool readOnly, const QString& why = {});

  [[nodiscard]] QToolButton* playButton() const { return play_; }
  [[nodiscard]] QToolButton* stepButton() const { return step_; }
  [[nodiscard]] QToolButton* stepNButton() const { return stepN_; }
  [[nodiscard]] QToolButton* resetButton() const { return reset_; }
  [[nodiscard]] QSpinBox* stepCount() const { return nSteps_; }
  [[nodiscard]] QComboBox* speedBox() const { return speed_; }

 Q_SIGNALS:
  void playPauseClicked();
  void stepClicked();
  void stepNClicked(long n);
  void resetClicked();
  void speedChanged(double stepsPerSecond);  // 0: unlimited

 private:
  QToolButton* play_ = nullptr;
  QToolButton* step_ = nullptr;
  QToolButton* stepN_ = nullptr;
  QToolButton* reset_ = nullptr;
  QSpinBox* nSteps_ = nullptr;
  QComboBox* speed_ = nullptr;
  QLabel* stepLabel_ = nullptr;
  QLabel* rateLabel_ = nullptr;
  QLabel* stateLabel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  SessionController::State state_ = SessionController::State::Empty;
  bool readOnly_ = false;
};

}  // namespace larslab::ui
