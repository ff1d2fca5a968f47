// The autoregressive family on binary data: FVSBN, NADE, MADE.
#include <genlab/plugin.hpp>

#include "fvsbn.hpp"
#include "made.hpp"
#include "nade.hpp"

namespace {

void register_autoregressive(genlab::Registrar& r) {
  using namespace genlab::autoregressive;
  r.add_model<Fvsbn>("fvsbn", "fully visible sigmoid belief net: logistic regression on earlier dimensions",
                     Fvsbn::schema());
  r.add_model<Nade>("nade", "NADE: shared hidden layer with a running-sum pre-activation, O(D H)", Nade::schema());
  r.add_model<Made>("made", "MADE: masked MLP; mask pools, order-agnostic training, test-time mask ensembles",
                    Made::schema());
}

}  // namespace

GENLAB_PLUGIN(autoregressive, "0.1.0", register_autoregressive)
