#pragma once
// Registrar: what a plugin's registration function receives. It adds components (an algorithm today;
// models and datasets with the numerics core) with their parameter schemas. The host stages what a
// plugin adds and commits it only if registration returns normally, so a throwing plugin leaves no trace.
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "genlab/algorithm.hpp"
#include "genlab/export.hpp"
#include "genlab/params.hpp"
#include "genlab/schema.hpp"

namespace genlab {

enum class ComponentKind { Algorithm };
GENLAB_EXPORT const char* component_kind_name(ComponentKind k);

using AlgorithmFactory = std::function<std::unique_ptr<Algorithm>(const Params&)>;

struct ComponentInfo {
  ComponentKind kind = ComponentKind::Algorithm;
  std::string name;     ///< unique across all plugins; lowercase, as written in YAML
  std::string summary;  ///< one line for `genlab plugins`
  Schema schema;
  AlgorithmFactory make_algorithm;
  // Filled in by the host:
  std::string plugin;
  std::string plugin_version;
  std::string library;  ///< path of the .so it came from
};

class GENLAB_EXPORT Registrar {
 public:
  virtual ~Registrar();
  virtual void add(ComponentInfo info) = 0;

  /// Registers algorithm T, constructed as T(const Params&) for each run.
  template <class T>
  void add_algorithm(std::string name, std::string summary, Schema schema) {
    ComponentInfo c;
    c.kind = ComponentKind::Algorithm;
    c.name = std::move(name);
    c.summary = std::move(summary);
    c.schema = std::move(schema);
    c.make_algorithm = [](const Params& p) -> std::unique_ptr<Algorithm> { return std::make_unique<T>(p); };
    add(std::move(c));
  }
};

}  // namespace genlab
