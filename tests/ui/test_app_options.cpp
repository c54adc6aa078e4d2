#include <gtest/gtest.h>

#include "app_options.h"
#include "dashboard.h"

namespace larslab::ui {
namespace {

AppOptions parse(std::initializer_list<const char*> args) {
  QStringList list{QStringLiteral("larslab")};
  for (const char* a : args) list << QString::fromUtf8(a);
  return parseAppOptions(list);
}

TEST(AppOptions, ReadsEveryOption) {
  const AppOptions o = parse({"--screenshot", "a.png", "--steps", "42", "--size", "1280x720", "--threads", "2",
                              "--run", "LARS", "--tensor", "dense1.weight", "--smoothing", "0.5", "exp.json"});
  EXPECT_TRUE(o.error.isEmpty()) << o.error.toStdString();
  EXPECT_EQ(o.screenshotFile, QStringLiteral("a.png"));
  EXPECT_EQ(o.screenshotSteps, 42);
  EXPECT_EQ(o.screenshotWidth, 1280);
  EXPECT_EQ(o.screenshotHeight, 720);
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.selectRun, QStringLiteral("LARS"));
  EXPECT_EQ(o.compareTensor, QStringLiteral("dense1.weight"));
  EXPECT_DOUBLE_EQ(o.smoothing, 0.5);
  EXPECT_EQ(o.experimentFile, QStringLiteral("exp.json"));
  EXPECT_FALSE(o.showHelp);
}

TEST(AppOptions, PinIsRepeatable) {
  const AppOptions o = parse({"--pin", "a/run_metrics.csv", "--pin", "b", "exp.json"});
  EXPECT_TRUE(o.error.isEmpty()) << o.error.toStdString();
  EXPECT_EQ(o.pinLogs, (QStringList{QStringLiteral("a/run_metrics.csv"), QStringLiteral("b")}));
  EXPECT_EQ(o.experimentFile, QStringLiteral("exp.json"));
  EXPECT_TRUE(parse({}).pinLogs.isEmpty());
}

TEST(AppOptions, DefaultsWithoutArguments) {
  const AppOptions o = parse({});
  EXPECT_TRUE(o.error.isEmpty());
  EXPECT_TRUE(o.experimentFile.isEmpty());
  EXPECT_EQ(o.screenshotSteps, 300);
  EXPECT_EQ(o.screenshotWidth, 1600);
  EXPECT_EQ(o.threads, 0);
  EXPECT_LT(o.smoothing, 0);
  EXPECT_TRUE(parse({"-h"}).showHelp);
  EXPECT_TRUE(parse({"--help"}).showHelp);
}

TEST(AppOptions, BadValuesNameTheOptionAndWhatWasExpected) {
  EXPECT_EQ(parse({"--steps", "0"}).error, QStringLiteral("--steps: expected a positive integer, got '0'"));
  EXPECT_EQ(parse({"--threads", "two"}).error, QStringLiteral("--threads: expected a positive integer up to 1024, got 'two'"));
  // Found by fuzz_app_options: a count beyond int was accepted and wrapped around.
  EXPECT_EQ(parse({"--threads", "94294967297"}).error,
            QStringLiteral("--threads: expected a positive integer up to 1024, got '94294967297'"));
  EXPECT_EQ(parse({"--threads", "1024"}).threads, 1024);
  EXPECT_EQ(parse({"--live", "0"}).error, QStringLiteral("--live: expected seconds in (0, 3600], got '0'"));
  EXPECT_EQ(parse({"--smoothing", "1"}).error, QStringLiteral("--smoothing: expected a number in [0, 0.99], got '1'"));
  EXPECT_EQ(parse({"--size", "100x100"}).error,
            QStringLiteral("--size: expected WxH between 320x240 and 8000x8000, got '100x100'"));
  EXPECT_EQ(parse({"--frobnicate"}).error, QStringLiteral("unknown option 'frobnicate' (see --help)"));
  EXPECT_EQ(parse({"a.json", "b.json"}).error, QStringLiteral("more than one file given ('a.json' and 'b.json')"));
  EXPECT_FALSE(parse({"--steps"}).error.isEmpty());
  EXPECT_EQ(parse({"--text-scale", "130"}).error,
            QStringLiteral("--text-scale: expected one of 80, 100, 125, 150, 175, 200, got '130'"));
  const QString chart = parse({"--maximize", "losses"}).error;
  EXPECT_TRUE(chart.startsWith(QStringLiteral("--maximize: expected one of loss, accuracy, lr, "))) << chart.toStdString();
  EXPECT_TRUE(chart.endsWith(QStringLiteral("got 'losses'"))) << chart.toStdString();
}

TEST(AppOptions, PresentationOptions) {
  const AppOptions o = parse({"--text-scale", "150", "--maximize", "trust_ratio"});
  EXPECT_TRUE(o.error.isEmpty()) << o.error.toStdString();
  EXPECT_EQ(o.textScale, 150);
  EXPECT_EQ(o.maximizeChart, Dashboard::ChartId::of(engine::TensorMetric::TrustRatio).index);
  EXPECT_EQ(parse({}).textScale, 0);
  EXPECT_EQ(parse({}).maximizeChart, -1);
}

TEST(AppOptions, StepPutsTheCursorAtKBeforeTheScreenshot) {
  const AppOptions o = parse({"--screenshot", "a.png", "--step", "120"});
  EXPECT_TRUE(o.error.isEmpty()) << o.error.toStdString();
  EXPECT_EQ(o.cursorStep, 120);
  EXPECT_EQ(parse({}).cursorStep, -1);
  EXPECT_EQ(parse({"--screenshot", "a.png", "--step", "0"}).cursorStep, 0);
  EXPECT_EQ(parse({"--screenshot", "a.png", "--step", "-1"}).error,
            QStringLiteral("--step: expected a step number >= 0, got '-1'"));
  EXPECT_EQ(parse({"--screenshot", "a.png", "--step", "ten"}).error,
            QStringLiteral("--step: expected a step number >= 0, got 'ten'"));
  EXPECT_TRUE(parse({"--step", "3"}).error.startsWith(QStringLiteral("--step: only with --screenshot")));
  // Against the steps trained (the last index), once they are.
  EXPECT_TRUE(checkCursorStep(0, 299).isEmpty());
  EXPECT_TRUE(checkCursorStep(299, 299).isEmpty());
  EXPECT_EQ(checkCursorStep(300, 299), QStringLiteral("--step: expected a step in [0, 299] (the steps trained), got '300'"));
  EXPECT_EQ(checkCursorStep(0, -1), QStringLiteral("--step: no step was recorded, got '0'"));
}

TEST(AppOptions, HelpListsEveryOption) {
  const QString help = appHelpText();
  EXPECT_TRUE(help.startsWith(QStringLiteral("Usage: larslab [options] [EXPERIMENT.json | LOG.csv]")));
  for (const char* name : {"--screenshot", "--steps", "--size", "--live", "--threads", "--run", "--tensor",
                           "--smoothing", "--text-scale", "--maximize", "--view", "--step", "--help"})
    EXPECT_TRUE(help.contains(QLatin1String(name))) << name;
}

}  // namespace
}  // namespace larslab::ui
