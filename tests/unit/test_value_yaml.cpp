#include <catch2/catch.hpp>

#include "genlab/error.hpp"
#include "yaml_loader.hpp"

using namespace genlab;

TEST_CASE("YAML scalars are typed by the core schema, quoted ones stay strings", "[value]") {
  const Value v = parse_yaml("a: 12\nb: -3.5\nc: 1e6\nd: true\ne: random\nf: '12'\ng: ~\nh: [1, 2.5, x]\n", "t.yaml");
  CHECK(v.find("a")->kind() == Value::Kind::Int);
  CHECK(v.find("a")->as_int() == 12);
  CHECK(v.find("b")->as_float() == -3.5);
  CHECK(v.find("c")->kind() == Value::Kind::Float);
  CHECK(v.find("d")->as_bool());
  CHECK(v.find("e")->as_string() == "random");
  CHECK(v.find("f")->kind() == Value::Kind::String);
  CHECK(v.find("g")->is_null());
  REQUIRE(v.find("h")->is_list());
  CHECK(v.find("h")->as_list()[2].as_string() == "x");
}

TEST_CASE("every node keeps file:line:col", "[value]") {
  const Value v = parse_yaml("top:\n  inner: 5\n  other: [1, 2]\n", "exp.yaml");
  CHECK(v.find_path("top.inner")->mark.str() == "exp.yaml:2:10");
  CHECK(v.find_path("top.other")->as_list()[1].mark.str() == "exp.yaml:3:14");
}

TEST_CASE("duplicate keys are an error naming both lines", "[value]") {
  try {
    parse_yaml("a: 1\nb: 2\na: 3\n", "dup.yaml");
    FAIL("duplicate key accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "dup.yaml:3:1: duplicate key 'a' (first given at line 1)");
  }
}

TEST_CASE("syntax errors cite the position", "[value]") {
  try {
    parse_yaml("a: [1, 2\nb: 3\n", "bad.yaml");
    FAIL("syntax error accepted");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("bad.yaml:") && Catch::Contains("YAML syntax error"));
  }
}

TEST_CASE("canonical JSON sorts keys and is independent of insertion order", "[value]") {
  const Value a = parse_yaml("b: 1\na: {y: 2.5, x: [1, 2]}\n", "a");
  const Value b = parse_yaml("a: {x: [1, 2], y: 2.5}\nb: 1\n", "b");
  CHECK(a.canonical_json() == b.canonical_json());
  CHECK(a.canonical_json() == R"({"a":{"x":[1,2],"y":2.5},"b":1})");
  CHECK(a.json() == R"({"b":1,"a":{"y":2.5,"x":[1,2]}})");
  // An integral float keeps its type in the text, so 1 and 1.0 hash differently.
  CHECK(Value(1.0).canonical_json() == "1.0");
  CHECK(Value(0.1).canonical_json() == "0.1");
}

TEST_CASE("yaml() output reads back as the same value", "[value]") {
  const Value v = parse_yaml(
      "name: x\nseed: 3\nalgorithm:\n  name: streaming_median\n  n: 1000\n  ratio: 0.25\n  list: [1, 2]\n"
      "  text: 'yes'\n  empty: ''\nitems:\n  - {a: 1}\n  - 7\n",
      "in");
  const Value back = parse_yaml(v.yaml(), "out");
  CHECK(back == v);
}

TEST_CASE("dotted paths and deep merge", "[value]") {
  Value v = parse_yaml("algorithm: {name: m, n: 5}\n", "t");
  v.set_path("algorithm.n", Value(std::int64_t{7}));
  v.set_path("train.optimizer.lr", Value(0.5));
  CHECK(v.find_path("algorithm.n")->as_int() == 7);
  CHECK(v.find_path("train.optimizer.lr")->as_float() == 0.5);
  CHECK(v.find_path("algorithm.missing") == nullptr);
  Value patch = parse_yaml("algorithm: {n: 9, extra: true}\n", "p");
  merge_into(v, patch);
  CHECK(v.find_path("algorithm.name")->as_string() == "m");
  CHECK(v.find_path("algorithm.n")->as_int() == 9);
  CHECK(v.find_path("algorithm.extra")->as_bool());
  CHECK_THROWS_AS(v.set_path("algorithm.n.deeper", Value(1)), ConfigError);
}

TEST_CASE("brief() shortens long lists and maps for table cells, never scalars", "[value]") {
  const Value layers = parse_yaml("- {name: a, type: conv, kernel: 3}\n- {name: b, type: pool, kernel: 2}\n", "n.yaml");
  CHECK(layers.brief() == "[2 items]");
  CHECK(layers.brief(1000) == layers.display());
  CHECK(parse_yaml("[1, 2]", "n.yaml").brief() == "[1,2]");
  CHECK(parse_yaml("{a: 1, b: 2, c: 3}", "n.yaml").brief(5) == "{3 keys}");
  CHECK(Value(std::string(100, 'x')).brief() == std::string(100, 'x'));
}
