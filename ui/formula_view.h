#pragma once
// The formula panel: the selected run's update rule written out for one tensor at the cursor's
// step, every number substituted from the store (engine/update_formula.h writes the lines; this
// widget only lays them out), with a sentence under each line for students.

#include <QString>
#include <cstdint>

#include "ui/teaching_view.h"

class QComboBox;
class QLabel;
class QTextBrowser;

namespace larslab::ui {

class FormulaView : public TeachingView {
  Q_OBJECT
 public:
  explicit FormulaView(QWidget* parent = nullptr);
  void showContext(const ViewContext& context) override;

  // What is shown, for tests and screenshots: the heading and the formula lines as plain text.
  [[nodiscard]] QString headingText() const;
  [[nodiscard]] QString formulaText() const;

 private:
  void fillTensors(const engine::MetricsStore& store);
  void redraw();

  QLabel* heading_ = nullptr;
  QLabel* subheading_ = nullptr;
  QComboBox* tensorBox_ = nullptr;
  QTextBrowser* text_ = nullptr;

  ViewContext context_;     // the last one shown
  QString contextTensor_;   // the context's tensor last time: a new one moves the combo to it
  const engine::MetricsStore* filledFrom_ = nullptr;  // the store the combo lists
  // What was drawn last; showContext returns early when nothing of it changed.
  struct Drawn {
    const engine::MetricsStore* store = nullptr;
    int run = -1, tensor = -1;
    long step = -1;
    std::size_t events = 0;
    std::uint64_t revision = 0;
    bool operator==(const Drawn&) const = default;
  } drawn_;
};

}  // namespace larslab::ui
