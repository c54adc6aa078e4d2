#pragma once
// Status of every run (training, finished, blew up or stalled at step k, diverged at step k and
// why) with its latest numbers,
// and a log of the session's events (hyperparameter changes, rejected commands, divergence).

#include <QWidget>
#include <memory>
#include <vector>

#include "engine/metrics_store.h"

class QLabel;
class QListWidget;
class QTreeWidget;

namespace larslab::ui {

class RunColorMap;

class StatusPanel : public QWidget {
  Q_OBJECT
 public:
  explicit StatusPanel(RunColorMap* colors, QWidget* parent = nullptr);

  void refresh(const engine::MetricsStore* store);
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

 Q_SIGNALS:
  void runActivated(const QString& run);

 private:
  RunColorMap* colors_;
  QTreeWidget* runs_ = nullptr;
  QListWidget* log_ = nullptr;
  QLabel* banner_ = nullptr;  // red, names every diverged run, its step and the reason
  QLabel* warningBanner_ = nullptr;  // orange, every run that blew up or stalled, and why
};

}  // namespace larslab::ui
