#pragma once
#include <string>

namespace genlab {
/// SHA-256 of `data` as 64 lowercase hex digits (FIPS 180-4).
std::string sha256_hex(const std::string& data);
}  // namespace genlab
