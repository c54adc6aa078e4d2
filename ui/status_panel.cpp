#include "status_panel.h"

#include <QEvent>

#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPainter>
#include <QPixmap>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "pinned_runs.h"
#include "run_colors.h"

namespace larslab::ui {

namespace {

enum Column { RunCol, StatusCol, LossCol, TestAccCol, ColumnCount };
// On RunCol: Qt::UserRole holds a live run's name; kPinRole the pin id of a pinned row (0: live).
constexpr int kPinRole = Qt::UserRole + 1;
constexpr int kPinLabelRole = Qt::UserRole + 2;  // "LARS (previous attempt)"
constexpr int kPinDotAlpha = 110;  // as dimmed as the pin's lines
const QColor kDivergedColor(0xd6, 0x27, 0x28);
const QColor kWarningColor(0xc0, 0x5a, 0x00);  // orange, darker than the marker's for contrast

// What a row shows, kept in the status cell's UserRole so the row is restyled only on a change.
enum class RowState { Normal, Warning, Diverged };

QIcon dot(const QColor& c, bool cross, bool warning = false) {
  QPixmap pm(14, 14);
  pm.fill(Qt::transparent);
  QPainter p(&pm);
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(c);
  p.setPen(Qt::NoPen);
  p.drawEllipse(QRectF(1.5, 1.5, 11, 11));
  if (cross) {
    p.setPen(QPen(Qt::white, 2));
    p.drawLine(QPointF(4.5, 4.5), QPointF(9.5, 9.5));
    p.drawLine(QPointF(9.5, 4.5), QPointF(4.5, 9.5));
  } else if (warning) {  // "!": flagged, still training
    p.setPen(QPen(Qt::white, 2));
    p.drawLine(QPointF(7, 3.5), QPointF(7, 8));
    p.drawPoint(QPointF(7, 10.5));
  }
  return QIcon(pm);
}

QString number(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? QStringLiteral("NaN") : QStringLiteral("inf");
  return QString::number(v, 'g', 4);
}

}  // namespace

StatusPanel::StatusPanel(RunColorMap* colors, QWidget* parent) : QWidget(parent), colors_(colors) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  runs_ = new QTreeWidget(this);
  runs_->setObjectName(QStringLiteral("runStatus"));
  runs_->setColumnCount(ColumnCount);
  runs_->setHeaderLabels({tr("Run"), tr("Status"), tr("Loss"), tr("Test")});
  runs_->headerItem()->setToolTip(RunCol, tr("Run name; its colour is the same in every chart."));
  runs_->headerItem()->setToolTip(StatusCol, tr("Training, finished, or diverged at which step and why."));
  runs_->headerItem()->setToolTip(LossCol, tr("Training loss at the step cursor (the latest step when live)."));
  runs_->headerItem()->setToolTip(TestAccCol, tr("Accuracy on the test split at the latest evaluation."));
  runs_->setRootIsDecorated(false);
  // A narrow dock wraps a cell ("stalled at" / "300") rather than eliding it to "stalled at 3…".
  runs_->setUniformRowHeights(false);
  runs_->setWordWrap(true);
  runs_->setTextElideMode(Qt::ElideNone);
  runs_->header()->setStretchLastSection(false);
  runs_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  runs_->header()->setSectionResizeMode(StatusCol, QHeaderView::Stretch);
  runs_->setToolTip(tr("Every run of the session; a diverged run stops while the others keep training."));
  runs_->setMaximumHeight(130);
  layout->addWidget(runs_);
  banner_ = new QLabel(this);
  banner_->setObjectName(QStringLiteral("divergenceBanner"));
  banner_->setWordWrap(true);
  banner_->setTextFormat(Qt::RichText);
  banner_->setStyleSheet(QStringLiteral("QLabel { color: #ffffff; background: #c0392b; border-radius: 4px; padding: 4px; }"));
  banner_->setToolTip(tr("A diverged run stopped at the step shown; press Reset (R) to restart every run."));
  banner_->setVisible(false);
  layout->addWidget(banner_);
  warningBanner_ = new QLabel(this);
  warningBanner_->setObjectName(QStringLiteral("warningBanner"));
  warningBanner_->setWordWrap(true);
  warningBanner_->setTextFormat(Qt::RichText);
  warningBanner_->setStyleSheet(QStringLiteral("QLabel { color: #000000; background: #f5b041; border-radius: 4px; padding: 4px; }"));
  warningBanner_->setToolTip(tr("A run whose loss or weights blew up, or that stalled, is still finite and keeps training; "
                                "the thresholds are the experiment file's \"health\" section."));
  warningBanner_->setVisible(false);
  layout->addWidget(warningBanner_);
  auto* logLabel = new QLabel(tr("Events: your hyperparameter changes, switched conventions, divergence"), this);
  logLabel->setWordWrap(true);
  layout->addWidget(logLabel);
  log_ = new QListWidget(this);
  log_->setObjectName(QStringLiteral("eventLog"));
  log_->setToolTip(tr("What happened when: hyperparameter changes, switched conventions, rejected commands, divergence."));
  log_->setWordWrap(true);
  layout->addWidget(log_, 1);
  connect(runs_, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
    const QString run = item->data(RunCol, Qt::UserRole).toString();
    if (!run.isEmpty()) Q_EMIT runActivated(run);
  });
  runs_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(runs_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
    QMenu* menu = contextMenuFor(runs_->itemAt(pos));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(runs_->viewport()->mapToGlobal(pos));
  });
}

QMenu* StatusPanel::contextMenuFor(QTreeWidgetItem* item) {
  auto* menu = new QMenu(this);
  const QString run = item ? item->data(RunCol, Qt::UserRole).toString() : QString();
  const int pin = item ? item->data(RunCol, kPinRole).toInt() : 0;
  if (!run.isEmpty()) {
    menu->addAction(tr("Pin %1 for comparison").arg(run), this, [this, run] { Q_EMIT pinRunRequested(run); })
        ->setStatusTip(tr("Keep a dimmed read-only copy of the run as it is now in every chart."));
  }
  if (pin != 0)
    menu->addAction(tr("Remove pin %1").arg(item->data(RunCol, kPinLabelRole).toString()), this,
                    [this, pin] { Q_EMIT removePinRequested(pin); });
  QAction* all = menu->addAction(tr("Remove all pins"), this, [this] { Q_EMIT removeAllPinsRequested(); });
  all->setEnabled(pinnedRowCount() > 0);
  return menu;
}

namespace {
// The loss and test accuracy cells of a run at the cursor step (step < 0: live): the loss of that
// step and the last evaluation at or before it, of at most `steps` rows and `evaluations` evaluations.
void showValuesAt(QTreeWidgetItem* item, const engine::MetricsStore& store, int run, long steps, std::size_t evaluations,
                  long step) {
  const long shown = step < 0 ? steps - 1 : std::min(step, steps - 1);
  const QString loss = steps > 0 ? number(store.value(run, engine::RunMetric::Loss, shown)) : QString();
  if (item->text(LossCol) != loss) item->setText(LossCol, loss);
  const auto evals = store.evaluations(run);
  QString acc;
  for (std::size_t i = std::min(evaluations, evals.size()); i-- > 0;)
    if (evals[i].step <= shown) {
      if (std::isfinite(evals[i].accuracy)) acc = QString::number(evals[i].accuracy * 100.0, 'f', 1) + QStringLiteral("%");
      break;
    }
  if (item->text(TestAccCol) != acc) item->setText(TestAccCol, acc);
}
}  // namespace

int StatusPanel::pinIdAt(int row) const {
  QTreeWidgetItem* item = runs_->topLevelItem(row);
  return item ? item->data(RunCol, kPinRole).toInt() : 0;
}

int StatusPanel::pinnedRowCount() const {
  int n = 0;
  for (int i = 0; i < runs_->topLevelItemCount(); ++i) n += pinIdAt(i) != 0 ? 1 : 0;
  return n;
}

void StatusPanel::refreshPins(const PinnedRuns* pins, int firstRow, long step) {
  int row = firstRow;
  if (pins) {
    for (const PinnedRun& p : pins->list()) {
      QTreeWidgetItem* item = row < runs_->topLevelItemCount() ? runs_->topLevelItem(row) : nullptr;
      ++row;
      if (item && item->data(RunCol, kPinRole).toInt() == p.id) {  // only the cursor moves
        showValuesAt(item, *p.store, p.run, p.steps, p.evaluations, step);
        continue;
      }
      if (item) delete runs_->takeTopLevelItem(row - 1);
      item = new QTreeWidgetItem;
      runs_->insertTopLevelItem(row - 1, item);
      item->setData(RunCol, kPinRole, p.id);
      item->setData(RunCol, kPinLabelRole, p.label());
      // The run's name and, as its status, its kind: the name column stays as wide as the live
      // runs' and the status column readable; the full label is the tooltip.
      item->setText(RunCol, p.runName);
      QColor c = colors_->color(p.runName);
      c.setAlpha(kPinDotAlpha);
      item->setIcon(RunCol, dot(c, false));
      item->setText(StatusCol, pinKindName(p.kind));
      showValuesAt(item, *p.store, p.run, p.steps, p.evaluations, step);
      const QString tip = tr("%1: %2, %3 steps, drawn dimmed in every chart (%4). Right-click to remove it.")
                              .arg(p.label(), pinKindName(p.kind))
                              .arg(p.steps)
                              .arg(p.source);
      for (int col = 0; col < ColumnCount; ++col) {
        item->setForeground(col, runs_->palette().brush(QPalette::PlaceholderText));
        item->setToolTip(col, tip);
      }
    }
  }
  while (runs_->topLevelItemCount() > row) delete runs_->takeTopLevelItem(row);
}

void StatusPanel::refresh(const engine::MetricsStore* store, const PinnedRuns* pins, long step) {
  const int n = store ? store->runCount() : 0;
  int row = 0;
  QString banner;
  QString warnings;
  for (int r = 0; r < n; ++r) {
    const engine::RunStatusInfo st = store->status(r);
    if (st.removed) continue;
    QTreeWidgetItem* item = row < runs_->topLevelItemCount() ? runs_->topLevelItem(row) : nullptr;
    if (item && item->data(RunCol, kPinRole).toInt() != 0) {  // a run was added: the pins move down
      while (runs_->topLevelItemCount() > row) delete runs_->takeTopLevelItem(row);
      item = nullptr;
    }
    if (!item) item = new QTreeWidgetItem(runs_);
    ++row;
    const QString name = QString::fromStdString(store->runName(r));
    const long steps = store->stepCount(r);
    QString status;
    if (st.diverged) {
      status = tr("DIVERGED at %1").arg(st.divergedAtStep);
      banner += tr("<b>%1 diverged at step %2:</b> %3.<br>")
                    .arg(name.toHtmlEscaped())
                    .arg(st.divergedAtStep)
                    .arg(QString::fromStdString(st.reason).toHtmlEscaped());
    }
    else if (st.warning == engine::RunWarning::BlowUp)
      status = tr("blew up at %1").arg(st.warningAtStep);  // short like "DIVERGED at k": the column is narrow
    else if (st.warning == engine::RunWarning::Stall)
      status = tr("stalled at %1").arg(st.warningAtStep);
    else if (st.finished)
      status = tr("finished");
    else
      status = tr("training");
    if (st.warning != engine::RunWarning::None)
      warnings += tr("<b>%1 %2</b>%3.<br>")
                      .arg(name.toHtmlEscaped(),
                           QString::fromStdString(engine::warningPrefix(st.warning, st.warningAtStep)).toHtmlEscaped(),
                           QString::fromStdString(st.warningDetail).section(QLatin1Char(':'), 1).toHtmlEscaped().prepend(QLatin1Char(':')));
    const bool diverged = st.diverged;
    const RowState state = diverged ? RowState::Diverged
                                    : (st.warning != engine::RunWarning::None ? RowState::Warning : RowState::Normal);
    if (item->data(RunCol, Qt::UserRole).toString() != name || item->data(StatusCol, Qt::UserRole) != QVariant(static_cast<int>(state))) {
      item->setData(RunCol, Qt::UserRole, name);
      item->setText(RunCol, name);
      item->setIcon(RunCol, dot(colors_->color(name), diverged, state == RowState::Warning));
      item->setData(StatusCol, Qt::UserRole, static_cast<int>(state));
      item->setFont(StatusCol, cellFont(state != RowState::Normal));
      item->setForeground(StatusCol, diverged ? QBrush(kDivergedColor)
                                              : (state == RowState::Warning ? QBrush(kWarningColor) : QBrush()));
    }
    if (item->text(StatusCol) != status) {
      item->setText(StatusCol, status);
      QString tip = state == RowState::Normal ? status : QString::fromStdString(st.describe());
      if (st.warning != engine::RunWarning::None) tip += QStringLiteral("\n") + QString::fromStdString(st.warningDetail);
      item->setToolTip(StatusCol, tip);
    }
    showValuesAt(item, *store, r, steps, std::numeric_limits<std::size_t>::max(), step);
  }
  refreshPins(pins, row, step);
  if (!banner.isEmpty()) banner += tr("The other runs keep training.");
  if (banner_->text() != banner) banner_->setText(banner);
  banner_->setVisible(!banner.isEmpty());
  if (!warnings.isEmpty()) warnings += tr("Flagged runs keep training.");
  if (warningBanner_->text() != warnings) warningBanner_->setText(warnings);
  warningBanner_->setVisible(!warnings.isEmpty());
}

void StatusPanel::addEvents(const std::vector<engine::Event>& events) {
  for (const auto& e : events) {
    const QString run = QString::fromStdString(e.run);
    QString text = tr("step %1").arg(e.step) + QStringLiteral(" · ");
    if (!run.isEmpty()) text += run + QStringLiteral(" · ");
    // A divergence's detail already says "diverged at step k: why".
    const bool diverged = e.kind == engine::EventKind::Diverged;
    const bool warning = e.kind == engine::EventKind::Warning;
    if ((diverged || warning) && !e.detail.empty())
      text += QString::fromStdString(e.detail);
    else
      text += QString::fromUtf8(engine::eventKindName(e.kind)) + (e.detail.empty() ? QString() : QStringLiteral(": ") + QString::fromStdString(e.detail));
    auto* item = new QListWidgetItem(text);
    if (diverged || e.kind == engine::EventKind::Rejected) {
      item->setForeground(kDivergedColor);
      item->setFont(cellFont(true));
    }
    if (warning) {
      item->setForeground(kWarningColor);
      item->setFont(cellFont(true));
    }
    if (!run.isEmpty()) item->setIcon(dot(colors_->color(run), diverged, warning));
    log_->addItem(item);
  }
  while (log_->count() > 500) delete log_->takeItem(0);
  if (!events.empty()) log_->scrollToBottom();
}

void StatusPanel::clearEvents() { log_->clear(); }

QString StatusPanel::divergenceBanner() const { return banner_->isHidden() ? QString() : banner_->text(); }

QString StatusPanel::warningBanner() const { return warningBanner_->isHidden() ? QString() : warningBanner_->text(); }

QString StatusPanel::statusText(const QString& run) const {
  for (int i = 0; i < runs_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = runs_->topLevelItem(i);
    if (item->data(RunCol, Qt::UserRole).toString() == run) return item->text(StatusCol);
  }
  return {};
}

bool StatusPanel::isMarkedDiverged(const QString& run) const {
  for (int i = 0; i < runs_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = runs_->topLevelItem(i);
    if (item->data(RunCol, Qt::UserRole).toString() == run)
      return item->data(StatusCol, Qt::UserRole).toInt() == static_cast<int>(RowState::Diverged);
  }
  return false;
}

bool StatusPanel::isMarkedWarning(const QString& run) const {
  for (int i = 0; i < runs_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = runs_->topLevelItem(i);
    if (item->data(RunCol, Qt::UserRole).toString() == run)
      return item->data(StatusCol, Qt::UserRole).toInt() == static_cast<int>(RowState::Warning);
  }
  return false;
}

QFont StatusPanel::cellFont(bool bold) const {
  QFont f = font();
  f.setBold(bold);
  return f;
}

void StatusPanel::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() != QEvent::FontChange) return;
  // Cells with a font of their own (bold status and events) do not follow the widget's: give
  // them the new size (View > Larger text).
  for (int i = 0; i < runs_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = runs_->topLevelItem(i);
    if (item->data(StatusCol, Qt::FontRole).isValid()) item->setFont(StatusCol, cellFont(item->font(StatusCol).bold()));
  }
  for (int i = 0; i < log_->count(); ++i) {
    QListWidgetItem* item = log_->item(i);
    if (item->data(Qt::FontRole).isValid()) item->setFont(cellFont(item->font().bold()));
  }
}

}  // namespace larslab::ui
