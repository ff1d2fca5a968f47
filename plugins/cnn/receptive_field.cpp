#include "receptive_field.hpp"

#include <algorithm>
#include <map>

#include <genlab/error.hpp>

namespace genlab::cnn {
namespace {

std::string where(const Layer& l) {
  const std::string m = l.mark.str();
  return (m == "<unknown>" ? "" : m + ": ") + "layer '" + l.name + "'";
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

std::vector<LayerField> receptive_fields(const Network& net, std::int64_t input_size) {
  std::map<std::string, std::size_t> index;
  std::vector<LayerField> out;
  const LayerField image{"input", 1, 1, 0, 0.0, input_size, 0, true, {}};
  auto field_of = [&](const std::string& name) -> const LayerField& { return name == "input" ? image : out[index.at(name)]; };
  for (const Layer& l : net.layers) {
    LayerField f;
    f.name = l.name;
    if (l.is_merge()) {
      const LayerField& first = field_of(l.inputs[0]);
      std::int64_t lo = 0, hi = 0;  // hull of the paths' fields of unit 0
      for (std::size_t i = 0; i < l.inputs.size(); ++i) {
        const LayerField& in = field_of(l.inputs[i]);
        if (in.stride != first.stride)
          throw ConfigError(where(l) + ": merges paths with effective strides " + std::to_string(first.stride) + " ('" +
                            l.inputs[0] + "') and " + std::to_string(in.stride) + " ('" + l.inputs[i] +
                            "'): their units do not line up, so there is no single receptive field");
        if (in.output_size != first.output_size)
          throw ConfigError(where(l) + ": merges maps of " + std::to_string(first.output_size) + " ('" + l.inputs[0] +
                            "') and " + std::to_string(in.output_size) + " ('" + l.inputs[i] + "') units");
        const std::int64_t u = -in.padding, v = u + in.rf - 1;
        lo = i == 0 ? u : std::min(lo, u);
        hi = i == 0 ? v : std::max(hi, v);
        f.path_centers.push_back(in.center);
        if (in.center != first.center) f.aligned = false;
      }
      f.rf = hi - lo + 1;
      f.stride = first.stride;
      f.padding = -lo;
      f.output_size = first.output_size;
    } else {
      const LayerField& in = field_of(l.inputs[0]);
      const std::int64_t k = l.effective_kernel(), s = l.stride, n = in.output_size;
      switch (l.padding_mode) {
        case PaddingMode::Explicit:
          f.pad_left = l.padding;
          f.output_size = n + 2 * l.padding >= k ? (n + 2 * l.padding - k) / s + 1 : 0;
          break;
        case PaddingMode::Valid:
          f.output_size = n >= k ? (n - k) / s + 1 : 0;
          break;
        case PaddingMode::Same:  // TensorFlow: out = ceil(n / s); the odd pixel of padding goes right
          f.output_size = ceil_div(n, s);
          f.pad_left = std::max<std::int64_t>((f.output_size - 1) * s + k - n, 0) / 2;
          break;
      }
      if (f.output_size <= 0)
        throw ConfigError(where(l) + ": its input is " + std::to_string(n) + " units wide, smaller than its kernel's span " +
                          std::to_string(k) + " (with padding " + std::to_string(f.pad_left) + ")");
      f.rf = in.rf + (k - 1) * in.stride;
      f.stride = in.stride * s;
      f.padding = in.padding + f.pad_left * in.stride;
    }
    f.center = double(f.rf - 1) / 2.0 - double(f.padding);
    index[l.name] = out.size();
    out.push_back(std::move(f));
  }
  return out;
}

BruteForceReport brute_force_check(const Network& net, const std::vector<LayerField>& fields, std::int64_t canvas) {
  const std::size_t L = net.layers.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < L; ++i) index[net.layers[i].name] = i;
  // Sizes on the canvas with every layer's resolved left padding applied on both sides.
  std::vector<std::int64_t> size(L);
  auto size_of = [&](const std::string& name) { return name == "input" ? canvas : size[index.at(name)]; };
  for (std::size_t i = 0; i < L; ++i) {
    const Layer& l = net.layers[i];
    if (l.is_merge()) {
      size[i] = size_of(l.inputs[0]);
      for (const auto& in : l.inputs) size[i] = std::min(size[i], size_of(in));
    } else {
      const std::int64_t n = size_of(l.inputs[0]) + 2 * fields[i].pad_left - l.effective_kernel();
      size[i] = n >= 0 ? n / l.stride + 1 : 0;
    }
  }
  // first[i][j], last[i][j]: the extreme impulse positions that reach unit j of layer i.
  std::vector<std::vector<std::int64_t>> first(L), last(L);
  for (std::size_t i = 0; i < L; ++i) first[i].assign(std::size_t(size[i]), -1), last[i].assign(std::size_t(size[i]), -1);
  std::vector<std::vector<char>> act(L);
  std::vector<char> image(static_cast<std::size_t>(canvas));
  for (std::int64_t p = 0; p < canvas; ++p) {
    std::fill(image.begin(), image.end(), 0);
    image[std::size_t(p)] = 1;
    auto act_of = [&](const std::string& name) -> const std::vector<char>& { return name == "input" ? image : act[index.at(name)]; };
    for (std::size_t i = 0; i < L; ++i) {
      const Layer& l = net.layers[i];
      act[i].assign(std::size_t(size[i]), 0);
      for (const auto& in_name : l.inputs) {
        const std::vector<char>& in = act_of(in_name);
        const auto n = std::int64_t(in.size());
        for (std::int64_t j = 0; j < size[i]; ++j) {
          if (l.is_merge()) {
            act[i][std::size_t(j)] |= in[std::size_t(j)];
            continue;
          }
          for (std::int64_t t = 0; t < l.kernel; ++t) {
            const std::int64_t x = j * l.stride - fields[i].pad_left + t * l.dilation;
            if (x >= 0 && x < n && in[std::size_t(x)]) {
              act[i][std::size_t(j)] = 1;
              break;
            }
          }
        }
      }
      for (std::int64_t j = 0; j < size[i]; ++j)
        if (act[i][std::size_t(j)]) {
          if (first[i][std::size_t(j)] < 0) first[i][std::size_t(j)] = p;
          last[i][std::size_t(j)] = p;
        }
    }
  }
  BruteForceReport r;
  for (std::size_t i = 0; i < L; ++i) {
    const LayerField& f = fields[i];
    bool any = false;
    for (std::int64_t j = 0; j < size[i]; ++j) {
      const std::int64_t lo = j * f.stride - f.padding, hi = lo + f.rf - 1;
      if (lo < 0 || hi >= canvas) continue;  // the field runs off the canvas: not observable
      if (first[i][std::size_t(j)] != lo || last[i][std::size_t(j)] != hi) {
        r.mismatch = "layer '" + f.name + "' unit " + std::to_string(j) + ": the impulses reaching it span [" +
                     std::to_string(first[i][std::size_t(j)]) + ", " + std::to_string(last[i][std::size_t(j)]) +
                     "], the arithmetic says [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
        return r;
      }
      ++r.units_checked;
      any = true;
    }
    r.layers_checked += any;
  }
  return r;
}

}  // namespace genlab::cnn
