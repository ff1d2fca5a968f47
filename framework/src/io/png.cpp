#include "png.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "genlab/error.hpp"

namespace genlab {
namespace {

std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(std::uint8_t(v >> s));
}

// A chunk: length, type, data, and the CRC of type and data.
void chunk(std::vector<std::uint8_t>& out, const char* type, const std::vector<std::uint8_t>& data) {
  put32(out, std::uint32_t(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put32(out, crc32(out.data() + start, out.size() - start));
}

// A zlib stream of stored deflate blocks (at most 65535 bytes each) and its Adler-32 trailer.
std::vector<std::uint8_t> zlib_stored(const std::vector<std::uint8_t>& raw) {
  std::vector<std::uint8_t> z = {0x78, 0x01};  // deflate with a 32K window, no dictionary; 0x7801 % 31 == 0
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min<std::size_t>(65535, raw.size() - pos);
    z.push_back(pos + n == raw.size() ? 1 : 0);  // BFINAL on the last block; BTYPE 00, stored
    z.push_back(std::uint8_t(n & 0xFF));
    z.push_back(std::uint8_t(n >> 8));
    z.push_back(std::uint8_t(~n & 0xFF));
    z.push_back(std::uint8_t((~n >> 8) & 0xFF));
    z.insert(z.end(), raw.begin() + std::ptrdiff_t(pos), raw.begin() + std::ptrdiff_t(pos + n));
    pos += n;
  } while (pos < raw.size());
  std::uint32_t a = 1, b = 0;
  for (std::uint8_t c : raw) a = (a + c) % 65521, b = (b + a) % 65521;
  put32(z, (b << 16) | a);
  return z;
}

}  // namespace

std::vector<std::uint8_t> encode_png(const GrayImage& im) {
  if (im.width <= 0 || im.height <= 0 || im.pixels.size() != std::size_t(im.width * im.height))
    throw Error("png: image is " + std::to_string(im.width) + "x" + std::to_string(im.height) + " with " +
                std::to_string(im.pixels.size()) + " pixels");
  std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> ihdr;
  put32(ihdr, std::uint32_t(im.width));
  put32(ihdr, std::uint32_t(im.height));
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});  // 8 bits, greyscale, deflate, filter method 0, no interlace
  chunk(out, "IHDR", ihdr);
  std::vector<std::uint8_t> raw;
  raw.reserve(std::size_t((im.width + 1) * im.height));
  for (std::int64_t y = 0; y < im.height; ++y) {
    raw.push_back(0);  // filter type None
    const auto row = im.pixels.begin() + std::ptrdiff_t(y * im.width);
    raw.insert(raw.end(), row, row + std::ptrdiff_t(im.width));
  }
  chunk(out, "IDAT", zlib_stored(raw));
  chunk(out, "IEND", {});
  return out;
}

void write_png(const std::string& path, const GrayImage& image) {
  const std::vector<std::uint8_t> bytes = encode_png(image);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!f) throw IoError("png: cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw IoError("png: cannot rename " + tmp + " to " + path + ": " + ec.message());
}

std::int64_t square_side(std::int64_t dim, const std::string& what) {
  const auto side = std::int64_t(std::llround(std::sqrt(double(dim))));
  if (side * side != dim)
    throw Error(what + ": an image grid needs square images, and the data have " + std::to_string(dim) +
                " dimensions");
  return side;
}

GrayImage image_grid(const Matrix& images, std::int64_t columns, float background) {
  const std::int64_t side = square_side(images.cols(), "image_grid");
  const std::int64_t n = images.rows();
  if (n == 0 || columns <= 0) throw Error("image_grid: nothing to draw");
  columns = std::min(columns, n);
  const std::int64_t rows = (n + columns - 1) / columns;
  GrayImage im;
  im.width = columns * (side + 1) + 1;
  im.height = rows * (side + 1) + 1;
  auto level = [](float v) {
    if (!std::isfinite(v)) v = 0;
    return std::uint8_t(std::lround(255.0f * std::clamp(v, 0.0f, 1.0f)));
  };
  im.pixels.assign(std::size_t(im.width * im.height), level(background));
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t x0 = 1 + (k % columns) * (side + 1), y0 = 1 + (k / columns) * (side + 1);
    for (std::int64_t y = 0; y < side; ++y)
      for (std::int64_t x = 0; x < side; ++x)
        im.pixels[std::size_t((y0 + y) * im.width + x0 + x)] = level(images(k, y * side + x));
  }
  return im;
}

}  // namespace genlab
