// The classifier family: the perceptron (with and without its bias) and MLPs trained for cross-entropy
// or for smoothed accuracy / F1.
#include <genlab/plugin.hpp>

#include "halfplane.hpp"
#include "mlp_classifier.hpp"
#include "perceptron.hpp"

namespace {

void register_classifiers(genlab::Registrar& r) {
  using namespace genlab::classifiers;
  r.add_model<Perceptron>("perceptron", "linear binary classifier: the perceptron rule or logistic regression, "
                                        "with or without bias",
                          Perceptron::schema());
  r.add_model<MlpClassifier>("mlp_classifier", "MLP classifier: cross-entropy, soft accuracy, soft (macro) F1",
                             MlpClassifier::schema());
  register_halfplane(r);
}

}  // namespace

GENLAB_PLUGIN(classifiers, "0.1.0", register_classifiers)
