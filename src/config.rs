//! Every setting of a run, in one flat key/value table. The keys are the page's URL keys; `set`
//! is the authority on validation and rejects a bad value with a message naming the key, the value
//! and the allowed range. Structural checks (does the network fit 28×28?) live in `model::plan`.

use crate::data::augment::Augment;
use crate::init::{InitKind, Initializer, INIT_KEYS};
use crate::layers::activation::Activation;
use crate::layers::pool::PoolKind;
use crate::optim::{OptKind, OptimSettings};
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
pub enum NoiseKindKey {
    Uniform,
    Pairs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImbKind {
    None,
    Classes,
    LongTail,
}

/// Whether a setting applies at the next step or needs a rebuild from the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Apply {
    Live,
    Reset,
}

/// Every key, in display order, with how it applies.
pub const KEYS: &[(&str, Apply)] = &[
    ("seed", Apply::Reset),
    ("opt", Apply::Live),
    ("lr", Apply::Live),
    ("mom", Apply::Live),
    ("b1", Apply::Live),
    ("b2", Apply::Live),
    ("eps", Apply::Live),
    ("wd", Apply::Live),
    ("batch", Apply::Reset),
    ("init", Apply::Reset),
    ("gain", Apply::Reset),
    ("bias", Apply::Reset),
    ("depth", Apply::Reset),
    ("ch", Apply::Reset),
    ("k", Apply::Reset),
    ("stride", Apply::Reset),
    ("pad", Apply::Reset),
    ("act", Apply::Reset),
    ("pool", Apply::Reset),
    ("pool_type", Apply::Reset),
    ("pool_size", Apply::Reset),
    ("hidden", Apply::Reset),
    ("data", Apply::Reset),
    ("train_n", Apply::Reset),
    ("val_n", Apply::Reset),
    ("noise", Apply::Reset),
    ("noise_kind", Apply::Reset),
    ("imb", Apply::Reset),
    ("imb_classes", Apply::Reset),
    ("imb_keep", Apply::Reset),
    ("imb_ratio", Apply::Reset),
    ("aug_shift", Apply::Reset),
    ("aug_rot", Apply::Reset),
    ("aug_scale", Apply::Reset),
    ("aug_shear", Apply::Reset),
    ("aug_hflip", Apply::Reset),
    ("aug_rot180", Apply::Reset),
    ("aug_jitter", Apply::Reset),
    ("aug_noise", Apply::Reset),
];

pub const MAX_DEPTH: usize = 8;

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
    pub noise_kind: NoiseKindKey,
    pub imb: ImbKind,
    pub imb_classes: Vec<u8>,
    pub imb_keep: f32,
    pub imb_ratio: f32,
    pub aug: Augment,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 1,
            optim: OptimSettings {
                kind: OptKind::Momentum,
                lr: 0.01,
                momentum: 0.9,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0,
            },
            batch: 32,
            init: Initializer {
                kind: InitKind::HeUniform,
                gain: 1.0,
            },
            bias: 0.0,
            depth: 2,
            ch: vec![8, 16],
            k: vec![5, 5],
            stride: vec![1, 1],
            pad: vec![2, 2],
            act: Activation::Relu,
            pool: PoolPlace::Every,
            pool_type: PoolKind::Max,
            pool_size: vec![2, 3],
            hidden: 0,
            data: DataSource::Mnist,
            train_n: 10_000,
            val_n: 10_000,
            noise: 0.0,
            noise_kind: NoiseKindKey::Uniform,
            imb: ImbKind::None,
            imb_classes: vec![0, 1, 2, 3, 4],
            imb_keep: 0.1,
            imb_ratio: 100.0,
            aug: Augment::default(),
        }
    }
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

fn parse_int(key: &str, value: &str, lo: usize, hi: usize) -> Result<usize, ConfigError> {
    let v = parse_num(key, value, lo as f64, hi as f64)?;
    if v.fract() != 0.0 {
        return err(format!(
            "{key} = {value} must be a whole number ({lo} … {hi})"
        ));
    }
    Ok(v as usize)
}

fn parse_list(key: &str, value: &str, lo: usize, hi: usize) -> Result<Vec<usize>, ConfigError> {
    let items: Vec<&str> = value.split(',').map(str::trim).collect();
    if items.is_empty() || items.len() > MAX_DEPTH || items.iter().any(|s| s.is_empty()) {
        return err(format!(
            "{key} = \"{value}\" must be 1 to {MAX_DEPTH} comma-separated whole numbers, e.g. \"8,16\""
        ));
    }
    items.iter().map(|s| parse_int(key, s, lo, hi)).collect()
}

fn parse_enum<T: Copy>(key: &str, value: &str, options: &[(&str, T)]) -> Result<T, ConfigError> {
    let v = value.trim();
    match options.iter().find(|(k, _)| *k == v) {
        Some((_, t)) => Ok(*t),
        None => {
            let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
            err(format!(
                "{key} = \"{value}\" is not one of: {}",
                names.join(", ")
            ))
        }
    }
}

fn enum_key<T: Copy + PartialEq>(v: T, options: &[(&'static str, T)]) -> &'static str {
    options
        .iter()
        .find(|(_, t)| *t == v)
        .map(|(k, _)| *k)
        .unwrap_or("?")
}

const OPTS: &[(&str, OptKind)] = &[
    ("sgd", OptKind::Sgd),
    ("momentum", OptKind::Momentum),
    ("nesterov", OptKind::Nesterov),
    ("adam", OptKind::Adam),
];
const ACTS: &[(&str, Activation)] = &[
    ("relu", Activation::Relu),
    ("leaky_relu", Activation::LeakyRelu),
    ("tanh", Activation::Tanh),
    ("sigmoid", Activation::Sigmoid),
    ("identity", Activation::Identity),
];
const POOLS: &[(&str, PoolPlace)] = &[
    ("every", PoolPlace::Every),
    ("last", PoolPlace::Last),
    ("none", PoolPlace::None),
    ("first", PoolPlace::First),
];
const POOL_TYPES: &[(&str, PoolKind)] = &[("max", PoolKind::Max), ("avg", PoolKind::Avg)];
const DATA: &[(&str, DataSource)] = &[
    ("mnist", DataSource::Mnist),
    ("synthetic", DataSource::Synthetic),
];
const NOISE_KINDS: &[(&str, NoiseKindKey)] = &[
    ("uniform", NoiseKindKey::Uniform),
    ("pairs", NoiseKindKey::Pairs),
];
const IMBS: &[(&str, ImbKind)] = &[
    ("none", ImbKind::None),
    ("classes", ImbKind::Classes),
    ("longtail", ImbKind::LongTail),
];

fn join(v: &[usize]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn fmt_f32(v: f32) -> String {
    // Shortest text that parses back to the same f32.
    format!("{v}")
}

impl Config {
    /// Is `key` applied at the next step (live) or by a rebuild (reset)? None for an unknown key.
    pub fn apply_kind(key: &str) -> Option<Apply> {
        KEYS.iter().find(|(k, _)| *k == key).map(|(_, a)| *a)
    }

    /// Set one value from text, validating it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let f = |lo: f64, hi: f64| parse_num(key, value, lo, hi).map(|v| v as f32);
        match key {
            "seed" => self.seed = parse_num(key, value, 0.0, 9_007_199_254_740_992.0)? as u64,
            "opt" => self.optim.kind = parse_enum(key, value, OPTS)?,
            "lr" => self.optim.lr = f(1e-5, 10.0)?,
            "mom" => self.optim.momentum = f(0.0, 0.999)?,
            "b1" => self.optim.beta1 = f(0.0, 0.9999)?,
            "b2" => self.optim.beta2 = f(0.0, 0.99999)?,
            "eps" => self.optim.eps = f(1e-10, 10.0)?,
            "wd" => self.optim.weight_decay = f(0.0, 0.1)?,
            "batch" => self.batch = parse_int(key, value, 1, 512)?,
            "init" => {
                self.init.kind = InitKind::parse(value.trim()).ok_or_else(|| {
                    ConfigError(format!(
                        "init = \"{value}\" is not one of: {}",
                        INIT_KEYS.join(", ")
                    ))
                })?
            }
            "gain" => self.init.gain = f(1e-4, 1000.0)?,
            "bias" => self.bias = f(-1.0, 1.0)?,
            "depth" => self.depth = parse_int(key, value, 1, MAX_DEPTH)?,
            "ch" => self.ch = parse_list(key, value, 1, 64)?,
            "k" => self.k = parse_list(key, value, 1, 15)?,
            "stride" => self.stride = parse_list(key, value, 1, 4)?,
            "pad" => self.pad = parse_list(key, value, 0, 7)?,
            "act" => self.act = parse_enum(key, value, ACTS)?,
            "pool" => self.pool = parse_enum(key, value, POOLS)?,
            "pool_type" => self.pool_type = parse_enum(key, value, POOL_TYPES)?,
            "pool_size" => self.pool_size = parse_list(key, value, 1, 4)?,
            "hidden" => self.hidden = parse_int(key, value, 0, 512)?,
            "data" => self.data = parse_enum(key, value, DATA)?,
            "train_n" => self.train_n = parse_int(key, value, 100, 60_000)?,
            "val_n" => self.val_n = parse_int(key, value, 100, 10_000)?,
            "noise" => self.noise = f(0.0, 100.0)?,
            "noise_kind" => self.noise_kind = parse_enum(key, value, NOISE_KINDS)?,
            "imb" => self.imb = parse_enum(key, value, IMBS)?,
            "imb_classes" => {
                let list = parse_list(key, value, 0, 9);
                // Up to ten digits, so parse_list's depth cap does not apply here.
                let v: Vec<usize> = match list {
                    Ok(v) => v,
                    Err(_) => value
                        .split(',')
                        .map(|s| parse_int(key, s, 0, 9))
                        .collect::<Result<Vec<_>, _>>()?,
                };
                if v.len() > 10 {
                    return err(format!("{key} = \"{value}\" lists more than ten digits"));
                }
                self.imb_classes = v.into_iter().map(|d| d as u8).collect();
            }
            "imb_keep" => self.imb_keep = f(0.001, 1.0)?,
            "imb_ratio" => self.imb_ratio = f(1.0, 1000.0)?,
            "aug_shift" => self.aug.shift = f(0.0, 14.0)?,
            "aug_rot" => self.aug.rotate = f(0.0, 180.0)?,
            "aug_scale" => self.aug.scale = f(0.0, 0.5)?,
            "aug_shear" => self.aug.shear = f(0.0, 1.0)?,
            "aug_hflip" => self.aug.hflip = f(0.0, 1.0)?,
            "aug_rot180" => self.aug.rot180 = f(0.0, 1.0)?,
            "aug_jitter" => self.aug.jitter = f(0.0, 1.0)?,
            "aug_noise" => self.aug.noise = f(0.0, 1.0)?,
            _ => return err(format!("unknown setting \"{key}\"")),
        }
        Ok(())
    }

    /// The current value of `key` as text that `set` accepts.
    pub fn get(&self, key: &str) -> Option<String> {
        let o = &self.optim;
        Some(match key {
            "seed" => self.seed.to_string(),
            "opt" => enum_key(o.kind, OPTS).into(),
            "lr" => fmt_f32(o.lr),
            "mom" => fmt_f32(o.momentum),
            "b1" => fmt_f32(o.beta1),
            "b2" => fmt_f32(o.beta2),
            "eps" => fmt_f32(o.eps),
            "wd" => fmt_f32(o.weight_decay),
            "batch" => self.batch.to_string(),
            "init" => self.init.kind.key().into(),
            "gain" => fmt_f32(self.init.gain),
            "bias" => fmt_f32(self.bias),
            "depth" => self.depth.to_string(),
            "ch" => join(&self.ch),
            "k" => join(&self.k),
            "stride" => join(&self.stride),
            "pad" => join(&self.pad),
            "act" => self.act.key().into(),
            "pool" => enum_key(self.pool, POOLS).into(),
            "pool_type" => enum_key(self.pool_type, POOL_TYPES).into(),
            "pool_size" => join(&self.pool_size),
            "hidden" => self.hidden.to_string(),
            "data" => enum_key(self.data, DATA).into(),
            "train_n" => self.train_n.to_string(),
            "val_n" => self.val_n.to_string(),
            "noise" => fmt_f32(self.noise),
            "noise_kind" => enum_key(self.noise_kind, NOISE_KINDS).into(),
            "imb" => enum_key(self.imb, IMBS).into(),
            "imb_classes" => self
                .imb_classes
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(","),
            "imb_keep" => fmt_f32(self.imb_keep),
            "imb_ratio" => fmt_f32(self.imb_ratio),
            "aug_shift" => fmt_f32(self.aug.shift),
            "aug_rot" => fmt_f32(self.aug.rotate),
            "aug_scale" => fmt_f32(self.aug.scale),
            "aug_shear" => fmt_f32(self.aug.shear),
            "aug_hflip" => fmt_f32(self.aug.hflip),
            "aug_rot180" => fmt_f32(self.aug.rot180),
            "aug_jitter" => fmt_f32(self.aug.jitter),
            "aug_noise" => fmt_f32(self.aug.noise),
            _ => return None,
        })
    }

    /// Every key with its current value, in display order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        KEYS.iter()
            .map(|(k, _)| (*k, self.get(k).expect("every key has a value")))
            .collect()
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

    #[test]
    fn every_key_round_trips_through_text() {
        let c = Config::default();
        let mut d = Config::default();
        for (k, v) in c.pairs() {
            d.set(k, &v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
        }
        assert_eq!(c, d);
        assert_eq!(c.pairs().len(), KEYS.len());
    }

    #[test]
    fn bad_values_get_their_own_messages() {
        let mut c = Config::default();
        let cases = [
            ("lr", "abc", "not a number"),
            ("lr", "20", "out of range"),
            ("lr", "NaN", "not a finite number"),
            ("lr", "inf", "not a finite number"),
            ("depth", "2.5", "whole number"),
            ("depth", "9", "out of range"),
            ("ch", "8,,16", "comma-separated"),
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
