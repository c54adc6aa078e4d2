#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>

namespace larslab::data {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

std::string hex32(std::uint32_t v) {
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%08X", static_cast<unsigned>(v));
  return buf.data();
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

// Reads up to `size` bytes, in chunks because gzread takes an unsigned int length.
// Returns the number of bytes read; a gzip-level error throws.
std::size_t readFully(gzFile file, const std::string& path, void* dst, std::size_t size) {
  constexpr std::size_t kChunk = std::size_t{1} << 24;
  auto* out = static_cast<unsigned char*>(dst);
  std::size_t done = 0;
  while (done < size) {
    const auto want = static_cast<unsigned>(std::min(kChunk, size - done));
    const int got = gzread(file, out + done, want);
    if (got < 0) {
      int code = Z_OK;
      const char* message = gzerror(file, &code);
      std::string detail = message != nullptr ? message : "unknown error";
      if (code == Z_ERRNO) detail = std::strerror(errno);
      fail(path, "corrupt or unreadable gzip data (" + detail + ")");
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  // A stream cut mid-way may end with a short read and only then report the error.
  int code = Z_OK;
  const char* message = gzerror(file, &code);
  if (code != Z_OK && code != Z_STREAM_END) {
    fail(path, std::string("corrupt or truncated gzip data (") +
                   (message != nullptr ? message : "unknown error") + ")");
  }
  return done;
}

std::uint32_t bigEndian(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

IdxArray readIdxGz(const std::string& path, std::uint32_t expectedMagic) {
  errno = 0;
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) {
    fail(path, std::string("cannot open (") + (errno != 0 ? std::strerror(errno) : "gzopen failed") +
                   ")");
  }
  gzbuffer(file.get(), 1U << 20);  // big reads: inflate dominates, not syscalls

  std::array<unsigned char, 4> head{};
  const std::size_t gotHead = readFully(file.get(), path, head.data(), head.size());
  // gzread passes non-gzip input through unchanged; a .gz reader must not accept that.
  if (gzdirect(file.get()) != 0) {
    fail(path, gotHead == 0 ? "empty file (expected gzip-compressed IDX data)"
                            : "not a gzip file (expected gzip-compressed IDX data)");
  }
  if (gotHead < head.size()) {
    fail(path, "truncated: " + std::to_string(gotHead) + " bytes, too short for an IDX header");
  }
  const std::uint32_t magic = bigEndian(head.data());
  if (magic != expectedMagic) {
    fail(path, "bad magic " + hex32(magic) + " expected " + hex32(expectedMagic));
  }

  const int rank = static_cast<int>(magic & 0xFFU);
  std::vector<unsigned char> dimBytes(static_cast<std::size_t>(rank) * 4);
  if (readFully(file.get(), path, dimBytes.data(), dimBytes.size()) < dimBytes.size()) {
    fail(path, "truncated: header ends before its " + std::to_string(rank) + " dimension sizes");
  }
  IdxArray array;
  std::size_t count = 1;
  // 2^31 bytes: far above any dataset this app trains on, and keeps int indexing safe.
  constexpr std::size_t kMaxElements = std::size_t{1} << 31;
  std::string shapeText;
  for (int d = 0; d < rank; ++d) {
    const std::uint32_t dim = bigEndian(dimBytes.data() + 4 * d);
    shapeText += (d == 0 ? "" : " x ") + std::to_string(dim);
    if (dim == 0 || dim > kMaxElements || count * dim > kMaxElements) {
      fail(path, "unsupported dimensions " + shapeText + (d + 1 < rank ? " ..." : "") +
                     " (each must be > 0, total at most 2^31 elements)");
    }
    count *= dim;
    array.dims.push_back(static_cast<int>(dim));
  }

  // Memory grows with the data actually there, in 16 MB pieces: a 30-byte file claiming 2^31
  // elements must not allocate 2 GB before it turns out truncated (found by tests/fuzz/fuzz_idx).
  constexpr std::size_t kPiece = std::size_t{1} << 24;
  std::size_t got = 0;
  while (got < count) {
    const std::size_t want = std::min(kPiece, count - got);
    array.values.resize(got + want);
    const std::size_t n = readFully(file.get(), path, array.values.data() + got, want);
    got += n;
    if (n < want) break;
  }
  if (got < count) {
    fail(path, "truncated: dimensions " + shapeText + " need " + std::to_string(count) +
                   " data bytes, found " + std::to_string(got));
  }
  unsigned char extra = 0;
  if (readFully(file.get(), path, &extra, 1) != 0) {
    fail(path, "unexpected data after the " + std::to_string(count) + " elements of a " +
                   shapeText + " array");
  }
  return array;
}

}  // namespace larslab::data
