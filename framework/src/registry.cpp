#include "registry.hpp"

#include <algorithm>

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
