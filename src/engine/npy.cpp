#include "engine/npy.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/atomic_file.h"

namespace larslab::engine {

static_assert(std::endian::native == std::endian::little,
              "the .npy writer assumes a little-endian host");

namespace {

std::string shapeText(const std::vector<int>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) text += shape.size() == 1 ? "," : ", ";
  }
  return text + ")";
}

std::size_t product(const std::vector<int>& shape) {
  std::size_t n = 1;
  for (const int d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

}  // namespace

void writeNpy(const std::string& path, std::span<const float> values,
              const std::vector<int>& shape) {
  if (product(shape) != values.size())
    throw std::runtime_error(path + ": shape " + shapeText(shape) + " does not match " +
                             std::to_string(values.size()) + " values");
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
  // Magic (6) + version (2) + length (2) + header, padded with spaces and ended by '\n' so the
  // data starts on a 64-byte boundary (what numpy itself writes).
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535)
    throw std::runtime_error(path + ": shape too long for an .npy v1.0 header");
  writeFileAtomically(path, [&](std::ostream& out) {
    out.write("\x93NUMPY\x01\x00", 8);
    const auto length = static_cast<std::uint16_t>(header.size());
    const char lengthBytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
    out.write(lengthBytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(values.data()),
              static_cast<std::streamsize>(values.size_bytes()));
  });
}

NpyArray readNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the file");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw std::runtime_error(path + ": not an .npy file (bad magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  std::size_t length = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2))
      throw std::runtime_error(path + ": truncated header");
    length = b[0] | (static_cast<std::size_t>(b[1]) << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4))
      throw std::runtime_error(path + ": truncated header");
    length = b[0] | (static_cast<std::size_t>(b[1]) << 8) | (static_cast<std::size_t>(b[2]) << 16) |
             (static_cast<std::size_t>(b[3]) << 24);
  } else {
    throw std::runtime_error(path + ": unsupported .npy version " + std::to_string(major));
  }
  // numpy itself refuses headers above 10,000 bytes; and a length beyond the file is a
  // damaged file, not a reason to allocate gigabytes (found by tests/fuzz/fuzz_npy).
  std::error_code sizeError;
  const auto fileSize = std::filesystem::file_size(path, sizeError);
  const auto headerStart = static_cast<std::uintmax_t>(in.tellg());
  constexpr std::size_t kMaxHeader = 1 << 16;
  if (sizeError || length > kMaxHeader || headerStart + length > fileSize)
    throw std::runtime_error(path + ": header length " + std::to_string(length) + " is beyond the file or above " +
                             std::to_string(kMaxHeader) + " bytes");
  std::string header(length, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(length)))
    throw std::runtime_error(path + ": truncated header");
  if (header.find("'descr': '<f4'") == std::string::npos)
    throw std::runtime_error(path + ": expected float32 little-endian data ('<f4')");
  if (header.find("'fortran_order': False") == std::string::npos)
    throw std::runtime_error(path + ": expected C order (fortran_order False)");
  const auto open = header.find('(', header.find("'shape'"));
  const auto close = header.find(')', open);
  if (open == std::string::npos || close == std::string::npos)
    throw std::runtime_error(path + ": no shape in the header");
  NpyArray array;
  std::stringstream dims(header.substr(open + 1, close - open - 1));
  std::string item;
  while (std::getline(dims, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos) continue;
    std::size_t used = 0;
    int dim = -1;
    try {
      dim = std::stoi(item, &used);
    } catch (const std::exception&) {
    }
    if (dim < 0 || item.find_first_not_of(" L", used) != std::string::npos)
      throw std::runtime_error(path + ": bad shape entry \"" + item + "\" (expected a size >= 0)");
    array.shape.push_back(dim);
  }
  // The data must be in the file: checked before allocating (a shape can claim terabytes).
  const std::uintmax_t dataBytes = fileSize - headerStart - length;
  std::uintmax_t count = 1;
  for (const int d : array.shape) {
    count *= static_cast<std::uintmax_t>(d);
    if (count * sizeof(float) > dataBytes) break;
  }
  if (count * sizeof(float) != dataBytes)
    throw std::runtime_error(path + ": shape " + shapeText(array.shape) + " needs " +
                             (count * sizeof(float) > dataBytes ? "more than " : "") +
                             std::to_string(count * sizeof(float)) + " data bytes, the file has " +
                             std::to_string(dataBytes));
  array.values.resize(product(array.shape));
  if (!in.read(reinterpret_cast<char*>(array.values.data()),
               static_cast<std::streamsize>(array.values.size() * sizeof(float))))
    throw std::runtime_error(path + ": truncated data (expected " +
                             std::to_string(array.values.size()) + " floats)");
  return array;
}

void saveParametersNpy(const nn::ParameterStore& params, const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error)
    throw std::runtime_error(directory + ": cannot create the directory: " + error.message());
  const nn::ParameterLayout& layout = params.layout();
  for (int t = 0; t < layout.count(); ++t) {
    const nn::TensorInfo& info = layout.tensor(t);
    const nn::ConstVectorMap v = params.vector(t);
    writeNpy((std::filesystem::path(directory) / (info.name + ".npy")).string(),
             std::span<const float>(v.data(), static_cast<std::size_t>(v.size())), info.shape);
  }
}

void loadParametersNpy(nn::ParameterStore& params, const std::string& directory) {
  const nn::ParameterLayout& layout = params.layout();
  for (int t = 0; t < layout.count(); ++t) {
    const nn::TensorInfo& info = layout.tensor(t);
    const std::string path = (std::filesystem::path(directory) / (info.name + ".npy")).string();
    const NpyArray array = readNpy(path);
    if (array.shape != info.shape)
      throw std::runtime_error(path + ": shape does not match tensor " + info.name);
    nn::VectorMap v = params.vector(t);
    std::memcpy(v.data(), array.values.data(), array.values.size() * sizeof(float));
  }
}

}  // namespace larslab::engine
