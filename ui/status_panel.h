#pragma once
// Status of every run (training, finished, blew up or stalled at step k, diverged at step k and
// why) with its latest numbers,
// and a log of the session's events (hyperparameter changes, rejected commands, divergence).
// Pinned runs follow the live ones as dimmed rows ("pinned", "previous attempt", "log"); the
// table's context menu pins a live run or removes pins.

#include <QWidget>
#include <memory>
#include <vector>

#include "engine/metrics_store.h"

class QLabel;
class QListWidget;
class QMenu;
class QTreeWidget;
class QTreeWidgetItem;

namespace larslab::ui {

class PinnedRuns;
class RunColorMap;

class StatusPanel : public QWidget {
  Q_OBJECT
 public:
  explicit StatusPanel(RunColorMap* colors, QWidget* parent = nullptr);

  // The live runs of `store`, then a row per pin of `pins` (when given). The loss column shows
  // step `step` (the window's step cursor; -1: live, each run's latest step).
  void refresh(const engine::MetricsStore* store, const PinnedRuns* pins = nullptr, long step = -1);
  void addEvents(const std::vector<engine::Event>& events);
  void clearEvents();

  [[nodiscard]] QTreeWidget* runTable() const { return runs_; }
  [[nodiscard]] QListWidget* eventLog() const { return log_; }
  // Status text of a run as shown ("diverged at step 12: loss is NaN"), empty if unknown.
  [[nodiscard]] QString statusText(const QString& run) const;
  [[nodiscard]] bool isMarkedDiverged(const QString& run) const;
  [[nodiscard]] QString divergenceBanner() const;
  // A run flagged by the health check (blew up or stalled) and still finite.
  [[nodiscard]] bool isMarkedWarning(const QString& run) const;
  [[nodiscard]] QString warningBanner() const;
  // The pin shown in `row` of the runs table, or 0 for a live run's row.
  [[nodiscard]] int pinIdAt(int row) const;
  [[nodiscard]] int pinnedRowCount() const;
  // The runs table's context menu for `item` (null: the empty area); the caller owns it.
  QMenu* contextMenuFor(QTreeWidgetItem* item);

 Q_SIGNALS:
  void runActivated(const QString& run);
  void pinRunRequested(const QString& run);
  void removePinRequested(int pinId);
  void removeAllPinsRequested();

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void refreshPins(const PinnedRuns* pins, int firstRow, long step);

  // The panel's font (it follows the presentation text scale), bold or not: a cell's own font.
  [[nodiscard]] QFont cellFont(bool bold) const;
  RunColorMap* colors_;
  QTreeWidget* runs_ = nullptr;
  QListWidget* log_ = nullptr;
  QLabel* banner_ = nullptr;  // red, names every diverged run, its step and the reason
  QLabel* warningBanner_ = nullptr;  // orange, every run that blew up or stalled, and why
};

}  // namespace larslab::ui
