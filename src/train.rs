//! The Trainer: the only stateful driver. It owns the data (after the configured faults), the model,
//! the optimizer and the running figures, and advances in steps so a caller can interleave it with
//! anything else (the page's worker trains in chunks of a few tens of milliseconds).

use crate::config::{Apply, Config, ConfigError, DataSource, ImbKind, NoiseKindKey};
use crate::data::augment::Augment;
use crate::data::faults::{apply_label_noise, imbalance_indices, Imbalance, NoiseKind};
use crate::data::{fill_batch, Dataset, CLASSES, PIXELS};
use crate::layers::loss::{argmax_rows, softmax_cross_entropy};
use crate::metrics::{grad_norms, layer_stats, Confusion, LayerStats};
use crate::model::Model;
use crate::optim::Optimizer;
use crate::rng::{streams, Rng};

/// Figures of the steps taken by one `Trainer::step` call.
#[derive(Clone, Debug, Default)]
pub struct StepReport {
    /// Mean batch loss of each step (before its update).
    pub loss: Vec<f32>,
    /// Batch accuracy of each step, 0..1.
    pub acc: Vec<f32>,
    /// Mean loss over the batch's clean / label-corrupted samples; NaN when the batch had none.
    pub clean_loss: Vec<f32>,
    pub noisy_loss: Vec<f32>,
    /// Gradient norm of every parameterised layer, step-major: steps × layers.
    pub grad_norms: Vec<f32>,
    /// True when the last step finished an epoch (the call stops there so the caller can evaluate).
    pub epoch_done: bool,
}

/// Figures of one finished epoch, accumulated over its training batches.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochSummary {
    /// 1-based number of the finished epoch.
    pub epoch: usize,
    pub train_loss: f32,
    pub train_acc: f32,
    /// On samples whose label is intact / was corrupted by label noise (NaN when there are none).
    pub clean_loss: f32,
    pub clean_acc: f32,
    pub noisy_loss: f32,
    pub noisy_acc: f32,
}

/// Figures of one pass over the validation split.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalReport {
    pub loss: f32,
    pub acc: f32,
    pub recall: [f32; CLASSES],
    pub confusion: Confusion,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Running,
    /// Training stopped at this step (1-based): the loss or a gradient became NaN or infinite, or the
    /// loss exploded past `DIVERGENCE_FACTOR` times its starting value.
    Diverged {
        step: u64,
        message: String,
    },
}

#[derive(Default, Clone, Copy)]
struct Acc {
    loss: f64,
    correct: u64,
    n: u64,
}

impl Acc {
    fn add(&mut self, loss: f32, correct: bool) {
        self.loss += loss as f64;
        self.correct += correct as u64;
        self.n += 1;
    }
    fn mean(&self) -> (f32, f32) {
        if self.n == 0 {
            (f32::NAN, f32::NAN)
        } else {
            (
                (self.loss / self.n as f64) as f32,
                (self.correct as f64 / self.n as f64) as f32,
            )
        }
    }
}

/// A loss this many times the first step's loss (or ln 10, whichever is larger) counts as divergence.
pub const DIVERGENCE_FACTOR: f32 = 1000.0;

/// Evaluate in batches of at most this many samples (bounds the layer buffers).
const EVAL_BATCH: usize = 64;

pub struct Trainer {
    cfg: Config,
    model: Model,
    opt: Optimizer,
    train: Dataset,
    corrupted: Vec<bool>,
    val: Dataset,
    aug: Augment,
    order: Vec<usize>,
    pos: usize,
    epoch: usize,
    step: u64,
    order_rng: Rng,
    aug_rng: Rng,
    x: Vec<f32>,
    y: Vec<u8>,
    ep_all: Acc,
    ep_clean: Acc,
    ep_noisy: Acc,
    last_epoch: Option<EpochSummary>,
    eval_pos: usize,
    eval_acc: Acc,
    eval_conf: Confusion,
    last_eval: Option<EvalReport>,
    last_update: Vec<f32>,
    last_batch: usize,
    first_loss: Option<f32>,
    status: Status,
}

impl Trainer {
    /// Build from a configuration: apply the data faults (training split only), initialise the model.
    /// `train` and `test` are the loaded splits; `train_n` and `val_n` are capped at their sizes.
    pub fn new(cfg: Config, train: &Dataset, test: &Dataset) -> Result<Trainer, ConfigError> {
        let model = Model::from_config(&cfg)?;
        if train.is_empty() || test.is_empty() {
            return Err(ConfigError(
                "no data is loaded: the training or validation split is empty".into(),
            ));
        }
        let base = train.take(cfg.train_n);
        let imbalance = match cfg.imb {
            ImbKind::None => Imbalance::None,
            ImbKind::Classes => Imbalance::Classes {
                classes: cfg.imb_classes.clone(),
                keep: cfg.imb_keep,
            },
            ImbKind::LongTail => Imbalance::LongTail {
                ratio: cfg.imb_ratio,
            },
        };
        let mut data = match imbalance {
            Imbalance::None => base,
            _ => {
                let idx = imbalance_indices(
                    &base.labels,
                    &imbalance,
                    &mut Rng::stream(cfg.seed, streams::IMBALANCE),
                );
                base.select(&idx)
            }
        };
        let kind = match cfg.noise_kind {
            NoiseKindKey::Uniform => NoiseKind::Uniform,
            NoiseKindKey::Pairs => NoiseKind::Pairs,
        };
        let corrupted = apply_label_noise(
            &mut data.labels,
            cfg.noise / 100.0,
            kind,
            &mut Rng::stream(cfg.seed, streams::NOISE),
        );
        let val = test.take(cfg.val_n);
        let n = data.len();
        Ok(Trainer {
            opt: Optimizer::new(cfg.optim),
            aug: cfg.aug.clone(),
            order: (0..n).collect(),
            order_rng: Rng::stream(cfg.seed, streams::ORDER),
            aug_rng: Rng::stream(cfg.seed, streams::AUGMENT),
            cfg,
            model,
            train: data,
            corrupted,
            val,
            pos: 0,
            epoch: 0,
            step: 0,
            x: Vec::new(),
            y: Vec::new(),
            ep_all: Acc::default(),
            ep_clean: Acc::default(),
            ep_noisy: Acc::default(),
            last_epoch: None,
            eval_pos: 0,
            eval_acc: Acc::default(),
            eval_conf: Confusion::default(),
            last_eval: None,
            last_update: Vec::new(),
            last_batch: 0,
            first_loss: None,
            status: Status::Running,
        })
    }

    /// Train up to `n` mini-batches. Stops early at the end of an epoch or when training diverges.
    pub fn step(&mut self, n: usize) -> StepReport {
        let mut r = StepReport::default();
        let layers = self.model.param_layer_names().len();
        for _ in 0..n {
            if self.status != Status::Running {
                break;
            }
            if self.pos == 0 {
                self.order_rng.shuffle(&mut self.order);
                self.ep_all = Acc::default();
                self.ep_clean = Acc::default();
                self.ep_noisy = Acc::default();
            }
            let end = (self.pos + self.cfg.batch).min(self.order.len());
            let bs = end - self.pos;
            self.x.resize(bs * PIXELS, 0.0);
            self.y.resize(bs, 0);
            let idx = &self.order[self.pos..end];
            fill_batch(
                &self.train,
                idx,
                &self.aug,
                &mut self.aug_rng,
                &mut self.x,
                &mut self.y,
            );
            let logits = self.model.forward(&self.x, bs, true);
            let (loss, dlogits, per) = softmax_cross_entropy(&logits, &self.y, CLASSES);
            let step_no = self.step + 1;
            let first = *self.first_loss.get_or_insert(loss);
            // A dead network can keep a huge loss finite for ever (every ReLU off, logits frozen), so
            // an explosion past 1000× the starting loss also counts as divergence, not only NaN/∞.
            let limit = DIVERGENCE_FACTOR * first.max(std::f32::consts::LN_10);
            if !loss.is_finite() || loss > limit {
                let message = if loss.is_finite() {
                    format!(
                        "the loss exploded to {loss:.4e} at step {step_no}, over {DIVERGENCE_FACTOR}× its starting value {first:.3}"
                    )
                } else {
                    format!("the loss became {loss} at step {step_no}")
                };
                self.status = Status::Diverged {
                    step: step_no,
                    message,
                };
                break;
            }
            self.model.zero_grad();
            self.model.backward_params(&dlogits);
            let gn = grad_norms(&self.model);
            if let Some(bad) = gn.iter().position(|g| !g.is_finite()) {
                let name = &self.model.param_layer_names()[bad];
                self.status = Status::Diverged {
                    step: step_no,
                    message: format!(
                        "the gradient of {name} became {} at step {step_no}",
                        gn[bad]
                    ),
                };
                break;
            }
            self.last_update = self.opt.step(&mut self.model.params_mut());
            self.last_batch = bs;
            self.step = step_no;
            let pred = argmax_rows(&logits, CLASSES);
            let (mut clean, mut noisy, mut correct) = (Acc::default(), Acc::default(), 0usize);
            for (j, &i) in idx.iter().enumerate() {
                let ok = pred[j] == self.y[j];
                correct += ok as usize;
                self.ep_all.add(per[j], ok);
                if self.corrupted.get(i).copied().unwrap_or(false) {
                    noisy.add(per[j], ok);
                    self.ep_noisy.add(per[j], ok);
                } else {
                    clean.add(per[j], ok);
                    self.ep_clean.add(per[j], ok);
                }
            }
            r.loss.push(loss);
            r.acc.push(correct as f32 / bs as f32);
            r.clean_loss.push(clean.mean().0);
            r.noisy_loss.push(noisy.mean().0);
            debug_assert_eq!(gn.len(), layers);
            r.grad_norms.extend_from_slice(&gn);
            self.pos = end;
            if self.pos >= self.order.len() {
                self.pos = 0;
                self.epoch += 1;
                let (tl, ta) = self.ep_all.mean();
                let (cl, ca) = self.ep_clean.mean();
                let (nl, na) = self.ep_noisy.mean();
                self.last_epoch = Some(EpochSummary {
                    epoch: self.epoch,
                    train_loss: tl,
                    train_acc: ta,
                    clean_loss: cl,
                    clean_acc: ca,
                    noisy_loss: nl,
                    noisy_acc: na,
                });
                r.epoch_done = true;
                break;
            }
        }
        r
    }

    /// Evaluate the next `count` validation samples; true when the pass is complete
    /// (the report is then in `eval_report`). A new pass starts after a complete one.
    pub fn eval_chunk(&mut self, count: usize) -> bool {
        if self.eval_pos == 0 {
            self.eval_acc = Acc::default();
            self.eval_conf = Confusion::default();
        }
        let end = (self.eval_pos + count.max(1)).min(self.val.len());
        while self.eval_pos < end {
            let stop = (self.eval_pos + EVAL_BATCH).min(end);
            let bs = stop - self.eval_pos;
            let idx: Vec<usize> = (self.eval_pos..stop).collect();
            let mut x = vec![0.0; bs * PIXELS];
            let mut y = vec![0; bs];
            // Validation images are never augmented.
            fill_batch(
                &self.val,
                &idx,
                &Augment::default(),
                &mut self.aug_rng.clone(),
                &mut x,
                &mut y,
            );
            let logits = self.model.forward(&x, bs, false);
            let (_, _, per) = softmax_cross_entropy(&logits, &y, CLASSES);
            for ((&p, &t), &l) in argmax_rows(&logits, CLASSES).iter().zip(&y).zip(&per) {
                self.eval_acc.add(l, p == t);
                self.eval_conf.add(t, p);
            }
            self.eval_pos = stop;
        }
        if self.eval_pos >= self.val.len() {
            let (loss, acc) = self.eval_acc.mean();
            self.last_eval = Some(EvalReport {
                loss,
                acc,
                recall: self.eval_conf.recall(),
                confusion: self.eval_conf.clone(),
                count: self.eval_acc.n as usize,
            });
            self.eval_pos = 0;
            true
        } else {
            false
        }
    }

    /// A whole validation pass at once.
    pub fn evaluate(&mut self) -> EvalReport {
        self.eval_pos = 0;
        while !self.eval_chunk(EVAL_BATCH) {}
        self.last_eval
            .clone()
            .expect("a complete pass leaves a report")
    }

    /// Change a live setting (optimizer and its hyperparameters); it applies at the next step.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        match Config::apply_kind(key) {
            Some(Apply::Live) => {
                self.cfg.set(key, value)?;
                self.opt.set_settings(self.cfg.optim);
                Ok(())
            }
            Some(Apply::Reset) => Err(ConfigError(format!(
                "{key} changes the network or the data, so it needs a reset (rebuild from the seed)"
            ))),
            None => Err(ConfigError(format!("unknown setting \"{key}\""))),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }
    pub fn model(&self) -> &Model {
        &self.model
    }
    pub fn status(&self) -> &Status {
        &self.status
    }
    pub fn last_epoch(&self) -> Option<&EpochSummary> {
        self.last_epoch.as_ref()
    }
    pub fn last_eval(&self) -> Option<&EvalReport> {
        self.last_eval.as_ref()
    }
    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.step
    }
    /// Finished epochs.
    pub fn epoch(&self) -> usize {
        self.epoch
    }
    /// Steps into the current epoch and steps per epoch.
    pub fn epoch_progress(&self) -> (usize, usize) {
        let b = self.cfg.batch;
        (self.pos.div_ceil(b), self.order.len().div_ceil(b))
    }
    pub fn train_set(&self) -> &Dataset {
        &self.train
    }
    pub fn val_set(&self) -> &Dataset {
        &self.val
    }
    pub fn corrupted_count(&self) -> usize {
        self.corrupted.iter().filter(|&&c| c).count()
    }
    pub fn is_synthetic(&self) -> bool {
        self.train.synthetic || self.cfg.data == DataSource::Synthetic
    }
    pub fn layer_stats(&self) -> Vec<LayerStats> {
        layer_stats(&self.model, &self.last_update, self.last_batch)
    }
}
