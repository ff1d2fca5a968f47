#pragma once
// A CNN's geometry as a graph of layers: convolutions and poolings (kernel, stride, padding, dilation)
// and merges (add, concat) of several inputs. Only what decides receptive fields is kept: channels,
// activations and weights play no part.
#include <cstdint>
#include <string>
#include <vector>

#include <genlab/value.hpp>

namespace genlab::cnn {

enum class LayerType { Conv, Pool, Add, Concat };
const char* type_name(LayerType t);

/// Padding: explicit (left = right = `amount`), or TensorFlow's "same" / "valid", which depend on the
/// input size at that layer.
enum class PaddingMode { Explicit, Same, Valid };

struct Layer {
  std::string name;
  LayerType type = LayerType::Conv;
  std::int64_t kernel = 1, stride = 1, dilation = 1;
  PaddingMode padding_mode = PaddingMode::Explicit;
  std::int64_t padding = 0;
  std::vector<std::string> inputs;  ///< layer names; "input" is the image
  Mark mark;                        ///< where the layer was described (builtins: none)
  bool is_merge() const { return type == LayerType::Add || type == LayerType::Concat; }
  std::int64_t effective_kernel() const { return dilation * (kernel - 1) + 1; }
};

struct Network {
  std::vector<Layer> layers;  ///< in a topological order (every input before its users)
};

/// Parses a YAML layer list: maps with name, type (conv, pool, add, concat), kernel, stride, padding (an
/// integer, "same" or "valid"), dilation, and input (a name; default: the previous layer, or the image
/// for the first) or inputs (a list, for merges). Layers may be listed in any order; the result is sorted
/// topologically. Errors point at the text: unknown type or key, a bad number, an unknown or duplicate
/// name, a cycle. `where` is the parameter's path ("algorithm.layers").
Network parse_network(const Value& layers, const std::string& where);

/// The TF-Slim models as the Distill article measures them: alexnet_v2 and vgg_16 up to pool5,
/// resnet_v1_50 up to block4 (all with TF's padding rules; ResNet's strided convolutions use slim's
/// conv2d_same explicit padding).
Network builtin_network(const std::string& name);
std::vector<std::string> builtin_names();

}  // namespace genlab::cnn
