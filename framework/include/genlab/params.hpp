#pragma once
// Params: a component's validated, resolved parameters. Reading a name the schema does not declare is a
// programming error in the component and throws Error naming the component and the key.
#include <cstdint>
#include <string>
#include <vector>

#include "genlab/export.hpp"
#include "genlab/value.hpp"

namespace genlab {

class GENLAB_EXPORT Params {
 public:
  Params(std::string component, Value resolved) : component_(std::move(component)), v_(std::move(resolved)) {}

  std::int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;  ///< String or Choice
  std::vector<std::int64_t> get_int_list(const std::string& key) const;
  std::vector<double> get_float_list(const std::string& key) const;
  /// A Structure parameter: the list or map as given, with its source marks for error messages.
  const Value& get_structure(const std::string& key) const;

  const Value& value() const { return v_; }
  const std::string& component() const { return component_; }

 private:
  const Value& at(const std::string& key, Value::Kind want) const;
  std::string component_;
  Value v_;
};

}  // namespace genlab
