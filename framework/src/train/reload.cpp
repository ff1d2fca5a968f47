#include "reload.hpp"

#include "experiment.hpp"
#include "genlab/error.hpp"
#include "h5io.hpp"
#include "result_store.hpp"
#include "results_table.hpp"
#include "run_context_impl.hpp"
#include "yaml_loader.hpp"

namespace genlab {

ReloadedRun reload_run(const std::string& results_dir, const std::string& id_prefix, const Registry& registry,
                       const std::vector<std::string>& overrides) {
  ReloadedRun r;
  r.path = find_run_file(results_dir, id_prefix);
  r.record = h5::read_run(r.path, true);
  const std::string what = "run " + r.record.id.substr(0, 16) + " (" + r.path + ")";
  if (r.record.status != "ok")
    throw Error(what + ": status is '" + r.record.status + "'; only finished runs can be reloaded");
  Value raw = parse_yaml(r.record.config_yaml, r.path + ":/config");
  for (const auto& o : overrides) {
    if (o.rfind("model.", 0) != 0 && o.rfind("eval.", 0) != 0)
      throw ConfigError("--set " + o + ": only model.* and eval.* keys can change after training");
    if (o.rfind("model.name=", 0) == 0) throw ConfigError("--set " + o + ": the model cannot be swapped");
    apply_override(raw, o);
  }
  const Value config = resolve_run_config(raw, registry, &r.model_info, &r.dataset_info);
  r.config = config;
  if (r.model_info->kind != ComponentKind::Model || !r.dataset_info)
    throw Error(what + ": '" + r.model_info->name + "' is not a model");
  // The same streams the run drew from: the splits (a fixed binarization) and the initialization (a MADE
  // mask pool, a fixed permutation) are rebuilt exactly; the initial weights are then replaced.
  Rng data_rng = run_stream(r.record.seed, r.record.id, "data");
  r.data = r.dataset_info->make_dataset(Params(r.dataset_info->name, *config.find("dataset")), data_rng);
  Rng init_rng = run_stream(r.record.seed, r.record.id, "init");
  r.model = r.model_info->make_model(Params(r.model_info->name, *config.find("model")),
                                     ModelSetup{r.data.train.cols(), &init_rng, r.data.classes});
  std::size_t loaded = 0;
  for (auto& p : r.model->params().all()) {
    const std::string name = "params." + p.name;
    const auto it = std::find_if(r.record.arrays.begin(), r.record.arrays.end(),
                                 [&](const auto& a) { return a.first == name; });
    if (it == r.record.arrays.end())
      throw Error(what + ": no saved parameter '" + name + "' (the run file stores the final parameters as "
                  "/arrays/params.*)");
    const ArrayData& a = it->second;
    if (a.rows != p.value.rows() || a.cols != p.value.cols())
      throw Error(what + ": saved '" + name + "' is " + std::to_string(a.rows) + "x" + std::to_string(a.cols) +
                  ", the rebuilt model's is " + std::to_string(p.value.rows()) + "x" + std::to_string(p.value.cols()));
    for (Index i = 0; i < p.value.size(); ++i) p.value.data()[i] = float(a.data[std::size_t(i)]);
    ++loaded;
  }
  if (loaded == 0) throw Error(what + ": the model has no parameters to load");
  return r;
}

void add_run_arrays(const std::string& results_dir, const ReloadedRun& run,
                    const std::vector<std::pair<std::string, Matrix>>& arrays) {
  RunRecord rec = h5::read_run(run.path, true);
  for (const auto& [name, m] : arrays) {
    ArrayData a{m.rows(), m.cols(), {}};
    a.data.assign(m.data(), m.data() + m.size());  // Matrix is row-major, as ArrayData
    auto it = std::find_if(rec.arrays.begin(), rec.arrays.end(), [&](const auto& e) { return e.first == name; });
    if (it != rec.arrays.end())
      it->second = std::move(a);
    else
      rec.arrays.emplace_back(name, std::move(a));
  }
  ResultStore(results_dir).write_run_file(rec);
}

void add_run_results(const std::string& results_dir, const ReloadedRun& run,
                     const std::vector<std::pair<std::string, double>>& finals,
                     const std::vector<std::pair<std::string, ArrayData>>& arrays, const std::string& log_line) {
  RunRecord rec = h5::read_run(run.path, true);
  auto put = [](auto& list, const std::string& name, auto value) {
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.first == name; });
    if (it != list.end())
      it->second = std::move(value);
    else
      list.emplace_back(name, std::move(value));
  };
  for (const auto& [name, v] : finals) put(rec.finals, name, v);
  for (const auto& [name, a] : arrays) put(rec.arrays, name, a);
  if (!log_line.empty()) {
    if (!rec.log.empty() && rec.log.back() != '\n') rec.log += '\n';
    rec.log += log_line + "\n";
  }
  ResultStore(results_dir).write_run_file(rec);
}

}  // namespace genlab
