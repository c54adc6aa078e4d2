// The gzip IDX reader (data/idx.h) behind Fashion-MNIST. Random bytes are rarely gzip, so the
// first byte chooses: bit 0 set, the rest is the file as it is (the gzip layer's own checks);
// clear, the rest is the IDX payload and is gzip-compressed first (the header and size checks).
// Bit 1 picks images (3-D) or labels (1-D). Any rejection must name the file.

#include <stdexcept>

#include <zlib.h>

#include "data/idx.h"
#include "fuzz_support.h"

namespace {

std::string gzipped(std::string_view raw) {
  uLongf bound = compressBound(static_cast<uLong>(raw.size())) + 32;
  std::string out(bound, '\0');
  z_stream s{};
  // windowBits 15 + 16: a gzip wrapper, as gzip(1) writes.
  if (deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  s.avail_in = static_cast<uInt>(raw.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  if (deflate(&s, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace larslab;
  if (size == 0) return 0;
  const std::string_view rest = fuzz::asText(data + 1, size - 1);
  const bool raw = (data[0] & 1) != 0;
  const std::uint32_t magic = (data[0] & 2) != 0 ? data::kIdxUbyte1dMagic : data::kIdxUbyte3dMagic;
  const std::string path = fuzz::writeScratchFile("data.idx.gz", raw ? std::string(rest) : gzipped(rest));
  try {
    const data::IdxArray a = data::readIdxGz(path, magic);
    std::size_t count = 1;
    for (int d : a.dims) count *= static_cast<std::size_t>(d);
    if (count != a.values.size()) {
      std::fprintf(stderr, "dimensions do not match the values read\n");
      std::abort();
    }
  } catch (const std::runtime_error& e) {
    fuzz::requireNamed(e, path);
  }
  return 0;
}
