//! Every setting of a run, in one flat key/value table. The keys are the page's URL keys.
//! `SETTINGS` is the one list of them: each row holds the key, whether it applies live or by a
//! rebuild, its value type and range, its default as text, and how it reads and writes its
//! `Config` field. `Config::set`, `get`, `apply_kind`, `pairs` and `Default` all walk that table,
//! and the wasm binding exports it: `scripts/build.sh` writes it into the page as
//! `www/generated/settings.js`, beside which `www/state.js` keeps only labels, help and layout.
//! `set` is the authority on validation and rejects a bad value with a message naming the key, the
//! value and the allowed range. Structural checks (does the network fit 28×28?) live in `model::plan`.

use crate::data::augment::Augment;
/// How corrupted labels are chosen (`noise_kind`): one enum with the data faults that apply it.
pub use crate::data::faults::NoiseKind;
use crate::init::{InitKind, Initializer, INIT_KEYS};
use crate::layers::activation::Activation;
pub use crate::layers::batchnorm::BnEval;
pub use crate::layers::loss::LossWiring;
use crate::layers::pool::PoolKind;
use crate::optim::{OptKind, OptimSettings, WdKind};
use std::fmt;

/// A configuration error a person can act on.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn err<T>(msg: String) -> Result<T, ConfigError> {
    Err(ConfigError(msg))
}

/// Where the pooling layers go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolPlace {
    /// After every conv block.
    Every,
    /// After the last conv block only.
    Last,
    /// No pooling at all.
    None,
    /// One pool before the first conv: the network never sees full-resolution strokes.
    First,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataSource {
    Mnist,
    Synthetic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImbKind {
    None,
    Classes,
    LongTail,
}

/// Class weights of the loss (`class_weight`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassWeight {
    /// Every sample counts the same.
    None,
    /// sklearn's "balanced": w_c = n / (K · count_c), from the training labels after imbalance and noise.
    Balanced,
}

/// What the network is fed (`pixels`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pixels {
    /// Standardised grey levels: (p/255 − mean) / std.
    Unit,
    /// The raw grey levels 0 … 255: the input scaling forgotten.
    Raw,
}

/// How the validation images are preprocessed (`val_pre`), a pipeline bug when it is not `same`: the
/// training images are standardised (or raw, with `pixels = raw`), the validation images are not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValPre {
    /// As the training images.
    Same,
    /// Raw grey levels 0 … 255: the scaling forgotten on the validation side.
    Raw,
    /// Inverted (255 − p, white digits become black on white), then scaled as training.
    Inverted,
    /// Divided by 255 but not standardised: 0 … 1 instead of mean 0, deviation 1.
    Unscaled,
}

/// How the learning rate moves over the run (`lr_schedule`), on top of warm-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LrSchedule {
    /// The set rate throughout.
    Constant,
    /// The set rate for the first `lr_epochs` epochs, a tenth of it after (the step decay of He et al.
    /// 2016's ResNet training, there at set epochs).
    Step,
    /// Cosine annealing from the set rate to 0 over `lr_epochs` epochs, 0 after (Loshchilov & Hutter
    /// 2017, "SGDR", without restarts).
    Cosine,
}

/// BatchNorm after every convolution (`bn=1`) or none (`bn=0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bn {
    Off,
    On,
}

/// An off/on setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    Off,
    On,
}

/// Whether a setting applies at the next step or needs a rebuild from the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Apply {
    Live,
    Reset,
}

/// Longest per-block list, and the most conv blocks.
pub const MAX_DEPTH: usize = 8;

/// A value of a type that means nothing yet: what `Config::default()` starts from before every row
/// of `SETTINGS` writes its default. Structs get it from `with_blank!`, enum settings from their
/// first option name, so no list of fields and placeholder values is kept by hand.
pub(crate) trait Blank {
    fn blank() -> Self;
}

impl Blank for f32 {
    fn blank() -> f32 {
        0.0
    }
}

impl Blank for u64 {
    fn blank() -> u64 {
        0
    }
}

impl Blank for usize {
    fn blank() -> usize {
        0
    }
}

impl<T> Blank for Vec<T> {
    fn blank() -> Vec<T> {
        Vec::new()
    }
}

impl Blank for Augment {
    fn blank() -> Augment {
        Augment::default()
    }
}

/// Declares a struct whose fields are set by rows of `SETTINGS`, and its `Blank` value (every field
/// blank), so that a new field needs no second list of placeholders.
macro_rules! with_blank {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)+
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)+
        }

        impl $crate::config::Blank for $name {
            fn blank() -> $name {
                $name {
                    $($field: $crate::config::Blank::blank(),)+
                }
            }
        }
    };
}
pub(crate) use with_blank;

with_blank! {
/// The whole configuration of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Drives initialization, data order, label noise, imbalance and augmentation.
    pub seed: u64,
    pub optim: OptimSettings,
    pub batch: usize,
    pub init: Initializer,
    /// Initial value of every bias (0 unless asked).
    pub bias: f32,
    /// Number of conv blocks.
    pub depth: usize,
    /// Per-block lists; shorter than `depth` repeats the last element.
    pub ch: Vec<usize>,
    pub k: Vec<usize>,
    pub stride: Vec<usize>,
    pub pad: Vec<usize>,
    pub act: Activation,
    pub pool: PoolPlace,
    pub pool_type: PoolKind,
    pub pool_size: Vec<usize>,
    /// Units of an optional hidden dense layer (0 = none).
    pub hidden: usize,
    pub data: DataSource,
    pub train_n: usize,
    pub val_n: usize,
    /// Label noise in percent.
    pub noise: f32,
    pub noise_kind: NoiseKind,
    pub imb: ImbKind,
    pub imb_classes: Vec<u8>,
    pub imb_keep: f32,
    pub imb_ratio: f32,
    pub aug: Augment,
    /// Pixel scale fed to the network.
    pub pixels: Pixels,
    /// Gradient clipping by global norm: the largest ‖g‖₂ over all parameters (0 = off).
    pub clip: f32,
    /// Linear learning-rate warm-up over this many steps (0 = off).
    pub warmup: usize,
    pub lr_schedule: LrSchedule,
    /// Epochs before the step schedule's drop, or the cosine schedule's length.
    pub lr_epochs: usize,
    /// Class weights of the loss.
    pub class_weight: ClassWeight,
    /// Zero the output layer at initialisation, so the first loss is ln 10.
    pub calibrated: Switch,
    /// Stop when the validation loss has not improved for this many epochs (0 = never).
    pub early_stop: usize,
    /// Pipeline bugs, all off by default: validation preprocessing, the loss's wiring, shuffling, a
    /// label shift of the validation labels, and validation images copied from the training set.
    pub val_pre: ValPre,
    pub loss_wiring: LossWiring,
    pub shuffle: Switch,
    /// Validation label y becomes (y + label_offset) mod 10.
    pub label_offset: usize,
    /// Percent of validation images replaced by copies of training images (with their labels).
    pub leak: f32,
    /// BatchNorm after every convolution.
    pub bn: Bn,
    /// Which statistics BatchNorm evaluates with (a pipeline bug unless `running`).
    pub bn_eval: BnEval,
}
}

/// The value type of a setting, its range, and how it writes and reads its `Config` field.
/// The functions only move an already validated value; `Setting::set` does the validating.
#[derive(Clone, Copy)]
pub enum Field {
    /// A real number in `min … max`; `log` asks the page for a logarithmic slider.
    Float {
        min: f64,
        max: f64,
        log: bool,
        set: fn(&mut Config, f32),
        get: fn(&Config) -> f32,
    },
    /// A whole number in `min … max`.
    Int {
        min: u64,
        max: u64,
        set: fn(&mut Config, u64),
        get: fn(&Config) -> u64,
    },
    /// One of `options`.
    Enum {
        options: &'static [&'static str],
        set: fn(&mut Config, &str) -> Option<()>,
        get: fn(&Config) -> &'static str,
    },
    /// A per-block list: 1 to `MAX_DEPTH` whole numbers in `min … max`.
    IntList {
        min: usize,
        max: usize,
        set: fn(&mut Config, Vec<usize>),
        get: fn(&Config) -> Vec<usize>,
    },
    /// A set of digits 0 … 9 (at most ten of them).
    Digits {
        set: fn(&mut Config, Vec<usize>),
        get: fn(&Config) -> Vec<usize>,
    },
}

/// One row of the settings table.
#[derive(Clone, Copy)]
pub struct Setting {
    /// The URL key and the page's key.
    pub key: &'static str,
    pub apply: Apply,
    /// The default, as text that `set` accepts; `Config::default()` is built from these.
    pub def: &'static str,
    pub field: Field,
}

/// An enum setting's option names and the values they stand for.
trait Choice: Copy + 'static {
    const NAMES: &'static [&'static str];
    fn from_name(name: &str) -> Option<Self>;
    fn name(self) -> &'static str;
}

impl<T: Choice> Blank for T {
    fn blank() -> T {
        T::from_name(T::NAMES[0]).expect("an enum setting's first name stands for a value")
    }
}

/// Writes each option's name and value once, as a pair; the match in `name` is exhaustive, so a
/// variant without a name does not compile.
macro_rules! choices {
    ($t:ty { $($name:literal => $value:path),+ $(,)? }) => {
        impl Choice for $t {
            const NAMES: &'static [&'static str] = &[$($name),+];
            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some($value),)+
                    _ => None,
                }
            }
            fn name(self) -> &'static str {
                match self {
                    $($value => $name,)+
                }
            }
        }
    };
}

choices!(OptKind {
    "sgd" => OptKind::Sgd,
    "momentum" => OptKind::Momentum,
    "nesterov" => OptKind::Nesterov,
    "adam" => OptKind::Adam,
});
choices!(WdKind {
    "l2" => WdKind::L2,
    "decoupled" => WdKind::Decoupled,
});
choices!(Activation {
    "relu" => Activation::Relu,
    "leaky_relu" => Activation::LeakyRelu,
    "tanh" => Activation::Tanh,
    "sigmoid" => Activation::Sigmoid,
    "identity" => Activation::Identity,
});
choices!(PoolPlace {
    "every" => PoolPlace::Every,
    "last" => PoolPlace::Last,
    "none" => PoolPlace::None,
    "first" => PoolPlace::First,
});
choices!(PoolKind {
    "max" => PoolKind::Max,
    "avg" => PoolKind::Avg,
});
choices!(DataSource {
    "mnist" => DataSource::Mnist,
    "synthetic" => DataSource::Synthetic,
});
choices!(NoiseKind {
    "uniform" => NoiseKind::Uniform,
    "pairs" => NoiseKind::Pairs,
    "random" => NoiseKind::Random,
});
choices!(ClassWeight {
    "none" => ClassWeight::None,
    "balanced" => ClassWeight::Balanced,
});
choices!(Pixels {
    "unit" => Pixels::Unit,
    "raw" => Pixels::Raw,
});
choices!(ValPre {
    "same" => ValPre::Same,
    "raw" => ValPre::Raw,
    "inverted" => ValPre::Inverted,
    "unscaled" => ValPre::Unscaled,
});
choices!(LossWiring {
    "ce" => LossWiring::CrossEntropy,
    "softmax_twice" => LossWiring::SoftmaxTwice,
    "mse" => LossWiring::Mse,
});
choices!(LrSchedule {
    "constant" => LrSchedule::Constant,
    "step" => LrSchedule::Step,
    "cosine" => LrSchedule::Cosine,
});
choices!(Bn {
    "0" => Bn::Off,
    "1" => Bn::On,
});
choices!(BnEval {
    "running" => BnEval::Running,
    "batch" => BnEval::Batch,
    "stale" => BnEval::Stale,
});
choices!(Switch {
    "off" => Switch::Off,
    "on" => Switch::On,
});
choices!(ImbKind {
    "none" => ImbKind::None,
    "classes" => ImbKind::Classes,
    "longtail" => ImbKind::LongTail,
});

// The initializer names belong to init.rs, which also uses them on its own.
impl Choice for InitKind {
    const NAMES: &'static [&'static str] = &INIT_KEYS;
    fn from_name(name: &str) -> Option<Self> {
        InitKind::parse(name)
    }
    fn name(self) -> &'static str {
        self.key()
    }
}

/// One row of `SETTINGS`: `row!(key, live|reset, default, type, field path)`. The field path is
/// written once and becomes both the writer and the reader, so a key cannot be read from one field
/// and written to another.
macro_rules! row {
    (@ $key:literal, $apply:ident, $def:literal, $field:expr) => {
        Setting { key: $key, apply: Apply::$apply, def: $def, field: $field }
    };
    ($key:literal, $apply:ident, $def:literal, float($min:expr, $max:expr), $($f:ident).+) => {
        row!(@ $key, $apply, $def, Field::Float {
            min: $min, max: $max, log: false, set: |c, v| c$(.$f)+ = v, get: |c| c$(.$f)+,
        })
    };
    ($key:literal, $apply:ident, $def:literal, log($min:expr, $max:expr), $($f:ident).+) => {
        row!(@ $key, $apply, $def, Field::Float {
            min: $min, max: $max, log: true, set: |c, v| c$(.$f)+ = v, get: |c| c$(.$f)+,
        })
    };
    ($key:literal, $apply:ident, $def:literal, int($min:expr, $max:expr), $($f:ident).+) => {
        row!(@ $key, $apply, $def, Field::Int {
            min: $min, max: $max, set: |c, v| c$(.$f)+ = v as _, get: |c| c$(.$f)+ as u64,
        })
    };
    ($key:literal, $apply:ident, $def:literal, choice($t:ty), $($f:ident).+) => {
        row!(@ $key, $apply, $def, Field::Enum {
            options: <$t as Choice>::NAMES,
            set: |c, v| {
                c$(.$f)+ = <$t as Choice>::from_name(v)?;
                Some(())
            },
            get: |c| Choice::name(c$(.$f)+),
        })
    };
    ($key:literal, $apply:ident, $def:literal, ilist($min:expr, $max:expr), $($f:ident).+) => {
        row!(@ $key, $apply, $def, Field::IntList {
            min: $min, max: $max, set: |c, v| c$(.$f)+ = v, get: |c| c$(.$f)+.clone(),
        })
    };
    ($key:literal, $apply:ident, $def:literal, digits, $($f:ident).+) => {
        row!(@ $key, $apply, $def, Field::Digits {
            set: |c, v| c$(.$f)+ = v.into_iter().map(|d| d as u8).collect(),
            get: |c| c$(.$f)+.iter().map(|&d| d as usize).collect(),
        })
    };
}

/// Every setting, the only list of them. `scripts/build.sh` writes it into the page
/// (www/generated/settings.js); www/state.js adds labels and help, and tests/settings.test.mjs fails
/// when a key or option has none, or when the generated file is not this table.
#[rustfmt::skip]
pub const SETTINGS: &[Setting] = &[
    // A seed above 2^53 would not survive the trip through a JS number.
    row!("seed",        Reset, "1",          int(0, 1 << 53),        seed),
    row!("opt",         Live,  "momentum",   choice(OptKind),        optim.kind),
    row!("lr",          Live,  "0.01",       log(1e-5, 10.0),        optim.lr),
    row!("mom",         Live,  "0.9",        float(0.0, 0.999),      optim.momentum),
    row!("b1",          Live,  "0.9",        float(0.0, 0.9999),     optim.beta1),
    row!("b2",          Live,  "0.999",      float(0.0, 0.99999),    optim.beta2),
    row!("eps",         Live,  "1e-8",       log(1e-10, 10.0),       optim.eps),
    row!("wd",          Live,  "0",          float(0.0, 0.1),        optim.weight_decay),
    row!("wd_kind",     Live,  "l2",         choice(WdKind),         optim.wd_kind),
    row!("wd_bias",     Live,  "off",        choice(Switch),         optim.decay_bias),
    row!("batch",       Reset, "32",         int(1, 512),            batch),
    row!("init",        Reset, "he_uniform", choice(InitKind),       init.kind),
    row!("gain",        Reset, "1",          log(1e-4, 1000.0),      init.gain),
    row!("bias",        Reset, "0",          float(-1.0, 1.0),       bias),
    row!("depth",       Reset, "2",          int(1, MAX_DEPTH as u64), depth),
    row!("ch",          Reset, "8,16",       ilist(1, 64),           ch),
    row!("k",           Reset, "5,5",        ilist(1, 15),           k),
    row!("stride",      Reset, "1,1",        ilist(1, 4),            stride),
    row!("pad",         Reset, "2,2",        ilist(0, 7),            pad),
    row!("act",         Reset, "relu",       choice(Activation),     act),
    row!("pool",        Reset, "every",      choice(PoolPlace),      pool),
    row!("pool_type",   Reset, "max",        choice(PoolKind),       pool_type),
    row!("pool_size",   Reset, "2,3",        ilist(1, 4),            pool_size),
    row!("hidden",      Reset, "0",          int(0, 512),            hidden),
    row!("bn",          Reset, "0",          choice(Bn),             bn),
    row!("data",        Reset, "mnist",      choice(DataSource),     data),
    row!("train_n",     Reset, "10000",      int(100, 50_000),       train_n),
    row!("val_n",       Reset, "10000",      int(100, 10_000),       val_n),
    row!("noise",       Reset, "0",          float(0.0, 100.0),      noise),
    row!("noise_kind",  Reset, "uniform",    choice(NoiseKind),   noise_kind),
    row!("imb",         Reset, "none",       choice(ImbKind),        imb),
    row!("imb_classes", Reset, "0,1,2,3,4",  digits,                 imb_classes),
    row!("imb_keep",    Reset, "0.1",        log(0.001, 1.0),        imb_keep),
    row!("imb_ratio",   Reset, "100",        log(1.0, 1000.0),       imb_ratio),
    row!("aug_shift",   Reset, "0",          float(0.0, 14.0),       aug.shift),
    row!("aug_rot",     Reset, "0",          float(0.0, 180.0),      aug.rotate),
    row!("aug_scale",   Reset, "0",          float(0.0, 0.5),        aug.scale),
    row!("aug_shear",   Reset, "0",          float(0.0, 1.0),        aug.shear),
    row!("aug_hflip",   Reset, "0",          float(0.0, 1.0),        aug.hflip),
    row!("aug_rot180",  Reset, "0",          float(0.0, 1.0),        aug.rot180),
    row!("aug_jitter",  Reset, "0",          float(0.0, 1.0),        aug.jitter),
    row!("aug_noise",   Reset, "0",          float(0.0, 1.0),        aug.noise),
    row!("pixels",      Reset, "unit",       choice(Pixels),         pixels),
    // Remedies: all off by default.
    row!("clip",        Live,  "0",          float(0.0, 10.0),       clip),
    row!("warmup",      Live,  "0",          int(0, 5000),           warmup),
    row!("lr_schedule", Live,  "constant",   choice(LrSchedule),     lr_schedule),
    row!("lr_epochs",   Live,  "3",          int(1, 100),            lr_epochs),
    row!("class_weight", Live, "none",       choice(ClassWeight),    class_weight),
    row!("calibrated",  Reset, "off",        choice(Switch),         calibrated),
    row!("early_stop",  Live,  "0",          int(0, 50),             early_stop),
    // Pipeline bugs: all off by default.
    row!("val_pre",     Reset, "same",       choice(ValPre),         val_pre),
    row!("loss_wiring", Reset, "ce",         choice(LossWiring),     loss_wiring),
    row!("shuffle",     Reset, "on",         choice(Switch),         shuffle),
    row!("label_offset", Reset, "0",         int(0, 9),              label_offset),
    row!("leak",        Reset, "0",          float(0.0, 100.0),      leak),
    row!("bn_eval",     Reset, "running",    choice(BnEval),         bn_eval),
];

/// The row of `key`, if it is a Loss Lab setting.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

fn parse_num(key: &str, value: &str, lo: f64, hi: f64) -> Result<f64, ConfigError> {
    let v: f64 = match value.trim().parse() {
        Ok(v) => v,
        Err(_) => {
            return err(format!(
                "{key} = \"{value}\" is not a number (allowed: {lo} … {hi})"
            ))
        }
    };
    if !v.is_finite() {
        return err(format!(
            "{key} = {value} is not a finite number (allowed: {lo} … {hi})"
        ));
    }
    if v < lo || v > hi {
        return err(format!(
            "{key} = {value} is out of range: it must be between {lo} and {hi}"
        ));
    }
    Ok(v)
}

/// A whole number in `lo … hi`. A fraction is refused rather than truncated, so the engine never
/// quietly runs a different value from the one the page shows (the page rounds, with a notice).
fn parse_whole(key: &str, value: &str, lo: f64, hi: f64) -> Result<f64, ConfigError> {
    let v = parse_num(key, value, lo, hi)?;
    if v.fract() != 0.0 {
        return err(format!(
            "{key} = {value} must be a whole number ({lo} … {hi})"
        ));
    }
    Ok(v)
}

/// 1 to `max_len` comma-separated whole numbers in `lo … hi`; `example` shows the expected form.
fn parse_list(
    key: &str,
    value: &str,
    lo: usize,
    hi: usize,
    max_len: usize,
    example: &str,
) -> Result<Vec<usize>, ConfigError> {
    let items: Vec<&str> = value.split(',').map(str::trim).collect();
    if items.len() > max_len || items.iter().any(|s| s.is_empty()) {
        return err(format!(
            "{key} = \"{value}\" must be 1 to {max_len} comma-separated whole numbers, e.g. \"{example}\""
        ));
    }
    items
        .iter()
        .map(|s| parse_whole(key, s, lo as f64, hi as f64).map(|v| v as usize))
        .collect()
}

fn join(v: &[usize]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl Setting {
    /// The page's name for the value type: "float", "log" (float on a logarithmic slider), "int",
    /// "enum", "ilist" (per-block list) or "digits".
    pub fn type_name(&self) -> &'static str {
        match self.field {
            Field::Float { log: false, .. } => "float",
            Field::Float { log: true, .. } => "log",
            Field::Int { .. } => "int",
            Field::Enum { .. } => "enum",
            Field::IntList { .. } => "ilist",
            Field::Digits { .. } => "digits",
        }
    }

    /// Smallest and largest allowed value (of each element, for lists); None for an enum.
    pub fn range(&self) -> Option<(f64, f64)> {
        match self.field {
            Field::Float { min, max, .. } => Some((min, max)),
            Field::Int { min, max, .. } => Some((min as f64, max as f64)),
            Field::Enum { .. } => None,
            Field::IntList { min, max, .. } => Some((min as f64, max as f64)),
            Field::Digits { .. } => Some((0.0, 9.0)),
        }
    }

    /// The most entries a list setting takes (`MAX_DEPTH` per-block values, or the ten digits);
    /// None for a single value.
    pub fn max_len(&self) -> Option<usize> {
        match self.field {
            Field::IntList { .. } => Some(MAX_DEPTH),
            Field::Digits { .. } => Some(10),
            _ => None,
        }
    }

    /// The allowed names of an enum setting; empty for the others.
    pub fn options(&self) -> &'static [&'static str] {
        match self.field {
            Field::Enum { options, .. } => options,
            _ => &[],
        }
    }

    /// Validate `value` and write it into `cfg`; a rejected value leaves `cfg` unchanged.
    pub fn set(&self, cfg: &mut Config, value: &str) -> Result<(), ConfigError> {
        let key = self.key;
        match self.field {
            Field::Float { min, max, set, .. } => set(cfg, parse_num(key, value, min, max)? as f32),
            Field::Int { min, max, set, .. } => {
                set(cfg, parse_whole(key, value, min as f64, max as f64)? as u64)
            }
            Field::Enum { options, set, .. } => {
                let v = value.trim();
                if !options.contains(&v) || set(cfg, v).is_none() {
                    return err(format!(
                        "{key} = \"{value}\" is not one of: {}",
                        options.join(", ")
                    ));
                }
            }
            Field::IntList { min, max, set, .. } => {
                set(cfg, parse_list(key, value, min, max, MAX_DEPTH, self.def)?)
            }
            Field::Digits { set, .. } => set(cfg, parse_list(key, value, 0, 9, 10, self.def)?),
        }
        Ok(())
    }

    /// The current value in `cfg`, as text that `set` accepts.
    pub fn get(&self, cfg: &Config) -> String {
        match self.field {
            // Shortest text that parses back to the same f32.
            Field::Float { get, .. } => format!("{}", get(cfg)),
            Field::Int { get, .. } => get(cfg).to_string(),
            Field::Enum { get, .. } => get(cfg).to_string(),
            Field::IntList { get, .. } | Field::Digits { get, .. } => join(&get(cfg)),
        }
    }
}

impl Default for Config {
    /// Every field from its row's default text.
    fn default() -> Config {
        let mut c = Config::blank();
        for s in SETTINGS {
            s.set(&mut c, s.def)
                .unwrap_or_else(|e| panic!("the default of {} is invalid: {e}", s.key));
        }
        c
    }
}

impl Config {
    /// Is `key` applied at the next step (live) or by a rebuild (reset)? None for an unknown key.
    pub fn apply_kind(key: &str) -> Option<Apply> {
        setting(key).map(|s| s.apply)
    }

    /// Set one value from text, validating it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        match setting(key) {
            Some(s) => s.set(self, value),
            None => err(format!("unknown setting \"{key}\"")),
        }
    }

    /// The current value of `key` as text that `set` accepts.
    pub fn get(&self, key: &str) -> Option<String> {
        setting(key).map(|s| s.get(self))
    }

    /// Every key with its current value, in display order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        SETTINGS.iter().map(|s| (s.key, s.get(self))).collect()
    }

    /// Apply several settings; stops at the first error.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        for (k, v) in pairs {
            c.set(k, v)?;
        }
        Ok(c)
    }

    /// Per-block value i of a list, repeating the last element.
    pub fn block(list: &[usize], i: usize) -> usize {
        list[i.min(list.len() - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_key_round_trips_through_text() {
        let c = Config::default();
        let mut d = Config::default();
        for (k, v) in c.pairs() {
            d.set(k, &v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
        }
        assert_eq!(c, d);
        assert_eq!(c.pairs().len(), SETTINGS.len());
    }

    #[test]
    fn keys_are_unique_and_defaults_read_back_as_written() {
        let mut seen = HashSet::new();
        let c = Config::default();
        for s in SETTINGS {
            assert!(seen.insert(s.key), "{} appears twice in SETTINGS", s.key);
            let got = c.get(s.key).unwrap();
            let same = match (got.parse::<f64>(), s.def.parse::<f64>()) {
                (Ok(a), Ok(b)) => a == b || (a - b).abs() <= 1e-7 * b.abs(),
                _ => got == s.def,
            };
            assert!(same, "{}: default {:?} reads back as {got:?}", s.key, s.def);
        }
    }

    #[test]
    fn the_defaults_are_the_documented_run() {
        let c = Config::default();
        assert_eq!(c.seed, 1);
        assert_eq!(c.optim.kind, OptKind::Momentum);
        assert_eq!(c.optim.lr, 0.01);
        assert_eq!(c.optim.eps, 1e-8);
        assert_eq!(c.init.kind, InitKind::HeUniform);
        assert_eq!(
            (c.depth, &c.ch, &c.pool_size),
            (2, &vec![8, 16], &vec![2, 3])
        );
        assert_eq!(c.imb_classes, [0, 1, 2, 3, 4]);
        assert_eq!(c.aug, Augment::default());
    }

    #[test]
    fn every_option_of_every_enum_round_trips() {
        for s in SETTINGS {
            for &o in s.options() {
                let mut c = Config::default();
                c.set(s.key, o)
                    .unwrap_or_else(|e| panic!("{}={o}: {e}", s.key));
                assert_eq!(c.get(s.key).unwrap(), o, "{}", s.key);
            }
        }
        // Layer names (relu1, …) use Activation::key; keep them the same as the URL names.
        for &o in <Activation as Choice>::NAMES {
            assert_eq!(Activation::from_name(o).unwrap().key(), o);
        }
    }

    #[test]
    fn every_range_is_inclusive_and_nothing_outside_it_is_accepted() {
        for s in SETTINGS {
            let Some((lo, hi)) = s.range() else { continue };
            let whole = s.type_name() != "float" && s.type_name() != "log";
            let step = if whole { 1.0 } else { 0.5 };
            let below = lo - lo.abs().max(1e-9) * step;
            // 2^53 + 1 is 2^53 in f64, so the seed's "above" is twice its maximum.
            let above = if hi + step > hi {
                hi + hi.max(1.0) * step
            } else {
                hi * 2.0
            };
            for (v, ok) in [(lo, true), (hi, true), (below, false), (above, false)] {
                let mut c = Config::default();
                let r = c.set(s.key, &format!("{v}"));
                assert_eq!(r.is_ok(), ok, "{}={v}: {r:?}", s.key);
                if let Err(e) = r {
                    assert!(e.0.contains(s.key), "{e}");
                    assert_eq!(c, Config::default(), "{}={v} changed the config", s.key);
                }
            }
        }
    }

    #[test]
    fn whole_numbers_are_refused_with_a_fraction_not_truncated() {
        let mut c = Config::default();
        for (k, v) in [("seed", "1.5"), ("batch", "31.9"), ("ch", "8,16.5")] {
            let e = c.set(k, v).unwrap_err().0;
            assert!(e.contains("whole number") && e.contains(k), "{k}={v}: {e}");
        }
        c.set("seed", "9007199254740992").unwrap();
        assert_eq!(c.seed, 1 << 53);
        c.set("seed", "42.0").unwrap();
        assert_eq!(c.seed, 42);
    }

    #[test]
    fn lists_have_their_own_lengths() {
        let mut c = Config::default();
        c.set("imb_classes", "0,1,2,3,4,5,6,7,8,9").unwrap();
        assert_eq!(c.imb_classes.len(), 10);
        let e = c.set("imb_classes", "0,1,2,3,4,5,6,7,8,9,0").unwrap_err().0;
        assert!(e.contains("1 to 10"), "{e}");
        let e = c.set("ch", "1,2,3,4,5,6,7,8,9").unwrap_err().0;
        assert!(e.contains("1 to 8") && e.contains("e.g. \"8,16\""), "{e}");
        let e = c.set("imb_classes", "10").unwrap_err().0;
        assert!(e.contains("out of range"), "{e}");
        // What the table tells the page is what `set` enforces.
        assert_eq!(setting("ch").unwrap().max_len(), Some(MAX_DEPTH));
        assert_eq!(setting("imb_classes").unwrap().max_len(), Some(10));
        assert_eq!(setting("depth").unwrap().max_len(), None);
        assert_eq!(
            setting("depth").unwrap().range(),
            Some((1.0, MAX_DEPTH as f64))
        );
    }

    #[test]
    fn bad_values_get_their_own_messages() {
        let mut c = Config::default();
        let cases = [
            ("lr", "abc", "not a number"),
            ("lr", "20", "out of range"),
            ("lr", "NaN", "not a finite number"),
            ("lr", "inf", "not a finite number"),
            ("lr", "", "not a number"),
            ("lr", "0x10", "not a number"),
            ("batch", "0x10", "not a number"),
            ("depth", "2.5", "whole number"),
            ("depth", "9", "out of range"),
            ("seed", "1.5", "whole number"),
            ("seed", "-1", "out of range"),
            ("ch", "8,,16", "comma-separated"),
            ("ch", "", "comma-separated"),
            ("act", "<b>", "not one of"),
            ("init", "xavier", "not one of"),
            ("bogus", "1", "unknown setting"),
        ];
        for (k, v, want) in cases {
            let e = c.set(k, v).unwrap_err().0;
            assert!(e.contains(want), "{k}={v}: {e}");
            assert!(e.contains(k), "{k}={v}: message should name the key: {e}");
        }
        assert_eq!(
            c,
            Config::default(),
            "a rejected value must leave the config unchanged"
        );
    }
}
