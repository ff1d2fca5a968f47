#include "genlab/schema.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "genlab/error.hpp"
#include "genlab/params.hpp"

namespace genlab {

const char* param_type_name(ParamType t) {
  switch (t) {
    case ParamType::Int:
      return "int";
    case ParamType::Float:
      return "float";
    case ParamType::Bool:
      return "bool";
    case ParamType::String:
      return "string";
    case ParamType::Choice:
      return "choice";
    case ParamType::IntList:
      return "list of int";
    case ParamType::FloatList:
      return "list of float";
    case ParamType::Structure:
      return "list or map";
  }
  return "?";
}

namespace {

std::string number_text(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);  // 1e+09 -> 1e9, 1e-05 -> 1e-5
  std::string t = buf;
  const auto e = t.find('e');
  if (e == std::string::npos) return t;
  std::string exp = t.substr(e + 1);
  const bool neg = exp[0] == '-';
  exp = exp.substr(exp[0] == '-' || exp[0] == '+' ? 1 : 0);
  exp.erase(0, std::min(exp.find_first_not_of('0'), exp.size() - 1));
  return t.substr(0, e + 1) + (neg ? "-" : "") + exp;
}

std::string range_text(const Range& r) {
  if (!r.min && !r.max) return "";
  return " in [" + (r.min ? number_text(*r.min) : std::string("-inf")) + ", " +
         (r.max ? number_text(*r.max) : std::string("inf")) + "]";
}

bool in_range(double x, const Range& r) {
  return (!r.min || x >= *r.min) && (!r.max || x <= *r.max);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

[[noreturn]] void fail(const Value& at, const std::string& path, const std::string& what) {
  throw ConfigError(at.mark.str() + ": " + path + ": " + what);
}

std::string got_text(const Value& v) {
  if (v.kind() == Value::Kind::String) return "\"" + v.as_string() + "\"";
  if (v.is_scalar()) return v.display() + " (" + v.kind_name() + ")";
  return std::string("a ") + v.kind_name();
}

// Converts one scalar to the declared element type, or explains why not.
Value coerce_number(const Value& v, bool want_int, const Range& r, const std::string& path,
                    const std::string& expected) {
  Value out;
  if (want_int) {
    if (v.kind() == Value::Kind::Int) {
      out = v;
    } else if (v.kind() == Value::Kind::Float && std::isfinite(v.as_float()) &&
               v.as_float() == std::floor(v.as_float()) && std::fabs(v.as_float()) < 9.0e15) {
      out = Value(static_cast<std::int64_t>(v.as_float()));  // 1e6 written for an int is fine
    } else {
      fail(v, path, "expected " + expected + ", got " + got_text(v));
    }
  } else {
    if (v.kind() != Value::Kind::Int && v.kind() != Value::Kind::Float)
      fail(v, path, "expected " + expected + ", got " + got_text(v));
    if (!std::isfinite(v.as_number())) fail(v, path, "expected a finite " + expected + ", got " + v.display());
    out = Value(v.as_number());
  }
  if (!in_range(out.as_number(), r)) fail(v, path, "expected " + expected + ", got " + v.display());
  out.mark = v.mark;
  return out;
}

Value coerce(const ParamSpec& p, const Value& v, const std::string& path) {
  const std::string expected = p.type_text();
  switch (p.type) {
    case ParamType::Int:
      return coerce_number(v, true, p.range, path, expected);
    case ParamType::Float:
      return coerce_number(v, false, p.range, path, expected);
    case ParamType::Bool:
      if (v.kind() != Value::Kind::Bool) fail(v, path, "expected bool (true/false), got " + got_text(v));
      return v;
    case ParamType::String:
      if (v.kind() != Value::Kind::String) fail(v, path, "expected string, got " + got_text(v));
      return v;
    case ParamType::Choice: {
      const std::string s = v.kind() == Value::Kind::String ? v.as_string() : v.display();
      if (v.is_scalar() && std::find(p.choices.begin(), p.choices.end(), s) != p.choices.end()) {
        Value out(s);
        out.mark = v.mark;
        return out;
      }
      std::string msg = "expected " + expected + ", got " + got_text(v);
      if (v.is_scalar()) {
        const std::string guess = did_you_mean(s, p.choices);
        if (!guess.empty()) msg += "; did you mean '" + guess + "'?";
      }
      fail(v, path, msg);
    }
    case ParamType::IntList:
    case ParamType::FloatList: {
      if (!v.is_list()) fail(v, path, "expected " + expected + ", got " + got_text(v));
      Value out = Value::list();
      out.mark = v.mark;
      const bool want_int = p.type == ParamType::IntList;
      const std::string elem = std::string(want_int ? "int" : "float") + range_text(p.range);
      for (std::size_t i = 0; i < v.as_list().size(); ++i)
        out.as_list().push_back(
            coerce_number(v.as_list()[i], want_int, p.range, path + "[" + std::to_string(i) + "]", elem));
      return out;
    }
    case ParamType::Structure:
      if (v.is_scalar()) fail(v, path, "expected a list or a map, got " + got_text(v));
      return v;
  }
  return v;
}

}  // namespace

std::string ParamSpec::type_text() const {
  switch (type) {
    case ParamType::Int:
      return "int" + range_text(range);
    case ParamType::Float:
      return "float" + range_text(range);
    case ParamType::Choice: {
      std::string s = "one of {";
      for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
      return s + "}";
    }
    case ParamType::IntList:
      return "list of int" + range_text(range);
    case ParamType::FloatList:
      return "list of float" + range_text(range);
    default:
      return param_type_name(type);
  }
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_d <= limit ? best : std::string();
}

Schema& Schema::add(ParamSpec p) {
  GENLAB_ASSERT(!find(p.name), "parameter declared twice in one schema");
  if (p.default_value) p.default_value = coerce(p, *p.default_value, "default of " + p.name);
  params_.push_back(std::move(p));
  return *this;
}

Schema& Schema::integer(std::string name, std::optional<std::int64_t> def, Range r, std::string doc) {
  ParamSpec p{std::move(name), ParamType::Int, {}, r, {}, std::move(doc)};
  if (def) p.default_value = Value(*def);
  return add(std::move(p));
}

Schema& Schema::real(std::string name, std::optional<double> def, Range r, std::string doc) {
  ParamSpec p{std::move(name), ParamType::Float, {}, r, {}, std::move(doc)};
  if (def) p.default_value = Value(*def);
  return add(std::move(p));
}

Schema& Schema::boolean(std::string name, std::optional<bool> def, std::string doc) {
  ParamSpec p{std::move(name), ParamType::Bool, {}, {}, {}, std::move(doc)};
  if (def) p.default_value = Value(*def);
  return add(std::move(p));
}

Schema& Schema::string(std::string name, std::optional<std::string> def, std::string doc) {
  ParamSpec p{std::move(name), ParamType::String, {}, {}, {}, std::move(doc)};
  if (def) p.default_value = Value(*def);
  return add(std::move(p));
}

Schema& Schema::choice(std::string name, std::optional<std::string> def, std::vector<std::string> choices,
                       std::string doc) {
  ParamSpec p{std::move(name), ParamType::Choice, {}, {}, std::move(choices), std::move(doc)};
  if (def) p.default_value = Value(*def);
  return add(std::move(p));
}

Schema& Schema::int_list(std::string name, std::optional<std::vector<std::int64_t>> def, Range r, std::string doc) {
  ParamSpec p{std::move(name), ParamType::IntList, {}, r, {}, std::move(doc)};
  if (def) {
    Value l = Value::list();
    for (auto x : *def) l.as_list().emplace_back(x);
    p.default_value = l;
  }
  return add(std::move(p));
}

Schema& Schema::real_list(std::string name, std::optional<std::vector<double>> def, Range r, std::string doc) {
  ParamSpec p{std::move(name), ParamType::FloatList, {}, r, {}, std::move(doc)};
  if (def) {
    Value l = Value::list();
    for (auto x : *def) l.as_list().emplace_back(x);
    p.default_value = l;
  }
  return add(std::move(p));
}

Schema& Schema::structure(std::string name, std::optional<Value> def, std::string doc) {
  ParamSpec p{std::move(name), ParamType::Structure, std::move(def), {}, {}, std::move(doc)};
  return add(std::move(p));
}

Schema& Schema::keeps_ids_at_default() {
  GENLAB_ASSERT(!params_.empty(), "keeps_ids_at_default() before any parameter");
  params_.back().keeps_ids_at_default = true;
  return *this;
}

Value Schema::identity(const Value& resolved) const {
  Value out = resolved;
  for (const auto& p : params_)
    if (p.keeps_ids_at_default && p.default_value)
      if (const Value* v = out.find(p.name); v && *v == *p.default_value) out.erase(p.name);
  return out;
}

const ParamSpec* Schema::find(const std::string& name) const {
  for (const auto& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

Value Schema::resolve(const Value& given, const std::string& where, const std::vector<std::string>& ignore) const {
  if (!given.is_map()) fail(given, where, std::string("expected a map of parameters, got ") + given.kind_name());
  std::vector<std::string> names;
  for (const auto& p : params_) names.push_back(p.name);
  for (const auto& [k, v] : given.as_map()) {
    if (find(k) || std::find(ignore.begin(), ignore.end(), k) != ignore.end()) continue;
    std::string msg = "unknown parameter '" + k + "'";
    const std::string guess = did_you_mean(k, names);
    if (!guess.empty())
      msg += "; did you mean '" + guess + "'?";
    else if (!names.empty()) {
      msg += " (parameters:";
      for (const auto& n : names) msg += " " + n;
      msg += ")";
    }
    fail(v, where + "." + k, msg);
  }
  Value out = Value::map();
  out.mark = given.mark;
  for (const auto& k : ignore)
    if (const Value* v = given.find(k)) out.set(k, *v);
  for (const auto& p : params_) {
    const std::string path = where + "." + p.name;
    if (const Value* v = given.find(p.name)) {
      out.set(p.name, coerce(p, *v, path));
    } else if (p.default_value) {
      out.set(p.name, *p.default_value);
    } else {
      fail(given, path, "required parameter is missing (" + p.type_text() + ": " + p.doc + ")");
    }
  }
  return out;
}

// ---- Params ----

const Value& Params::at(const std::string& key, Value::Kind want) const {
  const Value* v = v_.find(key);
  if (!v) throw Error("component " + component_ + " read parameter '" + key + "', which its schema does not declare");
  if (v->kind() != want) {
    static const char* names[] = {"null", "bool", "int", "float", "string", "list", "map"};
    throw Error("component " + component_ + " read parameter '" + key + "' as " + names[static_cast<int>(want)] +
                ", but it is " + v->kind_name());
  }
  return *v;
}

std::int64_t Params::get_int(const std::string& key) const {
  return at(key, Value::Kind::Int).as_int();
}
double Params::get_float(const std::string& key) const {
  return at(key, Value::Kind::Float).as_float();
}
bool Params::get_bool(const std::string& key) const {
  return at(key, Value::Kind::Bool).as_bool();
}
const std::string& Params::get_string(const std::string& key) const {
  return at(key, Value::Kind::String).as_string();
}
std::vector<std::int64_t> Params::get_int_list(const std::string& key) const {
  std::vector<std::int64_t> out;
  for (const auto& e : at(key, Value::Kind::List).as_list()) out.push_back(e.as_int());
  return out;
}
const Value& Params::get_structure(const std::string& key) const {
  const Value* v = v_.find(key);
  if (!v) throw Error("component " + component_ + " read parameter '" + key + "', which its schema does not declare");
  if (v->is_scalar()) throw Error("component " + component_ + " read parameter '" + key + "' as a structure, but it is " + v->kind_name());
  return *v;
}
std::vector<double> Params::get_float_list(const std::string& key) const {
  std::vector<double> out;
  for (const auto& e : at(key, Value::Kind::List).as_list()) out.push_back(e.as_number());
  return out;
}

}  // namespace genlab
