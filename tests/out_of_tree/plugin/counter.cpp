// The example plugin of the README ("Writing a plugin"), kept compiling by the out-of-tree test.
#include <genlab/plugin.hpp>

class Counter final : public genlab::Algorithm {
 public:
  explicit Counter(const genlab::Params& p) : n_(p.get_int("n")) {}
  void run(genlab::RunContext& ctx) override {
    genlab::Rng rng = ctx.rng("data");  // reproducible stream for this run
    double sum = 0;
    for (std::int64_t i = 0; i < n_; ++i) {
      sum += rng.uniform();
      if (i % 1000 == 0) ctx.log("mean", i, sum / (i + 1)), ctx.set_progress(double(i) / n_), ctx.check_stop();
    }
    ctx.set_final("mean", sum / n_);
  }
  static genlab::Schema schema() {
    return genlab::Schema().integer("n", 10000, {.min = 1, .max = 1e9}, "number of draws");
  }

 private:
  std::int64_t n_;
};

static void register_counter(genlab::Registrar& r) {
  r.add_algorithm<Counter>("uniform_mean", "mean of uniform draws", Counter::schema());
}
GENLAB_PLUGIN(counter, "0.1.0", register_counter)
