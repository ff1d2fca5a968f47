#include "yaml_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

#include "genlab/error.hpp"

namespace genlab {
namespace {

Mark mark_of(const YAML::Mark& m, const std::shared_ptr<const std::string>& file) {
  Mark out;
  out.file = file;
  if (m.line >= 0) {
    out.line = m.line + 1;
    out.column = m.column + 1;
  }
  return out;
}

Value typed_scalar(const std::string& s, bool quoted, const Mark& mark) {
  if (quoted) return Value(s);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Value();
  if (s == "true" || s == "True" || s == "TRUE") return Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value(false);
  static const std::regex int_re("[-+]?[0-9]+");
  static const std::regex hex_re("0x[0-9a-fA-F]+");
  static const std::regex float_re("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(s, int_re) || std::regex_match(s, hex_re)) {
    errno = 0;
    const long long v = std::strtoll(s.c_str(), nullptr, 0 == s.rfind("0x", 0) ? 16 : 10);
    if (errno == ERANGE) throw ConfigError(mark.str() + ": integer out of range: " + s);
    return Value(static_cast<std::int64_t>(v));
  }
  if (std::regex_match(s, float_re)) return Value(std::strtod(s.c_str(), nullptr));
  if (s == ".inf" || s == ".Inf" || s == "+.inf") return Value(std::numeric_limits<double>::infinity());
  if (s == "-.inf" || s == "-.Inf") return Value(-std::numeric_limits<double>::infinity());
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return Value(std::numeric_limits<double>::quiet_NaN());
  return Value(s);
}

Value convert(const YAML::Node& node, const std::shared_ptr<const std::string>& file) {
  const Mark mark = mark_of(node.Mark(), file);
  Value out;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
    case YAML::NodeType::Scalar:
      out = typed_scalar(node.Scalar(), node.Tag() == "!", mark);
      break;
    case YAML::NodeType::Sequence:
      out = Value::list();
      for (const auto& e : node) out.as_list().push_back(convert(e, file));
      break;
    case YAML::NodeType::Map:
      out = Value::map();
      for (const auto& kv : node) {
        const Mark key_mark = mark_of(kv.first.Mark(), file);
        if (!kv.first.IsScalar()) throw ConfigError(key_mark.str() + ": map keys must be plain strings");
        const std::string key = kv.first.Scalar();
        if (const Value* first = out.find(key))
          throw ConfigError(key_mark.str() + ": duplicate key '" + key + "' (first given at line " +
                            std::to_string(first->mark.line) + ")");
        Value v = convert(kv.second, file);
        // A null value has no position of its own in yaml-cpp; point at its key.
        if (v.is_null() || v.mark.line == 0) v.mark = key_mark;
        out.as_map().emplace_back(key, std::move(v));
      }
      break;
  }
  out.mark = mark;
  return out;
}

}  // namespace

Value parse_yaml(const std::string& text, const std::string& source_name) {
  auto file = std::make_shared<const std::string>(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Mark m = mark_of(e.mark, file);
    throw ConfigError(m.str() + ": YAML syntax error: " + e.msg);
  }
  return convert(root, file);
}

Value load_yaml_file(const std::string& path, std::string* text_out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (text_out) *text_out = ss.str();
  return parse_yaml(ss.str(), path);
}

}  // namespace genlab
