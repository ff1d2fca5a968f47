// Receptive fields: the Distill article's TF-Slim values, hand cases (dilation, same padding, a
// misaligned merge), the arithmetic against brute-force impulse propagation on many random networks
// with merges, and clear errors for malformed networks.
#include <catch2/catch.hpp>

#include "genlab/error.hpp"
#include "genlab/rng.hpp"
#include "yaml_loader.hpp"
#include "../network.hpp"
#include "../receptive_field.hpp"

using namespace genlab;
using namespace genlab::cnn;

namespace {

const LayerField& field(const std::vector<LayerField>& fs, const std::string& name) {
  for (const auto& f : fs)
    if (f.name == name) return f;
  FAIL("no layer " << name);
  return fs.front();
}

std::vector<LayerField> of_yaml(const std::string& yaml, std::int64_t input = 64) {
  return receptive_fields(parse_network(parse_yaml(yaml, "net.yaml"), "layers"), input);
}

std::string error_of(const std::string& yaml, std::int64_t input = 64) {
  try {
    of_yaml(yaml, input);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the TF-Slim models match the Distill article's table at 224", "[cnn]") {
  struct Row {
    const char* net;
    const char* layer;
    std::int64_t rf, stride, padding;
  };
  for (const Row& r : {Row{"alexnet_v2", "pool5", 195, 32, 64}, Row{"vgg_16", "pool5", 212, 32, 90},
                       Row{"vgg_16", "pool4", 100, 16, 42}, Row{"resnet_v1_50", "block4/unit_3/add", 483, 32, 239}}) {
    INFO(r.net << " " << r.layer);
    const Network net = builtin_network(r.net);
    const auto fs = receptive_fields(net, 224);
    const LayerField& f = field(fs, r.layer);
    CHECK(f.rf == r.rf);
    CHECK(f.stride == r.stride);
    CHECK(f.padding == r.padding);
    for (const auto& x : fs) CHECK(x.aligned);  // ResNet's shortcuts line up with their residual paths
    const BruteForceReport b = brute_force_check(net, fs, 2 * (fs.back().rf + 64));
    CHECK_FALSE(b.mismatch.has_value());
    CHECK(b.layers_checked == std::int64_t(fs.size()));
  }
}

TEST_CASE("hand cases: padding, dilation, strides, TF same padding", "[cnn]") {
  auto fs = of_yaml("- {name: c, type: conv, kernel: 3, padding: 1}\n- {name: d, type: conv, kernel: 3, dilation: 2, stride: 2}\n");
  CHECK((field(fs, "c").rf == 3 && field(fs, "c").stride == 1 && field(fs, "c").padding == 1 && field(fs, "c").center == 0));
  // Dilation 2 spans 5 pixels: r = 3 + 4 * 1.
  CHECK((field(fs, "d").rf == 7 && field(fs, "d").stride == 2 && field(fs, "d").padding == 1 && field(fs, "d").center == 2));
  CHECK(field(fs, "d").output_size == (64 + 2 - 3 + 1 - 5) / 2 + 1);
  // TF same, stride 2, kernel 3 on 7 pixels: out 4, total padding 2, left 1; on 8 pixels: total 1, left 0.
  CHECK(of_yaml("- {name: s, type: pool, kernel: 3, stride: 2, padding: same}\n", 7)[0].pad_left == 1);
  CHECK(of_yaml("- {name: s, type: pool, kernel: 3, stride: 2, padding: same}\n", 8)[0].pad_left == 0);
  CHECK(of_yaml("- {name: s, type: pool, kernel: 3, stride: 2, padding: same}\n", 8)[0].output_size == 4);
  CHECK(of_yaml("- {name: v, type: conv, kernel: 3, stride: 2, padding: valid}\n", 8)[0].output_size == 3);
}

TEST_CASE("a merge of paths whose centres differ is reported misaligned, with the hull as its field", "[cnn]") {
  // Kernel 2 with TF same padding puts its odd padding pixel on the right: centre 0.5, not 0.
  const auto fs = of_yaml(
      "- {name: a, type: conv, kernel: 2, padding: same, input: input}\n"
      "- {name: b, type: conv, kernel: 3, padding: same, input: input}\n"
      "- {name: m, type: concat, inputs: [a, b]}\n");
  const LayerField& m = field(fs, "m");
  CHECK_FALSE(m.aligned);
  CHECK(m.path_centers == std::vector<double>{0.5, 0.0});
  CHECK((m.rf == 3 && m.padding == 1 && m.stride == 1));
  const auto ok = of_yaml(
      "- {name: a, type: conv, kernel: 1, input: input}\n- {name: b, type: conv, kernel: 5, padding: 2, input: input}\n"
      "- {name: m, type: add, inputs: [b, a]}\n");
  CHECK(field(ok, "m").aligned);
  CHECK(field(ok, "m").rf == 5);
}

TEST_CASE("the arithmetic agrees with brute-force impulses on random networks with branches", "[cnn]") {
  Rng rng(77);
  for (int trial = 0; trial < 150; ++trial) {
    // A chain with occasional two-branch blocks merged by add; branches keep the map size equal by using
    // stride 1 and "same"-style symmetric padding (odd kernels), or identical strided geometry.
    std::string yaml;
    std::string last = "input";
    const int layers = 1 + int(rng.below(6));
    for (int i = 0; i < layers; ++i) {
      const std::string n = "l" + std::to_string(i);
      if (rng.below(3) == 0) {
        const std::int64_t k1 = 1 + 2 * std::int64_t(rng.below(3)), k2 = 1 + 2 * std::int64_t(rng.below(3));
        const std::int64_t d = 1 + std::int64_t(rng.below(2));
        yaml += "- {name: " + n + "a, type: conv, kernel: " + std::to_string(k1) + ", dilation: " + std::to_string(d) +
                ", padding: " + std::to_string(d * (k1 - 1) / 2) + ", input: " + last + "}\n";
        yaml += "- {name: " + n + "b, type: pool, kernel: " + std::to_string(k2) + ", padding: " + std::to_string((k2 - 1) / 2) +
                ", input: " + last + "}\n";
        yaml += "- {name: " + n + ", type: add, inputs: [" + n + "a, " + n + "b]}\n";
      } else {
        yaml += "- {name: " + n + ", type: " + (rng.below(2) ? "conv" : "pool") + ", kernel: " + std::to_string(1 + rng.below(4)) +
                ", stride: " + std::to_string(1 + rng.below(3)) + ", dilation: " + std::to_string(1 + rng.below(2)) +
                ", padding: " + std::to_string(rng.below(3)) + ", input: " + last + "}\n";
      }
      last = n;
    }
    INFO(yaml);
    const Network net = parse_network(parse_yaml(yaml, "random.yaml"), "layers");
    const auto fs = receptive_fields(net, 400);
    const BruteForceReport b = brute_force_check(net, fs, 400);
    CHECK_FALSE(b.mismatch.has_value());
    CHECK(b.units_checked > 0);
  }
}

TEST_CASE("malformed networks get errors that point at the text", "[cnn]") {
  CHECK(error_of("- {name: a, type: convolution, kernel: 3}\n") ==
        "net.yaml:1:19: layers[0].type: unknown layer type 'convolution' (expected conv, pool, add or concat)");
  CHECK(error_of("- {name: a, type: cnv, kernel: 3}\n") ==
        "net.yaml:1:19: layers[0].type: unknown layer type 'cnv' (expected conv, pool, add or concat); did you mean 'conv'?");
  CHECK(error_of("- {name: a, type: conv, kernel: 3, stride: -2}\n") == "net.yaml:1:44: layers[0].stride: must be >= 1, got -2");
  CHECK(error_of("- {name: a, type: conv, kernel: 3, strde: 2}\n") ==
        "net.yaml:1:43: layers[0].strde: unknown key 'strde'; did you mean 'stride'?");
  CHECK(error_of("- {name: a, type: conv, kernel: 3}\n- {name: a, type: pool, kernel: 2}\n") ==
        "net.yaml:2:10: layers[1].name: duplicate layer name 'a'");
  CHECK(error_of("- {name: a, type: conv, kernel: 3}\n- {name: m, type: add, inputs: [a, b]}\n") ==
        "net.yaml:2:3: layers[1]: layer 'm' reads unknown layer 'b'; did you mean 'a'?");
  CHECK(error_of("- {name: a, type: conv, kernel: 3, input: b}\n- {name: b, type: conv, kernel: 3, input: a}\n") ==
        "net.yaml:1:3: layers: the layers form a cycle: a -> b -> a");
  CHECK(error_of("- {name: a, type: conv, kernel: 3, padding: wide}\n") ==
        "net.yaml:1:45: layers[0].padding: expected an integer >= 0, \"same\" or \"valid\", got wide");
  CHECK(error_of("- {name: m, type: add, inputs: [input]}\n") ==
        "net.yaml:1:32: layers[0].inputs: a merge needs a list of at least two input layer names");
  CHECK(error_of("- {name: a, type: conv, kernel: 3, stride: 2, input: input}\n- {name: b, type: conv, kernel: 3, input: input}\n"
                 "- {name: m, type: add, inputs: [a, b]}\n") ==
        "net.yaml:3:3: layer 'm': merges paths with effective strides 2 ('a') and 1 ('b'): their units do not line up, "
        "so there is no single receptive field");
  CHECK(error_of("- {name: a, type: conv, kernel: 9}\n", 5) ==
        "net.yaml:1:3: layer 'a': its input is 5 units wide, smaller than its kernel's span 9 (with padding 0)");
  CHECK(error_of("[]\n") == "net.yaml:1:1: layers: expected a non-empty list of layers");
}
