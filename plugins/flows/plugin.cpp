// The normalizing-flows family: coupling flows built from a layer list (NICE, RealNVP-style, Glow-style)
// and rectified flow.
#include <genlab/plugin.hpp>

#include "flow.hpp"
#include "rectified_flow.hpp"

namespace {

void register_flows(genlab::Registrar& r) {
  using genlab::flows::Flow;
  r.add_model<Flow>("flow",
                    "normalizing flow from a layer list (additive / affine couplings, scale, actnorm, LU linear, "
                    "permutations), logistic or Gaussian prior: exact log p, sampling, NICE inpainting",
                    Flow::schema());
  using genlab::flows::RectifiedFlow;
  r.add_model<RectifiedFlow>("rectified_flow",
                             "rectified flow: a velocity MLP v(x, t) fit to straight prior-to-data paths; Euler / "
                             "Heun sampling, ODE log-likelihood (exact divergence or Hutchinson), straightness",
                             RectifiedFlow::schema());
}

}  // namespace

GENLAB_PLUGIN(flows, "0.1.0", register_flows)
