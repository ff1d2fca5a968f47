#pragma once
// PNG output for image grids (samples, inpaintings), written without zlib: the image data go in stored
// (uncompressed) deflate blocks, which every PNG reader accepts. Grids of MNIST tiles are a few hundred KB.
#include <cstdint>
#include <string>
#include <vector>

#include "genlab/ad/tensor.hpp"

namespace genlab {

struct GrayImage {
  std::int64_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  ///< row-major, 0 = black
};

/// Writes an 8-bit greyscale PNG (atomically: a temporary file, then rename). Throws IoError.
void write_png(const std::string& path, const GrayImage& image);

/// The PNG file's bytes (for tests and for writing).
std::vector<std::uint8_t> encode_png(const GrayImage& image);

/// Tiles the rows of `images` (each a side x side image, values in [0, 1], clamped) into a grid of
/// `columns` tiles per row with a 1-pixel separator of value `background`.
GrayImage image_grid(const Matrix& images, std::int64_t columns, float background = 0.5f);

/// The side of a square image with `dim` pixels; throws Error naming `what` if `dim` is not a square.
std::int64_t square_side(std::int64_t dim, const std::string& what);

}  // namespace genlab
