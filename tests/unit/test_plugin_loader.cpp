#include <catch2/catch.hpp>

#include <algorithm>

#include "genlab/error.hpp"
#include "genlab/version.hpp"
#include "registry.hpp"

using namespace genlab;

namespace {
std::string problem_for(const Registry& r, const std::string& file) {
  for (const auto& p : r.problems)
    if (p.find("/" + file + ":") != std::string::npos) return p;
  return "";
}
}  // namespace

TEST_CASE("broken plugins are reported one line each and skipped, the rest load", "[plugin]") {
  Registry reg;
  load_plugins(reg, {GENLAB_PLUGIN_DIR, GENLAB_BAD_PLUGIN_DIR});
  // The good plugin and the good half of the duplicate plugin are there.
  REQUIRE(reg.find("streaming_median") != nullptr);
  CHECK(reg.find("streaming_median")->plugin == "streams");
  REQUIRE(reg.find("unique_component") != nullptr);
  CHECK(reg.find("unique_component")->plugin == "duplicate");
  // Nothing of a plugin whose registration threw.
  CHECK(reg.find("half_registered") == nullptr);

  CHECK_THAT(problem_for(reg, "genlab_bad_abi.so"),
             Catch::Contains("built for plugin ABI v" + std::to_string(kAbiVersion + 1) + ", this genlab has v" +
                             std::to_string(kAbiVersion) + ": rebuild the plugin"));
  CHECK_THAT(problem_for(reg, "genlab_bad_fingerprint.so"),
             Catch::Contains("build fingerprint mismatch") && Catch::Contains("sizeof(Value)"));
  CHECK_THAT(problem_for(reg, "genlab_no_entry.so"),
             Catch::Contains("not a genlab plugin (no genlab_plugin_entry symbol"));
  CHECK_THAT(problem_for(reg, "genlab_throws.so"),
             Catch::Contains("failed to register its components: deliberate failure in registration"));
  CHECK_THAT(problem_for(reg, "genlab_garbage.so"), Catch::Contains("cannot load"));
  CHECK_THAT(problem_for(reg, "genlab_duplicate.so"),
             Catch::Contains("component 'streaming_median' is already provided by plugin 'streams'") &&
                 Catch::Contains("genlab_streams.so"));
  CHECK(reg.problems.size() == 6);
}

TEST_CASE("loading one library directly throws PluginError naming it", "[plugin]") {
  Registry reg;
  const std::string path = std::string(GENLAB_BAD_PLUGIN_DIR) + "/genlab_bad_abi.so";
  CHECK_THROWS_AS(load_plugin_library(reg, path), PluginError);
  CHECK_THROWS_WITH(load_plugin_library(reg, path), Catch::StartsWith(path + ": "));
  CHECK_THROWS_WITH(load_plugin_library(reg, "/nonexistent/genlab_x.so"),
                    Catch::StartsWith("/nonexistent/genlab_x.so: cannot load"));
}

TEST_CASE("the same plugin found twice is loaded once", "[plugin]") {
  Registry reg;
  load_plugins(reg, {GENLAB_PLUGIN_DIR, std::string(GENLAB_PLUGIN_DIR) + "/genlab_streams.so"});
  CHECK(std::count_if(reg.plugins.begin(), reg.plugins.end(), [](const auto& p) { return p.name == "streams"; }) == 1);
  REQUIRE(reg.problems.size() == 1);
  CHECK_THAT(reg.problems[0], Catch::Contains("plugin 'streams' is already loaded"));
}

TEST_CASE("component schemas are described from the plugin", "[plugin]") {
  Registry reg;
  load_plugins(reg, {GENLAB_PLUGIN_DIR});
  const ComponentInfo* c = reg.find("streaming_median");
  REQUIRE(c);
  const ParamSpec* n = c->schema.find("n");
  REQUIRE(n);
  CHECK(n->type_text() == "int in [1, 1e9]");
  CHECK(n->default_value->as_int() == 100000);
}
