//! The Trainer: the only stateful driver. It owns the data (after the configured faults), the model,
//! the optimizer and the running figures, and advances in steps so a caller can interleave it with
//! anything else (the page's worker trains in chunks of a few tens of milliseconds).

use crate::config::{
    Apply, ClassWeight, Config, ConfigError, DataSource, LrSchedule, Pixels, Switch, ValPre,
};
use crate::data::augment::Augment;
use crate::data::{
    augment_into, duplicates_in, fill_batch, prepare, to_grey, to_raw_pixels, Applied, Dataset,
    Prepared, CLASSES, MNIST_MEAN, MNIST_STD, PIXELS,
};
use crate::diagnose::{
    Duplicates, EpochFigures, Finding, InputStats, NonFinite, Observations, Pass, SampleLoss,
};
use crate::layers::loss::{balanced_class_weights, scaled_loss, softmax};
use crate::metrics::{layer_stats, Confusion, LayerStats};
use crate::model::Model;
use crate::optim::Optimizer;

mod acthist;
mod activations;
mod advance;
mod batches;
mod early_stop;
mod epoch;
mod evaluate;
mod final_test;
mod lrfind;
mod monitor;
mod overfit;
mod parallel;
mod predictions;
mod scan;
mod sharpness;
mod start;
mod step;
pub use acthist::{
    ActHistory, Binning, LayerHistory, ACT_HIST_COLUMNS, ACT_HIST_EVERY, LINEAR_ROWS, LOG2_MAX,
    LOG2_MIN,
};
pub use activations::{channel_states, Activations, ChannelState, LayerMaps, FLAT_SHARE};
pub use advance::Event;
use batches::BatchStream;
use early_stop::EarlyStop;
use epoch::{Acc, EpochStats};
use evaluate::Evaluator;
pub use evaluate::{shuffled_order, PartialEval, PARTIAL_MIN};
pub use final_test::TestReport;
pub use lrfind::{suggest, valley_index, LrFindOptions, LrFindReport, Suggestions};
use monitor::Monitor;
pub use overfit::{
    OverfitReport, BLANK_IMAGES, BLANK_SETTLED, BLANK_STEPS, DEFAULT_IMAGES, DEFAULT_STEPS,
    FITTED_LOSS,
};
pub use parallel::{GradientWorker, Peer, Share};
pub use predictions::{pick, Predictions, LEARNING_RISE, PREDICTION_IMAGES};
use scan::LossScan;
pub use sharpness::{
    fd_hvp, line_minimum, power_iteration, stability_threshold, top_eigenvalue, SharpnessPoint,
    StepLine, FIRST_ITERATIONS, LINE_FROM, LINE_POINTS, LINE_TO, SHARPNESS_EVERY, SHARPNESS_IMAGES,
    WARM_ITERATIONS,
};
pub use start::{StartLevel, StartReading, AT_CHANCE, FAR_ABOVE_CHANCE};
use step::{train_step, Rule, Source, StepEnd, StepOutcome};

/// Figures of the steps taken by one `Trainer::step` call.
#[derive(Clone, Debug, Default)]
pub struct StepReport {
    /// Batch loss of each step (before its update): the loss that is optimised, so with
    /// `class_weight = balanced` the class-weighted mean (the per-sample figures below and the
    /// epoch's training loss stay unweighted).
    pub loss: Vec<f32>,
    /// Batch accuracy of each step, 0..1.
    pub acc: Vec<f32>,
    /// Mean loss over the batch's clean / label-corrupted samples; NaN when the batch had none.
    pub clean_loss: Vec<f32>,
    pub noisy_loss: Vec<f32>,
    /// Gradient norm of every parameterised layer's weights (kernel only, biases left out; see
    /// `metrics::kernel_grad_norms`), step-major: steps × layers (before clipping).
    pub grad_norms: Vec<f32>,
    /// Whether each step's gradient was clipped (`clip`).
    pub clipped: Vec<bool>,
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
    /// Share of the epoch's steps whose gradient was clipped (0 with clipping off).
    pub clip_frac: f32,
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
    /// Early stopping: after the validation pass of `epoch` the validation loss had not improved for
    /// `early_stop` epochs since its best, at `best_epoch`. A normal end of training, not a failure.
    Stopped {
        epoch: usize,
        best_epoch: usize,
        message: String,
    },
}

/// A loss this many times the first step's loss (or ln 10, whichever is larger) counts as divergence.
pub const DIVERGENCE_FACTOR: f32 = 1000.0;

/// Evaluate in batches of at most this many samples (bounds the layer buffers).
const EVAL_BATCH: usize = 64;

/// The diagnosis reads per-layer statistics and input statistics of the untrained net's first step
/// and then every this many steps (one pass over the parameters and the cached activations, about
/// the cost of a tenth of a step).
pub const LAYERS_EVERY: u64 = 50;
/// The diagnosis runs after this many steps (enough for the rules that read the first steps), then
/// every `DIAGNOSE_EVERY` steps, at each complete validation pass and when training stops.
pub const DIAGNOSE_FIRST: u64 = 20;
pub const DIAGNOSE_EVERY: u64 = 200;
/// Training samples the diagnosis follows: their loss on the clean (un-augmented) image with the
/// label they are trained on, after each validation pass (about 2.5% of an epoch of 10k samples).
pub const PROBE: usize = 256;

/// The latest diagnosis and when it was made.
#[derive(Clone, Debug)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    /// Steps taken and finished epochs when it was made.
    pub step: u64,
    pub epoch: usize,
    /// Increases by one each time the diagnosis is made again.
    pub serial: u64,
    /// Checked against the injected label-noise mask (which the diagnosis itself never sees): of the
    /// probe samples with the highest loss (the top tenth), the share whose label was corrupted, and
    /// the share of corrupted labels among all probe samples. None without label noise.
    pub noise_check: Option<NoiseCheck>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NoiseCheck {
    pub top: usize,
    pub corrupted_in_top: f32,
    pub corrupted_overall: f32,
}

/// The last training batch as the network saw it (`Trainer::batch_view`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchView {
    /// Training-set indices of the samples shown, in batch order.
    pub index: Vec<usize>,
    /// count × 784 grey levels: the network input mapped back to 0..=255 (clamped).
    pub images: Vec<u8>,
    /// The label each sample is trained on, and its label before label noise.
    pub labels: Vec<u8>,
    pub true_labels: Vec<u8>,
    pub corrupted: Vec<bool>,
    /// What augmentation did to each sample.
    pub applied: Vec<Applied>,
}

/// One training sample of a loss scan (`Trainer::loss_scan_report`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScanItem {
    /// Index in the training set.
    pub index: usize,
    /// The label it is trained on, and its label before label noise.
    pub label: u8,
    pub true_label: u8,
    /// The predicted digit and its softmax probability.
    pub predicted: u8,
    pub prob: f32,
    /// Cross-entropy against the label it is trained on.
    pub loss: f32,
    pub corrupted: bool,
}

/// The highest-loss training samples of a complete scan.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanReport {
    /// Highest loss first.
    pub items: Vec<ScanItem>,
    /// Share of corrupted labels among `items`, and in the whole training set.
    pub corrupted_share_top: f32,
    pub corrupted_share_all: f32,
}

pub struct Trainer {
    cfg: Config,
    model: Model,
    opt: Optimizer,
    train: Dataset,
    corrupted: Vec<bool>,
    /// Training labels before label noise (`train.labels` holds the ones trained on).
    true_labels: Vec<u8>,
    val: Dataset,
    aug: Augment,
    /// The epoch's order, the RNG streams and the last batch drawn (src/train/batches.rs).
    batches: BatchStream,
    epoch: usize,
    step: u64,
    x: Vec<f32>,
    y: Vec<u8>,
    epoch_stats: EpochStats,
    /// Per-class weights of `class_weight = balanced`, from the training labels as trained on.
    class_weights: Vec<f32>,
    early_stop: EarlyStop,
    eval: Evaluator,
    last_update: Vec<f32>,
    last_batch: usize,
    first_loss: Option<f32>,
    status: Status,
    /// The observations, the probe and the diagnosis (src/train/monitor.rs).
    monitor: Monitor,
    /// Layer statistics of the last training step, kept by the first clean forward pass after it
    /// (validation, probe, loss scan), which replaces the activations they are read from; cleared
    /// by the next step.
    held_stats: Option<Vec<LayerStats>>,
    scan: LossScan,
    /// A learning-rate range test under way, and the last finished one (src/train/lrfind.rs).
    lr_find: Option<lrfind::LrFind>,
    lr_found: Option<LrFindReport>,
    /// "Overfit one batch" under way, and the last finished one.
    overfit: Option<overfit::Overfit>,
    overfitted: Option<OverfitReport>,
    /// A data-parallel step or validation chunk whose second half is with the other worker
    /// (src/train/parallel.rs).
    split: Option<parallel::Split>,
    split_eval: Option<parallel::EvalSplit>,
    /// `advance` is running the validation pass that follows an epoch's end.
    validating: bool,
    /// The epoch whose weights early stopping restored (the network holds them), if it did.
    restored: Option<usize>,
    /// The final test pass under way (`test_chunk`) and the report of the last complete one.
    final_test: Evaluator,
    /// Steps and `weights_epoch` of the last complete test pass.
    tested: Option<(u64, Option<usize>)>,
    /// The watched digits' probabilities at the last validation pass, or at the start
    /// (src/train/predictions.rs).
    watched: Option<Predictions>,
    /// The stability meter and the weights before the last update (src/train/sharpness.rs).
    meter: sharpness::Meter,
    /// Every activation's histogram over training (src/train/acthist.rs).
    act_hist: acthist::ActHistory,
}

impl Trainer {
    /// Build from a configuration: apply the data faults (training split only), initialise the model.
    /// `train` and `test` are the loaded splits; `train_n` and `val_n` are capped at their sizes.
    pub fn new(cfg: Config, train: &Dataset, test: &Dataset) -> Result<Trainer, ConfigError> {
        let model = Model::from_config(&cfg)?;
        let Prepared {
            train: data,
            val,
            true_labels,
            corrupted,
        } = prepare(&cfg, train, test)?;
        let n = data.len();
        let mut obs = Observations::new(
            crate::observe::diagnosis_layers(&model),
            data.class_counts().to_vec(),
            n.div_ceil(cfg.batch),
            cfg.batch,
        );
        obs.optimizer = Some(crate::observe::optimizer_family(cfg.optim.kind));
        obs.val_duplicates = Some(Duplicates {
            found: duplicates_in(&val, &data) as u32,
            checked: val.len() as u32,
        });
        // After imbalance and label noise: the counts the loss actually sees.
        let class_weights = balanced_class_weights(&data.class_counts());
        let cfg_wiring = cfg.loss_wiring;
        let eval = Evaluator::shuffled(cfg_wiring, val.len());
        Ok(Trainer {
            opt: Optimizer::new(cfg.optim),
            aug: cfg.aug.clone(),
            batches: BatchStream::new(cfg.seed, n, cfg.shuffle == Switch::On),
            cfg,
            model,
            train: data,
            corrupted,
            true_labels,
            val,
            epoch: 0,
            step: 0,
            x: Vec::new(),
            y: Vec::new(),
            epoch_stats: EpochStats::default(),
            class_weights,
            early_stop: EarlyStop::default(),
            eval,
            last_update: Vec::new(),
            last_batch: 0,
            first_loss: None,
            status: Status::Running,
            monitor: Monitor::new(obs, n),
            held_stats: None,
            scan: LossScan::default(),
            lr_find: None,
            lr_found: None,
            overfit: None,
            overfitted: None,
            split: None,
            split_eval: None,
            validating: false,
            restored: None,
            final_test: Evaluator::new(cfg_wiring),
            tested: None,
            watched: None,
            meter: sharpness::Meter::new(),
            act_hist: acthist::ActHistory::new(),
        })
    }

    /// Train up to `n` mini-batches. Stops early at the end of an epoch or when training diverges.
    pub fn step(&mut self, n: usize) -> StepReport {
        let mut r = StepReport::default();
        for _ in 0..n {
            if self.status != Status::Running {
                break;
            }
            self.sharpness_tick();
            let bs = self.begin_batch();
            // The weighted loss is the one optimised and reported; `per` stays unweighted, for the
            // clean/noisy split and the epoch's training loss.
            let out = self.step_on(None);
            self.held_stats = None;
            if self.finish_step(&mut r, out, bs) {
                break;
            }
        }
        r
    }

    /// Draws the next mini-batch into `self.x` / `self.y` (shuffling at an epoch's start, augmenting,
    /// scaling) and returns its size. The same draws whether one worker trains it or two share it.
    /// `train_step` on the current batch (`self.x`, `self.y`) with the rule of the next step and the
    /// divergence check wired to this run's status and observations. `joined`: the batch's gradient is
    /// already in the model (the two-core step), with every sample's loss and predicted digit.
    fn step_on(&mut self, joined: Option<(Vec<f32>, Vec<u8>)>) -> StepOutcome {
        let rule = step_rule(
            &self.cfg,
            &self.class_weights,
            self.step + 1,
            self.epoch_progress().1,
        );
        let (step, first_loss, obs, status) = (
            self.step,
            &mut self.first_loss,
            &mut self.monitor.obs,
            &mut self.status,
        );
        // The weights before this update, for the loss along the last step (kept once it is applied).
        let mut before = std::mem::take(&mut self.meter.pending);
        self.model.params_into(&mut before);
        let (x, y) = (&self.x, &self.y);
        let source = match joined {
            None => Source::Batch { x, y },
            Some((per, pred)) => Source::Joined { y, per, pred },
        };
        let out = train_step(
            &mut self.model,
            &mut self.opt,
            source,
            &rule,
            |model, loss, pred| {
                let verdict = diverged(model, x, y, step, first_loss, obs, loss, pred);
                verdict.map(|s| *status = s).is_some()
            },
        );
        self.meter.pending = before;
        if matches!(out.end, StepEnd::Updated { .. }) {
            self.meter.applied(step + 1, &self.x, &self.y);
        }
        out
    }

    fn begin_batch(&mut self) -> usize {
        let (bs, starts) = self.batches.draw(
            &self.train,
            self.cfg.batch,
            &self.aug,
            self.cfg.pixels,
            &mut self.x,
            &mut self.y,
        );
        if starts {
            self.epoch_stats.start();
        }
        bs
    }

    /// Everything after a step (`train_step`): on a refused batch (divergence) the diagnosis is made
    /// again; otherwise the gradient check, the step's and the epoch's figures. `act_rows` is how many
    /// of the batch's samples the model's activations hold (all of them, or this worker's share).
    /// True when the caller must stop: the run diverged or the epoch ended.
    fn finish_step(&mut self, r: &mut StepReport, out: StepOutcome, act_rows: usize) -> bool {
        let StepOutcome {
            loss,
            per,
            pred,
            end,
        } = out;
        let bs = pred.len();
        let layers = self.model.param_layer_names().len();
        let acc = pred.iter().zip(&self.y).filter(|(p, t)| p == t).count() as f32 / bs as f32;
        let step_no = self.step + 1;
        let (gn, clipped, update) = match end {
            StepEnd::Refused => {
                self.rediagnose();
                return true;
            }
            StepEnd::BadGradient { norms: gn } => {
                let bad = gn.iter().position(|g| !g.is_finite()).unwrap_or(0);
                let names = self.model.param_layer_names();
                let name = &names[bad];
                // The backward pass runs from the output: the last non-finite layer in forward
                // order is where it first appeared.
                let first_back = gn.iter().rposition(|g| !g.is_finite()).unwrap_or(bad);
                self.monitor
                    .obs
                    .record_step(loss, acc, distinct_labels(&self.y));
                self.monitor.obs.record_non_finite(NonFinite {
                    step: self.step,
                    layer: Some(names[first_back].clone()),
                    pass: Some(Pass::Backward),
                });
                self.status = Status::Diverged {
                    step: step_no,
                    message: format!(
                        "the gradient of {name} became {} at step {step_no}",
                        gn[bad]
                    ),
                };
                self.rediagnose();
                return true;
            }
            StepEnd::Updated {
                kernel_norms,
                clipped,
                update,
            } => (kernel_norms, clipped, update),
        };
        self.last_update = update;
        self.last_batch = act_rows;
        self.step = step_no;
        let (mut clean, mut noisy) = (Acc::default(), Acc::default());
        for (j, &i) in self.batches.last().iter().enumerate() {
            let ok = pred[j] == self.y[j];
            let corrupted = self.corrupted.get(i).copied().unwrap_or(false);
            self.epoch_stats.add_sample(per[j], ok, corrupted);
            if corrupted {
                noisy.add(per[j], ok);
            } else {
                clean.add(per[j], ok);
            }
        }
        r.loss.push(loss);
        r.acc.push(acc);
        self.monitor
            .obs
            .record_step(loss, acc, distinct_labels(&self.y));
        let idx0 = step_no - 1;
        let periodic = Monitor::layers_due(step_no);
        if periodic {
            self.monitor.obs.input = Some(InputStats::of(&self.x));
        }
        // Every `LAYERS_EVERY` steps and at each epoch's last step, before a validation pass
        // replaces the activations; one snapshot when both fall on the same step.
        if periodic || self.batches.last_ends_epoch() {
            self.monitor.obs.record_layers(idx0, bs, self.layer_stats());
        }
        if self.act_hist.due(step_no) {
            self.act_hist.record(step_no, &self.model);
        }
        r.clean_loss.push(clean.mean().0);
        r.noisy_loss.push(noisy.mean().0);
        debug_assert_eq!(gn.len(), layers);
        r.grad_norms.extend_from_slice(&gn);
        r.clipped.push(clipped);
        self.epoch_stats.add_step(clipped);
        if self.batches.consume() {
            self.epoch += 1;
            let e = self.epoch_stats.finish(self.epoch);
            let (tl, ta) = (e.train_loss, e.train_acc);
            // The validation figures follow when that pass completes.
            self.monitor.obs.record_epoch(EpochFigures {
                train_loss: tl,
                train_acc: ta,
                val_loss: f32::NAN,
                val_acc: f32::NAN,
            });
            r.epoch_done = true;
            return true;
        }
        if Monitor::diagnosis_due(step_no) {
            self.rediagnose();
        }
        false
    }

    /// Evaluate the next `count` validation samples; true when the pass is complete
    /// (the report is then in `eval_report`). A new pass starts after a complete one.
    pub fn eval_chunk(&mut self, count: usize) -> bool {
        self.eval.begin();
        let end = (self.eval.pos + count.max(1)).min(self.val.len());
        while self.eval.pos < end {
            let stop = (self.eval.pos + EVAL_BATCH).min(end);
            // Validation images are never augmented.
            let (logits, y) = self.pass_logits(self.eval.pos, stop);
            self.eval.add(&logits, &y);
            self.eval.pos = stop;
        }
        self.eval_complete()
    }

    /// Ends the pass when every validation sample is counted: the report, then `after_validation`.
    fn eval_complete(&mut self) -> bool {
        match self.eval.complete(self.val.len()) {
            Some(r) => {
                let (loss, acc) = (r.loss, r.acc);
                self.after_validation(loss, acc);
                true
            }
            None => false,
        }
    }

    /// The first `n` samples of the last training batch exactly as they entered the network (after
    /// augmentation), with the labels they were trained on. Empty before the first step.
    ///
    /// The images are `self.x`, the very input of that step; what augmentation did to each is learnt
    /// by replaying it from a clone of the RNG saved before the batch was filled, so the training
    /// RNG stream is untouched and the same seed still gives the same curve.
    pub fn batch_view(&self, n: usize) -> BatchView {
        let count = n.min(self.batches.last().len()).min(self.x.len() / PIXELS);
        let mut v = BatchView::default();
        let mut rng = self.batches.replay_rng();
        let mut scratch = [0.0f32; PIXELS];
        let identity = self.aug.is_identity();
        let grey = |p: f32| match self.cfg.pixels {
            Pixels::Unit => to_grey(p),
            Pixels::Raw => p.round().clamp(0.0, 255.0) as u8,
        };
        for (j, &i) in self.batches.last().iter().enumerate() {
            // Replay every sample up to the last one shown: each one's draws move the stream on.
            if j >= count {
                break;
            }
            let applied = if identity {
                Applied::default()
            } else {
                augment_into(self.train.image(i), &mut scratch, &self.aug, &mut rng)
            };
            v.index.push(i);
            v.images.extend(
                self.x[j * PIXELS..(j + 1) * PIXELS]
                    .iter()
                    .map(|&p| grey(p)),
            );
            v.labels.push(self.train.labels[i]);
            v.true_labels.push(self.true_labels[i]);
            v.corrupted.push(self.corrupted[i]);
            v.applied.push(applied);
        }
        v
    }

    /// Labels of the validation split, in file order (`val_logits` takes indices into it).
    pub fn val_labels(&self) -> &[u8] {
        &self.val.labels
    }

    /// Labels of the training set before label noise.
    pub fn true_labels(&self) -> &[u8] {
        &self.true_labels
    }
    /// The injected label-noise mask: true where a training label was corrupted.
    pub fn corrupted_mask(&self) -> &[bool] {
        &self.corrupted
    }

    /// Scan the next `count` training samples: the loss of each on its clean (un-augmented) image
    /// with the label it is trained on, in evaluation mode. True when the pass over the whole
    /// training set is complete (the report is then in `loss_scan_report`); the next call starts a
    /// new pass. It draws no random numbers and leaves the layer statistics of the last training step
    /// readable, so training goes on exactly as if no scan had been made.
    pub fn loss_scan_chunk(&mut self, count: usize) -> bool {
        let n = self.train.len();
        self.scan.begin(n);
        let end = (self.scan.pos + count.max(1)).min(n);
        while self.scan.pos < end {
            let stop = (self.scan.pos + EVAL_BATCH).min(end);
            let idx: Vec<usize> = (self.scan.pos..stop).collect();
            let (logits, y) = self.clean_logits(true, &idx);
            for (z, &t) in logits.chunks(CLASSES).zip(&y) {
                let s = SampleLoss::from_logits(z, t);
                self.scan.push(s.loss, s.predicted, s.confidence);
            }
            self.scan.pos = stop;
        }
        self.scan.complete(n)
    }

    /// The `k` highest-loss samples of the last complete scan (highest first; a NaN loss counts as
    /// the highest), or None before a scan has completed.
    pub fn loss_scan_report(&self, k: usize) -> Option<ScanReport> {
        self.scan
            .report(k, &self.train.labels, &self.true_labels, &self.corrupted)
    }

    /// Class probabilities of one image from outside the data sets (the page's drawing pad), under the
    /// current weights: `image` is 784 grey levels scaled to 0 … 1 (0 = background), row-major as
    /// MNIST. It goes through the input transform of every other pass (standardised as
    /// `normalize_into` does, then `scale_inputs` for `pixels`) and the network in evaluation mode,
    /// like a validation image. It draws no random numbers and changes no training state (the layer
    /// statistics of the last step stay readable, as after a validation pass), so training goes on
    /// exactly as if it had not been called. An image of the wrong size or with a value outside
    /// 0 … 1 is refused with a message.
    pub fn classify(&mut self, image: &[f32]) -> Result<[f32; CLASSES], String> {
        if image.len() != PIXELS {
            return Err(format!(
                "an image to classify has {PIXELS} pixels (28 × 28), not {}",
                image.len()
            ));
        }
        if let Some(i) = image.iter().position(|v| !(0.0..=1.0).contains(v)) {
            return Err(format!(
                "pixel {i} of the image to classify is {}: grey levels must be numbers from 0 to 1",
                image[i]
            ));
        }
        // The same arithmetic as `normalize_into` on a grey level p: (p·(1/255) − mean) / std, so a
        // data-set image given as p·(1/255) reaches the network bit for bit as it does in validation.
        let x: Vec<f32> = image
            .iter()
            .map(|&v| (v - MNIST_MEAN) / MNIST_STD)
            .collect();
        let p = softmax(&self.eval_logits(x, 1));
        Ok(std::array::from_fn(|i| {
            p.get(i).copied().unwrap_or(f32::NAN)
        }))
    }

    /// Logits of validation samples `idx` exactly as the validation pass computes them (clean images,
    /// evaluation mode), for checking other evaluation paths against it.
    pub fn val_logits(&mut self, idx: &[usize]) -> Vec<f32> {
        self.clean_logits(false, idx).0
    }

    /// A whole validation pass at once.
    pub fn evaluate(&mut self) -> EvalReport {
        self.eval.pos = 0;
        while !self.eval_chunk(EVAL_BATCH) {}
        self.eval
            .last()
            .cloned()
            .expect("a complete pass leaves a report")
    }

    /// Change a live setting (`Apply::Live` in `config::SETTINGS`); it applies at the next step.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        match Config::apply_kind(key) {
            Some(Apply::Live) => {
                self.cfg.set(key, value)?;
                self.opt.set_settings(self.cfg.optim);
                self.forget_start();
                // The family, not its values: what the diagnosis may know of the optimizer.
                self.monitor.obs.optimizer =
                    Some(crate::observe::optimizer_family(self.cfg.optim.kind));
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
    /// Everything the diagnosis reads.
    pub fn observations(&self) -> &Observations {
        &self.monitor.obs
    }
    /// The latest diagnosis (made after the first steps, every `DIAGNOSE_EVERY` steps, at each
    /// complete validation pass and when training stops).
    pub fn diagnosis(&self) -> &Diagnosis {
        &self.monitor.diagnosis
    }

    /// Diagnose now from the observations so far.
    pub fn rediagnose(&mut self) -> &Diagnosis {
        self.monitor
            .rediagnose(self.step, self.epoch, &self.corrupted)
    }

    /// A complete validation pass: its figures go to the epoch they follow, its confusion matrix
    /// and the probe samples' losses to the observations, and the diagnosis is made again.
    fn after_validation(&mut self, loss: f32, acc: f32) {
        let current = self.epoch == self.monitor.obs.epochs.len();
        if let Some(e) = self.monitor.obs.epochs.last_mut() {
            if e.val_loss.is_nan() && current {
                e.val_loss = loss;
                e.val_acc = acc;
            }
        }
        let model = &self.model;
        let stop = self
            .early_stop
            .after_validation(self.epoch, loss, self.cfg.early_stop, || {
                model.weights_flat()
            });
        let stopped = match (stop, &self.status) {
            (Some(stop), Status::Running) => {
                self.status = stop;
                true
            }
            _ => false,
        };
        let conf = self.eval.confusion().counts;
        self.monitor.obs.set_confusion(&conf);
        self.monitor.obs.samples.clear();
        let (samples, trained) = self.probe_losses();
        for s in samples {
            self.monitor.obs.record_sample(s);
        }
        self.monitor.obs.probe_trained = trained;
        self.rediagnose();
        self.watch_predictions();
        // The diagnosis above reads the run as trained; what it keeps is the best epoch's weights
        // (Goodfellow et al. 2016, Algorithm 7.1), copied back bit for bit.
        if stopped {
            if let (Some(w), Some(best)) =
                (self.early_stop.best_weights(), self.early_stop.best_epoch())
            {
                self.model
                    .set_weights_flat(w)
                    .expect("the kept weights come from this model");
                self.restored = Some(best);
            }
        }
    }

    /// Logits and labels of samples `idx` of the training (`train`) or validation set, on clean,
    /// un-augmented images in evaluation mode. The first such pass after a training step keeps that
    /// step's layer statistics, whose activations it replaces.
    fn clean_logits(&mut self, train: bool, idx: &[usize]) -> (Vec<f32>, Vec<u8>) {
        if train {
            let (x, y) = self.clean_batch(&self.train, idx);
            return (self.eval_logits(x, idx.len()), y);
        }
        let (x, y) = self.val_batch(idx);
        (self.forward_eval(&x, idx.len()), y)
    }

    /// Logits and labels of the validation pass's positions `from … to` (in its shuffled order,
    /// src/train/evaluate.rs), as `clean_logits` computes them. The first chunk of each pass, as the
    /// network receives it, is kept: the diagnosis compares it with the probe's training images.
    fn pass_logits(&mut self, from: usize, to: usize) -> (Vec<f32>, Vec<u8>) {
        let idx = self.eval.indices(from, to);
        let (x, y) = self.val_batch(&idx);
        if from == 0 {
            self.monitor.obs.val_input = Some(InputStats::of(&x));
        }
        (self.forward_eval(&x, idx.len()), y)
    }

    /// Validation samples `idx` as the network receives them (`clean_batch`, then the validation side's
    /// preprocessing, `val_inputs`) and their labels.
    fn val_batch(&self, idx: &[usize]) -> (Vec<f32>, Vec<u8>) {
        let (mut x, y) = self.clean_batch(&self.val, idx);
        val_inputs(&self.cfg, &mut x);
        (x, y)
    }

    /// Samples `idx` of `set` as un-augmented images (before `scale_inputs`) and their labels: the
    /// batch of every pass that is not a training step (validation, the final test, their two-core
    /// halves). The identity augmentation draws nothing from the throwaway RNG clone.
    fn clean_batch(&self, set: &Dataset, idx: &[usize]) -> (Vec<f32>, Vec<u8>) {
        let mut x = vec![0.0; idx.len() * PIXELS];
        let mut y = vec![0; idx.len()];
        fill_batch(
            set,
            idx,
            &Augment::default(),
            &mut self.batches.scratch_rng(),
            &mut x,
            &mut y,
        );
        (x, y)
    }

    /// Logits of `bs` standardised images in evaluation mode, on the configured pixel scale: the one
    /// forward pass of everything that is not a training step (validation, probe, loss scan,
    /// `classify`). The first such pass after a training step keeps that step's layer statistics,
    /// whose activations it replaces.
    fn eval_logits(&mut self, mut x: Vec<f32>, bs: usize) -> Vec<f32> {
        scale_inputs(self.cfg.pixels, &mut x);
        self.forward_eval(&x, bs)
    }

    /// Logits of `bs` network inputs, already on their scale, in evaluation mode (see `eval_logits`).
    fn forward_eval(&mut self, x: &[f32], bs: usize) -> Vec<f32> {
        self.forward_eval_hold();
        self.model.forward(x, bs, false)
    }

    /// Before an evaluation pass replaces the layers' caches: keep the last step's layer statistics
    /// (once, at the first such pass after a step).
    fn forward_eval_hold(&mut self) {
        if self.held_stats.is_none() {
            self.held_stats = Some(layer_stats(&self.model, &self.last_update, self.last_batch));
        }
    }

    /// Loss of every probe sample on its clean image with the label it is trained on, in evaluation
    /// mode, in probe order: the cross-entropy with what the net predicts, and the run's own loss.
    fn probe_losses(&mut self) -> (Vec<SampleLoss>, Vec<f32>) {
        let mut out = Vec::with_capacity(self.monitor.probe.len());
        let mut trained = Vec::with_capacity(self.monitor.probe.len());
        for k in (0..self.monitor.probe.len()).step_by(EVAL_BATCH) {
            let chunk =
                self.monitor.probe[k..(k + EVAL_BATCH).min(self.monitor.probe.len())].to_vec();
            // As `clean_logits` on the training side, keeping the first chunk's input statistics: the
            // probe's images as the network receives them (no augmentation), the other half of the
            // diagnosis's preprocessing comparison.
            let (mut x, y) = self.clean_batch(&self.train, &chunk);
            scale_inputs(self.cfg.pixels, &mut x);
            if k == 0 {
                self.monitor.obs.probe_input = Some(InputStats::of(&x));
            }
            let logits = self.forward_eval(&x, chunk.len());
            let zeros = vec![0.0; y.len()];
            trained.extend(scaled_loss(self.cfg.loss_wiring, &logits, &y, CLASSES, &zeros).1);
            out.extend(
                logits
                    .chunks(CLASSES)
                    .zip(&y)
                    .map(|(z, &t)| SampleLoss::from_logits(z, t)),
            );
        }
        (out, trained)
    }

    pub fn model(&self) -> &Model {
        &self.model
    }
    pub fn status(&self) -> &Status {
        &self.status
    }
    pub fn last_epoch(&self) -> Option<&EpochSummary> {
        self.epoch_stats.last()
    }
    pub fn last_eval(&self) -> Option<&EvalReport> {
        self.eval.last()
    }
    /// What the validation pass under way has counted so far, as estimates of its figures (None
    /// between passes and before `PARTIAL_MIN` samples; src/train/evaluate.rs).
    pub fn partial_eval(&self) -> Option<PartialEval> {
        self.eval.partial(self.val.len())
    }
    /// The epoch whose validation loss is the lowest so far (the first of equals), if any.
    pub fn best_epoch(&self) -> Option<usize> {
        self.early_stop.best_epoch()
    }
    /// Which epoch's weights the network holds: the best epoch's after early stopping restored them,
    /// else the last finished epoch's (0: untrained) when training stands at an epoch's end, and
    /// None in the middle of an epoch (the weights of step `steps()`).
    pub fn weights_epoch(&self) -> Option<usize> {
        match self.restored {
            Some(e) => Some(e),
            None => (self.epoch_progress().0 == 0).then_some(self.epoch),
        }
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
        self.batches.progress(b)
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
    /// Statistics of every parameterised layer at the last training step. After a clean forward pass
    /// (validation, probe, loss scan) the layers hold its activations, so the statistics it kept
    /// (`clean_logits`) are returned instead.
    /// Every activation's histogram over training so far (src/train/acthist.rs).
    pub fn act_history(&self) -> &ActHistory {
        &self.act_hist
    }
    /// The histograms' cadence in steps from now on (`ACT_HIST_EVERY` by default; 0 switches them off, as
    /// examples/meter_cost.rs does to measure what they cost).
    pub fn set_act_hist_every(&mut self, every: u64) {
        self.act_hist.every = every;
    }
    pub fn layer_stats(&self) -> Vec<LayerStats> {
        match &self.held_stats {
            Some(held) => held.clone(),
            None => layer_stats(&self.model, &self.last_update, self.last_batch),
        }
    }
}

/// The network input on the configured pixel scale, in the one place every pass goes through (the
/// training step after augmentation, and `clean_logits` for validation, the probe and the loss scan).
/// `Raw` undoes the standardisation, so the network sees grey levels 0 … 255 — the input scaling a
/// data pipeline forgot.
fn scale_inputs(pixels: Pixels, x: &mut [f32]) {
    if pixels == Pixels::Raw {
        to_raw_pixels(x);
    }
}

/// How many different labels a batch holds: what an unshuffled, sorted training set gives away.
fn distinct_labels(y: &[u8]) -> u8 {
    let mut seen = [false; CLASSES];
    y.iter()
        .for_each(|&l| seen[(l as usize).min(CLASSES - 1)] = true);
    seen.iter().filter(|&&s| s).count() as u8
}

/// Standardised validation images as the validation side of the pipeline feeds them to the network:
/// as the training images (`scale_inputs`) unless the `val_pre` bug is on. The final test and the
/// probe always take the training side's preprocessing, so the bug shows in the validation figures
/// alone, as it does when only the evaluation script is wrong.
fn val_inputs(cfg: &Config, x: &mut [f32]) {
    match cfg.val_pre {
        ValPre::Same => scale_inputs(cfg.pixels, x),
        ValPre::Raw => to_raw_pixels(x),
        // Standardised v = (q − mean)/std of the grey share q; the inverted image 1 − q gives
        // (1 − 2·mean)/std − v.
        ValPre::Inverted => {
            let c = (1.0 - 2.0 * MNIST_MEAN) / MNIST_STD;
            x.iter_mut().for_each(|v| *v = c - *v);
            scale_inputs(cfg.pixels, x);
        }
        ValPre::Unscaled => x.iter_mut().for_each(|v| *v = *v * MNIST_STD + MNIST_MEAN),
    }
}

/// The class weights the loss uses: `class_weights` with `class_weight = balanced`, else none.
fn loss_weights<'a>(cfg: &Config, class_weights: &'a [f32]) -> Option<&'a [f32]> {
    match cfg.class_weight {
        ClassWeight::None => None,
        ClassWeight::Balanced => Some(class_weights),
    }
}

/// How the run takes its step `step_no` (1-based) of epochs of `spe` steps: its loss, clipping and
/// learning rate.
fn step_rule<'a>(cfg: &Config, class_weights: &'a [f32], step_no: u64, spe: usize) -> Rule<'a> {
    Rule {
        wiring: cfg.loss_wiring,
        weights: loss_weights(cfg, class_weights),
        clip: cfg.clip,
        lr: lr_at(cfg, step_no, spe),
        stop_on_bad_gradient: true,
    }
}

/// The learning rate of step `step_no` (1-based) in epochs of `spe` steps: the set rate, moved by the
/// schedule and ramped by warm-up. Set afresh each step from the configured rate, which stays as set,
/// so a live change of the rate or the schedule applies from the next step.
pub fn lr_at(cfg: &Config, step_no: u64, spe: usize) -> f32 {
    let mut lr = cfg.optim.lr;
    // Steps done before this one, in epochs.
    let done = step_no.saturating_sub(1) as f64 / spe.max(1) as f64;
    let span = cfg.lr_epochs.max(1) as f64;
    match cfg.lr_schedule {
        LrSchedule::Constant => {}
        LrSchedule::Step => {
            if done >= span {
                lr *= 0.1;
            }
        }
        LrSchedule::Cosine => {
            let t = (done / span).min(1.0);
            lr *= (0.5 * (1.0 + (std::f64::consts::PI * t).cos())) as f32;
        }
    }
    // Linear warm-up (Goyal et al. 2017, "Accurate, Large Minibatch SGD", §2.2): step t uses
    // lr·min(1, t/warmup).
    if cfg.warmup > 0 {
        lr *= (step_no as f32 / cfg.warmup as f32).min(1.0);
    }
    lr
}

/// The divergence check on a batch's loss (before any update), for the step after step `step`: the
/// Diverged status, with the step and any non-finite layer recorded in `obs`, when the loss is not
/// finite or exploded past `DIVERGENCE_FACTOR` times the first step's.
#[allow(clippy::too_many_arguments)]
fn diverged(
    model: &mut Model,
    x: &[f32],
    y: &[u8],
    step: u64,
    first_loss: &mut Option<f32>,
    obs: &mut Observations,
    loss: f32,
    pred: &[u8],
) -> Option<Status> {
    let bs = pred.len();
    let acc = pred.iter().zip(y).filter(|(p, t)| p == t).count() as f32 / bs as f32;
    let step_no = step + 1;
    let first = *first_loss.get_or_insert(loss);
    // A dead network can keep a huge loss finite for ever (every ReLU off, logits frozen), so
    // an explosion past 1000× the starting loss also counts as divergence, not only NaN/∞.
    let limit = DIVERGENCE_FACTOR * first.max(std::f32::consts::LN_10);
    if loss.is_finite() && loss <= limit {
        return None;
    }
    obs.record_step(loss, acc, distinct_labels(y));
    if !loss.is_finite() {
        let layer = model
            .first_non_finite_output(x, bs, true)
            .unwrap_or_else(|| "loss".into());
        obs.record_non_finite(NonFinite {
            step,
            layer: Some(layer),
            pass: Some(Pass::Forward),
        });
    }
    let message = if loss.is_finite() {
        format!(
            "the loss exploded to {loss:.4e} at step {step_no}, over {DIVERGENCE_FACTOR}× its starting value {first:.3}"
        )
    } else {
        format!("the loss became {loss} at step {step_no}")
    };
    Some(Status::Diverged {
        step: step_no,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schedules at their edges, in epochs of 100 steps, the set rate 0.1.
    #[test]
    fn schedules_follow_their_formulas() {
        let mut cfg = Config::default();
        cfg.set("lr", "0.1").unwrap();
        cfg.set("lr_epochs", "2").unwrap();
        let at = |cfg: &Config, step| lr_at(cfg, step, 100);
        assert_eq!(at(&cfg, 1000), 0.1);
        cfg.set("lr_schedule", "step").unwrap();
        // Steps 1–200 are epochs 1–2 at the set rate; step 201 starts epoch 3 at a tenth.
        assert_eq!((at(&cfg, 200), at(&cfg, 201)), (0.1, 0.1 * 0.1));
        cfg.set("lr_schedule", "cosine").unwrap();
        assert!((at(&cfg, 1) - 0.1).abs() < 1e-7);
        assert!(
            (at(&cfg, 101) - 0.05).abs() < 1e-6,
            "half-way: half the rate"
        );
        assert!(at(&cfg, 201).abs() < 1e-9 && at(&cfg, 999).abs() < 1e-9);
        // Warm-up ramps whatever the schedule gives.
        cfg.set("lr_schedule", "step").unwrap();
        cfg.set("warmup", "10").unwrap();
        assert!((at(&cfg, 5) - 0.05).abs() < 1e-7);
    }
}
