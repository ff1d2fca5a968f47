// Opens plugin libraries and checks them before running any of their code. Libraries are never closed:
// functions and closures made by a plugin (factories, later autodiff backward functions) may outlive
// anything we could track.
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "genlab/error.hpp"
#include "genlab/plugin.hpp"
#include "registry.hpp"

namespace genlab {
namespace fs = std::filesystem;

namespace {

class StagingRegistrar final : public Registrar {
 public:
  void add(ComponentInfo info) override { staged.push_back(std::move(info)); }
  std::vector<ComponentInfo> staged;
};

std::string executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

void split_into(const std::string& s, char sep, std::vector<std::string>& out) {
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
}

bool is_plugin_file_name(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.rfind("genlab_", 0) == 0 && p.extension() == ".so";
}

}  // namespace

std::vector<std::string> plugin_search_path(const std::vector<std::string>& cli_paths) {
  // Built-in plugins first, so a library on a user path can never shadow them (a clash is an error).
  std::vector<std::string> out;
  const std::string dir = executable_dir();
  for (const char* rel : {"/plugins", "/../lib/genlab/plugins"}) {
    std::error_code ec;
    const fs::path p = fs::path(dir + rel);
    if (fs::is_directory(p, ec)) out.push_back(fs::weakly_canonical(p, ec).string());
  }
  if (const char* env = std::getenv("GENLAB_PLUGIN_PATH")) split_into(env, ':', out);
  for (const auto& p : cli_paths) split_into(p, ':', out);
  // The same directory named twice would load each library twice: keep the first mention.
  std::vector<std::string> unique;
  for (const auto& p : out) {
    std::error_code ec;
    const std::string canon = fs::weakly_canonical(p, ec).string();
    if (std::find(unique.begin(), unique.end(), canon) == unique.end()) unique.push_back(canon);
  }
  return unique;
}

void load_plugin_library(Registry& registry, const std::string& path) {
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    throw PluginError(path + ": cannot load: " + (err ? err : "unknown dlopen error"));
  }
  using Entry = const genlab_plugin_descriptor* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "genlab_plugin_entry"));
  if (!entry)
    throw PluginError(path + ": not a genlab plugin (no genlab_plugin_entry symbol; declare it with GENLAB_PLUGIN)");
  const genlab_plugin_descriptor* d = entry();
  if (!d) throw PluginError(path + ": genlab_plugin_entry returned null");
  // The first two fields are stable across ABI versions; read them before anything else.
  if (d->abi_version != kAbiVersion)
    throw PluginError(path + ": built for plugin ABI v" + std::to_string(d->abi_version) + ", this genlab has v" +
                      std::to_string(kAbiVersion) + ": rebuild the plugin against this genlab");
  std::ostringstream mismatch;
  if (d->struct_size != sizeof(genlab_plugin_descriptor))
    mismatch << " descriptor size " << d->struct_size << " vs " << sizeof(genlab_plugin_descriptor) << ";";
  if (d->cxx11_abi != static_cast<std::uint32_t>(_GLIBCXX_USE_CXX11_ABI))
    mismatch << " _GLIBCXX_USE_CXX11_ABI " << d->cxx11_abi << " vs " << _GLIBCXX_USE_CXX11_ABI << ";";
  if (d->sizeof_value != sizeof(Value))
    mismatch << " sizeof(Value) " << d->sizeof_value << " vs " << sizeof(Value) << ";";
  if (d->sizeof_component != sizeof(ComponentInfo))
    mismatch << " sizeof(ComponentInfo) " << d->sizeof_component << " vs " << sizeof(ComponentInfo) << ";";
  if (d->eigen_version != detail::kEigenVersion)
    mismatch << " Eigen " << d->eigen_version << " vs " << detail::kEigenVersion << ";";
  if (d->eigen_align != EIGEN_MAX_ALIGN_BYTES)
    mismatch << " EIGEN_MAX_ALIGN_BYTES " << d->eigen_align << " vs " << EIGEN_MAX_ALIGN_BYTES << ";";
  if (!mismatch.str().empty()) {
    std::string m = mismatch.str();
    m.pop_back();
    throw PluginError(path + ": build fingerprint mismatch (plugin vs host):" + m +
                      "; rebuild the plugin with the same compiler settings");
  }
  const std::string name = d->name ? d->name : "";
  for (const auto& p : registry.plugins)
    if (p.name == name)
      throw PluginError(path + ": plugin '" + name + "' is already loaded from " + p.library + "; skipped");

  StagingRegistrar staging;
  try {
    d->register_components(staging);
  } catch (const std::exception& e) {
    throw PluginError(path + ": plugin '" + name + "' failed to register its components: " + e.what());
  } catch (...) {
    throw PluginError(path + ": plugin '" + name + "' failed to register its components: unknown exception");
  }
  PluginRecord rec{name, d->version ? d->version : "", path, {}};
  for (auto& c : staging.staged) {
    c.plugin = name;
    c.plugin_version = rec.version;
    c.library = path;
    const std::string cname = c.name;
    const std::string err = registry.add(std::move(c));
    if (!err.empty()) {
      registry.problems.push_back(path + ": " + err + "; skipped");
      continue;
    }
    rec.components.push_back(cname);
  }
  registry.plugins.push_back(std::move(rec));
}

void load_plugins(Registry& registry, const std::vector<std::string>& search_path) {
  for (const auto& entry : search_path) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(entry, ec)) {
      for (const auto& f : fs::directory_iterator(entry, ec))
        if (is_plugin_file_name(f.path())) files.push_back(f.path());
      std::sort(files.begin(), files.end());
    } else if (fs::exists(entry, ec)) {
      files.push_back(entry);
    } else {
      registry.problems.push_back(entry + ": plugin path does not exist");
      continue;
    }
    for (const auto& f : files) {
      try {
        load_plugin_library(registry, f.string());
      } catch (const PluginError& e) {
        registry.problems.push_back(e.what());
      }
    }
  }
}

}  // namespace genlab
