#pragma once
// Commands that work on a finished run: `genlab sample` and `genlab inpaint`.
#include <cstdint>
#include <ostream>
#include <string>

#include "registry.hpp"

namespace genlab {

struct PostRunOptions {
  std::string dir, run_id;
  std::string output;              ///< PNG grid to write ("" = none)
  std::string pattern = "bottom";  ///< inpaint: which part of each image is missing
  std::int64_t count = 64;         ///< samples to draw, or test images to inpaint
  std::int64_t draws = 4;          ///< inpaint: completions per image
  std::uint64_t seed = 0;
  std::string array;        ///< png: the array to draw
  std::int64_t columns = 0;  ///< png: tiles per row (0: about square)
  std::vector<std::string> overrides;  ///< eval: --set model.* / eval.* changes
};

/// Re-evaluates a finished model run from its saved (best) parameters on the test split, with the run's
/// own random streams (so, unchanged, it reproduces the training-time numbers) and any --set model.* /
/// eval.* changes (e.g. model.nll_k=1000); stores the results as eval_* finals and arrays of the run and
/// a line in its log. Training results are not touched.
void eval_command(const PostRunOptions& o, const Registry& registry, std::ostream& out);

/// Draws samples, stores them in the run file (/arrays/samples_s<seed>) and optionally as a PNG grid.
void sample_command(const PostRunOptions& o, const Registry& registry, std::ostream& out);
/// Inpaints the first `count` test images with the `pattern` part missing, `draws` times each; stores
/// /arrays/inpaint_<pattern>_s<seed>_{input,observed,draws} and optionally a PNG grid (one row per image:
/// the original, what the model sees with the missing part grey, then the completions).
void inpaint_command(const PostRunOptions& o, const Registry& registry, std::ostream& out);

/// Draws an array of a run as a PNG: figure_* arrays are pictures (drawn pixel for pixel), any other array
/// holds one square image per row (samples, inpaintings), tiled `columns` to a row.
void png_command(const PostRunOptions& o, std::ostream& out);

/// The observed-pixel mask (1 = observed) of a named pattern on side x side images: bottom, top, left,
/// right (that half missing) or center (the central half-side square missing). Throws ConfigError.
Matrix observed_pattern(const std::string& pattern, std::int64_t side);

}  // namespace genlab
