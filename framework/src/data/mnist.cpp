// MNIST and Fashion-MNIST from their four IDX files in a data directory (datasets/fetch_*.sh put them there
// and check their SHA-256). Splits: train = the first n_train of the 60000 training images, valid = the last
// n_valid of them, test = the 10000 test images. Values: intensities in [0, 1]; binarized once with a fixed
// seed (each pixel ~ Bernoulli(intensity): the recipe behind the standard binarized MNIST); or raw 8-bit
// levels fed through a batch transform (dynamic binarization, uniform dequantization, logit).
#include <cstdlib>
#include <filesystem>

#include "builtin.hpp"
#include "genlab/data/transform.hpp"
#include "idx.hpp"

namespace genlab {
namespace {

std::string data_root(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* d = std::getenv("GENLAB_DATA")) return d;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/tmp") + "/.cache/genlab";
}

const char* kFiles[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte"};

// Rows first .. first+count of an N x 28 x 28 image file, each pixel v mapped to v * scale.
Matrix images(const IdxArray& a, const std::string& what, std::int64_t first, std::int64_t count, float scale) {
  if (a.dims.size() != 3 || a.dims[1] != 28 || a.dims[2] != 28) throw IoError(what + ": expected N x 28 x 28 images");
  Matrix m(count, 784);
  for (std::int64_t i = 0; i < count; ++i)
    for (int j = 0; j < 784; ++j) m(i, j) = float(a.data[std::size_t((first + i) * 784 + j)]) * scale;
  return m;
}

// Labels first .. first+count of an N-label file, each checked to be a class 0..9.
Matrix labels(const IdxArray& a, const std::string& what, std::int64_t first, std::int64_t count) {
  if (a.dims.size() != 1) throw IoError(what + ": expected a 1-D label file");
  Matrix m(count, 1);
  for (std::int64_t i = 0; i < count; ++i) {
    const int v = a.data[std::size_t(first + i)];
    if (v > 9) throw IoError(what + ": label " + std::to_string(v) + " at index " + std::to_string(first + i) +
                             " is not a class 0..9");
    m(i, 0) = float(v);
  }
  return m;
}

PixelTransformConfig transform_config(const Params& p) {
  PixelTransformConfig c;
  const std::string& b = p.get_string("binarize");
  c.binarize = b == "fixed"     ? PixelTransformConfig::Binarize::Fixed
               : b == "dynamic" ? PixelTransformConfig::Binarize::Dynamic
                                : PixelTransformConfig::Binarize::None;
  c.dequantize = p.get_bool("dequantize");
  c.logit_lambda = p.get_float("logit_lambda");
  return c;
}

struct ImageSet {
  const char* name;
  const char* display;  // in messages
  const char* subdir;
  const char* fetch;
  const char* summary;
};

void register_image_set(Registrar& r, const ImageSet& set) {
  const Schema schema =
      Schema()
          .string(
              "data_dir", "",
              std::string("folder holding ") + set.subdir + "/*-ubyte (default: $GENLAB_DATA, else ~/.cache/genlab)")
          .integer("n_train", 50000, {.min = 1, .max = 60000}, "training images (the first of the 60000)")
          .integer("n_valid", 10000, {.min = 1, .max = 60000}, "validation images (the last of the 60000)")
          .choice("binarize", "none", {"none", "fixed", "dynamic"},
                  "none: grey levels; fixed: Bernoulli(intensity) sampled once with binarize_seed; dynamic: "
                  "resampled for every batch (a new binarization each epoch)")
          .integer("binarize_seed", 0, {.min = 0}, "seed of the fixed binarization (the same for every run)")
          .boolean("dequantize", false,
                   "x = (v + U[0,1)) / 256 with fresh noise per batch; NLL and bits/dim are then those of the "
                   "dequantized 8-bit values (the flows' convention)")
          .real("logit_lambda", 0.0, {.min = 0.0, .max = 0.499},
                "> 0: y = logit(lambda + (1 - 2 lambda) x) (RealNVP: 0.05, MAF: 1e-6); its log-determinant is "
                "included in reported likelihoods");
  ComponentInfo c;
  c.kind = ComponentKind::Dataset;
  c.name = set.name;
  c.summary = set.summary;
  c.schema = schema;
  const std::string subdir = set.subdir, fetch = set.fetch, name = set.name, display = set.display;
  c.check_available = [subdir, fetch, name, display](const Params& p) -> std::string {
    const std::string dir = data_root(p.get_string("data_dir")) + "/" + subdir;
    for (const char* f : kFiles)
      if (!std::filesystem::exists(dir + "/" + f))
        return display + " is not in " + dir + " (missing " + f + "): run `" + fetch + "` (or set GENLAB_DATA)";
    try {
      make_pixel_transform(transform_config(p));
    } catch (const ConfigError& e) {
      return name + ": " + e.what();
    }
    return "";
  };
  c.make_dataset = [subdir, name](const Params& p, Rng&) {
    const std::string dir = data_root(p.get_string("data_dir")) + "/" + subdir;
    const std::int64_t n_train = p.get_int("n_train"), n_valid = p.get_int("n_valid");
    if (n_train + n_valid > 60000)
      throw Error(name + ": n_train + n_valid = " + std::to_string(n_train + n_valid) +
                  " exceeds the 60000 training images");
    const PixelTransformConfig tc = transform_config(p);
    DataSplits d;
    d.transform = make_pixel_transform(tc);
    const float scale = d.transform ? 1.0f : 1.0f / 255.0f;  // a transform takes the raw 8-bit levels
    const IdxArray train = read_idx(dir + "/" + kFiles[0]);
    const IdxArray test = read_idx(dir + "/" + kFiles[2]);
    if (train.dims.empty() || test.dims.empty() || train.dims[0] != 60000 || test.dims[0] != 10000)
      throw IoError(dir + ": expected 60000 training and 10000 test images");
    d.train = images(train, kFiles[0], 0, n_train, scale);
    d.valid = images(train, kFiles[0], 60000 - n_valid, n_valid, scale);
    d.test = images(test, kFiles[2], 0, 10000, scale);
    const IdxArray train_labels = read_idx(dir + "/" + kFiles[1]);
    const IdxArray test_labels = read_idx(dir + "/" + kFiles[3]);
    if (train_labels.dims != std::vector<std::int64_t>{60000} || test_labels.dims != std::vector<std::int64_t>{10000})
      throw IoError(dir + ": expected 60000 training and 10000 test labels");
    d.train_labels = labels(train_labels, kFiles[1], 0, n_train);
    d.valid_labels = labels(train_labels, kFiles[1], 60000 - n_valid, n_valid);
    d.test_labels = labels(test_labels, kFiles[3], 0, 10000);
    d.classes = 10;
    if (tc.binarize == PixelTransformConfig::Binarize::Fixed) {
      Rng b(static_cast<std::uint64_t>(p.get_int("binarize_seed")));
      for (Matrix* m : {&d.train, &d.valid, &d.test})
        for (Index i = 0; i < m->size(); ++i) m->data()[i] = b.uniform() < m->data()[i] ? 1.0f : 0.0f;
    }
    d.description = name + " from " + dir + ": " + std::to_string(n_train) + "/" + std::to_string(n_valid) +
                    "/10000, " +
                    (tc.binarize == PixelTransformConfig::Binarize::Fixed ? "fixed binarization"
                     : d.transform                                        ? d.transform->describe()
                                                                          : "intensities in [0, 1]");
    return d;
  };
  r.add(std::move(c));
}

}  // namespace

void register_mnist(Registrar& r) {
  register_image_set(r, {"mnist", "MNIST", "mnist", "bash datasets/fetch_mnist.sh",
                         "MNIST digits, 784 pixels (fetch: bash datasets/fetch_mnist.sh)"});
  register_image_set(r, {"fashion_mnist", "Fashion-MNIST", "fashion-mnist", "bash datasets/fetch_fashion_mnist.sh",
                         "Fashion-MNIST clothing images, 784 pixels (fetch: bash datasets/fetch_fashion_mnist.sh)"});
}

}  // namespace genlab
