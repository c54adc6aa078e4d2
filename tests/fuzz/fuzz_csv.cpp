// The CSV dataset reader (data/csv.h). The first byte picks the options (classification or
// regression, standardisation, the missing-value policy, the label column), the rest is the
// file. inspectCsv must never throw; loadCsv must succeed exactly when inspectCsv found no
// problem, and otherwise reject naming the file.

#include <stdexcept>

#include "data/csv.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace larslab;
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  data::CsvOptions options;
  options.regression = (flags & 1) != 0;
  options.standardize = (flags & 2) != 0;
  const auto& policies = data::missingPolicies();
  options.missing = policies[((flags >> 2) & 3) % policies.size()].policy;
  if ((flags & 16) != 0) options.labelColumn = "label";
  if ((flags & 32) != 0) options.ignoreColumns = {"id"};
  options.testFraction = (flags & 64) != 0 ? 0.5 : 0.2;
  const std::string path = fuzz::writeScratchFile("data.csv", fuzz::asText(data + 1, size - 1));

  const data::CsvInspection inspection = data::inspectCsv(path, options);
  try {
    const data::DatasetSplit split = data::loadCsv(path, options);
    if (!inspection.problems.empty()) {
      std::fprintf(stderr, "loadCsv accepted a file inspectCsv rejects: %s\n", inspection.problems[0].text.c_str());
      std::abort();
    }
    if (split.train.size() != inspection.trainRows || split.test.size() != inspection.testRows) {
      std::fprintf(stderr, "split sizes differ from the inspection's\n");
      std::abort();
    }
  } catch (const std::runtime_error& e) {
    fuzz::requireNamed(e, path);
    if (inspection.problems.empty()) {
      std::fprintf(stderr, "loadCsv rejected a file inspectCsv accepts: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
