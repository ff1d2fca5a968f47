#pragma once
// Receptive-field arithmetic (Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural
// Networks", Distill 2019), per dimension: for each layer the field size r, effective stride S and
// effective padding P, so that unit j of the layer sees input pixels [j*S - P, j*S - P + r - 1].
#include <optional>

#include "network.hpp"

namespace genlab::cnn {

struct LayerField {
  std::string name;
  std::int64_t rf = 1, stride = 1, padding = 0;
  double center = 0;             ///< centre of unit 0's field in input coordinates: (r - 1)/2 - P
  std::int64_t output_size = 0;  ///< units along the dimension
  std::int64_t pad_left = 0;     ///< this layer's own left padding as resolved (conv/pool)
  bool aligned = true;           ///< merges: every path's field has the same centre
  std::vector<double> path_centers;  ///< merges: each input's centre (for the misalignment report)
};

/// Fields of every layer in the network's order, at the given input size (it decides "same"/"valid"
/// padding and the output sizes). A merge of paths with different effective strides or output sizes,
/// or a layer whose input is smaller than its kernel, throws ConfigError naming the layer.
/// A merge's field is the hull of its paths' fields (Araujo et al.'s rule for multi-path networks);
/// when the paths' centres differ the merge is marked misaligned.
std::vector<LayerField> receptive_fields(const Network& net, std::int64_t input_size);

/// Brute force on a 1-D line of `canvas` pixels: a one-pixel impulse at each position is pushed through
/// the layers (with each layer's resolved left padding, `fields[i].pad_left`), and for each layer the
/// first and last pixel that reach each unit are recorded. Returns, per layer, the units whose whole
/// field lies on the canvas, checked against the arithmetic: the count checked, or the first mismatch.
struct BruteForceReport {
  std::int64_t units_checked = 0, layers_checked = 0;
  std::optional<std::string> mismatch;
};
BruteForceReport brute_force_check(const Network& net, const std::vector<LayerField>& fields, std::int64_t canvas);

}  // namespace genlab::cnn
