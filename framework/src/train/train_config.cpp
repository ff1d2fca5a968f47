#include "train_config.hpp"

namespace genlab {

const Schema& train_schema() {
  static const Schema s =
      Schema()
          .choice("optimizer", "adam", {"sgd", "adam", "adamw", "adamax", "adagrad", "rmsprop"},
                  "update rule (adamw: Adam with decoupled weight decay)")
          .real("lr", 1e-3, {.min = 0, .max = 10}, "base learning rate")
          .real("momentum", 0.0, {.min = 0, .max = 0.9999}, "momentum (sgd, rmsprop)")
          .real("beta1", 0.9, {.min = 0, .max = 0.9999}, "first-moment decay (adam, adamw, adamax)")
          .real("beta2", 0.999, {.min = 0, .max = 0.999999}, "second-moment decay (adam, adamw, adamax)")
          .real("eps", 1e-8, {.min = 0, .max = 1}, "denominator guard (adam, adamw, adamax, adagrad, rmsprop)")
          .real("rms_decay", 0.95, {.min = 0, .max = 0.9999}, "decay of the mean squared gradient (rmsprop)")
          .real("weight_decay", 0.0, {.min = 0, .max = 1},
                "L2 penalty added to the gradient; adamw: decoupled, every weight shrinks by lr * weight_decay per update")
          .choice("schedule", "constant", {"constant", "step", "exponential", "cosine", "iwae"},
                  "learning-rate schedule (iwae: stage i = 0, 1, ... lasts step_epochs * 3^i epochs at lr * gamma^i, "
                  "Burda et al. 2015)")
          .real("gamma", 0.1, {.min = 0, .max = 1},
                "decay factor (step: per step_epochs epochs; exponential: per update)")
          .integer("step_epochs", 1, {.min = 1}, "epochs between decays (step schedule); the first stage's length (iwae)")
          .real("min_lr", 0.0, {.min = 0}, "floor of the exponential and cosine schedules")
          .integer("warmup_steps", 0, {.min = 0}, "linear warm-up over this many updates")
          .integer("batch_size", 100, {.min = 1, .max = 1e7}, "examples per update")
          .integer("epochs", 10, {.min = 1, .max = 1e7}, "passes over the training split (at most)")
          .real("clip_norm", 0.0, {.min = 0}, "clip the global gradient norm to this (0: off)")
          .integer("patience", 0, {.min = 0}, "stop after this many epochs without a better valid metric (0: off)")
          .integer("valid_every", 1, {.min = 1},
                   "validate after every this many epochs and after the last (best-epoch selection and patience see "
                   "only those); for models whose validation costs more than their training epoch")
          .keeps_ids_at_default()
          .integer("checkpoint_every", 200, {.min = 0}, "save a checkpoint every this many updates (0: never)")
          .real("max_wall_time", 0.0, {.min = 0},
                "seconds of training (over all attempts of the run) after which it stops cleanly, evaluates the "
                "best parameters so far and is marked budget_limited (0: no limit)")
          .keeps_ids_at_default()
          .integer("log_test_every", 0, {.min = 0},
                   "log the test NLL (or loss) every this many epochs, a learning curve for reports; model selection "
                   "never reads it (0: off)")
          .keeps_ids_at_default();
  return s;
}

const Schema& eval_schema() {
  static const Schema s = Schema()
                              .integer("batch_size", 1000, {.min = 1, .max = 1e7}, "examples per evaluation batch")
                              .integer("samples", 0, {.min = 0, .max = 1e7},
                                       "samples to draw and store in /arrays/samples (models that can sample)");
  return s;
}

TrainConfig read_train_config(const Params& p) {
  TrainConfig c;
  c.optimizer.name = p.get_string("optimizer");
  c.optimizer.lr = p.get_float("lr");
  c.optimizer.momentum = p.get_float("momentum");
  c.optimizer.beta1 = p.get_float("beta1");
  c.optimizer.beta2 = p.get_float("beta2");
  c.optimizer.eps = p.get_float("eps");
  c.optimizer.decay = p.get_float("rms_decay");
  c.optimizer.weight_decay = p.get_float("weight_decay");
  c.schedule.name = p.get_string("schedule");
  c.schedule.base_lr = c.optimizer.lr;
  c.schedule.gamma = p.get_float("gamma");
  c.schedule.step_epochs = p.get_int("step_epochs");
  c.schedule.min_lr = p.get_float("min_lr");
  c.schedule.warmup_steps = p.get_int("warmup_steps");
  c.batch_size = p.get_int("batch_size");
  c.epochs = p.get_int("epochs");
  c.clip_norm = p.get_float("clip_norm");
  c.patience = p.get_int("patience");
  c.valid_every = p.get_int("valid_every");
  c.checkpoint_every = p.get_int("checkpoint_every");
  c.max_wall_time = p.get_float("max_wall_time");
  c.log_test_every = p.get_int("log_test_every");
  return c;
}

EvalConfig read_eval_config(const Params& p) {
  EvalConfig c;
  c.batch_size = p.get_int("batch_size");
  c.samples = p.get_int("samples");
  return c;
}

}  // namespace genlab
