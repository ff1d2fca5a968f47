#pragma once
// IDX files (the MNIST / Fashion-MNIST format): big-endian header, then the values. The reader checks the
// header against the file's length before it allocates anything, so a corrupt or truncated file gives one
// clear error, never a crash or a huge allocation.
#include <cstdint>
#include <string>
#include <vector>

namespace genlab {

struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;  ///< row-major, unsigned bytes (type 0x08, the only one MNIST uses)
};

/// Throws IoError("PATH: reason") for a missing file, a bad magic number, an unsupported type, a bad
/// dimension count, or a size that disagrees with the file length.
IdxArray read_idx(const std::string& path);

}  // namespace genlab
