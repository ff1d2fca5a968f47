// The VAE family: Gaussian VAE and IWAE.
#include <genlab/plugin.hpp>

#include "vae.hpp"

namespace {

void register_vae(genlab::Registrar& r) {
  using genlab::vae::Vae;
  r.add_model<Vae>("vae", "VAE / IWAE: Gaussian q(z|x), N(0, I) prior, Bernoulli or Gaussian p(x|z); ELBO and "
                          "importance-weighted bounds",
                   Vae::schema());
}

}  // namespace

GENLAB_PLUGIN(vae, "0.1.0", register_vae)
