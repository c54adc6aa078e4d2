// The desktop app's command line (ui/app_options.h): one argument per input line, after the
// program name. parseAppOptions must never throw or crash, and an accepted command line must
// hold values the app can use.

#include <QStringList>

#include "app_options.h"
#include "engine/session.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace larslab;
  QStringList arguments{QStringLiteral("larslab")};
  const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
  arguments += text.split(QLatin1Char('\n'));
  const ui::AppOptions o = ui::parseAppOptions(arguments);
  if (o.error.isEmpty() && !o.showHelp) {
    const bool usable = o.screenshotSteps >= 0 && o.screenshotWidth > 0 && o.screenshotHeight > 0 &&
                        o.threads >= 0 && o.threads <= engine::kMaxThreads && o.lessonStep >= 1 && o.liveSeconds >= 0.0 && o.smoothing <= 0.99;
    if (!usable) {
      std::fprintf(stderr, "accepted an unusable command line: %s\n", qPrintable(arguments.join(QLatin1Char(' '))));
      std::abort();
    }
  }
  (void)ui::checkCursorStep(o.cursorStep, 100);
  return 0;
}
