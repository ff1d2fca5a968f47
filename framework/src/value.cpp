#include "genlab/value.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "genlab/error.hpp"

namespace genlab {

std::string Mark::str() const {
  std::string f = file ? *file : std::string("<unknown>");
  if (line <= 0) return f;
  return f + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const char* Value::kind_name() const {
  static const char* names[] = {"null", "bool", "int", "float", "string", "list", "map"};
  return names[data_.index()];
}

double Value::as_number() const {
  if (kind() == Kind::Int) return static_cast<double>(as_int());
  return as_float();
}

const Value* Value::find(std::string_view key) const {
  if (!is_map()) return nullptr;
  for (const auto& [k, v] : as_map())
    if (k == key) return &v;
  return nullptr;
}

Value* Value::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

Value& Value::set(const std::string& key, Value v) {
  if (!is_map()) *this = Value::map();
  for (auto& [k, old] : as_map())
    if (k == key) return old = std::move(v);
  as_map().emplace_back(key, std::move(v));
  return as_map().back().second;
}

bool Value::erase(std::string_view key) {
  if (!is_map()) return false;
  auto& m = as_map();
  auto it = std::find_if(m.begin(), m.end(), [&](const auto& kv) { return kv.first == key; });
  if (it == m.end()) return false;
  m.erase(it);
  return true;
}

const Value* Value::find_path(std::string_view dotted) const {
  const Value* cur = this;
  while (cur) {
    const auto dot = dotted.find('.');
    cur = cur->find(dotted.substr(0, dot));
    if (dot == std::string_view::npos) return cur;
    dotted.remove_prefix(dot + 1);
  }
  return nullptr;
}

void Value::set_path(std::string_view dotted, Value v) {
  Value* cur = this;
  std::string walked;
  while (true) {
    // A map may hold a dotted key itself (sweep.grid's "algorithm.n"): an exact match wins.
    if (cur->is_map() && cur->find(dotted)) {
      cur->set(std::string(dotted), std::move(v));
      return;
    }
    const auto dot = dotted.find('.');
    const std::string key(dotted.substr(0, dot));
    if (!cur->is_map() && !cur->is_null())
      throw ConfigError(v.mark.str() + ": " + walked + " is a " + cur->kind_name() + ", cannot set '" + key +
                        "' inside it");
    if (dot == std::string_view::npos) {
      cur->set(key, std::move(v));
      return;
    }
    Value* next = cur->find(key);
    if (!next) {
      Value created = Value::map();
      created.mark = v.mark;  // errors about it point at whatever made it
      next = &cur->set(key, std::move(created));
    }
    walked += (walked.empty() ? "" : ".") + key;
    cur = next;
    dotted.remove_prefix(dot + 1);
  }
}

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Shortest text that reads back as the same double, always recognisable as a float.
std::string float_text(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

void write_json(const Value& v, std::string& out, bool sorted) {
  switch (v.kind()) {
    case Value::Kind::Null:
      out += "null";
      break;
    case Value::Kind::Bool:
      out += v.as_bool() ? "true" : "false";
      break;
    case Value::Kind::Int:
      out += std::to_string(v.as_int());
      break;
    case Value::Kind::Float: {
      const double d = v.as_float();
      out += std::isfinite(d) ? float_text(d) : json_string(float_text(d));
      break;
    }
    case Value::Kind::String:
      out += json_string(v.as_string());
      break;
    case Value::Kind::List: {
      out += '[';
      bool first = true;
      for (const auto& e : v.as_list()) {
        if (!first) out += ',';
        first = false;
        write_json(e, out, sorted);
      }
      out += ']';
      break;
    }
    case Value::Kind::Map: {
      std::vector<const std::pair<std::string, Value>*> items;
      for (const auto& kv : v.as_map()) items.push_back(&kv);
      if (sorted) std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->first < b->first; });
      out += '{';
      bool first = true;
      for (const auto* kv : items) {
        if (!first) out += ',';
        first = false;
        out += json_string(kv->first);
        out += ':';
        write_json(kv->second, out, sorted);
      }
      out += '}';
      break;
    }
  }
}

bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* reserved[] = {"null", "~", "true", "false", "yes", "no", "on", "off", "True", "False", "Null"};
  for (const char* r : reserved)
    if (s == r) return true;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  if (end && *end == '\0') return true;  // looks like a number
  if (s.find_first_of(":#{}[],&*!|>'\"%@`\n") != std::string::npos) return true;
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '-' || s.front() == '?') return true;
  return false;
}

std::string yaml_scalar(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null:
      return "null";
    case Value::Kind::Bool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::Int:
      return std::to_string(v.as_int());
    case Value::Kind::Float:
      return float_text(v.as_float());
    case Value::Kind::String:
      return needs_quotes(v.as_string()) ? json_string(v.as_string()) : v.as_string();
    default:
      break;
  }
  return "";
}

bool is_flat_list(const Value& v) {
  for (const auto& e : v.as_list())
    if (!e.is_scalar()) return false;
  return true;
}

void write_yaml(const Value& v, std::string& out, int indent) {
  const std::string pad(indent, ' ');
  if (v.is_map()) {
    for (const auto& [k, e] : v.as_map()) {
      out += pad + (needs_quotes(k) ? json_string(k) : k) + ":";
      if (e.is_map() && !e.as_map().empty()) {
        out += "\n";
        write_yaml(e, out, indent + 2);
      } else if (e.is_list() && !is_flat_list(e)) {
        out += "\n";
        write_yaml(e, out, indent + 2);
      } else if (e.is_list()) {
        out += " [";
        bool first = true;
        for (const auto& x : e.as_list()) {
          out += (first ? "" : ", ") + yaml_scalar(x);
          first = false;
        }
        out += "]\n";
      } else if (e.is_map()) {
        out += " {}\n";
      } else {
        out += " " + yaml_scalar(e) + "\n";
      }
    }
  } else if (v.is_list()) {
    for (const auto& e : v.as_list()) {
      if (e.is_scalar()) {
        out += pad + "- " + yaml_scalar(e) + "\n";
      } else {
        std::string inner;
        write_yaml(e, inner, indent + 2);
        out += pad + "- " + inner.substr(indent + 2);
      }
    }
  } else {
    out += pad + yaml_scalar(v) + "\n";
  }
}

}  // namespace

std::string Value::canonical_json() const {
  std::string out;
  write_json(*this, out, true);
  return out;
}

std::string Value::json() const {
  std::string out;
  write_json(*this, out, false);
  return out;
}

std::string Value::yaml() const {
  std::string out;
  write_yaml(*this, out, 0);
  return out;
}

std::string Value::brief(std::size_t width) const {
  std::string s = display();
  if (s.size() <= width || is_scalar()) return s;
  return is_list() ? "[" + std::to_string(as_list().size()) + " items]" : "{" + std::to_string(as_map().size()) + " keys}";
}

std::string Value::display() const {
  if (kind() == Kind::String) return as_string();
  if (is_scalar()) return yaml_scalar(*this);
  return json();
}

void merge_into(Value& base, const Value& patch) {
  if (base.is_map() && patch.is_map()) {
    for (const auto& [k, v] : patch.as_map()) {
      if (Value* existing = base.find(k)) {
        merge_into(*existing, v);
      } else {
        base.set(k, v);
      }
    }
    return;
  }
  base = patch;
}

}  // namespace genlab
