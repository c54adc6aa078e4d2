// The .npy reader (engine/npy.h) that loads initial weights: accepted arrays hold exactly the
// values their shape says; rejections name the file.

#include <stdexcept>

#include "engine/npy.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace larslab;
  const std::string path = fuzz::writeScratchFile("tensor.npy", fuzz::asText(data, size));
  try {
    const engine::NpyArray a = engine::readNpy(path);
    std::size_t count = 1;
    for (int d : a.shape) count *= static_cast<std::size_t>(d);
    if (count != a.values.size()) {
      std::fprintf(stderr, "shape does not match the values read\n");
      std::abort();
    }
  } catch (const std::runtime_error& e) {
    fuzz::requireNamed(e, path);
  }
  return 0;
}
