#include "app_options.h"

namespace larslab::ui {

namespace {

bool parsePositiveLong(const QString& text, long& out) {
  bool ok = false;
  const qlonglong v = text.toLongLong(&ok);
  if (!ok || v <= 0) return false;
  out = static_cast<long>(v);
  return true;
}

}  // namespace

QString appHelpText() {
  return QStringLiteral(
      "Usage: larslab [options] [EXPERIMENT.json | LOG.csv]\n"
      "\n"
      "LARS Lab trains small neural networks and shows, live, what LARS and other\n"
      "optimizers do inside every layer. Without arguments it opens the built-in\n"
      "default experiment and starts training.\n"
      "\n"
      "Options:\n"
      "  -h, --help             Show this help and exit.\n"
      "  --screenshot FILE.png  Train --steps steps (deterministic), render the main window to\n"
      "                         FILE.png and exit. Needs no display: without one it renders\n"
      "                         offscreen.\n"
      "  --steps N              Steps to train before the screenshot (default 300).\n"
      "  --size WxH             Window size for the screenshot (default 1600x1000).\n"
      "  --live S               With --screenshot: instead of --steps, let the app train live\n"
      "                         (worker thread, 30 Hz charts) for S seconds, then render.\n"
      "                         Not deterministic: the step reached depends on the machine.\n"
      "  --threads N            Training threads (default: all cores).\n"
      "  --run NAME             Select this run (its tensors in the per-tensor charts).\n"
      "  --tensor NAME          Show this tensor across all runs in the per-tensor charts.\n"
      "  --smoothing W          Smoothing weight in [0, 0.99] (debiased EMA).\n"
      "\n"
      "Arguments:\n"
      "  EXPERIMENT.json        An experiment file (same format as larslab-cli).\n"
      "  LOG.csv                A per-step CSV log written by larslab-cli or the exported\n"
      "                         PyTorch script, shown read-only.\n");
}

AppOptions parseAppOptions(const QStringList& arguments) {
  AppOptions o;
  for (int i = 1; i < arguments.size(); ++i) {
    const QString& a = arguments[i];
    auto value = [&](QString& out) {
      if (i + 1 >= arguments.size()) {
        o.error = QStringLiteral("option %1 needs a value").arg(a);
        return false;
      }
      out = arguments[++i];
      return true;
    };
    QString v;
    if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
      o.showHelp = true;
    } else if (a == QLatin1String("--screenshot")) {
      if (!value(o.screenshotFile)) return o;
    } else if (a == QLatin1String("--steps")) {
      if (!value(v)) return o;
      if (!parsePositiveLong(v, o.screenshotSteps)) {
        o.error = QStringLiteral("--steps: expected a positive integer, got '%1'").arg(v);
        return o;
      }
    } else if (a == QLatin1String("--threads")) {
      if (!value(v)) return o;
      long t = 0;
      if (!parsePositiveLong(v, t)) {
        o.error = QStringLiteral("--threads: expected a positive integer, got '%1'").arg(v);
        return o;
      }
      o.threads = static_cast<int>(t);
    } else if (a == QLatin1String("--live")) {
      if (!value(v)) return o;
      bool ok = false;
      o.liveSeconds = v.toDouble(&ok);
      if (!ok || o.liveSeconds <= 0 || o.liveSeconds > 3600) {
        o.error = QStringLiteral("--live: expected seconds in (0, 3600], got '%1'").arg(v);
        return o;
      }
    } else if (a == QLatin1String("--run")) {
      if (!value(o.selectRun)) return o;
    } else if (a == QLatin1String("--tensor")) {
      if (!value(o.compareTensor)) return o;
    } else if (a == QLatin1String("--smoothing")) {
      if (!value(v)) return o;
      bool ok = false;
      o.smoothing = v.toDouble(&ok);
      if (!ok || o.smoothing < 0 || o.smoothing > 0.99) {
        o.error = QStringLiteral("--smoothing: expected a number in [0, 0.99], got '%1'").arg(v);
        return o;
      }
    } else if (a == QLatin1String("--size")) {
      if (!value(v)) return o;
      const QStringList parts = v.split(QLatin1Char('x'));
      long w = 0;
      long h = 0;
      if (parts.size() != 2 || !parsePositiveLong(parts[0], w) || !parsePositiveLong(parts[1], h) ||
          w < 320 || h < 240 || w > 8000 || h > 8000) {
        o.error = QStringLiteral("--size: expected WxH between 320x240 and 8000x8000, got '%1'").arg(v);
        return o;
      }
      o.screenshotWidth = static_cast<int>(w);
      o.screenshotHeight = static_cast<int>(h);
    } else if (a.startsWith(QLatin1Char('-')) && a.size() > 1) {
      // Qt's own options (-platform, -style, ...) were removed by QApplication already.
      o.error = QStringLiteral("unknown option '%1' (see --help)").arg(a);
      return o;
    } else if (o.experimentFile.isEmpty()) {
      o.experimentFile = a;
    } else {
      o.error = QStringLiteral("more than one file given ('%1' and '%2')").arg(o.experimentFile, a);
      return o;
    }
  }
  return o;
}

}  // namespace larslab::ui
