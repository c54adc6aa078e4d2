#pragma once
// Help: the LARS update as LARS Lab implements it (the paper, not the loose "sum of
// gradients" description), what every metric means, keyboard shortcuts, and the embedded docs
// (resources/docs/*.md rendered with QTextBrowser::setMarkdown).

#include <QDialog>

class QTabWidget;

namespace larslab::ui {

class HelpDialog : public QDialog {
  Q_OBJECT
 public:
  explicit HelpDialog(QWidget* parent = nullptr);
  // Shows the tab whose title is `title` (or the first one).
  void showTab(const QString& title);
  [[nodiscard]] QStringList tabTitles() const;

  static QString larsHtml();
  static QString metricsHtml();
  static QString shortcutsHtml();
  static QString viewsHtml();  // the charts and every teaching view (teaching_views.h)

 private:
  QTabWidget* tabs_ = nullptr;
};

}  // namespace larslab::ui
