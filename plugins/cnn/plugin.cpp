// The `cnn` plugin: receptive-field arithmetic for convolutional networks, with multi-path merges.
#include <genlab/plugin.hpp>

#include "receptive_field_run.hpp"

namespace {
void register_cnn(genlab::Registrar& r) {
  r.add_algorithm<genlab::cnn::ReceptiveFieldRun>(
      "receptive_field", "receptive field, effective stride and padding per layer of a CNN, brute-force checked",
      genlab::cnn::ReceptiveFieldRun::schema());
}
}  // namespace

GENLAB_PLUGIN(cnn, "0.1.0", register_cnn)
