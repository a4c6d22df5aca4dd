//! The only #[wasm_bindgen] file: a thin handle over the core. No logic of its own beyond turning
//! core results into JS objects. Arrays cross as fresh copies (Float32Array etc.) so the worker can
//! transfer them to the page; errors cross as JS `Error`s carrying the core's message.

use crate::config::{Apply, Config, SETTINGS};
use crate::data::idx::dataset_from_idx;
use crate::data::synthetic::synthetic_digits;
use crate::data::Dataset;
use crate::model::plan;
use crate::train::{
    EpochSummary, EvalReport, Event, GradientWorker, LrFindOptions, Share, Status, StepReport,
    Trainer,
};
use js_sys::{Array, Float32Array, Object, Reflect, Uint32Array, Uint8Array};
use std::sync::Once;
use wasm_bindgen::prelude::*;

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| std::panic::set_hook(Box::new(console_error_panic_hook::hook)));
}

fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    Reflect::set(o, &JsValue::from_str(k), &v.into())
        .expect("setting a property on a plain object");
}

fn num_or_null(v: f32) -> JsValue {
    if v.is_finite() {
        JsValue::from_f64(v as f64)
    } else {
        JsValue::NULL
    }
}

fn num_or_null64(v: f64) -> JsValue {
    if v.is_finite() {
        JsValue::from_f64(v)
    } else {
        JsValue::NULL
    }
}

/// Read a plain JS object {key: value} into a Config; values may be strings, numbers or booleans.
fn config_from_js(obj: &JsValue) -> Result<Config, JsError> {
    let mut cfg = Config::default();
    if obj.is_undefined() || obj.is_null() {
        return Ok(cfg);
    }
    let obj: &Object = obj
        .dyn_ref()
        .ok_or_else(|| JsError::new("the configuration must be an object"))?;
    for entry in Object::entries(obj).iter() {
        let pair: Array = entry.into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let v = pair.get(1);
        let text = if let Some(s) = v.as_string() {
            s
        } else if let Some(f) = v.as_f64() {
            format!("{f}")
        } else if let Some(b) = v.as_bool() {
            (b as u8).to_string()
        } else {
            return Err(JsError::new(&format!("{key}: unsupported value type")));
        };
        cfg.set(&key, &text).map_err(|e| JsError::new(&e.0))?;
    }
    Ok(cfg)
}

/// The default value of every setting, as text: {key: "value"}.
#[wasm_bindgen]
pub fn defaults() -> Object {
    install_hook();
    let o = Object::new();
    for (k, v) in Config::default().pairs() {
        set(&o, k, v);
    }
    o
}

/// The engine's settings table, one object per setting in display order:
/// `{key, kind: 'live'|'reset', type, min, max, def, options, maxLen}`. `type` is the page's name for
/// the value type ('float', 'log', 'int', 'enum', 'ilist', 'digits'); `min`/`max` are null and
/// `options` lists the names for an enum, `options` is null otherwise; `def` is the default as text;
/// `maxLen` is the most entries of a list setting, null otherwise. `scripts/build.sh` writes this
/// table into the page (www/generated/settings.js).
#[wasm_bindgen]
pub fn settings() -> Array {
    install_hook();
    SETTINGS
        .iter()
        .map(|s| {
            let o = Object::new();
            set(&o, "key", s.key);
            let kind = match s.apply {
                Apply::Live => "live",
                Apply::Reset => "reset",
            };
            set(&o, "kind", kind);
            set(&o, "type", s.type_name());
            let (min, max) = match s.range() {
                Some((lo, hi)) => (JsValue::from_f64(lo), JsValue::from_f64(hi)),
                None => (JsValue::NULL, JsValue::NULL),
            };
            set(&o, "min", min);
            set(&o, "max", max);
            set(&o, "def", s.def);
            let options = if s.options().is_empty() {
                JsValue::NULL
            } else {
                s.options()
                    .iter()
                    .map(|&n| JsValue::from_str(n))
                    .collect::<Array>()
                    .into()
            };
            set(&o, "options", options);
            let max_len = s
                .max_len()
                .map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64));
            set(&o, "maxLen", max_len);
            JsValue::from(o)
        })
        .collect()
}

/// The diagnosis's cause taxonomy, one object per cause in declaration order: `{id, name, experiment}`
/// (the wire id, its name and the experiment that tests it first, from the diagnosis catalogue).
/// `scripts/build.sh` writes it into the page (www/generated/catalogue.js), so the page keeps no copy of
/// these words: the mystery drill offers these causes as its answers.
#[wasm_bindgen]
pub fn causes() -> Array {
    use crate::diagnose::{catalogue, CauseId};
    install_hook();
    CauseId::ALL
        .iter()
        .map(|&c| {
            let o = Object::new();
            set(&o, "id", c.as_str());
            set(&o, "name", catalogue::cause_name(c));
            set(&o, "experiment", catalogue::experiment_for(c));
            JsValue::from(o)
        })
        .collect()
}

/// A fresh random seed, a whole number in 0 … 2^53 − 1 (every one survives as a JS number), from
/// the browser's `crypto.getRandomValues`. Seeds drawn this way are not reproducible by design:
/// the page shows the seed it got, and that seed then reproduces the run.
#[wasm_bindgen]
pub fn fresh_seed() -> Result<f64, JsError> {
    install_hook();
    let bits = getrandom::u64()
        .map_err(|e| JsError::new(&format!("no random source for a new seed: {e}")))?;
    Ok((bits >> 11) as f64)
}

/// Something the engine noticed and went on with (it refuses only what it cannot run).
fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("Loss Lab: {message}")));
}

/// Check the settings of `cfg` (every key known, every value in range) without planning the network:
/// throws the first refusal, which names its key. The worker calls it before `describe`, so a refused
/// value and a design the plan rejects reach the page as two different errors.
#[wasm_bindgen(js_name = checkSettings)]
pub fn check_settings(cfg: JsValue) -> Result<(), JsError> {
    install_hook();
    config_from_js(&cfg).map(|_| ())
}

/// Lay out the network of `cfg` without building it: {layers: [{name, kind, outShape, rf, params}], params}.
/// Throws the engine's message for an impossible design.
#[wasm_bindgen]
pub fn describe(cfg: JsValue) -> Result<Object, JsError> {
    install_hook();
    let cfg = config_from_js(&cfg)?;
    let layers = plan(&cfg).map_err(|e| JsError::new(&e.0))?;
    let arr = Array::new();
    let mut total = 0;
    for l in &layers {
        let o = Object::new();
        set(&o, "name", l.name.as_str());
        set(&o, "kind", l.describe());
        let shape = Array::of3(
            &(l.output.c as u32).into(),
            &(l.output.h as u32).into(),
            &(l.output.w as u32).into(),
        );
        set(&o, "outShape", shape);
        set(&o, "rf", l.rf as u32);
        set(&o, "params", l.params as u32);
        total += l.params;
        arr.push(&o);
    }
    let o = Object::new();
    set(&o, "layers", arr);
    set(&o, "params", total as u32);
    Ok(o)
}

/// The 2-D sandbox (src/sandbox.rs): the optimizer settings of `cfg` (opt, lr, mom, b1, b2, eps; any other key is
/// checked and ignored) for `steps` steps from (x0, y0) on the valley ½(a·x² + b·y²). Returns {path:
/// Float32Array [x0, y0, x1, y1, …], threshold, onset (null for Adam), verdict, axis (0: x, 1: y), axes:
/// [{lambda, ratio, verdict, rate}], adamRatios: Float32Array [x, y after each step] (Adam's η·λ/P) or null};
/// verdicts are ids ('converges', 'oscillates', 'unsettled', 'edge', 'diverges'), ratio η·λ (Adam: η·λ/P at the
/// last step), rate null for Adam.
#[wasm_bindgen]
pub fn sandbox(
    cfg: JsValue,
    a: f32,
    b: f32,
    x0: f32,
    y0: f32,
    steps: usize,
) -> Result<Object, JsError> {
    install_hook();
    let cfg = config_from_js(&cfg)?;
    let out = crate::sandbox::run(cfg.optim, a, b, [x0, y0], steps);
    let o = Object::new();
    let flat: Vec<f32> = out.path.iter().flatten().copied().collect();
    set(&o, "path", Float32Array::from(&flat[..]));
    set(&o, "threshold", num_or_null64(out.threshold));
    set(
        &o,
        "onset",
        out.onset.map_or(JsValue::NULL, JsValue::from_f64),
    );
    let adam: Vec<f32> = out.adam_ratios.iter().flatten().copied().collect();
    let adam = if adam.is_empty() {
        JsValue::NULL
    } else {
        Float32Array::from(&adam[..]).into()
    };
    set(&o, "adamRatios", adam);
    set(&o, "verdict", out.verdict.id());
    set(&o, "axis", out.axis as u32);
    let axes = Array::new();
    for ax in &out.axes {
        let a = Object::new();
        set(&a, "lambda", ax.lambda);
        set(&a, "ratio", num_or_null64(ax.ratio));
        set(&a, "verdict", ax.verdict.id());
        set(&a, "rate", num_or_null64(ax.rate));
        axes.push(&a);
    }
    set(&o, "axes", axes);
    Ok(o)
}

/// The loaded training images and the validation split held out from them (MNIST training images
/// 50,000–59,999; `test` names the slot the trainer validates on), parsed once and shared by every
/// rebuild. The MNIST test set is a `LabTestSet`, loaded only for the final check.
#[wasm_bindgen]
pub struct LabData {
    train: Dataset,
    test: Dataset,
}

/// An Error for a damaged data file whose `set` property names the set ('training' or 'validation'),
/// so the page can name that set's files without reading the message's words.
fn data_error(set: &str, e: &str) -> JsValue {
    let err = js_sys::Error::new(&format!("{set} set: {e}"));
    let _ = Reflect::set(&err, &JsValue::from_str("set"), &JsValue::from_str(set));
    err.into()
}

#[wasm_bindgen]
impl LabData {
    /// From the four uncompressed IDX files.
    #[wasm_bindgen(js_name = fromIdx)]
    pub fn from_idx(
        train_images: &[u8],
        train_labels: &[u8],
        test_images: &[u8],
        test_labels: &[u8],
    ) -> Result<LabData, JsValue> {
        install_hook();
        let train = dataset_from_idx(train_images, train_labels)
            .map_err(|e| data_error("training", &e.to_string()))?;
        let test = dataset_from_idx(test_images, test_labels)
            .map_err(|e| data_error("validation", &e.to_string()))?;
        Ok(LabData { train, test })
    }

    /// Generated digits (the offline fallback), labelled synthetic.
    pub fn synthetic(n_train: usize, n_test: usize, seed: f64) -> LabData {
        install_hook();
        let seed = seed as u64;
        LabData {
            train: synthetic_digits(n_train, seed),
            test: synthetic_digits(n_test, seed ^ 0x5EED_7E57),
        }
    }

    #[wasm_bindgen(getter, js_name = trainCount)]
    pub fn train_count(&self) -> usize {
        self.train.len()
    }
    #[wasm_bindgen(getter, js_name = testCount)]
    pub fn test_count(&self) -> usize {
        self.test.len()
    }
    #[wasm_bindgen(getter, js_name = isSynthetic)]
    pub fn is_synthetic(&self) -> bool {
        self.train.synthetic
    }
    /// Training image i as 784 grey values (for the page's sample strip).
    pub fn image(&self, i: usize) -> Vec<u8> {
        self.train
            .image(i.min(self.train.len().saturating_sub(1)))
            .to_vec()
    }
}

/// The test set of the final check ("Test the final network"), loaded apart from the training and
/// validation data: the page fetches it only when the check is asked for (src/train/final_test.rs).
#[wasm_bindgen]
pub struct LabTestSet {
    set: Dataset,
}

#[wasm_bindgen]
impl LabTestSet {
    /// From the two uncompressed IDX files of the MNIST test set.
    #[wasm_bindgen(js_name = fromIdx)]
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<LabTestSet, JsError> {
        install_hook();
        let set = dataset_from_idx(images, labels)
            .map_err(|e| JsError::new(&format!("test set: {e}")))?;
        Ok(LabTestSet { set })
    }

    /// Generated digits for a synthetic run's final check, from a stream of their own (neither the
    /// training nor the validation digits of `LabData.synthetic` with the same seed).
    pub fn synthetic(n: usize, seed: f64) -> LabTestSet {
        install_hook();
        LabTestSet {
            set: synthetic_digits(n, (seed as u64) ^ 0x7E57_F1A1),
        }
    }

    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.set.len()
    }
    #[wasm_bindgen(getter, js_name = isSynthetic)]
    pub fn is_synthetic(&self) -> bool {
        self.set.synthetic
    }
}

fn share_object(share: &Share) -> Object {
    let o = Object::new();
    set(&o, "weights", Float32Array::from(&share.weights[..]));
    set(&o, "x", Float32Array::from(&share.x[..]));
    set(&o, "y", Uint8Array::from(&share.y[..]));
    set(&o, "scale", Float32Array::from(&share.scale[..]));
    set(&o, "rows", share.rows as u32);
    o
}

/// The second worker of a data-parallel run (src/train/parallel.rs): the network of a configuration,
/// computing gradients and logits under the weights each request brings.
#[wasm_bindgen]
pub struct LabHelper {
    inner: GradientWorker,
}

#[wasm_bindgen]
impl LabHelper {
    #[wasm_bindgen(constructor)]
    pub fn new(cfg: JsValue) -> Result<LabHelper, JsError> {
        install_hook();
        let cfg = config_from_js(&cfg)?;
        let inner = GradientWorker::new(&cfg).map_err(|e| JsError::new(&e.0))?;
        Ok(LabHelper { inner })
    }

    /// [gradient ‖ loss of each row ‖ predicted digit of each row] of a training share.
    pub fn gradient(
        &mut self,
        weights: Vec<f32>,
        x: Vec<f32>,
        y: Vec<u8>,
        scale: Vec<f32>,
    ) -> Result<Vec<f32>, JsError> {
        let rows = y.len();
        let share = Share {
            weights,
            x,
            y,
            scale,
            rows,
        };
        self.inner.gradient(&share).map_err(|e| JsError::new(&e))
    }

    /// Evaluation-mode logits (rows × 10) of a validation share.
    pub fn logits(&mut self, weights: Vec<f32>, x: Vec<f32>) -> Result<Vec<f32>, JsError> {
        let rows = x.len() / crate::data::PIXELS;
        let share = Share {
            weights,
            x,
            rows,
            ..Share::default()
        };
        self.inner.logits(&share).map_err(|e| JsError::new(&e))
    }
}

/// One training run.
#[wasm_bindgen]
pub struct LabTrainer {
    inner: Trainer,
    /// Steps joined since the last `takeSteps` (data-parallel training: one step per `joinStep`).
    joined: StepReport,
}

#[wasm_bindgen]
impl LabTrainer {
    /// Build from a configuration object; throws with the engine's message if it is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(data: &LabData, cfg: JsValue) -> Result<LabTrainer, JsError> {
        install_hook();
        let cfg = config_from_js(&cfg)?;
        // Trainer::new trains on what is loaded; say so when that is less than was asked for.
        for (key, asked, loaded) in [
            ("train_n", cfg.train_n, data.train.len()),
            ("val_n", cfg.val_n, data.test.len()),
        ] {
            if asked > loaded {
                warn(&format!(
                    "{key} = {asked}, but only {loaded} images are loaded: using {loaded}"
                ));
            }
        }
        let inner = Trainer::new(cfg, &data.train, &data.test).map_err(|e| JsError::new(&e.0))?;
        Ok(LabTrainer {
            inner,
            joined: StepReport::default(),
        })
    }

    /// Train up to n mini-batches; stops early at an epoch end or on divergence.
    pub fn step(&mut self, n: usize) -> Object {
        let r = self.inner.step(n);
        self.step_report(r)
    }

    /// Data-parallel training (src/train/parallel.rs), leader's side. Draws the next batch and returns
    /// the second worker's share {weights, x, y, scale, rows}, or null when the run is not running.
    #[wasm_bindgen(js_name = splitStep)]
    pub fn split_step(&mut self) -> JsValue {
        match self.inner.split_step() {
            Some(share) => share_object(&share).into(),
            None => JsValue::NULL,
        }
    }

    /// The gradient of the leader's own rows of the split batch.
    #[wasm_bindgen(js_name = localStep)]
    pub fn local_step(&mut self) -> Result<(), JsError> {
        self.inner.local_step().map_err(|e| JsError::new(&e))
    }

    /// Adds the second worker's answer and finishes the step; true when a chunk of steps must end here
    /// (the epoch ended, or the run diverged). `takeSteps` returns the joined steps as `step` does.
    #[wasm_bindgen(js_name = joinStep)]
    pub fn join_step(&mut self, answer: &[f32]) -> Result<bool, JsError> {
        self.inner
            .join_step(answer, &mut self.joined)
            .map_err(|e| JsError::new(&e))?;
        Ok(self.joined.epoch_done || *self.inner.status() != Status::Running)
    }

    /// Moves the run on by about `budget` steps' worth of work (`Trainer::advance`: the first step
    /// alone, then chunks; after an epoch's end its validation pass in chunks; nothing after the run
    /// ended) and returns what happened, in order, as objects with a `kind`:
    /// {kind: "steps", report} (`report` as `step` returns it), {kind: "epochEnded", summary} (as
    /// `epochSummary`), {kind: "validated", report} (as `evalReport`), {kind: "diverged", step,
    /// message}, {kind: "stopped", epoch, bestEpoch, message}.
    pub fn advance(&mut self, budget: usize) -> Array {
        self.inner
            .advance(budget)
            .into_iter()
            .map(|e| {
                let o = Object::new();
                match e {
                    Event::Steps(r) => {
                        set(&o, "kind", "steps");
                        set(&o, "report", self.step_report(r));
                    }
                    Event::EpochEnded(summary) => {
                        set(&o, "kind", "epochEnded");
                        set(&o, "summary", epoch_object(&summary));
                    }
                    Event::Validated(report) => {
                        set(&o, "kind", "validated");
                        set(&o, "report", eval_object(&report));
                    }
                    Event::Diverged { step, message } => {
                        set(&o, "kind", "diverged");
                        set(&o, "step", step as f64);
                        set(&o, "message", message.as_str());
                    }
                    Event::Stopped {
                        epoch,
                        best_epoch,
                        message,
                    } => {
                        set(&o, "kind", "stopped");
                        set(&o, "epoch", epoch as u32);
                        set(&o, "bestEpoch", best_epoch as u32);
                        set(&o, "message", message.as_str());
                    }
                }
                JsValue::from(o)
            })
            .collect()
    }

    /// The steps joined since the last call, in `step`'s form.
    #[wasm_bindgen(js_name = takeSteps)]
    pub fn take_steps(&mut self) -> Object {
        let r = std::mem::take(&mut self.joined);
        self.step_report(r)
    }

    /// The second worker's share {weights, x, rows} of the next `count` validation samples.
    #[wasm_bindgen(js_name = splitEval)]
    pub fn split_eval(&mut self, count: usize) -> Object {
        share_object(&self.inner.split_eval(count))
    }

    /// The logits of the leader's own rows of the split validation chunk.
    #[wasm_bindgen(js_name = localEval)]
    pub fn local_eval(&mut self) -> Result<(), JsError> {
        self.inner.local_eval().map_err(|e| JsError::new(&e))
    }

    /// Counts both workers' logits; true when the validation pass is complete (as `evalChunk`).
    #[wasm_bindgen(js_name = joinEval)]
    pub fn join_eval(&mut self, answer: &[f32]) -> Result<bool, JsError> {
        self.inner.join_eval(answer).map_err(|e| JsError::new(&e))
    }
}

/// An epoch's figures as `epochSummary` returns them.
fn epoch_object(e: &EpochSummary) -> Object {
    let o = Object::new();
    set(&o, "epoch", e.epoch as u32);
    set(&o, "trainLoss", num_or_null(e.train_loss));
    set(&o, "trainAcc", num_or_null(e.train_acc));
    set(&o, "cleanLoss", num_or_null(e.clean_loss));
    set(&o, "cleanAcc", num_or_null(e.clean_acc));
    set(&o, "noisyLoss", num_or_null(e.noisy_loss));
    set(&o, "noisyAcc", num_or_null(e.noisy_acc));
    set(&o, "clipFrac", num_or_null(e.clip_frac));
    o
}

/// A validation pass's figures as `evalReport` returns them.
fn eval_object(e: &EvalReport) -> Object {
    let o = Object::new();
    set(&o, "valLoss", num_or_null(e.loss));
    set(&o, "valAcc", num_or_null(e.acc));
    set(&o, "recall", Float32Array::from(&e.recall[..]));
    set(&o, "confusion", Uint32Array::from(&e.confusion.flat()[..]));
    set(&o, "count", e.count as u32);
    o
}

impl LabTrainer {
    fn step_report(&self, r: StepReport) -> Object {
        let o = Object::new();
        set(&o, "loss", Float32Array::from(&r.loss[..]));
        set(&o, "acc", Float32Array::from(&r.acc[..]));
        set(&o, "cleanLoss", Float32Array::from(&r.clean_loss[..]));
        set(&o, "noisyLoss", Float32Array::from(&r.noisy_loss[..]));
        set(&o, "gradNorms", Float32Array::from(&r.grad_norms[..]));
        set(&o, "step", self.inner.steps() as f64);
        set(&o, "epoch", self.inner.epoch() as u32);
        let (done, per) = self.inner.epoch_progress();
        set(&o, "stepInEpoch", done as u32);
        set(&o, "stepsPerEpoch", per as u32);
        set(&o, "epochDone", r.epoch_done);
        match self.inner.status() {
            Status::Running => {
                set(&o, "status", "running");
                set(&o, "divergedAt", JsValue::NULL);
                set(&o, "message", JsValue::NULL);
            }
            Status::Diverged { step, message } => {
                set(&o, "status", "diverged");
                set(&o, "divergedAt", *step as f64);
                set(&o, "message", message.as_str());
            }
            Status::Stopped {
                epoch,
                best_epoch,
                message,
            } => {
                set(&o, "status", "stopped");
                set(&o, "divergedAt", JsValue::NULL);
                set(&o, "stoppedAt", *epoch as u32);
                set(&o, "bestEpoch", *best_epoch as u32);
                set(&o, "message", message.as_str());
            }
        }
        o
    }
}

#[wasm_bindgen]
impl LabTrainer {
    #[wasm_bindgen(getter, js_name = layerNames)]
    pub fn layer_names(&self) -> Array {
        self.inner
            .model()
            .param_layer_names()
            .iter()
            .map(|s| JsValue::from_str(s))
            .collect()
    }

    /// Figures of the last finished epoch (null before the first).
    #[wasm_bindgen(js_name = epochSummary)]
    pub fn epoch_summary(&self) -> JsValue {
        self.inner
            .last_epoch()
            .map_or(JsValue::NULL, |e| epoch_object(e).into())
    }

    /// The loss on the first validation images with the current weights and the logit spread behind
    /// it (`Trainer::start_reading`): the worker takes it at every build, before the first step.
    /// `{loss, spread, labelBlind, predicted, count, level}`; non-finite values (an input that overflows
    /// the net) come as null; `level` is the "loss at init" verdict: 'at_chance', 'above_chance',
    /// 'far_above_chance' or 'not_finite' (`StartLevel`, with its bounds `AT_CHANCE` and
    /// `FAR_ABOVE_CHANCE` as `atChance` and `farAbove`, times ln 10).
    #[wasm_bindgen(js_name = startReading)]
    pub fn start_reading(&mut self) -> Object {
        let r = self.inner.start_reading();
        let o = Object::new();
        set(&o, "loss", num_or_null64(r.loss));
        set(&o, "spread", num_or_null64(r.spread));
        set(&o, "labelBlind", num_or_null64(r.label_blind));
        set(&o, "predicted", num_or_null64(r.predicted()));
        set(&o, "count", r.count as u32);
        set(&o, "level", r.level().as_str());
        set(&o, "atChance", crate::train::AT_CHANCE);
        set(&o, "farAbove", crate::train::FAR_ABOVE_CHANCE);
        o
    }

    /// The digits whose answers the page follows over training ("prediction dynamics",
    /// src/train/predictions.rs): {index: Uint32Array (validation samples), labels: Uint8Array
    /// (their validation labels), images: Uint8Array (n × 784 grey levels), learningRise (the probe's
    /// bar: the rise of the mean probability on the labels that counts as learning)}.
    #[wasm_bindgen(js_name = predictionImages)]
    pub fn prediction_images(&self) -> Object {
        let idx = self.inner.prediction_indices();
        let val = self.inner.val_set();
        let labels: Vec<u8> = idx.iter().map(|&i| val.labels[i]).collect();
        let images: Vec<u8> = idx.iter().flat_map(|&i| val.image(i).to_vec()).collect();
        let o = Object::new();
        let index: Vec<u32> = idx.iter().map(|&i| i as u32).collect();
        set(&o, "index", Uint32Array::from(&index[..]));
        set(&o, "labels", Uint8Array::from(&labels[..]));
        set(&o, "images", Uint8Array::from(&images[..]));
        set(&o, "learningRise", crate::train::LEARNING_RISE);
        o
    }

    /// Their ten probabilities each after the last complete validation pass, or before the first
    /// step the untrained net's: {epoch (0: untrained), probs: Float32Array (n × 10, row-major; NaN
    /// where the outputs are not finite)}; null once training began and no pass is complete.
    pub fn predictions(&mut self) -> JsValue {
        let Some(p) = self.inner.predictions() else {
            return JsValue::NULL;
        };
        let o = Object::new();
        set(&o, "epoch", p.epoch as u32);
        set(&o, "probs", Float32Array::from(&p.probs[..]));
        o.into()
    }

    /// The epoch with the lowest validation loss so far (null before the first validation pass).
    #[wasm_bindgen(getter, js_name = bestEpoch)]
    pub fn best_epoch(&self) -> JsValue {
        self.inner
            .best_epoch()
            .map_or(JsValue::NULL, |e| JsValue::from(e as u32))
    }

    /// Evaluate the next `count` validation samples; true when the pass is complete.
    #[wasm_bindgen(js_name = evalChunk)]
    pub fn eval_chunk(&mut self, count: usize) -> bool {
        self.inner.eval_chunk(count)
    }

    /// The last complete validation pass (null before the first).
    #[wasm_bindgen(js_name = evalReport)]
    pub fn eval_report(&self) -> JsValue {
        self.inner
            .last_eval()
            .map_or(JsValue::NULL, |e| eval_object(e).into())
    }

    /// What the validation pass under way has counted so far, as estimates of the complete pass's
    /// figures: {count, total, loss, lossHalf, acc, accHalf} (each half-width of a 95% interval), or
    /// null between passes and before its first PARTIAL_MIN samples (src/train/evaluate.rs).
    #[wasm_bindgen(js_name = partialEval)]
    pub fn partial_eval(&self) -> JsValue {
        let Some(p) = self.inner.partial_eval() else {
            return JsValue::NULL;
        };
        let o = Object::new();
        set(&o, "count", p.count as f64);
        set(&o, "total", p.total as f64);
        set(&o, "loss", num_or_null(p.loss));
        set(&o, "lossHalf", num_or_null(p.loss_half));
        set(&o, "acc", num_or_null(p.acc));
        set(&o, "accHalf", num_or_null(p.acc_half));
        o.into()
    }

    /// The final check: evaluates the next `count` samples of `test` under the current weights; true
    /// when the pass is complete (then `testReport`). Training state is left as it was.
    #[wasm_bindgen(js_name = testChunk)]
    pub fn test_chunk(&mut self, test: &LabTestSet, count: usize) -> Result<bool, JsError> {
        if test.set.is_empty() {
            return Err(JsError::new("the test set is empty"));
        }
        Ok(self.inner.test_chunk(&test.set, count))
    }

    /// The last complete test pass: {loss, acc, recall: Float32Array(10), count, step, weightsEpoch
    /// (null: weights from the middle of an epoch)}, or null before one.
    #[wasm_bindgen(js_name = testReport)]
    pub fn test_report(&self) -> JsValue {
        let Some(r) = self.inner.test_report() else {
            return JsValue::NULL;
        };
        let o = Object::new();
        set(&o, "loss", num_or_null(r.eval.loss));
        set(&o, "acc", num_or_null(r.eval.acc));
        set(&o, "recall", Float32Array::from(&r.eval.recall[..]));
        set(&o, "count", r.eval.count as u32);
        set(&o, "step", r.step as f64);
        set(
            &o,
            "weightsEpoch",
            r.weights_epoch
                .map_or(JsValue::NULL, |e| JsValue::from(e as u32)),
        );
        o.into()
    }

    /// Which epoch's weights the network holds: the best epoch's once early stopping restored them,
    /// else the last finished epoch's at an epoch's end (0: untrained); null in the middle of an epoch.
    #[wasm_bindgen(getter, js_name = weightsEpoch)]
    pub fn weights_epoch(&self) -> JsValue {
        self.inner
            .weights_epoch()
            .map_or(JsValue::NULL, |e| JsValue::from(e as u32))
    }

    /// Change a live setting; throws for settings that need a rebuild or for bad values.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), JsError> {
        self.inner.set(key, value).map_err(|e| JsError::new(&e.0))
    }

    /// The configuration this trainer trains with, live changes included: {key: "value"} with every
    /// key, in the text `set` accepts.
    pub fn config(&self) -> Object {
        let o = Object::new();
        for (k, v) in self.inner.config().pairs() {
            set(&o, k, v);
        }
        o
    }

    /// Serial number of the latest diagnosis: it grows each time the trainer diagnoses again (after
    /// the first steps, every few hundred steps, at each complete validation pass, when it stops).
    #[wasm_bindgen(getter, js_name = diagnosisSerial)]
    pub fn diagnosis_serial(&self) -> f64 {
        self.inner.diagnosis().serial as f64
    }

    /// The latest diagnosis: {healthy, step, epoch, findings: [{symptom, severity, title, evidence:
    /// [{metric, words, layer, value, threshold}], causes: [id], names: [text], why: [text],
    /// experiment}], noiseCheck}. The words come from the diagnosis catalogue.
    /// Values and thresholds that are not finite (a threshold that is context only) cross as null.
    pub fn diagnosis(&self) -> Object {
        let d = self.inner.diagnosis();
        let o = Object::new();
        let healthy = !d
            .findings
            .iter()
            .any(|f| f.severity >= crate::diagnose::Severity::Warn);
        set(&o, "healthy", healthy);
        set(&o, "step", d.step as f64);
        set(&o, "epoch", d.epoch as u32);
        set(&o, "serial", d.serial as f64);
        let findings: Array = d
            .findings
            .iter()
            .map(|f| {
                let fo = Object::new();
                set(&fo, "symptom", f.symptom.as_str());
                set(&fo, "severity", f.severity.key());
                set(&fo, "title", f.title.as_str());
                let ev: Array = f
                    .evidence
                    .iter()
                    .map(|e| {
                        let eo = Object::new();
                        set(&eo, "metric", e.metric.as_str());
                        set(
                            &eo,
                            "words",
                            crate::diagnose::catalogue::metric_words(e.metric),
                        );
                        set(
                            &eo,
                            "layer",
                            e.layer.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                        );
                        set(&eo, "value", num_or_null64(e.value));
                        set(&eo, "threshold", num_or_null64(e.threshold));
                        JsValue::from(eo)
                    })
                    .collect();
                set(&fo, "evidence", ev);
                let causes: Array = f
                    .causes
                    .iter()
                    .map(|c| JsValue::from_str(c.id.as_str()))
                    .collect();
                let why: Array = f.causes.iter().map(|c| JsValue::from_str(&c.why)).collect();
                let names: Array = f
                    .causes
                    .iter()
                    .map(|c| JsValue::from_str(crate::diagnose::catalogue::cause_name(c.id)))
                    .collect();
                set(&fo, "causes", causes);
                set(&fo, "names", names);
                set(&fo, "why", why);
                set(&fo, "experiment", f.experiment.as_str());
                JsValue::from(fo)
            })
            .collect();
        set(&o, "findings", findings);
        match d.noise_check {
            Some(n) => {
                let no = Object::new();
                set(&no, "top", n.top as u32);
                set(&no, "corruptedInTop", n.corrupted_in_top as f64);
                set(&no, "corruptedOverall", n.corrupted_overall as f64);
                set(&o, "noiseCheck", no);
            }
            None => set(&o, "noiseCheck", JsValue::NULL),
        }
        o
    }

    #[wasm_bindgen(js_name = layerStats)]
    pub fn layer_stats(&self) -> Array {
        self.inner
            .layer_stats()
            .iter()
            .map(|s| {
                let o = Object::new();
                set(&o, "name", s.name.as_str());
                set(&o, "gradNorm", num_or_null(s.grad_norm));
                set(&o, "kernelGradNorm", num_or_null(s.kernel_grad_norm));
                set(&o, "weightNorm", num_or_null(s.weight_norm));
                set(&o, "updateRatio", num_or_null(s.update_ratio));
                set(&o, "actMean", num_or_null(s.act_mean));
                set(&o, "actStd", num_or_null(s.act_std));
                set(&o, "deadFrac", num_or_null(s.dead_frac));
                set(&o, "satFrac", num_or_null(s.sat_frac));
                JsValue::from(o)
            })
            .collect()
    }

    /// Weights of parameterised layer i: {shape, data}.
    pub fn weights(&self, i: usize) -> Result<Object, JsError> {
        let n = self.inner.model().param_layer_names().len();
        if i >= n {
            return Err(JsError::new(&format!(
                "layer {i} does not exist (the model has {n} layers with weights)"
            )));
        }
        let w = self.inner.model().layer_params(i)[0];
        let o = Object::new();
        let shape: Array = w.shape.iter().map(|&d| JsValue::from(d as u32)).collect();
        set(&o, "shape", shape);
        set(&o, "data", Float32Array::from(&w.value[..]));
        Ok(o)
    }

    /// The first n samples of the last training batch as the network saw them: {count, images:
    /// Uint8Array(count×784) (the input mapped back to grey levels 0–255), labels (trained on),
    /// trueLabels (before label noise), corrupted, flipped, rotated (180°), transformed (warp, jitter
    /// or pixel noise): Uint8Array 0/1 each}. count is 0 before the first step.
    #[wasm_bindgen(js_name = batchView)]
    pub fn batch_view(&self, n: usize) -> Object {
        let v = self.inner.batch_view(n);
        let flags = |f: &dyn Fn(usize) -> bool| -> Uint8Array {
            let b: Vec<u8> = (0..v.labels.len()).map(|j| f(j) as u8).collect();
            Uint8Array::from(&b[..])
        };
        let o = Object::new();
        set(&o, "count", v.labels.len() as u32);
        set(&o, "images", Uint8Array::from(&v.images[..]));
        set(&o, "labels", Uint8Array::from(&v.labels[..]));
        set(&o, "trueLabels", Uint8Array::from(&v.true_labels[..]));
        set(&o, "corrupted", flags(&|j| v.corrupted[j]));
        set(&o, "flipped", flags(&|j| v.applied[j].hflip));
        set(&o, "rotated", flags(&|j| v.applied[j].rot180));
        set(
            &o,
            "transformed",
            flags(&|j| {
                let a = v.applied[j];
                a.warp || a.jitter || a.noise
            }),
        );
        o
    }

    /// Scans the next `count` training samples (clean images, trained-on labels, evaluation mode);
    /// true when the pass over the training set is complete.
    #[wasm_bindgen(js_name = lossScanChunk)]
    pub fn loss_scan_chunk(&mut self, count: usize) -> bool {
        self.inner.loss_scan_chunk(count)
    }

    /// The k highest-loss training samples of the last complete scan: {items: [{index, label,
    /// trueLabel, predicted, prob, loss, corrupted}], images: Uint8Array(k×784) raw pixels,
    /// corruptedShareTop, corruptedShareAll}; null before a scan has completed.
    #[wasm_bindgen(js_name = lossScanReport)]
    pub fn loss_scan_report(&self, k: usize) -> JsValue {
        let Some(r) = self.inner.loss_scan_report(k) else {
            return JsValue::NULL;
        };
        let train = self.inner.train_set();
        let mut images = Vec::with_capacity(r.items.len() * crate::data::PIXELS);
        let items: Array = r
            .items
            .iter()
            .map(|s| {
                images.extend_from_slice(train.image(s.index));
                let o = Object::new();
                set(&o, "index", s.index as u32);
                set(&o, "label", s.label);
                set(&o, "trueLabel", s.true_label);
                set(&o, "predicted", s.predicted);
                set(&o, "prob", num_or_null(s.prob));
                set(&o, "loss", num_or_null(s.loss));
                set(&o, "corrupted", s.corrupted);
                JsValue::from(o)
            })
            .collect();
        let o = Object::new();
        set(&o, "items", items);
        set(&o, "images", Uint8Array::from(&images[..]));
        set(&o, "corruptedShareTop", r.corrupted_share_top);
        set(&o, "corruptedShareAll", r.corrupted_share_all);
        o.into()
    }

    /// Class probabilities of one 28×28 image (784 grey levels from 0 to 1, 0 = background, row-major)
    /// under the current weights, in evaluation mode with the input transform of training: a
    /// Float32Array of 10 that sums to 1 (NaN when the weights are not finite). Changes no training
    /// state; throws for an image of the wrong size or a value outside 0 … 1.
    pub fn classify(&mut self, pixels: &[f32]) -> Result<Vec<f32>, JsError> {
        self.inner
            .classify(pixels)
            .map(|p| p.to_vec())
            .map_err(|e| JsError::new(&e))
    }

    /// Every layer's output for validation image `index` ("What every layer sees",
    /// src/train/activations.rs), in evaluation mode; changes no training state. {index, label,
    /// layers: [{name, kind, shape: [c, h, w], values: Float32Array (c × h × w), dead, flat, channels:
    /// Uint8Array (c: 0 live, 1 dead, 2 flat)}] (plan
    /// order, without the flatten), logits: Float32Array (10), probs: Float32Array (10), predicted
    /// (null when the outputs are not finite), flatShare}; throws for an index outside the split.
    pub fn activations(&mut self, index: usize) -> Result<Object, JsError> {
        let a = self
            .inner
            .activations(index)
            .map_err(|e| JsError::new(&e))?;
        let layers = Array::new();
        for l in &a.layers {
            let o = Object::new();
            set(&o, "name", l.name.as_str());
            set(&o, "kind", l.kind);
            let shape = Array::new();
            for d in [l.shape.c, l.shape.h, l.shape.w] {
                shape.push(&JsValue::from(d as u32));
            }
            set(&o, "shape", shape);
            set(&o, "values", Float32Array::from(&l.values[..]));
            set(&o, "dead", l.dead() as u32);
            set(&o, "flat", l.flat() as u32);
            let states: Vec<u8> = l.channels.iter().map(|&c| c as u8).collect();
            set(&o, "channels", Uint8Array::from(&states[..]));
            layers.push(&o);
        }
        let o = Object::new();
        set(&o, "index", a.index as u32);
        set(&o, "label", a.label as u32);
        set(&o, "layers", layers);
        set(&o, "logits", Float32Array::from(&a.logits[..]));
        set(&o, "probs", Float32Array::from(&a.probs[..]));
        set(
            &o,
            "predicted",
            a.predicted()
                .map_or(JsValue::NULL, |d| JsValue::from(d as u32)),
        );
        set(&o, "flatShare", crate::train::FLAT_SHARE);
        Ok(o)
    }

    /// The stability meter's first estimate, made now instead of by the first step (after the build, before
    /// Start; `Trainer::measure_before_start`): the same numbers, off the first step's time.
    #[wasm_bindgen(js_name = measureBeforeStart)]
    pub fn measure_before_start(&mut self) {
        self.inner.measure_before_start();
    }

    /// The stability meter's estimates so far (src/train/sharpness.rs), oldest first: {step, lambdaMax,
    /// lr, threshold, ratio: Float64Array each (one entry per estimate; ratio = lr·lambdaMax/threshold),
    /// preconditioned: Uint8Array (1: Adam's P⁻¹H), every (the cadence in steps), images (the fixed
    /// batch's size)}. Reading it computes nothing.
    pub fn sharpness(&self) -> Object {
        let h = self.inner.sharpness();
        let col = |f: &dyn Fn(&crate::train::SharpnessPoint) -> f64| {
            js_sys::Float64Array::from(&h.iter().map(f).collect::<Vec<f64>>()[..])
        };
        let o = Object::new();
        set(&o, "step", col(&|p| p.step as f64));
        set(&o, "lambdaMax", col(&|p| p.lambda_max as f64));
        set(&o, "lr", col(&|p| p.lr as f64));
        set(&o, "threshold", col(&|p| p.threshold as f64));
        set(&o, "ratio", col(&|p| p.ratio as f64));
        let pre: Vec<u8> = h.iter().map(|p| p.preconditioned as u8).collect();
        set(&o, "preconditioned", Uint8Array::from(&pre[..]));
        set(&o, "every", crate::train::SHARPNESS_EVERY as u32);
        set(&o, "images", crate::train::SHARPNESS_IMAGES as u32);
        o
    }

    /// Every activation's histogram over training (src/train/acthist.rs): {steps: Float64Array (the first
    /// step of each column), every (the cadence in steps now), layers: [{name, after (the layer it
    /// follows), activation (its key), scale ("linear" or "log2"), edges: Float32Array (rows + 1, bottom
    /// first; ±Infinity at a log scale's ends), counts: Uint32Array (column after column, bottom row
    /// first), saturated: Uint32Array (per column, the values `Activation::saturated` counts)}]}. Reading
    /// it computes nothing.
    #[wasm_bindgen(js_name = activationHistory)]
    pub fn activation_history(&self) -> Object {
        let h = self.inner.act_history();
        let o = Object::new();
        let steps: Vec<f64> = h.steps.iter().map(|&s| s as f64).collect();
        set(&o, "steps", js_sys::Float64Array::from(&steps[..]));
        set(&o, "every", h.every as f64);
        let layers = Array::new();
        for l in &h.layers {
            let lo = Object::new();
            set(&lo, "name", l.name.as_str());
            set(&lo, "after", l.after.as_str());
            set(&lo, "activation", l.activation.key());
            let scale = match l.binning {
                crate::train::Binning::Linear { .. } => "linear",
                crate::train::Binning::Log2 { .. } => "log2",
            };
            set(&lo, "scale", scale);
            set(&lo, "edges", Float32Array::from(&l.binning.edges()[..]));
            set(&lo, "counts", Uint32Array::from(&l.counts[..]));
            set(&lo, "saturated", Uint32Array::from(&l.saturated[..]));
            layers.push(&lo);
        }
        set(&o, "layers", layers);
        o
    }

    /// The loss along the last step (src/train/sharpness.rs): {step (the step whose update it follows),
    /// t: Float32Array (−1 … 3: −1 the weights before the step, 0 now), loss: Float32Array (the last
    /// batch's loss there; NaN where not finite), tMin (the lowest point), overshoot (1/(tMin + 1))}, or
    /// null before the first update. Changes no training state.
    #[wasm_bindgen(js_name = stepLine)]
    pub fn step_line(&mut self) -> JsValue {
        let Some(l) = self.inner.step_line() else {
            return JsValue::NULL;
        };
        let o = Object::new();
        set(&o, "step", l.step as f64);
        set(&o, "t", Float32Array::from(&l.t[..]));
        set(&o, "loss", Float32Array::from(&l.loss[..]));
        set(&o, "tMin", l.t_min);
        set(&o, "overshoot", num_or_null(l.overshoot()));
        o.into()
    }

    /// Begins a learning-rate range test (src/train/lrfind.rs) from the current weights or, with
    /// `fresh`, from a freshly initialised net; throws if an option is out of range.
    #[wasm_bindgen(js_name = lrFindStart)]
    pub fn lr_find_start(
        &mut self,
        fresh: bool,
        start: f32,
        end: f32,
        steps: usize,
    ) -> Result<(), JsError> {
        self.inner
            .lr_find_start(LrFindOptions {
                start,
                end,
                steps,
                fresh,
            })
            .map_err(|e| JsError::new(&e))
    }

    /// Runs up to `count` mini-batches of the range test; true once it has ended and the weights
    /// and optimizer state are back as they were.
    #[wasm_bindgen(js_name = lrFindChunk)]
    pub fn lr_find_chunk(&mut self, count: usize) -> bool {
        self.inner.lr_find_chunk(count)
    }

    /// The last finished range test: {lrs, losses (smoothed), raw: Float32Array, suggestions:
    /// {valley, steep, minimum} (null where the curve is too short), suggestion (the one to apply),
    /// blewUpAt (null if it never did), fresh, start, end, steps}; null before one has finished.
    #[wasm_bindgen(js_name = lrFindReport)]
    pub fn lr_find_report(&self) -> JsValue {
        let Some(r) = self.inner.lr_find_report() else {
            return JsValue::NULL;
        };
        let opt = |v: Option<f32>| v.map_or(JsValue::NULL, JsValue::from);
        let sug = Object::new();
        set(&sug, "valley", opt(r.suggestions.valley));
        set(&sug, "steep", opt(r.suggestions.steep));
        set(&sug, "minimum", opt(r.suggestions.minimum));
        let o = Object::new();
        set(&o, "lrs", Float32Array::from(&r.lrs[..]));
        set(&o, "losses", Float32Array::from(&r.losses[..]));
        set(&o, "raw", Float32Array::from(&r.raw[..]));
        set(&o, "suggestions", sug);
        set(&o, "suggestion", opt(r.suggestions.best()));
        set(&o, "blewUpAt", opt(r.blew_up_at));
        set(&o, "fresh", r.options.fresh);
        set(&o, "start", r.options.start);
        set(&o, "end", r.options.end);
        set(&o, "steps", r.options.steps as u32);
        o.into()
    }

    /// Begins "Overfit one batch" (src/train/overfit.rs): a fresh copy of the run's network trains on
    /// the first `images` training images for `steps` steps; the run is untouched. Throws an
    /// out-of-range value back with a message naming it.
    /// With `blank` every input pixel is 0 ("zero the inputs", the input-independent baseline).
    #[wasm_bindgen(js_name = overfitStart)]
    pub fn overfit_start(
        &mut self,
        images: usize,
        steps: usize,
        blank: bool,
    ) -> Result<(), JsError> {
        self.inner
            .overfit_start(images, steps, blank)
            .map_err(|e| JsError::new(&e))
    }

    /// Runs up to `count` steps of the probe; true once it has ended.
    #[wasm_bindgen(js_name = overfitChunk)]
    pub fn overfit_chunk(&mut self, count: usize) -> bool {
        self.inner.overfit_chunk(count)
    }

    /// The last finished probe: {blank, images, steps, losses: Float32Array (each step's loss before
    /// its update), lastLoss, level (the mean of the last 20), labelEntropy (of the batch's labels), acc,
    /// diverged, fitted, fittedLoss (the bar), settled (a blank run within 0.1 nats of labelEntropy)};
    /// null before one has finished.
    #[wasm_bindgen(js_name = overfitReport)]
    pub fn overfit_report(&self) -> JsValue {
        let Some(r) = self.inner.overfit_report() else {
            return JsValue::NULL;
        };
        let o = Object::new();
        set(&o, "blank", r.blank);
        set(&o, "level", r.level());
        set(&o, "labelEntropy", r.label_entropy);
        set(
            &o,
            "settled",
            (r.level() - r.label_entropy).abs() <= crate::train::BLANK_SETTLED,
        );
        set(&o, "images", r.images as u32);
        set(&o, "steps", r.steps as u32);
        set(&o, "losses", Float32Array::from(&r.losses[..]));
        set(&o, "lastLoss", r.last_loss());
        set(&o, "acc", r.acc);
        set(&o, "diverged", r.diverged);
        set(&o, "fitted", r.fitted());
        set(&o, "fittedLoss", crate::train::FITTED_LOSS);
        o.into()
    }

    #[wasm_bindgen(getter, js_name = classCounts)]
    pub fn class_counts(&self) -> Uint32Array {
        Uint32Array::from(&self.inner.train_set().class_counts()[..])
    }
    #[wasm_bindgen(getter, js_name = corruptedCount)]
    pub fn corrupted_count(&self) -> usize {
        self.inner.corrupted_count()
    }
    #[wasm_bindgen(getter, js_name = trainCount)]
    pub fn train_count(&self) -> usize {
        self.inner.train_set().len()
    }
    #[wasm_bindgen(getter, js_name = valCount)]
    pub fn val_count(&self) -> usize {
        self.inner.val_set().len()
    }
    #[wasm_bindgen(getter)]
    pub fn synthetic(&self) -> bool {
        self.inner.is_synthetic()
    }
    #[wasm_bindgen(getter, js_name = paramCount)]
    pub fn param_count(&self) -> usize {
        self.inner.model().param_count()
    }
}

// ---- Benchmark exports ----
// Used only by bench/ to measure this browser's peak f32 throughput; built only with the `bench` feature
// (bench/pkg, scripts/build.sh --bench), so the page's download carries none of them.

/// Runs the 4×8 SIMD128 GEMM micro-kernel (K = 256, panels in L1) `calls` times and returns a
/// checksum so the work cannot be optimised away. Each call is `peak_flops_per_call()` FLOP.
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn peak_gemm(calls: u32) -> f32 {
    crate::kernels::peak::run(calls as usize)
}

/// FLOP of one micro-kernel call (2 per multiply-add).
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn peak_flops_per_call() -> f64 {
    crate::kernels::peak::FLOPS_PER_CALL as f64
}

/// Relative error of the micro-kernel against a plain loop on one call: ~1e-7 when it is right.
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn peak_self_check() -> f32 {
    crate::kernels::peak::self_check()
}

/// Runs the hardware-peak loop (independent f32x4 multiply and add chains, no loads) `calls` times and
/// returns the FLOP it executed; `peak_self_check` covers it too.
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn peak_hw(calls: u32) -> f64 {
    crate::kernels::peak::hw_run(calls as usize)
}
// ---- end of benchmark exports ----
