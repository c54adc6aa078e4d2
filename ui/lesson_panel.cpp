#include "lesson_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <utility>
#include <vector>

namespace larslab::ui {

namespace {

// TeX commands a lesson uses, and what a student reads.
const std::pair<const char*, const char*> kSymbols[] = {
    {"\\leftarrow", "←"}, {"\\rightarrow", "→"}, {"\\Delta", "Δ"},   {"\\eta", "η"},     {"\\gamma", "γ"},   {"\\beta", "β"},   {"\\lambda", "λ"}, {"\\alpha", "α"},
    {"\\epsilon", "ε"}, {"\\mu", "μ"},      {"\\sigma", "σ"},  {"\\nabla", "∇"},  {"\\cdot", "·"},
    {"\\times", "×"},   {"\\approx", "≈"},  {"\\leq", "≤"},    {"\\geq", "≥"},    {"\\le", "≤"},
    {"\\ge", "≥"},      {"\\to", "→"},      {"\\|", "‖"},      {"\\ln", "ln"},    {"\\sqrt", "√"},
    {"\\min", "min"},   {"\\max", "max"},   {"\\,", " "},      {"\\;", " "},
};

QString scripted(const QString& text, bool super) {
  static const QString digits = QStringLiteral("0123456789-+()=n");
  static const QString sup = QStringLiteral("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾⁼ⁿ");
  static const QString sub = QStringLiteral("₀₁₂₃₄₅₆₇₈₉₋₊₍₎₌ₙ");
  QString out;
  for (const QChar c : text) {
    const qsizetype i = digits.indexOf(c);
    out += i >= 0 ? (super ? sup : sub)[i] : c;
  }
  return out;
}

QString formula(QString tex) {
  // Longest commands first: \leftarrow before \le.
  static const std::vector<std::pair<QString, QString>> symbols = [] {
    std::vector<std::pair<QString, QString>> out;
    for (const auto& [from, to] : kSymbols) out.emplace_back(QString::fromUtf8(from), QString::fromUtf8(to));
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    return out;
  }();
  for (const auto& [from, to] : symbols) tex.replace(from, to);
  // x^{-5}, x^2, w_{t}, w_1
  static const QRegularExpression braced(QStringLiteral("([\\^_])\\{([^}]*)\\}"));
  static const QRegularExpression single(QStringLiteral("([\\^_])([0-9a-zA-Z+-])"));
  for (const QRegularExpression* re : {&braced, &single}) {
    QString out;
    qsizetype last = 0;
    auto it = re->globalMatch(tex);
    while (it.hasNext()) {
      const QRegularExpressionMatch m = it.next();
      out += tex.mid(last, m.capturedStart() - last);
      out += scripted(m.captured(2), m.captured(1) == QLatin1String("^"));
      last = m.capturedEnd();
    }
    tex = out + tex.mid(last);
  }
  tex.remove(QLatin1Char('{')).remove(QLatin1Char('}'));
  return tex;
}

}  // namespace

QString lessonMarkdown(const QString& text) {
  static const QRegularExpression math(QStringLiteral("\\$([^$]+)\\$"));
  QString out;
  qsizetype last = 0;
  auto it = math.globalMatch(text);
  while (it.hasNext()) {
    const QRegularExpressionMatch m = it.next();
    out += text.mid(last, m.capturedStart() - last);
    out += QStringLiteral("*") + formula(m.captured(1)).trimmed() + QStringLiteral("*");
    last = m.capturedEnd();
  }
  return out + text.mid(last);
}

LessonPanel::LessonPanel(QWidget* parent) : QWidget(parent) {
  title_ = new QLabel(this);
  title_->setWordWrap(true);
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  stepTitle_ = new QLabel(this);
  stepTitle_->setWordWrap(true);
  text_ = new QTextBrowser(this);
  text_->setOpenExternalLinks(true);
  text_->setMinimumHeight(160);
  questions_ = new QWidget(this);
  questionsLayout_ = new QVBoxLayout(questions_);
  questionsLayout_->setContentsMargins(0, 0, 0, 0);
  back_ = new QPushButton(tr("◀ &Back"), this);
  restart_ = new QPushButton(tr("Start this step a&gain"), this);
  restart_->setToolTip(tr("Replays the lesson up to this step from the same initial weights: the same curves."));
  next_ = new QPushButton(tr("&Next ▶"), this);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(back_);
  buttons->addWidget(restart_, 1);
  buttons->addWidget(next_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(title_);
  layout->addWidget(stepTitle_);
  layout->addWidget(text_, 1);
  layout->addWidget(questions_);
  layout->addLayout(buttons);
  connect(back_, &QPushButton::clicked, this, [this] { Q_EMIT stepRequested(step_ - 1); });
  connect(next_, &QPushButton::clicked, this, [this] { Q_EMIT stepRequested(step_ + 1); });
  connect(restart_, &QPushButton::clicked, this, [this] { Q_EMIT stepRequested(step_); });
}

int LessonPanel::stepCount() const { return lesson_ ? static_cast<int>(lesson_->steps.size()) : 0; }

void LessonPanel::setLesson(const engine::LessonSpec& lesson) {
  lesson_ = lesson;
  title_->setText(QString::fromStdString(lesson.title));
  title_->setToolTip(QString::fromStdString(lesson.summary));
  showStep(0);
}

QString LessonPanel::stepText() const { return text_->toPlainText(); }

bool LessonPanel::answerShown(int i) const { return i >= 0 && i < answers_.size() && !answers_[i]->isHidden(); }

void LessonPanel::showStep(int step) {
  if (!lesson_) return;
  step_ = std::clamp(step, 0, stepCount() - 1);
  const engine::LessonStep& s = lesson_->steps[static_cast<std::size_t>(step_)];
  stepTitle_->setText(tr("Step %1 of %2: %3").arg(step_ + 1).arg(stepCount()).arg(QString::fromStdString(s.title)));
  text_->setMarkdown(lessonMarkdown(QString::fromStdString(s.text)));
  // The questions of this step, answers hidden until asked for.
  while (QLayoutItem* item = questionsLayout_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  answerButtons_.clear();
  answers_.clear();
  for (const engine::LessonQuestion& q : s.questions) {
    auto* box = new QWidget(questions_);
    auto* boxLayout = new QVBoxLayout(box);
    boxLayout->setContentsMargins(0, 4, 0, 4);
    auto* question = new QLabel(tr("<b>Question.</b> %1").arg(QString::fromStdString(q.question).toHtmlEscaped()), box);
    question->setWordWrap(true);
    auto* show = new QPushButton(tr("Show the answer"), box);
    auto* answer = new QLabel(QString::fromStdString(q.answer), box);
    answer->setWordWrap(true);
    answer->hide();
    connect(show, &QPushButton::clicked, answer, [answer, show] {
      answer->setVisible(!answer->isVisible());
      show->setText(answer->isVisible() ? tr("Hide the answer") : tr("Show the answer"));
    });
    boxLayout->addWidget(question);
    boxLayout->addWidget(show, 0, Qt::AlignLeft);
    boxLayout->addWidget(answer);
    questionsLayout_->addWidget(box);
    answerButtons_.append(show);
    answers_.append(answer);
  }
  questions_->setVisible(!s.questions.empty());
  back_->setEnabled(step_ > 0);
  next_->setEnabled(step_ + 1 < stepCount());
}

}  // namespace larslab::ui
