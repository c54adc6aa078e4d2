#pragma once
// The CSV part of the Data tab: the label column chosen from the file's header, the columns to
// ignore, the missing-value policy, the class counts (or the target's range) and a preview of
// the first rows, all as the engine reads the file (data::inspectCsv). Problems in the file
// are listed here, not thrown.

#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/experiment.h"

class QComboBox;
class QLabel;
class QListWidget;
class QTableWidget;

namespace larslab::ui {

class CsvPreview : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kPreviewRows = 8;

  explicit CsvPreview(QWidget* parent = nullptr);

  // Shows `dataset` (a csv dataset); the file is read again only when the file, its
  // modification time or an option that changes what is read differs from the last call.
  void setDataset(const engine::DatasetSpec& dataset, std::uint64_t seed);
  // Writes the widget's choices (label column, ignored columns, policy) into `dataset`.
  void readInto(engine::DatasetSpec& dataset) const;

  [[nodiscard]] QComboBox* labelBox() const { return label_; }
  [[nodiscard]] QListWidget* ignoreList() const { return ignore_; }
  [[nodiscard]] QComboBox* missingBox() const { return missing_; }
  [[nodiscard]] QTableWidget* table() const { return table_; }
  [[nodiscard]] QLabel* summaryLabel() const { return summary_; }
  [[nodiscard]] QLabel* problemsLabel() const { return problems_; }

 Q_SIGNALS:
  // The user changed the label column, an ignored column or the policy.
  void edited();

 private:
  void inspect();
  void showInspection();
  void emitEdited();

  engine::DatasetSpec dataset_;
  std::uint64_t seed_ = 1;
  std::string inspectedKey_;  // what the shown inspection was read with
  data::CsvInspection inspection_;
  bool loading_ = false;

  QComboBox* label_ = nullptr;
  QListWidget* ignore_ = nullptr;
  QComboBox* missing_ = nullptr;
  QLabel* summary_ = nullptr;
  QLabel* problems_ = nullptr;
  QTableWidget* table_ = nullptr;
};

}  // namespace larslab::ui
