// MNIST from its four IDX files in a data directory (datasets/fetch_mnist.sh puts them there and checks their
// SHA-256). Splits: train = the first n_train of the 60000 training images, valid = the last n_valid of
// them, test = the 10000 test images. Pixels are rescaled to [0, 1]; optionally binarized once with a fixed
// seed (each pixel ~ Bernoulli(intensity), the recipe behind the standard binarized MNIST).
#include <cstdlib>
#include <filesystem>

#include "builtin.hpp"
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

Matrix images(const IdxArray& a, const std::string& what, std::int64_t first, std::int64_t count) {
  if (a.dims.size() != 3 || a.dims[1] != 28 || a.dims[2] != 28) throw IoError(what + ": expected N x 28 x 28 images");
  Matrix m(count, 784);
  for (std::int64_t i = 0; i < count; ++i)
    for (int j = 0; j < 784; ++j) m(i, j) = float(a.data[std::size_t((first + i) * 784 + j)]) / 255.0f;
  return m;
}

}  // namespace

void register_mnist(Registrar& r) {
  const Schema schema =
      Schema()
          .string("data_dir", "", "folder holding mnist/*-ubyte (default: $GENLAB_DATA, else ~/.cache/genlab)")
          .integer("n_train", 50000, {.min = 1, .max = 60000}, "training images (the first of the 60000)")
          .integer("n_valid", 10000, {.min = 1, .max = 60000}, "validation images (the last of the 60000)")
          .choice("binarize", "none", {"none", "fixed"},
                  "none: intensities in [0, 1]; fixed: Bernoulli(intensity) sampled once")
          .integer("binarize_seed", 0, {.min = 0}, "seed of the fixed binarization (the same for every run)");
  ComponentInfo c;
  c.kind = ComponentKind::Dataset;
  c.name = "mnist";
  c.summary = "MNIST digits, 784 pixels in [0, 1] (fetch: bash datasets/fetch_mnist.sh)";
  c.schema = schema;
  c.check_available = [](const Params& p) -> std::string {
    const std::string dir = data_root(p.get_string("data_dir")) + "/mnist";
    for (const char* f : kFiles)
      if (!std::filesystem::exists(dir + "/" + f))
        return "MNIST is not in " + dir + " (missing " + f +
               "): run `bash datasets/fetch_mnist.sh` (or set GENLAB_DATA)";
    return "";
  };
  c.make_dataset = [](const Params& p, Rng&) {
    const std::string dir = data_root(p.get_string("data_dir")) + "/mnist";
    const std::int64_t n_train = p.get_int("n_train"), n_valid = p.get_int("n_valid");
    if (n_train + n_valid > 60000)
      throw Error("mnist: n_train + n_valid = " + std::to_string(n_train + n_valid) +
                  " exceeds the 60000 training images");
    const IdxArray train = read_idx(dir + "/" + kFiles[0]);
    const IdxArray test = read_idx(dir + "/" + kFiles[2]);
    if (train.dims[0] != 60000 || test.dims[0] != 10000) throw IoError(dir + ": unexpected MNIST image counts");
    DataSplits d;
    d.train = images(train, kFiles[0], 0, n_train);
    d.valid = images(train, kFiles[0], 60000 - n_valid, n_valid);
    d.test = images(test, kFiles[2], 0, 10000);
    if (p.get_string("binarize") == "fixed") {
      Rng b(static_cast<std::uint64_t>(p.get_int("binarize_seed")));
      for (Matrix* m : {&d.train, &d.valid, &d.test})
        for (Index i = 0; i < m->size(); ++i) m->data()[i] = b.uniform() < m->data()[i] ? 1.0f : 0.0f;
    }
    d.description = "mnist from " + dir + ": " + std::to_string(n_train) + "/" + std::to_string(n_valid) + "/10000, " +
                    (p.get_string("binarize") == "fixed" ? "fixed binarization" : "intensities in [0, 1]");
    return d;
  };
  r.add(std::move(c));
}

}  // namespace genlab
