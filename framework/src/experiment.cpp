#include "experiment.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "genlab/error.hpp"
#include "sha256.hpp"
#include "train/train_config.hpp"
#include "yaml_loader.hpp"

namespace genlab {
namespace {

// The sections an experiment may have: an algorithm run, or a model trained on a dataset.
const std::vector<std::string> kTopKeys = {"name",  "description", "seed",  "algorithm", "sweep",
                                           "model", "dataset",     "train", "eval"};
const std::vector<std::string> kConfigKeys = {"seed", "algorithm", "model", "dataset", "train", "eval"};
const std::vector<std::string> kSweepKeys = {"variants", "grid", "seeds", "max_runs"};
constexpr std::int64_t kDefaultMaxRuns = 10000;

[[noreturn]] void fail(const Value& at, const std::string& key, const std::string& what) {
  throw ConfigError(at.mark.str() + ": " + key + ": " + what);
}

void check_keys(const Value& map, const std::string& where, const std::vector<std::string>& known) {
  for (const auto& [k, v] : map.as_map()) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string msg = "unknown key '" + k + "'";
    const std::string guess = did_you_mean(k, known);
    if (!guess.empty()) msg += "; did you mean '" + guess + "'?";
    fail(v, where.empty() ? k : where + "." + k, msg);
  }
}

Value parse_override(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set " + arg + ": expected KEY=VALUE (e.g. --set algorithm.n=1000)");
  const std::string key = arg.substr(0, eq);
  static const std::regex key_re("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  if (!std::regex_match(key, key_re)) throw ConfigError("--set " + arg + ": '" + key + "' is not a dotted key");
  const std::string text = arg.substr(eq + 1);
  Value v = text.empty() ? Value(std::string()) : parse_yaml(text, "--set " + key);
  return v;
}

// Leaf dotted paths of a partial config (lists and scalars are leaves).
void leaf_paths(const Value& v, const std::string& prefix, std::vector<std::string>& out) {
  if (v.is_map() && !v.as_map().empty()) {
    for (const auto& [k, e] : v.as_map()) leaf_paths(e, prefix.empty() ? k : prefix + "." + k, out);
  } else if (!prefix.empty()) {
    out.push_back(prefix);
  }
}

struct SweepSpec {
  std::vector<Value> variants;                      // partial configs; one empty map when none given
  std::vector<std::pair<std::string, Value>> grid;  // dotted key -> list
  std::vector<Value> seeds;                         // empty: the top-level seed
  std::int64_t max_runs = kDefaultMaxRuns;
  Value node;  // for marks
};

SweepSpec parse_sweep(const Value* s) {
  SweepSpec out;
  out.variants.push_back(Value::map());
  if (!s || s->is_null()) return out;
  out.node = *s;
  if (!s->is_map())
    fail(*s, "sweep", std::string("expected a map with variants/grid/seeds/max_runs, got ") + s->kind_name());
  check_keys(*s, "sweep", kSweepKeys);
  if (const Value* v = s->find("variants")) {
    if (!v->is_list() || v->as_list().empty())
      fail(*v, "sweep.variants", "expected a non-empty list of partial configs");
    out.variants.clear();
    for (std::size_t i = 0; i < v->as_list().size(); ++i) {
      const Value& e = v->as_list()[i];
      if (!e.is_map())
        fail(e, "sweep.variants[" + std::to_string(i) + "]", std::string("expected a map, got ") + e.kind_name());
      check_keys(e, "sweep.variants[" + std::to_string(i) + "]", kConfigKeys);
      out.variants.push_back(e);
    }
  }
  if (const Value* g = s->find("grid")) {
    if (!g->is_map())
      fail(*g, "sweep.grid", std::string("expected a map of dotted key -> list of values, got ") + g->kind_name());
    for (const auto& [k, vals] : g->as_map()) {
      if (!vals.is_list() || vals.as_list().empty())
        fail(vals, "sweep.grid." + k, "expected a non-empty list of values to sweep over");
      out.grid.emplace_back(k, vals);
    }
  }
  if (const Value* sd = s->find("seeds")) {
    if (!sd->is_list() || sd->as_list().empty()) fail(*sd, "sweep.seeds", "expected a non-empty list of integers");
    for (const auto& e : sd->as_list()) {
      if (e.kind() != Value::Kind::Int)
        fail(e, "sweep.seeds",
             std::string("expected an integer seed, got ") +
                 (e.kind() == Value::Kind::String ? "\"" + e.as_string() + "\"" : e.display()));
      out.seeds.push_back(e);
    }
  }
  if (const Value* m = s->find("max_runs")) {
    if (m->kind() != Value::Kind::Int || m->as_int() < 1)
      fail(*m, "sweep.max_runs", "expected a positive integer, got " + m->display());
    out.max_runs = std::min<std::int64_t>(m->as_int(), kSweepHardLimit);
  }
  return out;
}

// Looks up the component a section names, of the wanted kind, with a did-you-mean over that kind.
const ComponentInfo* component_of(const Value& raw, const char* section, ComponentKind kind, const Registry& registry) {
  const Value* sec = raw.find(section);
  if (!sec)
    fail(raw, section,
         std::string("missing: the experiment must name a ") + component_kind_name(kind) + " (" + section +
             ": {name: ...})");
  if (!sec->is_map()) fail(*sec, section, std::string("expected a map, got ") + sec->kind_name());
  const Value* name = sec->find("name");
  if (!name || name->kind() != Value::Kind::String)
    fail(name ? *name : *sec, std::string(section) + ".name",
         std::string("expected the name of a ") + component_kind_name(kind) + " component");
  const ComponentInfo* c = registry.find(name->as_string());
  if (!c || c->kind != kind) {
    std::vector<std::string> same_kind;
    for (const auto& info : registry.components())
      if (info.kind == kind) same_kind.push_back(info.name);
    std::sort(same_kind.begin(), same_kind.end());
    std::string msg = std::string("unknown ") + component_kind_name(kind) + " '" + name->as_string() + "'";
    if (c) msg += " (it is a " + std::string(component_kind_name(c->kind)) + ")";
    const std::string guess = did_you_mean(name->as_string(), same_kind);
    if (!guess.empty()) msg += "; did you mean '" + guess + "'?";
    msg += std::string(" (loaded ") + component_kind_name(kind) + "s:";
    for (const auto& n : same_kind) msg += " " + n;
    msg += same_kind.empty() ? " none; is the plugin path right?)" : ")";
    fail(*name, std::string(section) + ".name", msg);
  }
  return c;
}

// Resolves a raw (partial, merged) config into the canonical run config.
Value resolve_config(const Value& raw, const Registry& registry, const ComponentInfo** component_out,
                     const ComponentInfo** dataset_out) {
  Value out = Value::map();
  const Value* seed = raw.find("seed");
  if (seed && seed->kind() != Value::Kind::Int) fail(*seed, "seed", "expected an integer, got " + seed->display());
  out.set("seed", seed ? *seed : Value(std::int64_t{0}));
  const Value* model = raw.find("model");
  const Value* algorithm = raw.find("algorithm");
  if (model && algorithm)
    fail(*model, "model", "an experiment runs either an algorithm or a model, not both (drop the algorithm: section)");
  if (!model) {
    for (const char* k : {"dataset", "train", "eval"})
      if (const Value* v = raw.find(k))
        fail(*v, k, "only model experiments have this section (add model: {name: ...})");
    const ComponentInfo* c = component_of(raw, "algorithm", ComponentKind::Algorithm, registry);
    out.set("algorithm", c->schema.resolve(*raw.find("algorithm"), "algorithm", {"name"}));
    *component_out = c;
    *dataset_out = nullptr;
    return out;
  }
  const ComponentInfo* d = component_of(raw, "dataset", ComponentKind::Dataset, registry);
  const ComponentInfo* m = component_of(raw, "model", ComponentKind::Model, registry);
  out.set("dataset", d->schema.resolve(*raw.find("dataset"), "dataset", {"name"}));
  out.set("model", m->schema.resolve(*model, "model", {"name"}));
  const Value empty = Value::map();
  for (const auto& [key, schema] :
       {std::pair<const char*, const Schema*>{"train", &train_schema()}, {"eval", &eval_schema()}}) {
    const Value* v = raw.find(key);
    out.set(key, schema->resolve(v ? *v : empty, key, {}));
  }
  *component_out = m;
  *dataset_out = d;
  return out;
}

// The part of a resolved config that its run id hashes: parameters marked keeps_ids_at_default are left
// out while they have their default value.
Value identity_config(const Value& config, const ComponentInfo* component, const ComponentInfo* dataset) {
  Value id = config;
  auto strip = [&](const char* section, const Schema& s) {
    if (Value* v = id.find(section)) *v = s.identity(*v);
  };
  if (dataset) {
    strip("dataset", dataset->schema);
    strip("model", component->schema);
    strip("train", train_schema());
    strip("eval", eval_schema());
  } else {
    strip("algorithm", component->schema);
  }
  return id;
}

// Dotted paths of every leaf of a resolved config (candidates for did-you-mean).
void config_keys(const Value& v, const std::string& prefix, std::vector<std::string>& out) {
  if (v.is_map()) {
    for (const auto& [k, e] : v.as_map()) config_keys(e, prefix.empty() ? k : prefix + "." + k, out);
  } else {
    out.push_back(prefix);
  }
}

// Merges a variant into the base; a variant that names a different component replaces that section.
Value apply_variant(const Value& base, const Value& variant) {
  Value out = base;
  for (const auto& [k, v] : variant.as_map()) {
    Value* existing = out.find(k);
    const Value* vname = v.find("name");
    const Value* bname = existing ? existing->find("name") : nullptr;
    if (existing && vname && bname && !(*vname == *bname)) {
      *existing = v;
    } else if (existing) {
      merge_into(*existing, v);
    } else {
      out.set(k, v);
    }
  }
  return out;
}

// Odometer step over the grid positions (last key fastest); false after the last combination.
bool advance(std::vector<std::size_t>& pos, const std::vector<std::pair<std::string, Value>>& grid) {
  for (std::size_t g = grid.size(); g-- > 0;) {
    if (++pos[g] < grid[g].second.as_list().size()) return true;
    pos[g] = 0;
  }
  return false;
}

}  // namespace

Value resolve_run_config(const Value& raw, const Registry& registry, const ComponentInfo** component,
                         const ComponentInfo** dataset) {
  return resolve_config(raw, registry, component, dataset);
}

ExperimentPlan plan_experiment_text(const std::string& text, const std::string& source_name,
                                    const std::vector<std::string>& overrides, const Registry& registry) {
  ExperimentPlan plan;
  plan.source_path = source_name;
  plan.source_text = text;
  plan.overrides = overrides;
  Value doc = parse_yaml(text, source_name);
  if (doc.is_null())
    throw ConfigError(source_name + ": the experiment file is empty (expected name:, algorithm:, ...)");
  if (!doc.is_map())
    throw ConfigError(doc.mark.str() + ": expected a map at the top of the experiment, got a " + doc.kind_name());
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    Value v = parse_override(o);
    doc.set_path(o.substr(0, eq), std::move(v));
  }
  check_keys(doc, "", kTopKeys);
  const Value* name = doc.find("name");
  if (!name)
    throw ConfigError(doc.mark.str() + ": name: missing: every experiment needs a name (it names the results folder)");
  static const std::regex name_re("[A-Za-z0-9][A-Za-z0-9_.-]*");
  if (name->kind() != Value::Kind::String || !std::regex_match(name->as_string(), name_re))
    fail(*name, "name", "expected a name of letters, digits, '_', '-', '.', got " + name->display());
  plan.name = name->as_string();
  if (const Value* d = doc.find("description")) plan.description = d->display();

  const SweepSpec sweep = parse_sweep(doc.find("sweep"));
  Value base = doc;
  for (const char* k : {"name", "description", "sweep"}) base.erase(k);

  // Refuse an oversized sweep before building anything.
  std::int64_t count = static_cast<std::int64_t>(sweep.variants.size());
  constexpr std::int64_t kSaturate = 1000000000000000;  // counting stops here; no overflow
  auto grow = [&](std::int64_t factor) { count = count > kSaturate / factor ? kSaturate : count * factor; };
  for (const auto& [k, vals] : sweep.grid) grow(static_cast<std::int64_t>(vals.as_list().size()));
  grow(std::max<std::int64_t>(1, static_cast<std::int64_t>(sweep.seeds.size())));
  if (count > sweep.max_runs)
    throw ConfigError((sweep.node.find("max_runs") ? sweep.node.find("max_runs")->mark : sweep.node.mark).str() +
                      ": sweep: expands to " +
                      (count >= kSaturate ? "over " + std::to_string(kSaturate) : std::to_string(count)) +
                      " runs, more than sweep.max_runs = " + std::to_string(sweep.max_runs) +
                      "; narrow the sweep or raise max_runs (at most " + std::to_string(kSweepHardLimit) + ")");

  // Which keys the sweep varies (columns of the results table).
  std::vector<std::string> swept;
  auto note_key = [&](const std::string& k) {
    if (std::find(swept.begin(), swept.end(), k) == swept.end()) swept.push_back(k);
  };
  if (sweep.variants.size() > 1)
    for (const auto& v : sweep.variants) {
      std::vector<std::string> leaves;
      leaf_paths(v, "", leaves);
      for (const auto& l : leaves) note_key(l);
    }
  for (const auto& [k, vals] : sweep.grid) note_key(k);
  if (sweep.seeds.size() > 1) note_key("seed");
  plan.swept_keys = swept;

  std::set<std::string> seen_ids;
  for (std::size_t vi = 0; vi < sweep.variants.size(); ++vi) {
    const Value variant_raw = apply_variant(base, sweep.variants[vi]);
    const ComponentInfo* component = nullptr;
    const ComponentInfo* dataset = nullptr;
    const Value variant_resolved = resolve_config(variant_raw, registry, &component, &dataset);
    for (const auto& [k, vals] : sweep.grid) {
      if (!variant_resolved.find_path(k)) {
        std::vector<std::string> known;
        config_keys(variant_resolved, "", known);
        // The component selectors are not what a typo most likely meant.
        std::erase_if(known, [](const std::string& key) { return key.size() > 5 && key.ends_with(".name"); });
        std::string msg = "'" + k + "' is not a key of the resolved config (component " + component->name + ")";
        const std::string guess = did_you_mean(k, known);
        if (!guess.empty()) msg += "; did you mean '" + guess + "'?";
        fail(vals, "sweep.grid." + k, msg);
      }
    }
    // Odometer over the grid; the last key varies fastest.
    std::vector<std::size_t> pos(sweep.grid.size(), 0);
    do {
      Value raw = variant_raw;
      for (std::size_t g = 0; g < sweep.grid.size(); ++g)
        raw.set_path(sweep.grid[g].first, sweep.grid[g].second.as_list()[pos[g]]);
      const std::size_t n_seeds = std::max<std::size_t>(1, sweep.seeds.size());
      for (std::size_t s = 0; s < n_seeds; ++s) {
        if (!sweep.seeds.empty()) raw.set("seed", sweep.seeds[s]);
        RunSpec run;
        run.config = resolve_config(raw, registry, &run.component, &run.dataset);
        run.seed = run.config.find("seed")->as_int();
        run.id = sha256_hex(identity_config(run.config, run.component, run.dataset).canonical_json());
        run.swept = Value::map();
        for (const auto& k : swept) {
          const Value* v = run.config.find_path(k);
          run.swept.set(k, v ? *v : Value());
        }
        if (!seen_ids.insert(run.id).second) {
          plan.warnings.push_back("sweep produces the same config twice (run " + run.short_id() + "); it runs once");
          continue;
        }
        run.index = plan.runs.size();
        plan.runs.push_back(std::move(run));
      }
    } while (advance(pos, sweep.grid));
  }
  return plan;
}

ExperimentPlan plan_experiment(const std::string& path, const std::vector<std::string>& overrides,
                               const Registry& registry) {
  std::string text;
  load_yaml_file(path, &text);
  return plan_experiment_text(text, path, overrides, registry);
}

void apply_override(Value& config, const std::string& arg) {
  Value v = parse_override(arg);
  config.set_path(arg.substr(0, arg.find('=')), std::move(v));
}

}  // namespace genlab
