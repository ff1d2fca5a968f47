#pragma once
// Registry: the components every loaded plugin provides, and what went wrong while loading.
#include <string>
#include <vector>

#include "genlab/registrar.hpp"

namespace genlab {

struct PluginRecord {
  std::string name, version, library;
  std::vector<std::string> components;
};

class Registry {
 public:
  /// Adds a component; returns an error text (empty on success) when the name is taken.
  std::string add(ComponentInfo info);
  const ComponentInfo* find(const std::string& name) const;
  std::vector<std::string> names() const;
  const std::vector<ComponentInfo>& components() const { return components_; }

  std::vector<PluginRecord> plugins;
  /// One line per library that could not be used: "PATH: reason".
  std::vector<std::string> problems;

 private:
  std::vector<ComponentInfo> components_;
};

/// Adds the components built into libgenlab (datasets) as plugin "genlab".
void register_builtins(Registry& registry);

/// Where plugins are looked for, in order: the build tree / install location next to the running
/// executable, then GENLAB_PLUGIN_PATH (colon-separated), then --plugin-path entries.
std::vector<std::string> plugin_search_path(const std::vector<std::string>& cli_paths);

/// Loads every genlab_*.so in the given directories (or the given files). A library that cannot be used
/// is recorded in registry.problems and skipped; the rest still load.
void load_plugins(Registry& registry, const std::vector<std::string>& search_path);

/// Loads one library; throws PluginError("PATH: reason").
void load_plugin_library(Registry& registry, const std::string& path);

}  // namespace genlab
