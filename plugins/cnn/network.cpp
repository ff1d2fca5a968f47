#include "network.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include <genlab/error.hpp>
#include <genlab/schema.hpp>

namespace genlab::cnn {
namespace {

[[noreturn]] void fail(const Value& at, const std::string& path, const std::string& msg) {
  throw ConfigError(at.mark.str() + ": " + path + ": " + msg);
}

const std::vector<std::string> kTypes = {"conv", "pool", "add", "concat"};
const std::vector<std::string> kKeys = {"name", "type", "kernel", "stride", "padding", "dilation", "input", "inputs"};

std::int64_t positive(const Value& v, const std::string& path, std::int64_t min) {
  if (v.kind() != Value::Kind::Int) fail(v, path, "expected an integer, got " + v.display());
  if (v.as_int() < min) fail(v, path, "must be >= " + std::to_string(min) + ", got " + std::to_string(v.as_int()));
  return v.as_int();
}

Layer parse_layer(const Value& v, const std::string& path, const std::string& previous) {
  if (!v.is_map()) fail(v, path, std::string("expected a map describing a layer, got ") + v.kind_name());
  for (const auto& [k, x] : v.as_map())
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
      const std::string guess = did_you_mean(k, kKeys);
      fail(x, path + "." + k, "unknown key '" + k + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
    }
  Layer l;
  l.mark = v.mark;
  const Value* name = v.find("name");
  if (!name || name->kind() != Value::Kind::String || name->as_string().empty())
    fail(name ? *name : v, path + ".name", "every layer needs a name (a non-empty string)");
  l.name = name->as_string();
  if (l.name == "input") fail(*name, path + ".name", "'input' is reserved for the image");
  const Value* type = v.find("type");
  if (!type || type->kind() != Value::Kind::String) fail(type ? *type : v, path + ".type", "expected one of {conv, pool, add, concat}");
  const auto t = std::find(kTypes.begin(), kTypes.end(), type->as_string());
  if (t == kTypes.end()) {
    const std::string guess = did_you_mean(type->as_string(), kTypes);
    fail(*type, path + ".type",
         "unknown layer type '" + type->as_string() + "' (expected conv, pool, add or concat)" +
             (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
  }
  l.type = LayerType(t - kTypes.begin());
  if (l.is_merge()) {
    for (const char* k : {"kernel", "stride", "padding", "dilation"})
      if (const Value* x = v.find(k)) fail(*x, path + "." + k, std::string("a merge layer has no ") + k);
    const Value* in = v.find("inputs");
    if (!in || !in->is_list() || in->as_list().size() < 2)
      fail(in ? *in : v, path + ".inputs", "a merge needs a list of at least two input layer names");
    for (std::size_t i = 0; i < in->as_list().size(); ++i) {
      const Value& e = in->as_list()[i];
      if (e.kind() != Value::Kind::String) fail(e, path + ".inputs[" + std::to_string(i) + "]", "expected a layer name");
      l.inputs.push_back(e.as_string());
    }
    if (v.find("input")) fail(*v.find("input"), path + ".input", "a merge takes `inputs` (a list)");
    return l;
  }
  if (const Value* in = v.find("inputs")) fail(*in, path + ".inputs", "only merge layers (add, concat) take several inputs; use `input`");
  const Value* kernel = v.find("kernel");
  if (!kernel) fail(v, path + ".kernel", "required for a " + type->as_string() + " layer");
  l.kernel = positive(*kernel, path + ".kernel", 1);
  if (const Value* s = v.find("stride")) l.stride = positive(*s, path + ".stride", 1);
  if (const Value* d = v.find("dilation")) l.dilation = positive(*d, path + ".dilation", 1);
  if (const Value* p = v.find("padding")) {
    if (p->kind() == Value::Kind::String && (p->as_string() == "same" || p->as_string() == "SAME"))
      l.padding_mode = PaddingMode::Same;
    else if (p->kind() == Value::Kind::String && (p->as_string() == "valid" || p->as_string() == "VALID"))
      l.padding_mode = PaddingMode::Valid;
    else if (p->kind() == Value::Kind::Int)
      l.padding = positive(*p, path + ".padding", 0);
    else
      fail(*p, path + ".padding", "expected an integer >= 0, \"same\" or \"valid\", got " + p->display());
  }
  if (const Value* in = v.find("input")) {
    if (in->kind() != Value::Kind::String) fail(*in, path + ".input", "expected a layer name");
    l.inputs = {in->as_string()};
  } else {
    l.inputs = {previous};
  }
  return l;
}

// Orders the layers so that each comes after its inputs; a cycle is an error naming its layers.
void topological_sort(Network& net, const std::string& where) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < net.layers.size(); ++i) index[net.layers[i].name] = i;
  std::vector<int> state(net.layers.size(), 0);  // 0 new, 1 on the stack, 2 done
  std::vector<std::size_t> order, stack;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    if (state[i] == 2) return;
    if (state[i] == 1) {
      std::string cycle;
      auto from = std::find(stack.begin(), stack.end(), i);
      for (auto it = from; it != stack.end(); ++it) cycle += net.layers[*it].name + " -> ";
      throw ConfigError(net.layers[i].mark.str() + ": " + where + ": the layers form a cycle: " + cycle + net.layers[i].name);
    }
    state[i] = 1;
    stack.push_back(i);
    for (const auto& in : net.layers[i].inputs)
      if (in != "input") visit(index.at(in));
    stack.pop_back();
    state[i] = 2;
    order.push_back(i);
  };
  for (std::size_t i = 0; i < net.layers.size(); ++i) visit(i);
  std::vector<Layer> sorted;
  for (std::size_t i : order) sorted.push_back(std::move(net.layers[i]));
  net.layers = std::move(sorted);
}

}  // namespace

const char* type_name(LayerType t) { return kTypes[std::size_t(t)].c_str(); }

Network parse_network(const Value& layers, const std::string& where) {
  if (!layers.is_list() || layers.as_list().empty()) fail(layers, where, "expected a non-empty list of layers");
  Network net;
  std::map<std::string, std::size_t> seen;
  std::string previous = "input";
  for (std::size_t i = 0; i < layers.as_list().size(); ++i) {
    const std::string path = where + "[" + std::to_string(i) + "]";
    Layer l = parse_layer(layers.as_list()[i], path, previous);
    if (seen.count(l.name)) fail(*layers.as_list()[i].find("name"), path + ".name", "duplicate layer name '" + l.name + "'");
    seen[l.name] = i;
    previous = l.name;
    net.layers.push_back(std::move(l));
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i)
    for (const auto& in : net.layers[i].inputs)
      if (in != "input" && !seen.count(in)) {
        std::vector<std::string> names{"input"};
        for (const auto& [n, _] : seen) names.push_back(n);
        const std::string guess = did_you_mean(in, names);
        fail(layers.as_list()[i], where + "[" + std::to_string(i) + "]",
             "layer '" + net.layers[i].name + "' reads unknown layer '" + in + "'" +
                 (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
      }
  topological_sort(net, where);
  return net;
}

// ---- the TF-Slim models ----
namespace {

struct Builder {
  Network net;
  std::string last = "input";
  std::string conv(const std::string& name, std::int64_t k, std::int64_t s, PaddingMode mode, std::int64_t pad = 0,
                   LayerType type = LayerType::Conv, const std::string& from = "") {
    Layer l;
    l.name = name;
    l.type = type;
    l.kernel = k;
    l.stride = s;
    l.padding_mode = mode;
    l.padding = pad;
    l.inputs = {from.empty() ? last : from};
    net.layers.push_back(l);
    return last = name;
  }
  std::string pool(const std::string& name, std::int64_t k, std::int64_t s, PaddingMode mode, const std::string& from = "") {
    return conv(name, k, s, mode, 0, LayerType::Pool, from);
  }
  std::string add(const std::string& name, const std::string& a, const std::string& b) {
    Layer l;
    l.name = name;
    l.type = LayerType::Add;
    l.inputs = {a, b};
    net.layers.push_back(l);
    return last = name;
  }
  // slim's conv2d_same: SAME at stride 1; at stride > 1 an explicit symmetric pad of (k-1)/2 and VALID,
  // so that the result does not depend on the input size.
  std::string conv2d_same(const std::string& name, std::int64_t k, std::int64_t s, const std::string& from = "") {
    return s == 1 ? conv(name, k, 1, PaddingMode::Same, 0, LayerType::Conv, from)
                  : conv(name, k, s, PaddingMode::Explicit, (k - 1) / 2, LayerType::Conv, from);
  }
};

Network alexnet_v2() {
  Builder b;
  b.conv("conv1", 11, 4, PaddingMode::Valid);
  b.pool("pool1", 3, 2, PaddingMode::Valid);
  b.conv("conv2", 5, 1, PaddingMode::Same);
  b.pool("pool2", 3, 2, PaddingMode::Valid);
  b.conv("conv3", 3, 1, PaddingMode::Same);
  b.conv("conv4", 3, 1, PaddingMode::Same);
  b.conv("conv5", 3, 1, PaddingMode::Same);
  b.pool("pool5", 3, 2, PaddingMode::Valid);
  return b.net;
}

Network vgg_16() {
  Builder b;
  const int convs[] = {2, 2, 3, 3, 3};
  for (int block = 1; block <= 5; ++block) {
    for (int c = 1; c <= convs[block - 1]; ++c)
      b.conv("conv" + std::to_string(block) + "_" + std::to_string(c), 3, 1, PaddingMode::Same);
    b.pool("pool" + std::to_string(block), 2, 2, PaddingMode::Valid);
  }
  return b.net;
}

Network resnet_v1_50() {
  Builder b;
  b.conv2d_same("conv1", 7, 2);
  b.pool("pool1", 3, 2, PaddingMode::Same);
  // slim's resnet_v1_50: (units, stride) per block; the stride sits in the block's last unit.
  const int units[] = {3, 4, 6, 3}, strides[] = {2, 2, 2, 1};
  for (int block = 1; block <= 4; ++block)
    for (int u = 1; u <= units[block - 1]; ++u) {
      const std::string p = "block" + std::to_string(block) + "/unit_" + std::to_string(u) + "/";
      const std::int64_t s = u == units[block - 1] ? strides[block - 1] : 1;
      const std::string in = b.last;
      // The shortcut: a 1x1 projection in a block's first unit (the depth changes), else the identity,
      // subsampled by a 1x1 max-pool when the unit strides. Geometrically a 1x1 layer of that stride.
      const std::string shortcut = u == 1 ? b.conv(p + "shortcut", 1, s, PaddingMode::Same, 0, LayerType::Conv, in)
                                   : s > 1 ? b.pool(p + "shortcut", 1, s, PaddingMode::Same, in)
                                           : in;
      b.conv(p + "conv1", 1, 1, PaddingMode::Same, 0, LayerType::Conv, in);
      b.conv2d_same(p + "conv2", 3, s);
      const std::string residual = b.conv(p + "conv3", 1, 1, PaddingMode::Same);
      b.add(p + "add", shortcut, residual);
    }
  return b.net;
}

}  // namespace

std::vector<std::string> builtin_names() { return {"alexnet_v2", "vgg_16", "resnet_v1_50"}; }

Network builtin_network(const std::string& name) {
  if (name == "alexnet_v2") return alexnet_v2();
  if (name == "vgg_16") return vgg_16();
  if (name == "resnet_v1_50") return resnet_v1_50();
  throw Error("no builtin network '" + name + "'");
}

}  // namespace genlab::cnn
