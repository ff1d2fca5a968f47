#pragma once
// Schema: the parameters a component accepts. Every default lives here (never in plugin code), so the
// resolved config of a run, and therefore its id, says everything the run depends on.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genlab/export.hpp"
#include "genlab/value.hpp"

namespace genlab {

/// Structure: any list or map (a network's layer list, say), passed through as parsed, with its source marks,
/// for the component to validate itself.
enum class ParamType { Int, Float, Bool, String, Choice, IntList, FloatList, Structure };
GENLAB_EXPORT const char* param_type_name(ParamType t);

/// Inclusive bounds for numbers (for lists: for every element).
struct Range {
  std::optional<double> min;
  std::optional<double> max;
};

struct GENLAB_EXPORT ParamSpec {
  std::string name;
  ParamType type = ParamType::Int;
  std::optional<Value> default_value;  ///< absent = the parameter is required
  Range range;
  std::vector<std::string> choices;  ///< for Choice
  std::string doc;
  /// At its default the parameter is left out of the run id (see Schema::keeps_ids_at_default).
  bool keeps_ids_at_default = false;
  /// "int in [1, 1e9]", "one of {random, sorted}", "list of float"...
  std::string type_text() const;
};

class GENLAB_EXPORT Schema {
 public:
  Schema& integer(std::string name, std::optional<std::int64_t> def, Range r, std::string doc);
  Schema& real(std::string name, std::optional<double> def, Range r, std::string doc);
  Schema& boolean(std::string name, std::optional<bool> def, std::string doc);
  Schema& string(std::string name, std::optional<std::string> def, std::string doc);
  Schema& choice(std::string name, std::optional<std::string> def, std::vector<std::string> choices, std::string doc);
  Schema& int_list(std::string name, std::optional<std::vector<std::int64_t>> def, Range r, std::string doc);
  Schema& real_list(std::string name, std::optional<std::vector<double>> def, Range r, std::string doc);
  /// A list or map the component checks itself (read with Params::get_structure).
  Schema& structure(std::string name, std::optional<Value> def, std::string doc);

  /// Marks the parameter declared last: when it has its default value it is left out of the run id. For
  /// a parameter added after runs exist whose default keeps the old behaviour: the finished runs keep
  /// their ids (resume still finds them), and a non-default value still makes a new run.
  Schema& keeps_ids_at_default();
  /// A resolved section as its run-id part: parameters marked keeps_ids_at_default that equal their
  /// default are removed.
  Value identity(const Value& resolved) const;
  const std::vector<ParamSpec>& params() const { return params_; }
  const ParamSpec* find(const std::string& name) const;

  /// Checks `given` (a map) against the schema and returns it resolved: every declared parameter present
  /// (defaults filled in), numbers coerced to the declared type, keys in declaration order.
  /// `where` is the dotted path of the map, used in messages ("algorithm"). Keys in `ignore` pass through
  /// untouched (e.g. the `name` key that selects the component).
  /// Throws ConfigError: "file:line:col: algorithm.n: expected int in [1, 1e9], got -5".
  Value resolve(const Value& given, const std::string& where, const std::vector<std::string>& ignore) const;

 private:
  Schema& add(ParamSpec p);
  std::vector<ParamSpec> params_;
};

/// The closest candidate by edit distance, if close enough to be a likely typo ("" otherwise).
GENLAB_EXPORT std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace genlab
