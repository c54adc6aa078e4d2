#include "data/idx.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace larslab::data {
namespace {

using test::expectThrowMentioning;
using test::fixture;

TEST(Idx, ReadsImagesAndLabels) {
  const IdxArray images = readIdxGz(fixture("idx/images-3x2x3.idx3.gz"), kIdxUbyte3dMagic);
  EXPECT_EQ(images.dims, (std::vector<int>{3, 2, 3}));
  ASSERT_EQ(images.values.size(), 18U);
  for (std::size_t i = 0; i < 18; ++i) EXPECT_EQ(images.values[i], i);

  const IdxArray labels = readIdxGz(fixture("idx/labels-3.idx1.gz"), kIdxUbyte1dMagic);
  EXPECT_EQ(labels.dims, (std::vector<int>{3}));
  EXPECT_EQ(labels.values, (std::vector<std::uint8_t>{0, 9, 4}));
}

struct Malformed {
  const char* file;
  std::uint32_t magic;
  const char* expected;
};

class IdxMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(IdxMalformed, ErrorNamesPathAndProblem) {
  const std::string path = fixture(GetParam().file);
  expectThrowMentioning<std::runtime_error>([&] { (void)readIdxGz(path, GetParam().magic); },
                                            {path + ": ", GetParam().expected});
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, IdxMalformed,
    ::testing::Values(
        Malformed{"idx/bad-magic.idx3.gz", kIdxUbyte3dMagic, "bad magic 0x00000804 expected 0x00000803"},
        Malformed{"idx/labels-3.idx1.gz", kIdxUbyte3dMagic, "bad magic 0x00000801 expected 0x00000803"},
        Malformed{"idx/truncated-data.idx3.gz", kIdxUbyte3dMagic, "truncated: dimensions 3 x 2 x 3 need 18 data bytes, found 10"},
        Malformed{"idx/truncated-header.idx3.gz", kIdxUbyte3dMagic, "truncated: header ends"},
        Malformed{"idx/truncated-gzip.idx3.gz", kIdxUbyte3dMagic, "gzip data"},
        Malformed{"idx/corrupt-gzip.idx3.gz", kIdxUbyte3dMagic, "corrupt"},
        Malformed{"idx/trailing-data.idx1.gz", kIdxUbyte1dMagic, "unexpected data after the 3 elements"},
        Malformed{"idx/huge-dims.idx3.gz", kIdxUbyte3dMagic, "unsupported dimensions 4294967295"},
        Malformed{"idx/zero-dim.idx3.gz", kIdxUbyte3dMagic, "unsupported dimensions 0"},
        Malformed{"idx/garbage.idx3.gz", kIdxUbyte3dMagic, "not a gzip file"},
        Malformed{"idx/empty.idx3.gz", kIdxUbyte3dMagic, "empty file"},
        Malformed{"idx/does-not-exist.idx3.gz", kIdxUbyte3dMagic, "cannot open"},
        Malformed{"idx", kIdxUbyte3dMagic, "Is a directory"}),
    [](const auto& info) {
      std::string name = info.param.file;
      for (char& c : name) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name + "_" + std::to_string(info.index);
    });

}  // namespace
}  // namespace larslab::data
