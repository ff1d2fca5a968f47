#include <catch2/catch.hpp>

#include "genlab/error.hpp"
#include "genlab/params.hpp"
#include "genlab/schema.hpp"
#include "yaml_loader.hpp"

using namespace genlab;

namespace {
Schema demo() {
  return Schema()
      .integer("n", 100, {.min = 1, .max = 1e9}, "length")
      .real("rate", 0.5, {.min = 0, .max = 1}, "a rate")
      .boolean("flag", false, "a flag")
      .choice("mode", "fast", {"fast", "slow"}, "speed")
      .int_list("hidden", std::vector<std::int64_t>{500}, {.min = 1}, "layer widths")
      .integer("required_one", std::nullopt, {}, "no default");
}

std::string error_of(const std::string& yaml) {
  try {
    demo().resolve(parse_yaml(yaml, "s.yaml"), "algorithm", {"name"});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("resolve fills defaults, coerces numbers, keeps declaration order", "[schema]") {
  const Value r =
      demo().resolve(parse_yaml("name: x\nrequired_one: 3\nrate: 1\nn: 1e3\n", "s.yaml"), "algorithm", {"name"});
  CHECK(r.json() == R"({"name":"x","n":1000,"rate":1.0,"flag":false,"mode":"fast","hidden":[500],"required_one":3})");
  const Params p("demo", r);
  CHECK(p.get_int("n") == 1000);
  CHECK(p.get_float("rate") == 1.0);
  CHECK(p.get_string("mode") == "fast");
  CHECK(p.get_int_list("hidden") == std::vector<std::int64_t>{500});
  CHECK_THROWS_WITH(p.get_int("nope"), Catch::Contains("does not declare"));
}

TEST_CASE("schema errors: type, range, unknown key with suggestion, missing, bad choice", "[schema]") {
  CHECK(error_of("required_one: 1\nn: abc\n") == "s.yaml:2:4: algorithm.n: expected int in [1, 1e9], got \"abc\"");
  CHECK(error_of("required_one: 1\nn: 0\n") == "s.yaml:2:4: algorithm.n: expected int in [1, 1e9], got 0");
  CHECK(error_of("required_one: 1\nn: 2.5\n") == "s.yaml:2:4: algorithm.n: expected int in [1, 1e9], got 2.5 (float)");
  CHECK(error_of("required_one: 1\nrat: 0.1\n") ==
        "s.yaml:2:6: algorithm.rat: unknown parameter 'rat'; did you mean 'rate'?");
  CHECK(error_of("n: 5\n") == "s.yaml:1:1: algorithm.required_one: required parameter is missing (int: no default)");
  CHECK(error_of("required_one: 1\nmode: fsat\n") ==
        "s.yaml:2:7: algorithm.mode: expected one of {fast, slow}, got \"fsat\"; did you mean 'fast'?");
  CHECK(error_of("required_one: 1\nhidden: [5, -1]\n") ==
        "s.yaml:2:13: algorithm.hidden[1]: expected int in [1, inf], got -1");
  CHECK(error_of("required_one: 1\nrate: .nan\n") ==
        "s.yaml:2:7: algorithm.rate: expected a finite float in [0, 1], got .nan");
  CHECK(error_of("required_one: 1\nflag: 1\n") ==
        "s.yaml:2:7: algorithm.flag: expected bool (true/false), got 1 (int)");
}

TEST_CASE("did_you_mean only suggests close names", "[schema]") {
  CHECK(did_you_mean("distribuion", {"distribution", "n"}) == "distribution");
  CHECK(did_you_mean("zzzzzz", {"distribution", "n"}).empty());
}

TEST_CASE("structure parameters pass lists and maps through with their marks and refuse scalars", "[schema]") {
  const Schema s = Schema().structure("layers", Value::list(), "a layer list");
  const Value r = s.resolve(parse_yaml("layers:\n  - {type: conv, kernel: 3}\n", "s.yaml"), "algorithm", {});
  const Params p("demo", r);
  const Value& layers = p.get_structure("layers");
  REQUIRE(layers.is_list());
  CHECK(layers.as_list()[0].find("kernel")->as_int() == 3);
  CHECK(layers.as_list()[0].find("kernel")->mark.str() == "s.yaml:2:26");  // errors can point into the list
  CHECK(s.resolve(parse_yaml("{}", "s.yaml"), "algorithm", {}).find("layers")->is_list());  // the default
  try {
    s.resolve(parse_yaml("layers: 3\n", "s.yaml"), "algorithm", {});
    FAIL("a scalar was accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "s.yaml:1:9: algorithm.layers: expected a list or a map, got 3 (int)");
  }
}

TEST_CASE("a parameter that keeps ids at its default leaves the run id alone until it is set", "[schema]") {
  // The same section before and after adding `budget` (marked keeps_ids_at_default).
  const Schema before = Schema().integer("n", 100, {.min = 1}, "length");
  const Schema after = Schema().integer("n", 100, {.min = 1}, "length").real("budget", 0.0, {.min = 0}, "seconds").keeps_ids_at_default();
  const Value old_cfg = before.resolve(parse_yaml("n: 5", "s.yaml"), "train", {});
  const Value new_default = after.resolve(parse_yaml("n: 5", "s.yaml"), "train", {});
  const Value new_explicit = after.resolve(parse_yaml("n: 5\nbudget: 0", "s.yaml"), "train", {});
  const Value new_set = after.resolve(parse_yaml("n: 5\nbudget: 30", "s.yaml"), "train", {});
  CHECK(new_default.find("budget") != nullptr);  // the resolved config (stored with the run) still says it
  CHECK(after.identity(new_default).canonical_json() == before.identity(old_cfg).canonical_json());
  CHECK(after.identity(new_explicit).canonical_json() == before.identity(old_cfg).canonical_json());
  CHECK(after.identity(new_set).canonical_json() != before.identity(old_cfg).canonical_json());
  CHECK(after.identity(new_set).find("budget")->as_float() == 30.0);
}
