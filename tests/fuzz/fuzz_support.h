#pragma once
// Shared by the libFuzzer targets. Most readers take a path, so an input becomes a file in a
// scratch directory of this process; and a reader may only fail with the exceptions it
// documents, whose message names the file. Anything else (another exception type, a message
// that does not say which file, a crash, a sanitizer report) is a finding.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace larslab::fuzz {

// A directory of this process's own under the temporary directory, created on first use.
inline const std::filesystem::path& scratchDir() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("larslab-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::string writeScratchFile(const std::string& name, std::string_view bytes) {
  const std::string path = (scratchDir() / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts (a finding) unless the rejection's message says which file or input it is about.
inline void requireNamed(const std::exception& e, const std::string& name) {
  const std::string_view what = e.what();
  if (what.find(name) == std::string_view::npos) {
    std::fprintf(stderr, "rejection does not name '%s': %s\n", name.c_str(), e.what());
    std::abort();
  }
}

// Aborts with both texts when a round trip changed something.
inline void requireEqual(const std::string& first, const std::string& second, const char* what) {
  if (first != second) {
    std::fprintf(stderr, "%s does not round-trip:\n--- first\n%s\n--- second\n%s\n", what, first.c_str(),
                 second.c_str());
    std::abort();
  }
}

}  // namespace larslab::fuzz
