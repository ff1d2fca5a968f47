#include "registry.hpp"

#include <algorithm>

#include "data/builtin.hpp"
#include "genlab/version.hpp"

namespace genlab {

std::string Registry::add(ComponentInfo info) {
  if (const ComponentInfo* old = find(info.name))
    return "component '" + info.name + "' is already provided by plugin '" + old->plugin + "' (" + old->library + ")";
  components_.push_back(std::move(info));
  return {};
}

const ComponentInfo* Registry::find(const std::string& name) const {
  for (const auto& c : components_)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& c : components_) out.push_back(c.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace genlab

namespace genlab {
namespace {
class DirectRegistrar final : public Registrar {
 public:
  explicit DirectRegistrar(Registry& r) : r_(r) {}
  void add(ComponentInfo c) override {
    c.plugin = "genlab";
    c.plugin_version = kVersion;
    c.library = "(built in)";
    rec.components.push_back(c.name);
    const std::string err = r_.add(std::move(c));
    GENLAB_ASSERT(err.empty(), "built-in component registered twice");
  }
  PluginRecord rec{"genlab", kVersion, "(built in)", {}};

 private:
  Registry& r_;
};
}  // namespace

void register_builtins(Registry& registry) {
  DirectRegistrar r(registry);
  register_toy_datasets(r);
  register_mnist(r);
  registry.plugins.push_back(r.rec);
}

}  // namespace genlab
