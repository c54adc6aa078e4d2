#pragma once
// Reader for gzip-compressed IDX files (the MNIST / Fashion-MNIST container format):
// a big-endian magic 0x0000TTNN (TT = element type, NN = number of dimensions), NN big-endian
// uint32 dimension sizes, then the elements in row-major order.

#include <cstdint>
#include <string>
#include <vector>

namespace larslab::data {

inline constexpr std::uint32_t kIdxUbyte3dMagic = 0x00000803;  // 2051: images (N, rows, cols)
inline constexpr std::uint32_t kIdxUbyte1dMagic = 0x00000801;  // 2049: labels (N)

struct IdxArray {
  std::vector<int> dims;             // e.g. {60000, 28, 28}
  std::vector<std::uint8_t> values;  // product(dims) bytes, row-major
};

// Reads an unsigned-byte IDX file compressed with gzip. expectedMagic fixes the element type
// and the number of dimensions. Throws std::runtime_error starting with the path and saying
// what is wrong: cannot open, not gzip, corrupt gzip stream, bad magic, absurd dimensions,
// truncated data or trailing bytes.
[[nodiscard]] IdxArray readIdxGz(const std::string& path, std::uint32_t expectedMagic);

}  // namespace larslab::data
