// The IDX reader on valid and deliberately broken files: every failure is one IoError naming the file and
// the reason, raised before any allocation sized by the (untrusted) header.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "data/idx.hpp"
#include "genlab/error.hpp"

using namespace genlab;
namespace fs = std::filesystem;

namespace {
std::string write_bytes(const std::string& name, const std::vector<unsigned char>& bytes) {
  const fs::path dir = fs::temp_directory_path() / ("genlab_idx_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string p = (dir / name).string();
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return p;
}
std::vector<unsigned char> header(unsigned char type, std::vector<std::uint32_t> dims) {
  std::vector<unsigned char> h{0, 0, type, static_cast<unsigned char>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) h.push_back(static_cast<unsigned char>(d >> s));
  return h;
}
std::string error_of(const std::string& path) {
  try {
    read_idx(path);
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("a valid IDX file reads back", "[idx]") {
  auto bytes = header(0x08, {2, 3, 3});
  for (int i = 0; i < 18; ++i) bytes.push_back(static_cast<unsigned char>(i * 10));
  const auto p = write_bytes("ok.idx", bytes);
  const IdxArray a = read_idx(p);
  CHECK(a.dims == std::vector<std::int64_t>{2, 3, 3});
  REQUIRE(a.data.size() == 18);
  CHECK(a.data[17] == 170);
}

TEST_CASE("corrupt IDX files give one clear error each", "[idx]") {
  auto valid = header(0x08, {4, 5});
  valid.resize(valid.size() + 20, 7);
  const auto p = [](const char* n, const std::vector<unsigned char>& b) { return write_bytes(n, b); };
  CHECK_THAT(error_of("/nonexistent/x.idx"), Catch::StartsWith("/nonexistent/x.idx: cannot open"));
  const auto empty = p("empty.idx", {});
  CHECK(error_of(empty) == empty + ": not an IDX file: 0 bytes, shorter than the 4-byte magic number");
  const auto gz = p("gz.idx", {0x1f, 0x8b, 8, 0, 0, 0});
  CHECK(error_of(gz) ==
        gz + ": not an IDX file: magic number starts with 31 139, expected 0 0 (a gzip file? unpack it first)");
  const auto f32 = p("f32.idx", header(0x0D, {1}));
  CHECK(error_of(f32) == f32 + ": IDX value type 13 is not supported (only 8 = unsigned byte)");
  const auto nd0 = p("nd0.idx", {0, 0, 8, 0});
  CHECK(error_of(nd0) == nd0 + ": IDX file with 0 dimensions (expected 1 to 4)");
  const auto head_cut = p("headcut.idx", {0, 0, 8, 3, 0, 0, 0, 2});
  CHECK(error_of(head_cut) == head_cut + ": truncated IDX header: 8 bytes, the header alone needs 16");
  auto cut = valid;
  cut.resize(cut.size() - 3);
  const auto truncated = p("truncated.idx", cut);
  CHECK(error_of(truncated) ==
        truncated + ": IDX size mismatch: the header (4x5) needs 32 bytes, the file has 29 (truncated?)");
  auto longer = valid;
  longer.push_back(1);
  const auto trailing = p("trailing.idx", longer);
  CHECK(error_of(trailing) ==
        trailing + ": IDX size mismatch: the header (4x5) needs 32 bytes, the file has 33 (trailing bytes)");
  const auto zero = p("zero.idx", header(0x08, {3, 0}));
  CHECK(error_of(zero) == zero + ": IDX dimension 1 is 0");
  // A header claiming 2^32 x 2^32 x 2^32 values: refused from the file length, nothing allocated.
  const auto huge = p("huge.idx", header(0x08, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}));
  CHECK(error_of(huge) == huge +
                              ": IDX size mismatch: the header (dimensions) needs more bytes than the file has, the "
                              "file has 16 (truncated?)");
}
