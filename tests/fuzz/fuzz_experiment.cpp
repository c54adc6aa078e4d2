// Experiment files (engine/experiment.h): parseExperiment either accepts the text, and then
// its saved form reads back to the same experiment, or rejects it naming the file.

#include <stdexcept>

#include "engine/experiment.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace larslab;
  const std::string origin = "fuzz-experiment.json";
  engine::ExperimentSpec spec;
  try {
    spec = engine::parseExperiment(std::string(fuzz::asText(data, size)), origin);
  } catch (const std::runtime_error& e) {
    fuzz::requireNamed(e, origin);
    return 0;
  }
  const std::string saved = engine::experimentToJson(spec);
  const std::string again = engine::experimentToJson(engine::parseExperiment(saved, origin));
  fuzz::requireEqual(saved, again, "an accepted experiment");
  return 0;
}
