#pragma once
// YAML text -> Value, keeping file:line:col on every node. The only file that includes yaml-cpp.
#include <string>

#include "genlab/value.hpp"

namespace genlab {

/// Parses a YAML document. Scalars are typed as YAML 1.2's core schema reads them (a quoted scalar is
/// always a string). Throws ConfigError with source:line:col for syntax errors and duplicate keys.
Value parse_yaml(const std::string& text, const std::string& source_name);
/// Reads and parses a file; a missing or unreadable file is a ConfigError naming it.
Value load_yaml_file(const std::string& path, std::string* text_out = nullptr);

}  // namespace genlab
