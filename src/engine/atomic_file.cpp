#include "engine/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace larslab::engine {

namespace {

std::string errorText(int err) { return std::strerror(err); }

// Creates an empty, uniquely named file next to `path` and returns its name.
std::string makeTemporary(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "." + std::string.
  std::string base = ".";
  base += target.filename().string();
  base += ".tmp-XXXXXX";
  const std::string pattern = (directory / base).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0)
    throw std::runtime_error(path + ": cannot create a temporary file: " + errorText(errno));
  // mkstemp creates mode 0600; a saved document gets the usual permissions.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  return name.data();
}

// fsync, then rename over the target; removes the temporary file on failure.
void commit(const std::string& tmp, const std::string& path) {
  const int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error(path + ": cannot flush the file to disk: " + errorText(err));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(path + ": cannot replace the file: " + errorText(err));
  }
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string tmp = makeTemporary(path);
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot open the temporary file " + tmp);
    write(out);
    out.flush();
    if (!out) throw std::runtime_error(path + ": write failed (disk full?)");
    out.close();
    if (out.fail()) throw std::runtime_error(path + ": write failed (disk full?)");
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  commit(tmp, path);
}

void writeFileAtomically(const std::string& path, const std::string& content) {
  writeFileAtomically(path, [&content](std::ostream& out) {
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  });
}

}  // namespace larslab::engine
