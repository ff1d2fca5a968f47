#include "receptive_field_run.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <genlab/error.hpp>

#include "receptive_field.hpp"

namespace genlab::cnn {
namespace {

// Araujo, Norris and Sim (Distill 2019), table of TF-Slim models at 224 x 224: r, S, P.
struct Published {
  const char* network;
  const char* layer;
  std::int64_t rf, stride, padding;
};
constexpr Published kArticle[] = {
    {"alexnet_v2", "pool5", 195, 32, 64},
    {"vgg_16", "pool5", 212, 32, 90},
    {"vgg_16", "pool4", 100, 16, 42},
    {"resnet_v1_50", "block4/unit_3/add", 483, 32, 239},
};

std::string fmt_center(double c) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", c);
  return b;
}

}  // namespace

Schema ReceptiveFieldRun::schema() {
  std::vector<std::string> names = builtin_names();
  names.push_back("custom");
  return Schema()
      .choice("network", "vgg_16", names, "a shipped TF-Slim model, or `custom` to use `layers`")
      .structure("layers", Value::list(),
                 "network: custom: the layers, each {name, type: conv|pool|add|concat, kernel, stride, padding: "
                 "int|same|valid, dilation, input: NAME | inputs: [NAMES] for merges}")
      .integer("input_size", 224, {.min = 1, .max = 1e7}, "input width (decides same/valid padding and map sizes)")
      .string("layer", "", "the layer reported as final metrics (default: the last)")
      .boolean("brute_force", true, "check every layer against impulses propagated on a 1-D canvas");
}

ReceptiveFieldRun::ReceptiveFieldRun(const Params& p)
    : network_name_(p.get_string("network")),
      layer_(p.get_string("layer")),
      input_size_(p.get_int("input_size")),
      brute_force_(p.get_bool("brute_force")) {
  const Value& layers = p.get_structure("layers");
  if (network_name_ == "custom") {
    net_ = parse_network(layers, "algorithm.layers");
  } else {
    if (layers.is_list() && !layers.as_list().empty())
      throw ConfigError(layers.mark.str() + ": algorithm.layers: given, but network is '" + network_name_ +
                        "' (set network: custom to use your own layers)");
    net_ = builtin_network(network_name_);
  }
}

void ReceptiveFieldRun::run(RunContext& ctx) {
  const std::vector<LayerField> fields = receptive_fields(net_, input_size_);
  std::size_t report = fields.size() - 1;
  if (!layer_.empty()) {
    const auto it = std::find_if(fields.begin(), fields.end(), [&](const LayerField& f) { return f.name == layer_; });
    if (it == fields.end()) throw ConfigError("algorithm.layer: the network has no layer '" + layer_ + "'");
    report = std::size_t(it - fields.begin());
  }
  std::vector<double> table;
  std::int64_t misaligned = 0;
  for (const LayerField& f : fields) {
    std::string line = f.name + ": rf " + std::to_string(f.rf) + ", stride " + std::to_string(f.stride) + ", padding " +
                       std::to_string(f.padding) + ", centre " + fmt_center(f.center) + ", size " + std::to_string(f.output_size);
    if (!f.aligned) {
      ++misaligned;
      line += "; MISALIGNED: the paths' centres are";
      for (double c : f.path_centers) line += " " + fmt_center(c);
    }
    ctx.note(line);
    table.insert(table.end(), {double(f.rf), double(f.stride), double(f.padding), f.center, double(f.output_size), f.aligned ? 1.0 : 0.0});
  }
  ctx.save_array("receptive_fields", std::int64_t(fields.size()), 6, table.data());
  const LayerField& f = fields[report];
  ctx.set_final("layers", double(fields.size()));
  ctx.set_final("rf_size", double(f.rf));
  ctx.set_final("effective_stride", double(f.stride));
  ctx.set_final("effective_padding", double(f.padding));
  ctx.set_final("center", f.center);
  ctx.set_final("output_size", double(f.output_size));
  ctx.set_final("misaligned_merges", double(misaligned));
  for (const Published& p : kArticle)
    if (network_name_ == p.network && f.name == p.layer) {
      ctx.set_final("article_rf_size", double(p.rf));
      ctx.set_final("article_effective_stride", double(p.stride));
      ctx.set_final("article_effective_padding", double(p.padding));
      ctx.set_final("matches_article", f.rf == p.rf && f.stride == p.stride && f.padding == p.padding ? 1.0 : 0.0);
    }
  if (brute_force_) {
    // A canvas wide enough that the largest field fits whole, several units over.
    std::int64_t widest = 0;
    for (const LayerField& x : fields) widest = std::max(widest, x.rf + 2 * x.stride);
    const BruteForceReport r = brute_force_check(net_, fields, std::max(input_size_, 2 * widest));
    if (r.mismatch) throw Error("brute-force check failed: " + *r.mismatch);
    ctx.set_final("brute_force_units_checked", double(r.units_checked));
    ctx.set_final("brute_force_layers_checked", double(r.layers_checked));
  }
}

}  // namespace genlab::cnn
