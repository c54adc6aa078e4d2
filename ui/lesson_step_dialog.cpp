#include "lesson_step_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "engine/text_util.h"
#include "lesson_vocabulary.h"

namespace larslab::ui {

QString describeStep(const engine::LessonStep& s) {
  QStringList parts;
  parts << QObject::tr("view %1").arg(s.view.empty() ? QStringLiteral("as it is") : QString::fromStdString(s.view));
  if (!s.tensor.empty()) parts << QObject::tr("tensor %1 across runs").arg(QString::fromStdString(s.tensor));
  for (const engine::LessonAction& a : s.actions) {
    if (const auto* t = std::get_if<engine::TrainTo>(&a)) parts << QObject::tr("train to step %1").arg(t->step);
    if (const auto* h = std::get_if<engine::SetHyperparameter>(&a))
      parts << QObject::tr("set %1 of %2 to %3")
                   .arg(QString::fromStdString(h->name), QString::fromStdString(h->run),
                        QString::fromStdString(engine::formatNumber(h->value)));
  }
  if (s.textScale > 0) parts << QObject::tr("text at %1%").arg(s.textScale);
  return parts.join(QStringLiteral(", "));
}

LessonStepDialog::LessonStepDialog(engine::LessonStep captured, const QStringList& controls, QWidget* parent)
    : QDialog(parent), captured_(std::move(captured)) {
  setWindowTitle(tr("Add a lesson step"));
  title_ = new QLineEdit(QString::fromStdString(captured_.title), this);
  text_ = new QPlainTextEdit(QString::fromStdString(captured_.text), this);
  text_->setPlaceholderText(tr("What the class should read and watch. Markdown; formulas as $\\eta \\cdot \\|w\\|$."));
  text_->setMinimumHeight(140);
  question_ = new QLineEdit(this);
  question_->setPlaceholderText(tr("optional"));
  answer_ = new QLineEdit(this);
  answer_->setPlaceholderText(tr("shown when a student asks for it"));
  summary_ = new QLabel(tr("From the screen: %1.").arg(describeStep(captured_)), this);
  summary_->setWordWrap(true);

  auto* controlsBox = new QGroupBox(tr("While the class is on this step"), this);
  auto* grid = new QGridLayout(controlsBox);
  grid->addWidget(new QLabel(tr("<b>Control</b>"), controlsBox), 0, 0);
  grid->addWidget(new QLabel(tr("<b>Hide</b>"), controlsBox), 0, 1);
  grid->addWidget(new QLabel(tr("<b>Lock</b>"), controlsBox), 0, 2);
  int row = 1;
  for (const LessonControlInfo& c : lessonControls()) {
    const QString name = QString::fromLatin1(c.name);
    if (!controls.contains(name)) continue;
    auto* label = new QLabel(name, controlsBox);
    label->setToolTip(QString::fromUtf8(c.what));
    auto* hide = new QCheckBox(controlsBox);
    auto* lock = new QCheckBox(controlsBox);
    const std::string n = c.name;
    hide->setChecked(std::find(captured_.hide.begin(), captured_.hide.end(), n) != captured_.hide.end());
    lock->setChecked(std::find(captured_.lock.begin(), captured_.lock.end(), n) != captured_.lock.end());
    grid->addWidget(label, row, 0);
    grid->addWidget(hide, row, 1);
    grid->addWidget(lock, row, 2);
    controls_.append({name, hide, lock});
    ++row;
  }
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(controlsBox);
  scroll->setWidgetResizable(true);
  scroll->setMinimumHeight(160);

  auto* form = new QFormLayout;
  form->addRow(tr("&Title:"), title_);
  form->addRow(tr("Te&xt:"), text_);
  form->addRow(tr("&Question:"), question_);
  form->addRow(tr("&Answer:"), answer_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  QPushButton* add = buttons->addButton(tr("&Add step"), QDialogButtonBox::AcceptRole);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(summary_);
  layout->addWidget(scroll, 1);
  layout->addWidget(buttons);
  connect(add, &QPushButton::clicked, this, [this] {
    if (valid()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  resize(620, 640);
}

bool LessonStepDialog::valid() const {
  return !title_->text().trimmed().isEmpty() && !text_->toPlainText().trimmed().isEmpty();
}

engine::LessonStep LessonStepDialog::step() const {
  engine::LessonStep s = captured_;
  s.title = title_->text().trimmed().toStdString();
  s.text = text_->toPlainText().toStdString();
  s.hide.clear();
  s.lock.clear();
  for (const ControlRow& c : controls_) {
    if (c.hide->isChecked()) s.hide.push_back(c.name.toStdString());
    if (c.lock->isChecked()) s.lock.push_back(c.name.toStdString());
  }
  s.questions.clear();
  if (!question_->text().trimmed().isEmpty())
    s.questions.push_back({question_->text().trimmed().toStdString(), answer_->text().trimmed().toStdString()});
  return s;
}

void LessonStepDialog::setFields(const QString& title, const QString& text, const QString& question,
                                 const QString& answer) {
  title_->setText(title);
  text_->setPlainText(text);
  question_->setText(question);
  answer_->setText(answer);
}

void LessonStepDialog::setControl(const QString& control, bool hide, bool lock) {
  for (const ControlRow& c : controls_)
    if (c.name == control) {
      c.hide->setChecked(hide);
      c.lock->setChecked(lock);
    }
}

}  // namespace larslab::ui
