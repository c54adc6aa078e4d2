#include "transport_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>

namespace larslab::ui {

namespace {
QToolButton* makeButton(QWidget* parent, const QString& name, const QString& text, QStyle::StandardPixmap icon,
                        const QString& tip) {
  auto* b = new QToolButton(parent);
  b->setObjectName(name);
  b->setText(text);
  b->setIcon(parent->style()->standardIcon(icon));
  b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  b->setToolTip(tip);
  b->setAutoRaise(false);
  return b;
}
}  // namespace

TransportBar::TransportBar(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 2, 4, 2);
  layout->setSpacing(6);
  play_ = makeButton(this, QStringLiteral("playPause"), tr("Play"), QStyle::SP_MediaPlay,
                     tr("Start or pause training of every run (Space)."));
  play_->setMinimumWidth(82);
  step_ = makeButton(this, QStringLiteral("stepOnce"), tr("Step"), QStyle::SP_MediaSkipForward,
                     tr("Pause and train exactly one step (S)."));
  stepN_ = makeButton(this, QStringLiteral("stepN"), tr("Step ×"), QStyle::SP_MediaSeekForward,
                      tr("Pause and train the number of steps in the box next to it."));
  nSteps_ = new QSpinBox(this);
  nSteps_->setObjectName(QStringLiteral("stepNCount"));
  nSteps_->setRange(1, 1'000'000);
  nSteps_->setValue(100);
  nSteps_->setToolTip(tr("How many steps 'Step ×' trains."));
  reset_ = makeButton(this, QStringLiteral("reset"), tr("Reset"), QStyle::SP_BrowserReload,
                      tr("Back to step 0: every run restarts from the same initial weights, keeping tuned values (R)."));
  auto* speedLabel = new QLabel(tr("Speed"), this);
  speed_ = new QComboBox(this);
  speed_->setObjectName(QStringLiteral("speed"));
  speed_->setToolTip(tr("Steps per second while playing; slow speeds make single updates visible."));
  speedLabel->setToolTip(speed_->toolTip());
  speed_->addItem(tr("max"), 0.0);
  for (double v : {1000.0, 300.0, 100.0, 30.0, 10.0, 3.0, 1.0}) speed_->addItem(tr("%1 steps/s").arg(v), v);
  stateLabel_ = new QLabel(this);
  stateLabel_->setObjectName(QStringLiteral("transportState"));
  stateLabel_->setMinimumWidth(70);
  stepLabel_ = new QLabel(this);
  stepLabel_->setObjectName(QStringLiteral("stepLabel"));
  stepLabel_->setToolTip(tr("Steps trained by the session so far, out of the experiment's length."));
  stepLabel_->setMinimumWidth(140);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  progress_->setFixedWidth(140);
  progress_->setMaximumHeight(12);
  progress_->setToolTip(stepLabel_->toolTip());
  rateLabel_ = new QLabel(this);
  rateLabel_->setObjectName(QStringLiteral("rateLabel"));
  rateLabel_->setToolTip(tr("Training speed measured over the last second (each step trains every run)."));
  rateLabel_->setMinimumWidth(90);

  layout->addWidget(play_);
  layout->addWidget(step_);
  layout->addWidget(stepN_);
  layout->addWidget(nSteps_);
  layout->addWidget(reset_);
  layout->addSpacing(10);
  layout->addWidget(speedLabel);
  layout->addWidget(speed_);
  layout->addSpacing(16);
  layout->addWidget(stateLabel_);
  layout->addWidget(stepLabel_);
  layout->addWidget(progress_);
  layout->addWidget(rateLabel_);
  layout->addStretch(1);

  connect(play_, &QToolButton::clicked, this, &TransportBar::playPauseClicked);
  connect(step_, &QToolButton::clicked, this, &TransportBar::stepClicked);
  connect(stepN_, &QToolButton::clicked, this, [this] { Q_EMIT stepNClicked(nSteps_->value()); });
  connect(reset_, &QToolButton::clicked, this, &TransportBar::resetClicked);
  connect(speed_, &QComboBox::currentIndexChanged, this,
          [this] { Q_EMIT speedChanged(speed_->currentData().toDouble()); });
  setState(SessionController::State::Empty);
  setProgress(0, 0, -1);
}

void TransportBar::setState(SessionController::State state) {
  state_ = state;
  using S = SessionController::State;
  const bool playing = state == S::Playing;
  play_->setText(playing ? tr("Pause") : tr("Play"));
  play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  const bool live = !readOnly_ && (state == S::Paused || state == S::Playing || state == S::Finished);
  play_->setEnabled(live && state != S::Finished);
  step_->setEnabled(live && state != S::Finished);
  stepN_->setEnabled(live && state != S::Finished);
  nSteps_->setEnabled(live);
  reset_->setEnabled(live);
  speed_->setEnabled(!readOnly_);
  QString text;
  switch (state) {
    case S::Empty: text = readOnly_ ? tr("Read-only") : tr("No session"); break;
    case S::Loading: text = tr("Loading…"); break;
    case S::Paused: text = tr("Paused"); break;
    case S::Playing: text = tr("Training"); break;
    case S::Finished: text = tr("Finished"); break;
  }
  stateLabel_->setText(QStringLiteral("<b>%1</b>").arg(text));
}

void TransportBar::setProgress(long step, long total, double stepsPerSecond) {
  stepLabel_->setText(total > 0 ? tr("Step %1 / %2").arg(step).arg(total) : tr("Step %1").arg(step));
  progress_->setVisible(total > 0);
  if (total > 0) progress_->setValue(static_cast<int>(std::min<long>(1000, step * 1000 / total)));
  if (stepsPerSecond < 0)
    rateLabel_->clear();
  else
    rateLabel_->setText(tr("%1 steps/s").arg(stepsPerSecond >= 100 ? QString::number(stepsPerSecond, 'f', 0)
                                                                   : QString::number(stepsPerSecond, 'f', 1)));
}

void TransportBar::setReadOnly(bool readOnly, const QString& why) {
  readOnly_ = readOnly;
  setToolTip(readOnly ? why : QString());
  setState(readOnly ? SessionController::State::Empty : state_);
}

}  // namespace larslab::ui
