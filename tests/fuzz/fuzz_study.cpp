// Study files (engine/study.h): accepted studies save and read back to the same text and
// expand into configurations; rejections name the file.

#include <stdexcept>

#include "engine/study.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace larslab;
  const std::string origin = "fuzz-study.json";
  engine::StudySpec spec;
  try {
    spec = engine::parseStudy(std::string(fuzz::asText(data, size)), origin, fuzz::scratchDir().string());
  } catch (const std::runtime_error& e) {
    fuzz::requireNamed(e, origin);
    return 0;
  }
  const std::string saved = engine::studyToJson(spec);
  const std::string again = engine::studyToJson(engine::parseStudy(saved, origin, fuzz::scratchDir().string()));
  fuzz::requireEqual(saved, again, "an accepted study");
  (void)engine::expandStudy(spec);
  return 0;
}
