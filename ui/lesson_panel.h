#pragma once
// The lesson panel: the current step's text (Markdown, formulas between $...$ written with
// Unicode), its questions with answers revealed on demand, and Back, Start this step again and
// Next. It only shows a step and asks for another; the main window brings the session and the
// views to that step (main_window_lessons.cpp).

#include <QString>
#include <QWidget>
#include <optional>

#include "engine/lesson.h"

class QLabel;
class QPushButton;
class QTextBrowser;
class QVBoxLayout;

namespace larslab::ui {

class LessonPanel : public QWidget {
  Q_OBJECT

 public:
  explicit LessonPanel(QWidget* parent = nullptr);
  void setLesson(const engine::LessonSpec& lesson);
  void showStep(int step);  // the text and questions of `step` (clamped)
  [[nodiscard]] int step() const { return step_; }
  [[nodiscard]] int stepCount() const;
  [[nodiscard]] QString stepText() const;  // the step's text as shown (plain)
  [[nodiscard]] QPushButton* nextButton() const { return next_; }
  [[nodiscard]] QPushButton* backButton() const { return back_; }
  [[nodiscard]] QPushButton* restartButton() const { return restart_; }
  // The question boxes' "Show answer" buttons, in order, and whether answer i is shown.
  [[nodiscard]] QList<QPushButton*> answerButtons() const { return answerButtons_; }
  [[nodiscard]] bool answerShown(int i) const;

 Q_SIGNALS:
  void stepRequested(int step);  // Back, Next, or Start this step again (the same step)

 private:
  std::optional<engine::LessonSpec> lesson_;
  int step_ = 0;
  QLabel* title_;
  QLabel* stepTitle_;
  QTextBrowser* text_;
  QWidget* questions_;
  QVBoxLayout* questionsLayout_;
  QList<QPushButton*> answerButtons_;
  QList<QLabel*> answers_;
  QPushButton* back_;
  QPushButton* restart_;
  QPushButton* next_;
};

// A lesson text as Markdown for QTextDocument: each $...$ formula becomes italic Unicode
// (\eta -> η, \|w\| -> ‖w‖, 10^{-5} -> 10⁻⁵, \cdot -> ·, ...).
QString lessonMarkdown(const QString& text);

}  // namespace larslab::ui
