#pragma once
// Instructor mode: a lesson step built from what the window shows (view, tensor, step, tuned
// values: MainWindow::stepFromScreen) plus what only the instructor can write: the title, the
// text, a question and its answer, and the controls to hide or lock while the class is on it.

#include <QDialog>
#include <QList>
#include <QStringList>

#include "engine/lesson.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace larslab::ui {

class LessonStepDialog : public QDialog {
  Q_OBJECT

 public:
  // `captured`: the step as the screen gives it (its title and text are the defaults);
  // `controls`: the controls offered for hiding and locking (lesson_vocabulary.h names).
  LessonStepDialog(engine::LessonStep captured, const QStringList& controls, QWidget* parent = nullptr);
  // The step with the fields as edited; false (reason shown) when the title or text is empty.
  [[nodiscard]] bool valid() const;
  [[nodiscard]] engine::LessonStep step() const;
  void setFields(const QString& title, const QString& text, const QString& question, const QString& answer);
  void setControl(const QString& control, bool hide, bool lock);

 private:
  engine::LessonStep captured_;
  QLineEdit* title_;
  QPlainTextEdit* text_;
  QLineEdit* question_;
  QLineEdit* answer_;
  QLabel* summary_;
  struct ControlRow {
    QString name;
    QCheckBox* hide;
    QCheckBox* lock;
  };
  QList<ControlRow> controls_;
};

// "view heatmap, tensor conv1.bias, train to step 600, set eta of LARS to 0.01": what a captured
// step will do, for the dialog and the status bar.
QString describeStep(const engine::LessonStep& step);

}  // namespace larslab::ui
