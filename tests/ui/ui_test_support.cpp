#include "ui_test_support.h"

#include <QDockWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <gtest/gtest.h>

#include "builtin_experiments.h"
#include "main_window.h"
#include "transport_bar.h"

namespace larslab::ui::test {

QApplication& app() {
  static QApplication* instance = [] {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    // Recent files and other settings go to a throw-away location per process (ctest runs tests
    // in parallel processes), never the user's.
    QStandardPaths::setTestModeEnabled(true);
    static QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    static int argc = 1;
    static char name[] = "larslab_ui_tests";
    static char* argv[] = {name, nullptr};
    auto* a = new QApplication(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LARS Lab tests"));
    QApplication::setApplicationName(QStringLiteral("larslab_ui_tests"));
    initUiResources();
    return a;
  }();
  return *instance;
}

bool waitFor(const std::function<bool()>& condition, int timeoutMs) {
  return QTest::qWaitFor(condition, timeoutMs);
}

std::string smallExperimentJson() {
  return R"({
  "version": 1,
  "name": "UI test spirals",
  "description": "Small and fast.",
  "dataset": {"kind": "spirals", "samples": 400, "noise": 0.1, "test_fraction": 0.25},
  "model": {"layers": [{"type": "dense", "units": 16}, {"type": "tanh"}, {"type": "dense", "units": 2}],
            "loss": "cross_entropy"},
  "batch_size": 32,
  "steps": 100000,
  "eval_every": 50,
  "seed": 7,
  "runs": [
    {"name": "LARS", "optimizer": {"type": "lars", "lr": 1.0, "eta": 0.01, "momentum": 0.9}},
    {"name": "SGD momentum", "optimizer": {"type": "momentum", "lr": 0.05, "momentum": 0.9}},
    {"name": "Adam", "optimizer": {"type": "adam", "lr": 0.003}}
  ]
})";
}

std::string divergingExperimentJson() {
  return R"({
  "version": 1,
  "name": "UI test divergence",
  "dataset": {"kind": "regression_sine", "samples": 400, "noise": 0.05, "test_fraction": 0.25},
  "model": {"layers": [{"type": "dense", "units": 32}, {"type": "relu"}, {"type": "dense", "units": 1}],
            "loss": "mse"},
  "batch_size": 64,
  "steps": 100000,
  "eval_every": 25,
  "seed": 3,
  "runs": [
    {"name": "SGD", "optimizer": {"type": "sgd", "lr": 10.0}},
    {"name": "Adam", "optimizer": {"type": "adam", "lr": 0.001}}
  ]
})";
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const std::string& text) {
  const QString path = dir.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) ADD_FAILURE() << "cannot write " << path.toStdString();
  f.write(text.data(), static_cast<qint64>(text.size()));
  return path;
}

std::unique_ptr<MainWindow> shownWindow(const QSize& size, int threads) {
  app();
  auto w = std::make_unique<MainWindow>(threads);
  w->setInteractive(false);
  w->resize(size);
  w->show();
  EXPECT_TRUE(QTest::qWaitForWindowExposed(w.get()));
  QTest::qWait(50);
  return w;
}

void openAndTrain(MainWindow& window, const QTemporaryDir& dir, const std::string& json, int steps) {
  const QString path = writeFile(dir, QStringLiteral("e.json"), json);
  const auto before = window.session();
  ASSERT_TRUE(window.openExperiment(path, /*autoplay=*/false)) << window.lastError().toStdString();
  ASSERT_TRUE(waitFor([&] {
    return window.session() && window.session() != before &&
           window.controller()->state() == SessionController::State::Paused;
  }));
  window.transportBar()->stepCount()->setValue(steps);
  QTest::mouseClick(window.transportBar()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return window.session()->currentStep() == steps; }));
  window.refreshNow();
}

void WindowTest::SetUp() {
  app();
  ASSERT_TRUE(dir_.isValid());
  window_ = std::make_unique<MainWindow>(2);
  window_->setInteractive(false);
  window_->setAutosaveDirectory(dir_.filePath(QStringLiteral("autosave")));
  window_->resize(1400, 900);
  window_->show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(window_.get()));
}

void WindowTest::TearDown() { window_.reset(); }

void WindowTest::open(const std::string& json, const QString& name) {
  const QString path = writeFile(dir_, name, json);
  const auto before = window_->session();
  ASSERT_TRUE(window_->openExperiment(path, /*autoplay=*/false)) << window_->lastError().toStdString();
  ASSERT_TRUE(waitFor([&] {
    return window_->session() && window_->session() != before &&
           window_->controller()->state() == SessionController::State::Paused;
  }));
}

QDockWidget* dock(MainWindow& window, const char* objectName) {
  return window.findChild<QDockWidget*>(QString::fromLatin1(objectName));
}

}  // namespace larslab::ui::test
