#pragma once
// Experiment files -> the list of runs they stand for. A run is a fully resolved config (every default
// filled in from the component's schema); its id is the SHA-256 of that config's canonical JSON.
#include <cstdint>
#include <string>
#include <vector>

#include "genlab/registrar.hpp"
#include "genlab/value.hpp"
#include "registry.hpp"

namespace genlab {

struct RunSpec {
  std::size_t index = 0;  ///< position in sweep order (variants x grid x seeds)
  std::string id;         ///< 64 hex digits
  Value config;           ///< {seed, algorithm: {...}} or {seed, dataset, model, train, eval}
  Value swept;            ///< map: dotted key -> value, for the keys the sweep varies
  std::int64_t seed = 0;
  const ComponentInfo* component = nullptr;  ///< the algorithm or the model
  const ComponentInfo* dataset = nullptr;    ///< model runs only
  std::string short_id() const { return id.substr(0, 16); }
};

struct ExperimentPlan {
  std::string name;
  std::string description;
  std::string source_path;
  std::string source_text;             ///< the YAML as written
  std::vector<std::string> overrides;  ///< --set arguments, as given
  std::vector<std::string> swept_keys;
  std::vector<RunSpec> runs;
  std::vector<std::string> warnings;
};

/// Hard ceiling on a sweep's size, whatever max_runs says.
inline constexpr std::int64_t kSweepHardLimit = 1000000;

/// Parses, overrides, validates and expands. Throws ConfigError naming file:line:col and the dotted key.
/// Resolves a run's raw config (a stored run's config, or a partial one) against the schemas: defaults filled
/// in, every value checked. Sets the model or algorithm component and the dataset (nullptr for algorithms).
/// Applies one --set KEY=VALUE (the value read as YAML) to a config. Throws ConfigError if malformed.
void apply_override(Value& config, const std::string& arg);

Value resolve_run_config(const Value& raw, const Registry& registry, const ComponentInfo** component,
                         const ComponentInfo** dataset);

ExperimentPlan plan_experiment(const std::string& path, const std::vector<std::string>& overrides,
                               const Registry& registry);
/// Same, from text (tests).
ExperimentPlan plan_experiment_text(const std::string& text, const std::string& source_name,
                                    const std::vector<std::string>& overrides, const Registry& registry);

}  // namespace genlab
