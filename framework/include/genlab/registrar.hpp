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
#include "genlab/model.hpp"
#include "genlab/params.hpp"
#include "genlab/schema.hpp"

namespace genlab {

enum class ComponentKind { Algorithm, Model, Dataset };
GENLAB_EXPORT const char* component_kind_name(ComponentKind k);

using AlgorithmFactory = std::function<std::unique_ptr<Algorithm>(const Params&)>;
using ModelFactory = std::function<std::unique_ptr<Model>(const Params&, const ModelSetup&)>;
/// Makes the splits from the parameters and a data stream of the run (generated data must use only it).
using DatasetFactory = std::function<DataSplits(const Params&, Rng&)>;
/// Before any run starts: "" if the dataset can be made, else one line saying how to get it.
using DatasetCheck = std::function<std::string(const Params&)>;

struct ComponentInfo {
  ComponentKind kind = ComponentKind::Algorithm;
  std::string name;     ///< unique across all plugins; lowercase, as written in YAML
  std::string summary;  ///< one line for `genlab plugins`
  Schema schema;
  AlgorithmFactory make_algorithm;  ///< kind Algorithm
  ModelFactory make_model;          ///< kind Model
  DatasetFactory make_dataset;      ///< kind Dataset
  DatasetCheck check_available;     ///< kind Dataset, optional
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

  /// Registers model T, constructed as T(const Params&, const ModelSetup&) for each run.
  template <class T>
  void add_model(std::string name, std::string summary, Schema schema) {
    ComponentInfo c;
    c.kind = ComponentKind::Model;
    c.name = std::move(name);
    c.summary = std::move(summary);
    c.schema = std::move(schema);
    c.make_model = [](const Params& p, const ModelSetup& s) -> std::unique_ptr<Model> {
      return std::make_unique<T>(p, s);
    };
    add(std::move(c));
  }

  /// Registers a dataset made by `make`.
  void add_dataset(std::string name, std::string summary, Schema schema, DatasetFactory make) {
    ComponentInfo c;
    c.kind = ComponentKind::Dataset;
    c.name = std::move(name);
    c.summary = std::move(summary);
    c.schema = std::move(schema);
    c.make_dataset = std::move(make);
    add(std::move(c));
  }
};

}  // namespace genlab
