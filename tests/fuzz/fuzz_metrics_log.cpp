// The metric-log reader (engine/csv_log_reader.h): a directory of run_metrics.csv and the
// optional tensor_metrics.csv, evaluations.csv and events.csv. The input holds the four files
// one after the other, separated by lines "#next-file"; a file left empty is absent. Rejections
// must name the file.

#include <array>
#include <filesystem>
#include <stdexcept>

#include "engine/csv_log_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace larslab;
  static const std::array<const char*, 4> kFiles = {"run_metrics.csv", "tensor_metrics.csv", "evaluations.csv",
                                                    "events.csv"};
  static const std::string kSeparator = "\n#next-file\n";
  const std::string_view text = fuzz::asText(data, size);
  std::size_t begin = 0;
  for (std::size_t i = 0; i < kFiles.size(); ++i) {
    std::filesystem::remove(fuzz::scratchDir() / kFiles[i]);
    if (begin > text.size()) continue;
    std::size_t end = text.find(kSeparator, begin);
    if (end == std::string_view::npos || i + 1 == kFiles.size()) end = text.size();
    const std::string_view part = text.substr(begin, end - begin);
    if (i == 0 || !part.empty()) fuzz::writeScratchFile(kFiles[i], part);
    begin = end + kSeparator.size();
  }
  try {
    (void)engine::readMetricsLog(fuzz::scratchDir().string());
  } catch (const std::runtime_error& e) {
    fuzz::requireNamed(e, fuzz::scratchDir().string());
  }
  return 0;
}
