#pragma once
// Value: the configuration tree genlab works on (parsed YAML, --set overrides, resolved run configs).
// Plugins never see yaml-cpp; they see Values (through Params). Each node remembers where it came from
// (file:line:col) so that errors found long after parsing can still point at the text.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "genlab/export.hpp"

namespace genlab {

/// A position in a source text. `file` is shared by all nodes of one document.
struct GENLAB_EXPORT Mark {
  std::shared_ptr<const std::string> file;
  int line = 0;    ///< 1-based; 0 = unknown
  int column = 0;  ///< 1-based; 0 = unknown
  /// "file:line:col", "file" or "<unknown>".
  std::string str() const;
};

class GENLAB_EXPORT Value {
 public:
  enum class Kind { Null, Bool, Int, Float, String, List, Map };
  using List = std::vector<Value>;
  using Map = std::vector<std::pair<std::string, Value>>;  ///< insertion order kept

  Value() = default;
  Value(bool b) : data_(b) {}
  Value(int i) : data_(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : data_(i) {}
  Value(double d) : data_(d) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(List l) : data_(std::move(l)) {}
  Value(Map m) : data_(std::move(m)) {}
  static Value map() { return Value(Map{}); }
  static Value list() { return Value(List{}); }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::Null; }
  bool is_map() const { return kind() == Kind::Map; }
  bool is_list() const { return kind() == Kind::List; }
  bool is_scalar() const { return !is_map() && !is_list(); }
  /// "null", "bool", "int", "float", "string", "list", "map".
  const char* kind_name() const;

  bool as_bool() const { return std::get<bool>(data_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(data_); }
  double as_float() const { return std::get<double>(data_); }
  /// Int or Float as double.
  double as_number() const;
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const List& as_list() const { return std::get<List>(data_); }
  List& as_list() { return std::get<List>(data_); }
  const Map& as_map() const { return std::get<Map>(data_); }
  Map& as_map() { return std::get<Map>(data_); }

  /// Map lookup; nullptr when absent (or when this is not a map).
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  /// Map insert-or-replace; keeps the position of an existing key.
  Value& set(const std::string& key, Value v);
  bool erase(std::string_view key);

  /// Dotted-path lookup ("algorithm.n"); nullptr when any step is absent.
  const Value* find_path(std::string_view dotted) const;
  /// Dotted-path set, creating intermediate maps. Throws ConfigError if a step is not a map.
  void set_path(std::string_view dotted, Value v);

  /// Canonical JSON: map keys sorted, floats with 17 significant digits. Two configs that mean the same
  /// thing give the same text; run ids hash this.
  std::string canonical_json() const;
  /// Compact JSON in insertion order (for display and for readers of the results).
  std::string json() const;
  /// Block YAML in insertion order (stored in results, re-loadable by `genlab run`).
  std::string yaml() const;
  /// A short scalar rendering for tables ("1000", "0.5", "random"); lists/maps as flow JSON.
  std::string display() const;
  /// display(), but a list or map longer than `width` characters becomes "[8 items]" / "{3 keys}" (for
  /// table cells: a swept network description would otherwise fill the screen).
  std::string brief(std::size_t width = 40) const;

  /// Structural equality (marks ignored; 1 and 1.0 differ).
  bool operator==(const Value& o) const { return data_ == o.data_; }

  Mark mark;

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, List, Map> data_;
};

/// Deep merge: maps merge key by key (recursively), everything else in `patch` replaces `base`.
GENLAB_EXPORT void merge_into(Value& base, const Value& patch);

}  // namespace genlab
