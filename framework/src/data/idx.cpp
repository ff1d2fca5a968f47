#include "idx.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "genlab/error.hpp"

namespace genlab {

IdxArray read_idx(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw IoError(path + ": cannot open: " + std::strerror(errno));
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot open: " + std::strerror(errno));
  unsigned char head[4];
  if (file_size < 4 || !in.read(reinterpret_cast<char*>(head), 4))
    throw IoError(path + ": not an IDX file: " + std::to_string(file_size) +
                  " bytes, shorter than the 4-byte magic number");
  if (head[0] != 0 || head[1] != 0)
    throw IoError(path + ": not an IDX file: magic number starts with " + std::to_string(head[0]) + " " +
                  std::to_string(head[1]) + ", expected 0 0 (a gzip file? unpack it first)");
  if (head[2] != 0x08)
    throw IoError(path + ": IDX value type " + std::to_string(head[2]) + " is not supported (only 8 = unsigned byte)");
  const int nd = head[3];
  if (nd < 1 || nd > 4) throw IoError(path + ": IDX file with " + std::to_string(nd) + " dimensions (expected 1 to 4)");
  const std::uint64_t header = 4 + 4 * static_cast<std::uint64_t>(nd);
  if (file_size < header)
    throw IoError(path + ": truncated IDX header: " + std::to_string(file_size) + " bytes, the header alone needs " +
                  std::to_string(header));
  IdxArray out;
  std::uint64_t count = 1;
  for (int i = 0; i < nd; ++i) {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    const std::uint64_t d =
        (std::uint64_t(b[0]) << 24) | (std::uint64_t(b[1]) << 16) | (std::uint64_t(b[2]) << 8) | b[3];
    if (d == 0) throw IoError(path + ": IDX dimension " + std::to_string(i) + " is 0");
    count *= d;
    if (count > file_size) break;  // already larger than the file: reported below, without overflow
    out.dims.push_back(static_cast<std::int64_t>(d));
  }
  if (out.dims.size() != static_cast<std::size_t>(nd) || header + count != file_size) {
    std::string shape;
    for (auto d : out.dims) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    throw IoError(path + ": IDX size mismatch: the header (" +
                  (out.dims.size() == std::size_t(nd) ? shape : "dimensions") + ") needs " +
                  (out.dims.size() == std::size_t(nd) ? std::to_string(header + count) + " bytes"
                                                      : "more bytes than the file has") +
                  ", the file has " + std::to_string(file_size) +
                  (header + count > file_size ? " (truncated?)" : " (trailing bytes)"));
  }
  out.data.resize(count);  // only now, with the size proven by the file length
  if (!in.read(reinterpret_cast<char*>(out.data.data()), static_cast<std::streamsize>(count)))
    throw IoError(path + ": read error after the IDX header");
  return out;
}

}  // namespace genlab
