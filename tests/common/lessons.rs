//! The lessons of www/presets.json as tests: parse a lesson and its claims, train it once per seed
//! exactly as the page does (engine defaults + the lesson's `set`, for its `epochs`), keep everything
//! that run measured in a `Run`, and read every claim off that record.
//!
//! One run per (lesson, seed) records all there is to check — per-step batch figures and gradient
//! norms, per-epoch training, clean/corrupted and validation figures with recall, the per-layer
//! statistics of the untrained net and at every epoch end, the divergence step — so a claim never
//! retrains and other tests (a diagnosis of what went wrong, say) can read the same records through
//! `recorded()`. The claim vocabulary is documented at the top of tests/lessons.rs and in
//! docs/ARCHITECTURE.md ("Lessons and their claims").

use super::mnist::{self, Mnist};
use losslab::config::{Config, NoiseKind};
use losslab::diagnose::{Observations, CAUSES};
use losslab::metrics::LayerStats;
use losslab::model::{plan, LayerKind, Model};
use losslab::train::{
    ActHistory, Binning, Diagnosis, EpochSummary, EvalReport, Event, GradientWorker, LayerHistory,
    Peer, SharpnessPoint, Status, Trainer, DIAGNOSE_FIRST,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// The seeds every lesson must hold on. The page itself runs seed 1 (the default).
const DEFAULT_SEEDS: [u64; 2] = [1, 2];

/// The seeds the lesson binary trains: `DEFAULT_SEEDS`, or the comma-separated list in LOSSLAB_SEEDS
/// (`LOSSLAB_SEEDS=3,4,5,6 cargo test --profile native-test --test lessons -- --include-ignored`), to
/// check that the claims hold beyond the two seeds `npm test` trains.
pub fn seeds() -> &'static [u64] {
    static CELL: OnceLock<Vec<u64>> = OnceLock::new();
    CELL.get_or_init(|| match std::env::var("LOSSLAB_SEEDS") {
        Ok(list) => list
            .split(',')
            .map(|s| {
                s.trim().parse().unwrap_or_else(|_| {
                    panic!("LOSSLAB_SEEDS={list:?}: every entry must be a whole number")
                })
            })
            .collect(),
        Err(_) => DEFAULT_SEEDS.to_vec(),
    })
}

pub fn presets_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/presets.json")
}

// ------------------------------------------------------------------------------------------ lessons

/// One lesson as www/presets.json states it.
#[derive(Clone, Debug)]
pub struct Preset {
    pub id: String,
    pub group: String,
    pub title: String,
    /// Overrides of the engine defaults, as the page's `merge(defaults(), set)` applies them.
    pub set: Vec<(String, String)>,
    /// How many epochs the text describes (and the test trains).
    pub epochs: usize,
    /// The lesson's cause in the diagnosis taxonomy (`losslab::diagnose::CAUSES`), or None for a
    /// lesson whose network trains well (the diagnosis must then stay quiet).
    pub cause: Option<String>,
    pub text: String,
    pub claims: Vec<Claim>,
}

#[derive(Clone, Debug)]
pub struct Lessons {
    pub groups: Vec<(String, String)>,
    pub presets: Vec<Preset>,
}

impl Lessons {
    pub fn get(&self, id: &str) -> Option<&Preset> {
        self.presets.iter().find(|p| p.id == id)
    }
}

/// Read and parse www/presets.json; errors name the lesson and the field.
pub fn load_lessons() -> Result<Lessons, String> {
    let path = presets_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_lessons(&text)
}

pub fn parse_lessons(text: &str) -> Result<Lessons, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("presets.json: {e}"))?;
    let groups = root
        .get("groups")
        .and_then(Value::as_array)
        .ok_or("presets.json: `groups` must be a list of [id, title]")?
        .iter()
        .map(|g| match g.as_array().map(|a| a.as_slice()) {
            Some([Value::String(id), Value::String(title)]) => Ok((id.clone(), title.clone())),
            _ => Err(format!("presets.json: group {g} is not [id, title]")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let presets = root
        .get("presets")
        .and_then(Value::as_array)
        .ok_or("presets.json: `presets` must be a list")?
        .iter()
        .enumerate()
        .map(|(i, p)| parse_preset(p).map_err(|e| format!("presets.json, preset {i}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Lessons { groups, presets })
}

fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} must be an object, not {v}"))
}

fn string(o: &Map<String, Value>, key: &str) -> Result<String, String> {
    o.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("`{key}` must be a string"))
}

fn number(o: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match o.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("`{key}` must be a number, not {v}")),
    }
}

fn count(o: &Map<String, Value>, key: &str) -> Result<usize, String> {
    o.get(key)
        .and_then(Value::as_u64)
        .map(|v| v as usize)
        .ok_or_else(|| format!("`{key}` must be a whole number ≥ 0"))
}

/// A setting's value as the page sends it to the engine: strings as they are, numbers as written.
fn setting_text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(format!("a setting must be a string or a number, not {v}")),
    }
}

fn parse_preset(v: &Value) -> Result<Preset, String> {
    let o = obj(v, "a preset")?;
    let id = string(o, "id")?;
    let inner = || -> Result<Preset, String> {
        let set = obj(o.get("set").unwrap_or(&Value::Null), "`set`")?
            .iter()
            .map(|(k, v)| Ok((k.clone(), setting_text(v)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let claims = o
            .get("claims")
            .and_then(Value::as_array)
            .ok_or("`claims` must be a list")?
            .iter()
            .enumerate()
            .map(|(i, c)| parse_claim(c).map_err(|e| format!("claim {i}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Preset {
            id: id.clone(),
            group: string(o, "group")?,
            title: string(o, "title")?,
            set,
            epochs: count(o, "epochs")?,
            cause: match o.get("cause") {
                Some(Value::Null) => None,
                Some(Value::String(c)) if CAUSES.contains(&c.as_str()) => Some(c.clone()),
                Some(v) => {
                    return Err(format!(
                        "`cause` must be null or one of {}, not {v}",
                        CAUSES.join(", ")
                    ))
                }
                None => {
                    return Err("`cause` is missing (null for a lesson that trains well)".into())
                }
            },
            text: string(o, "text")?,
            claims,
        })
    };
    inner().map_err(|e| format!("`{id}`: {e}"))
}

// ------------------------------------------------------------------------------------------- claims

/// How a window of values is summarised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stat {
    Mean,
    Median,
    Min,
    Max,
}

impl Stat {
    fn parse(o: &Map<String, Value>) -> Result<Stat, String> {
        Ok(
            match o.get("stat").and_then(Value::as_str).unwrap_or("mean") {
                "mean" => Stat::Mean,
                "median" => Stat::Median,
                "min" => Stat::Min,
                "max" => Stat::Max,
                s => return Err(format!("unknown stat \"{s}\" (mean, median, min, max)")),
            },
        )
    }

    fn of(self, v: &[f64]) -> f64 {
        let finite: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        if finite.is_empty() {
            return f64::NAN;
        }
        match self {
            Stat::Mean => finite.iter().sum::<f64>() / finite.len() as f64,
            Stat::Min => finite.iter().copied().fold(f64::INFINITY, f64::min),
            Stat::Max => finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Stat::Median => {
                let mut s = finite;
                s.sort_by(|a, b| a.partial_cmp(b).unwrap());
                let m = s.len() / 2;
                if s.len() % 2 == 1 {
                    s[m]
                } else {
                    0.5 * (s[m - 1] + s[m])
                }
            }
        }
    }

    fn key(self) -> &'static str {
        match self {
            Stat::Mean => "mean",
            Stat::Median => "median",
            Stat::Min => "min",
            Stat::Max => "max",
        }
    }
}

/// A per-epoch figure of the training split (accumulated over the epoch's batches) or of the
/// validation pass that follows the epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EpochField {
    TrainLoss,
    TrainAcc,
    CleanLoss,
    CleanAcc,
    NoisyLoss,
    NoisyAcc,
    ValLoss,
    ValAcc,
    /// Share of the epoch's steps whose gradient was clipped (`clip`).
    ClipFrac,
}

const EPOCH_FIELDS: [(&str, EpochField); 9] = [
    ("train_loss", EpochField::TrainLoss),
    ("train_acc", EpochField::TrainAcc),
    ("clean_loss", EpochField::CleanLoss),
    ("clean_acc", EpochField::CleanAcc),
    ("noisy_loss", EpochField::NoisyLoss),
    ("noisy_acc", EpochField::NoisyAcc),
    ("val_loss", EpochField::ValLoss),
    ("val_acc", EpochField::ValAcc),
    ("clip_frac", EpochField::ClipFrac),
];

/// A statistic of one parameterised layer (metrics::LayerStats).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LayerField {
    DeadFrac,
    SatFrac,
}

/// What a claim measures. Steps are 1-based and inclusive; epoch 0 of a layer statistic is the
/// untrained network on the first training batch.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// The middle value of an activation layer's histogram (src/train/acthist.rs) over its columns taken
    /// at steps `from..=to`, summarised: per column the middle of the row holding the median of the values
    /// outside the ≈ 0 row (ReLU and linear layers) or of all values (sigmoid, tanh).
    ActMiddle {
        layer: String,
        from: usize,
        to: usize,
        stat: Stat,
    },
    /// Batch loss (nats) or batch accuracy (0…1) of the steps `from..=to`, summarised.
    BatchLoss {
        from: usize,
        to: usize,
        stat: Stat,
    },
    BatchAcc {
        from: usize,
        to: usize,
        stat: Stat,
    },
    /// The first step whose batch loss is below `value` (+∞ when none is).
    FirstStepBelow {
        value: f64,
    },
    /// Gradient norm of a layer over the steps `from..=to`, summarised.
    GradNorm {
        layer: String,
        from: usize,
        to: usize,
        stat: Stat,
    },
    /// How many times the batch loss, averaged over a trailing window of `window` steps, climbs by
    /// at least `rise` nats above its last low, counting a new climb only after it fell `rise` back.
    Upswings {
        from: usize,
        to: usize,
        window: usize,
        rise: f64,
    },
    /// A per-epoch figure after the epochs `from..=to` (one epoch when they are equal), summarised.
    Epoch {
        field: EpochField,
        from: usize,
        to: usize,
        stat: Stat,
    },
    /// Validation recall of the named digits after epoch `epoch`, summarised.
    Recall {
        epoch: usize,
        digits: Vec<u8>,
        stat: Stat,
    },
    /// A layer statistic at the end of epoch `epoch` (0: the untrained net, first batch).
    Layer {
        field: LayerField,
        layer: String,
        epoch: usize,
    },
    /// The stability meter's η·λ_max / threshold (src/train/sharpness.rs) over its estimates taken after
    /// `from..=to` steps had been trained (0: the untrained net), summarised.
    SharpnessRatio {
        from: usize,
        to: usize,
        stat: Stat,
    },
    /// The step at which training diverged (+∞ when it never did).
    DivergedAt,
    /// The label-noise floor the loss chart draws for the run's noise settings (`noise_floor`).
    NoiseFloor,
    /// The corrupted-label reference the loss chart draws above it (`noisy_floor`).
    NoisyFloor,
}

/// A measure of this lesson's run, or of another lesson's run on the same seed; with `with`, of a
/// variant of that lesson with a few settings changed (e.g. the warm-up lesson without warm-up),
/// trained once per seed beside the lessons.
#[derive(Clone, Debug, PartialEq)]
pub struct Operand {
    pub preset: Option<String>,
    pub with: Vec<(String, String)>,
    pub measure: Measure,
}

impl Operand {
    /// The lesson this operand reads (its own when `preset` is absent).
    fn base<'a>(&'a self, this: &'a str) -> &'a str {
        self.preset.as_deref().unwrap_or(this)
    }
}

/// `base` with the settings `with` applied after its own: the run a `with` operand reads.
pub fn variant(base: &Preset, with: &[(String, String)]) -> Preset {
    let change: Vec<String> = with.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Preset {
        id: format!("{}[{}]", base.id, change.join(",")),
        set: base.set.iter().chain(with).cloned().collect(),
        claims: Vec::new(),
        ..base.clone()
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Combine {
    Minus,
    Over,
}

/// `measure [minus|over other]` must lie in `[min, max]`; `say` is the words of the text it backs.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub say: String,
    pub left: Operand,
    pub right: Option<(Combine, Operand)>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// A claim about a share of seeds ("on most seeds the run stops"), for what a wild step does or does not:
    /// it must hold on at least `at_least` of `seeds`, each trained for it, instead of on every seed of
    /// `seeds()`.
    pub share: Option<Share>,
}

/// `"seeds": [..], "at_least": k` of a claim.
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    pub seeds: Vec<u64>,
    pub at_least: usize,
}

fn share_of(o: &Map<String, Value>) -> Result<Option<Share>, String> {
    match (o.get("seeds"), o.get("at_least")) {
        (None, None) => Ok(None),
        (Some(v), Some(k)) => {
            let seeds: Vec<u64> = v
                .as_array()
                .ok_or("`seeds` must be a list of seeds")?
                .iter()
                .map(|s| s.as_u64().ok_or("`seeds` must be whole numbers"))
                .collect::<Result<_, _>>()?;
            let at_least = k.as_u64().ok_or("`at_least` must be a whole number")? as usize;
            let distinct: std::collections::BTreeSet<u64> = seeds.iter().copied().collect();
            if distinct.len() != seeds.len() || seeds.len() < 3 {
                return Err("`seeds` must list three seeds or more, each once".into());
            }
            if at_least * 2 <= seeds.len() || at_least > seeds.len() {
                return Err(format!(
                    "`at_least` {at_least} of {} seeds is not most of them",
                    seeds.len()
                ));
            }
            Ok(Some(Share { seeds, at_least }))
        }
        _ => Err("`seeds` and `at_least` go together".into()),
    }
}

fn steps_of(o: &Map<String, Value>) -> Result<(usize, usize), String> {
    if let Some(s) = o.get("step") {
        let s = s.as_u64().ok_or("`step` must be a step number ≥ 1")? as usize;
        return if s >= 1 {
            Ok((s, s))
        } else {
            Err("`step` must be ≥ 1".into())
        };
    }
    range_of(o, "step", "steps")
}

/// `key: [first, last]` with 1 ≤ first ≤ last; `single` names the one-value form in the message.
fn range_of(o: &Map<String, Value>, single: &str, key: &str) -> Result<(usize, usize), String> {
    match o.get(key).and_then(Value::as_array).map(|a| a.as_slice()) {
        Some([a, b]) => match (a.as_u64(), b.as_u64()) {
            (Some(a), Some(b)) if 1 <= a && a <= b => Ok((a as usize, b as usize)),
            _ => Err(format!(
                "`{key}` must be [first, last] with 1 ≤ first ≤ last"
            )),
        },
        _ => Err(format!("needs `{single}` or `{key}: [first, last]`")),
    }
}

/// `epoch: e` or `epochs: [first, last]`. Epoch 0 passes here so that `check_lessons` can say why a
/// per-epoch figure cannot be read there.
fn epochs_of(o: &Map<String, Value>) -> Result<(usize, usize), String> {
    if o.contains_key("epoch") {
        let e = count(o, "epoch")?;
        return Ok((e, e));
    }
    range_of(o, "epoch", "epochs")
}

fn layer_of(o: &Map<String, Value>) -> Result<String, String> {
    string(o, "layer")
}

fn parse_operand(o: &Map<String, Value>) -> Result<Operand, String> {
    let name = string(o, "measure")?;
    let epoch = || count(o, "epoch");
    let measure = if let Some((_, field)) = EPOCH_FIELDS.iter().find(|(k, _)| *k == name) {
        let (from, to) = epochs_of(o)?;
        Measure::Epoch {
            field: *field,
            from,
            to,
            stat: Stat::parse(o)?,
        }
    } else {
        match name.as_str() {
            "batch_loss" | "batch_acc" => {
                let (from, to) = steps_of(o)?;
                let stat = Stat::parse(o)?;
                if name == "batch_loss" {
                    Measure::BatchLoss { from, to, stat }
                } else {
                    Measure::BatchAcc { from, to, stat }
                }
            }
            "first_step_below" => Measure::FirstStepBelow {
                value: number(o, "value")?.ok_or("needs `value`")?,
            },
            "grad_norm" => {
                let (from, to) = steps_of(o)?;
                Measure::GradNorm {
                    layer: layer_of(o)?,
                    from,
                    to,
                    stat: Stat::parse(o)?,
                }
            }
            "upswings" => {
                let (from, to) = steps_of(o)?;
                Measure::Upswings {
                    from,
                    to,
                    window: count(o, "window")?.max(1),
                    rise: number(o, "rise")?.ok_or("needs `rise` (nats)")?,
                }
            }
            "recall" => Measure::Recall {
                epoch: epoch()?,
                digits: o
                    .get("digits")
                    .and_then(Value::as_array)
                    .ok_or("needs `digits: [d, …]`")?
                    .iter()
                    .map(|d| match d.as_u64() {
                        Some(d) if d < 10 => Ok(d as u8),
                        _ => Err(format!("{d} is not a digit")),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                stat: Stat::parse(o)?,
            },
            "dead_frac" | "sat_frac" => Measure::Layer {
                field: if name == "dead_frac" {
                    LayerField::DeadFrac
                } else {
                    LayerField::SatFrac
                },
                layer: layer_of(o)?,
                epoch: epoch()?,
            },
            "sharpness_ratio" => {
                let (from, to) = match o
                    .get("after")
                    .and_then(Value::as_array)
                    .map(|a| a.as_slice())
                {
                    Some([a, b]) => match (a.as_u64(), b.as_u64()) {
                        (Some(a), Some(b)) if a <= b => (a as usize, b as usize),
                        _ => return Err("`after` must be [first, last] with first ≤ last".into()),
                    },
                    _ => return Err("needs `after: [first, last]` (steps trained)".into()),
                };
                Measure::SharpnessRatio {
                    from,
                    to,
                    stat: Stat::parse(o)?,
                }
            }
            "act_middle" => {
                let (from, to) = steps_of(o)?;
                Measure::ActMiddle {
                    layer: layer_of(o)?,
                    from,
                    to,
                    stat: Stat::parse(o)?,
                }
            }
            "diverged_at" => Measure::DivergedAt,
            "noise_floor" => Measure::NoiseFloor,
            "noisy_floor" => Measure::NoisyFloor,
            _ => return Err(format!("unknown measure \"{name}\"")),
        }
    };
    let preset = match o.get("preset") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .ok_or("`preset` must be a lesson id")?
                .to_string(),
        ),
    };
    let with = match o.get("with") {
        None => Vec::new(),
        Some(v) => obj(v, "`with`")?
            .iter()
            .map(|(k, v)| Ok((k.clone(), setting_text(v)?)))
            .collect::<Result<Vec<_>, String>>()?,
    };
    Ok(Operand {
        preset,
        with,
        measure,
    })
}

fn parse_claim(v: &Value) -> Result<Claim, String> {
    let o = obj(v, "a claim")?;
    let right = match (o.get("minus"), o.get("over")) {
        (Some(_), Some(_)) => return Err("use `minus` or `over`, not both".into()),
        (Some(r), None) => Some((Combine::Minus, parse_operand(obj(r, "`minus`")?)?)),
        (None, Some(r)) => Some((Combine::Over, parse_operand(obj(r, "`over`")?)?)),
        (None, None) => None,
    };
    let claim = Claim {
        say: string(o, "say")?,
        left: parse_operand(o)?,
        right,
        min: number(o, "min")?,
        max: number(o, "max")?,
        share: share_of(o)?,
    };
    if claim.min.is_none() && claim.max.is_none() {
        return Err(format!("\"{}\" has neither `min` nor `max`", claim.say));
    }
    Ok(claim)
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps = |from: &usize, to: &usize| {
            if from == to {
                format!("step {from}")
            } else {
                format!("steps {from}-{to}")
            }
        };
        match self {
            Measure::BatchLoss { from, to, .. } if from == to => {
                write!(f, "batch_loss step {from}")
            }
            Measure::BatchLoss { from, to, stat } => {
                write!(f, "batch_loss {} {}", steps(from, to), stat.key())
            }
            Measure::BatchAcc { from, to, .. } if from == to => write!(f, "batch_acc step {from}"),
            Measure::BatchAcc { from, to, stat } => {
                write!(f, "batch_acc {} {}", steps(from, to), stat.key())
            }
            Measure::FirstStepBelow { value } => write!(f, "first step with loss < {value}"),
            Measure::GradNorm {
                layer, from, to, ..
            } if from == to => write!(f, "grad_norm {layer} step {from}"),
            Measure::GradNorm {
                layer,
                from,
                to,
                stat,
            } => write!(f, "grad_norm {layer} {} {}", steps(from, to), stat.key()),
            Measure::Upswings {
                from,
                to,
                window,
                rise,
            } => write!(f, "upswings ≥{rise} (avg {window}) {}", steps(from, to)),
            Measure::Epoch {
                field, from, to, ..
            } if from == to => {
                let name = EPOCH_FIELDS.iter().find(|(_, x)| x == field).unwrap().0;
                write!(f, "{name} e{from}")
            }
            Measure::Epoch {
                field,
                from,
                to,
                stat,
            } => {
                let name = EPOCH_FIELDS.iter().find(|(_, x)| x == field).unwrap().0;
                write!(f, "{name} e{from}-{to} {}", stat.key())
            }
            Measure::Recall {
                epoch,
                digits,
                stat,
            } => {
                let d: Vec<String> = digits.iter().map(u8::to_string).collect();
                write!(f, "recall {} {} e{epoch}", d.join(""), stat.key())
            }
            Measure::Layer {
                field,
                layer,
                epoch,
            } => {
                let name = match field {
                    LayerField::DeadFrac => "dead_frac",
                    LayerField::SatFrac => "sat_frac",
                };
                if *epoch == 0 {
                    write!(f, "{name} {layer} start")
                } else {
                    write!(f, "{name} {layer} e{epoch}")
                }
            }
            Measure::SharpnessRatio { from, to, stat } => {
                write!(f, "sharpness_ratio after {from}..{to} steps ({stat:?})")
            }
            Measure::ActMiddle {
                layer,
                from,
                to,
                stat,
            } => write!(f, "act_middle {layer} s{from}-{to} {}", stat.key()),
            Measure::DivergedAt => write!(f, "diverged_at"),
            Measure::NoiseFloor => write!(f, "noise_floor"),
            Measure::NoisyFloor => write!(f, "noisy_floor"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.preset {
            write!(f, "{p}")?;
        }
        if !self.with.is_empty() {
            let change: Vec<String> = self.with.iter().map(|(k, v)| format!("{k}={v}")).collect();
            write!(f, "[{}]", change.join(","))?;
        }
        if self.preset.is_some() || !self.with.is_empty() {
            write!(f, ":")?;
        }
        write!(f, "{}", self.measure)
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.left)?;
        match &self.right {
            Some((Combine::Minus, r)) => write!(f, " − {r}")?,
            Some((Combine::Over, r)) => write!(f, " / {r}")?,
            None => {}
        }
        match &self.share {
            Some(sh) => write!(
                f,
                " on ≥ {} of seeds {}",
                sh.at_least,
                sh.seeds
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            None => Ok(()),
        }
    }
}

impl Claim {
    /// The bound as text, e.g. "≥ 0.95", "2.2 … 2.4".
    pub fn bound(&self) -> String {
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{a} … {b}"),
            (Some(a), None) => format!("≥ {a}"),
            (None, Some(b)) => format!("≤ {b}"),
            (None, None) => String::new(),
        }
    }

    pub fn holds(&self, v: f64) -> bool {
        !v.is_nan() && self.min.is_none_or(|a| v >= a) && self.max.is_none_or(|b| v <= b)
    }

    fn operands(&self) -> impl Iterator<Item = &Operand> {
        std::iter::once(&self.left).chain(self.right.as_ref().map(|(_, r)| r))
    }
}

// ------------------------------------------------------------------------------- the page's config

/// The configuration the page trains for a lesson: engine defaults (checked equal to the page's by
/// tests/node.rs) plus the lesson's `set`, then the seed.
pub fn config_of(p: &Preset, seed: u64) -> Result<Config, String> {
    let mut c = Config::default();
    for (k, v) in &p.set {
        c.set(k, v).map_err(|e| format!("`{}`: {e}", p.id))?;
    }
    c.seed = seed;
    Ok(c)
}

/// The lessons of www/presets.json, parsed and checked; panics with every problem found.
pub fn valid_lessons() -> Lessons {
    let lessons = load_lessons().unwrap_or_else(|e| panic!("{e}"));
    let errors = check_lessons(&lessons);
    assert!(
        errors.is_empty(),
        "www/presets.json:\n{}",
        errors.join("\n")
    );
    lessons
}

/// The lessons named in LOSSLAB_LESSONS (comma-separated ids) and those their claims read, or all of
/// them without it: `LOSSLAB_LESSONS=warmup LOSSLAB_SEEDS=1,2,3,4,5,6,7,8 cargo test --profile native-test
/// --test lessons -- --include-ignored every_lesson_claim` checks one lesson's claims on eight seeds in a
/// minute or two.
fn only_named(all: Lessons) -> Lessons {
    let Ok(list) = std::env::var("LOSSLAB_LESSONS") else {
        return all;
    };
    let mut keep: Vec<String> = list.split(',').map(|s| s.trim().to_string()).collect();
    for id in &keep {
        assert!(all.get(id).is_some(), "LOSSLAB_LESSONS: no lesson `{id}`");
    }
    // Add the lessons that kept lessons' claims read, until none is missing.
    let mut i = 0;
    while i < keep.len() {
        let p = all.get(&keep[i]).expect("a kept lesson").clone();
        for op in p.claims.iter().flat_map(|c| c.operands()) {
            let base = op.base(&p.id).to_string();
            if !keep.contains(&base) {
                keep.push(base);
            }
        }
        i += 1;
    }
    Lessons {
        groups: all.groups,
        presets: all
            .presets
            .into_iter()
            .filter(|p| keep.contains(&p.id))
            .collect(),
    }
}

/// Everything that can be checked without training: the settings are valid, every claim's `say` is
/// words of the text, the epochs and layers it names exist, the lessons it compares with exist.
pub fn check_lessons(l: &Lessons) -> Vec<String> {
    let mut errors = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for p in &l.presets {
        let mut err = |e: String| errors.push(format!("`{}`: {e}", p.id));
        if !ids.insert(p.id.clone()) {
            err("the id is used twice".into());
        }
        if !l.groups.iter().any(|(g, _)| *g == p.group) {
            err(format!("group \"{}\" is not in `groups`", p.group));
        }
        if p.set.iter().any(|(k, _)| k == "seed") {
            err("a lesson runs on the learner's seed; it must not set `seed`".into());
        }
        if p.epochs == 0 {
            err("`epochs` must be at least 1".into());
        }
        if p.claims.is_empty() {
            err("a lesson without claims promises nothing testable".into());
        }
        let layers = match config_of(p, 1).and_then(|c| Model::from_config(&c).map_err(|e| e.0)) {
            Ok(m) => m.param_layer_names(),
            Err(e) => {
                err(e);
                continue;
            }
        };
        for c in &p.claims {
            if !p.text.contains(&c.say) {
                err(format!(
                    "claim \"{}\" does not quote the text (its `say` must be words of `text`)",
                    c.say
                ));
            }
            for op in c.operands() {
                if !op.with.is_empty() {
                    let base = l.get(op.base(&p.id)).unwrap_or(p);
                    if let Err(e) = config_of(&variant(base, &op.with), 1) {
                        err(format!("claim \"{}\": its `with` is refused: {e}", c.say));
                    }
                }
                let (target, target_layers) = match &op.preset {
                    None => (p, layers.clone()),
                    Some(id) => match l.get(id) {
                        Some(q) => {
                            let names = config_of(q, 1)
                                .and_then(|c| Model::from_config(&c).map_err(|e| e.0))
                                .map(|m| m.param_layer_names())
                                .unwrap_or_default();
                            (q, names)
                        }
                        None => {
                            err(format!(
                                "claim \"{}\" compares with unknown lesson `{id}`",
                                c.say
                            ));
                            continue;
                        }
                    },
                };
                let (epoch, layer) = match &op.measure {
                    Measure::Epoch {
                        from: first,
                        to: epoch,
                        ..
                    }
                    | Measure::Recall {
                        epoch: first @ epoch,
                        ..
                    } => {
                        if *first == 0 {
                            err(format!(
                                "claim \"{}\": epoch figures start at epoch 1",
                                c.say
                            ));
                        }
                        (Some(*epoch), None)
                    }
                    Measure::Layer { layer, epoch, .. } => (Some(*epoch), Some(layer)),
                    Measure::GradNorm { layer, .. } => (None, Some(layer)),
                    _ => (None, None),
                };
                if let Some(e) = epoch {
                    if e > target.epochs {
                        err(format!(
                            "claim \"{}\" reads epoch {e} of `{}`, which trains {} epochs",
                            c.say, target.id, target.epochs
                        ));
                    }
                }
                if let Some(name) = layer {
                    if !target_layers.contains(name) {
                        err(format!(
                            "claim \"{}\": `{}` has no layer {name} (it has {})",
                            c.say,
                            target.id,
                            target_layers.join(", ")
                        ));
                    }
                }
            }
        }
    }
    errors
}

// ------------------------------------------------------------------------------------- the record

/// What one epoch left behind.
#[derive(Clone, Debug)]
pub struct EpochRecord {
    pub summary: EpochSummary,
    pub eval: EvalReport,
    /// Layer statistics of the epoch's last training batch (taken before the validation pass).
    pub layers: Vec<LayerStats>,
}

/// Everything one training run of a lesson measured.
#[derive(Clone, Debug)]
pub struct Run {
    pub preset: String,
    pub seed: u64,
    pub config: Config,
    pub layer_names: Vec<String>,
    pub steps_per_epoch: usize,
    /// Training samples after the data faults, per class; label-corrupted samples.
    pub class_counts: [u32; 10],
    pub corrupted: usize,
    /// Per step (index 0 is step 1): batch loss before the update, batch accuracy, the loss over the
    /// batch's clean and label-corrupted samples (NaN when it had none).
    pub loss: Vec<f32>,
    pub acc: Vec<f32>,
    pub clean_loss: Vec<f32>,
    pub noisy_loss: Vec<f32>,
    /// Per step, the gradient norm of every parameterised layer (`layer_names` order).
    pub grad_norms: Vec<Vec<f32>>,
    /// Layer statistics of the untrained network on the first training batch.
    pub start_layers: Vec<LayerStats>,
    pub epochs: Vec<EpochRecord>,
    /// Step and message when training diverged.
    pub diverged: Option<(u64, String)>,
    /// Every diagnosis the trainer made, in order (after the first steps, every few hundred steps, at
    /// each validation pass, when it stopped).
    pub diagnoses: Vec<Diagnosis>,
    /// With LOSSLAB_RECORD_OBSERVATIONS set (`recording()`): what each of `diagnoses` read, aligned with it;
    /// otherwise empty (tests/common/observed.rs writes them as fixtures).
    pub observed: Vec<Observations>,
    /// The stability meter's estimates (src/train/sharpness.rs), as the page takes them.
    pub sharpness: Vec<SharpnessPoint>,
    /// Every activation's histogram over training (src/train/acthist.rs).
    pub act_hist: ActHistory,
    pub seconds: f64,
}

/// The middle of the row holding the median of column `c` of `l`, the ≈ 0 row of a log-scaled layer left
/// out (NaN when nothing is left): the arithmetic middle of a linear row, the geometric one of a log row,
/// the lower edge of an open end row.
pub fn act_middle(l: &LayerHistory, c: usize) -> f64 {
    let col = l.column(c);
    let e = l.binning.edges();
    let zero = match l.binning {
        Binning::Log2 { .. } => Some(l.binning.row(0.0)),
        Binning::Linear { .. } => None,
    };
    let rows: Vec<usize> = (0..col.len()).filter(|&r| Some(r) != zero).collect();
    let total: u64 = rows.iter().map(|&r| col[r] as u64).sum();
    if total == 0 {
        return f64::NAN;
    }
    let mut acc = 0;
    let r = *rows
        .iter()
        .find(|&&r| {
            acc += col[r] as u64;
            2 * acc >= total
        })
        .unwrap();
    let (a, b) = (e[r] as f64, e[r + 1] as f64);
    match l.binning {
        Binning::Linear { .. } => (a + b) / 2.0,
        Binning::Log2 { .. } if !b.is_finite() => a,
        Binning::Log2 { .. } if !a.is_finite() => b,
        Binning::Log2 { .. } => a.signum() * (a * b).abs().sqrt(),
    }
}

/// Steps per `Trainer::step` call (it stops at an epoch end anyway): small enough that no diagnosis
/// the trainer makes between two calls is missed.
const CHUNK: usize = DIAGNOSE_FIRST as usize;

/// How a run is trained: on one worker, or with every step and validation chunk split with a second
/// (the page's two cores: the same run in another summation order); and whether it may end as soon as
/// a condition on its record so far holds (checked after every call of the loop).
#[derive(Clone, Copy, Default)]
pub struct Drive {
    pub two_cores: bool,
    pub until: Option<fn(&Run, &Preset) -> bool>,
}

/// Whether a run of `p` keeps the stability meter's estimates. The meter changes nothing in a run
/// (tests/sharpness.rs), so the harness runs it only for a lesson whose own claims read it: the other
/// lessons' test time does not pay for it.
pub fn reads_meter(p: &Preset) -> bool {
    p.claims.iter().any(|c| {
        c.operands()
            .any(|o| o.preset.is_none() && matches!(o.measure, Measure::SharpnessRatio { .. }))
    })
}

/// Whether runs keep what each diagnosis read (LOSSLAB_RECORD_OBSERVATIONS set, to any value): the lesson
/// binary then writes them as fixtures (`record_fixture`).
pub fn recording() -> bool {
    std::env::var_os("LOSSLAB_RECORD_OBSERVATIONS").is_some()
}

/// The folder of the recorded diagnosis inputs (tests/recorded.rs reads them).
pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/observations")
}

/// Writes what `r`'s diagnosis number `i` read as `<name>.seed<seed>.txt`, with the causes it must name
/// (`expect`; empty: it must hold no warn or alarm finding). `name` is the run's, made a file name.
pub fn record_fixture(name: &str, r: &Run, i: usize, expect: &[&str]) {
    let d = &r.diagnoses[i];
    let rec = super::observed::Recording {
        about: format!(
            "{name} seed {}, the diagnosis at step {} (epoch {})",
            r.seed, d.step, d.epoch
        ),
        expect: expect.iter().map(|c| c.to_string()).collect(),
        obs: r.observed[i].clone(),
    };
    let file: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = fixtures_dir();
    std::fs::create_dir_all(&dir).expect("tests/fixtures/observations can be made");
    std::fs::write(
        dir.join(format!("{file}.seed{}.txt", r.seed)),
        super::observed::write(&rec),
    )
    .expect("a fixture can be written");
}

/// Train `p` on `seed` for its epochs, as the page does, and keep every figure.
pub fn run(p: &Preset, seed: u64, data: &Mnist) -> Run {
    run_with(p, seed, data, Drive::default())
}

/// `run`, trained as `drive` says.
pub fn run_with(p: &Preset, seed: u64, data: &Mnist, drive: Drive) -> Run {
    let t0 = Instant::now();
    let cfg = config_of(p, seed).unwrap_or_else(|e| panic!("{e}"));
    let mut t = Trainer::new(cfg.clone(), &data.train, &data.val)
        .unwrap_or_else(|e| panic!("`{}`: {e}", p.id));
    if !reads_meter(p) {
        t.set_sharpness_every(0);
    }
    let layer_names = t.model().param_layer_names();
    let mut r = Run {
        preset: p.id.clone(),
        seed,
        config: cfg,
        steps_per_epoch: t.epoch_progress().1,
        class_counts: t.train_set().class_counts(),
        corrupted: t.corrupted_count(),
        layer_names,
        loss: Vec::new(),
        acc: Vec::new(),
        clean_loss: Vec::new(),
        noisy_loss: Vec::new(),
        grad_norms: Vec::new(),
        start_layers: Vec::new(),
        epochs: Vec::new(),
        diverged: None,
        diagnoses: Vec::new(),
        observed: Vec::new(),
        sharpness: Vec::new(),
        act_hist: ActHistory::default(),
        seconds: 0.0,
    };
    let record = recording();
    let keep = |t: &Trainer, d: &mut Vec<Diagnosis>, o: &mut Vec<Observations>| {
        if t.diagnosis().serial > d.last().map_or(0, |x| x.serial) {
            d.push(t.diagnosis().clone());
            if record {
                o.push(t.observations().clone());
            }
        }
    };
    let nl = r.layer_names.len();
    let mut layers = Vec::new();
    let mut peer = drive
        .two_cores
        .then(|| GradientWorker::new(&r.config).unwrap_or_else(|e| panic!("{e}")));
    'run: while r.epochs.len() < p.epochs {
        let events = t
            .advance_on(CHUNK, peer.as_mut().map(|w| w as &mut dyn Peer))
            .unwrap_or_else(|e| panic!("`{}` on two cores: {e}", p.id));
        for event in events {
            match event {
                Event::Steps(s) => {
                    r.loss.extend(&s.loss);
                    r.acc.extend(&s.acc);
                    r.clean_loss.extend(&s.clean_loss);
                    r.noisy_loss.extend(&s.noisy_loss);
                    r.grad_norms
                        .extend(s.grad_norms.chunks(nl).map(|c| c.to_vec()));
                    // The first step is taken alone: its layer statistics are the untrained net's.
                    if t.steps() == s.loss.len() as u64 {
                        r.start_layers = t.layer_stats();
                    }
                }
                // Read before the validation pass (it keeps them readable, but say which step).
                Event::EpochEnded(_) => layers = t.layer_stats(),
                Event::Validated(eval) => r.epochs.push(EpochRecord {
                    summary: t.last_epoch().expect("an epoch ended").clone(),
                    eval,
                    layers: std::mem::take(&mut layers),
                }),
                Event::Diverged { step, message } => r.diverged = Some((step, message)),
                // Early stopping ends a run after a validation pass: no further step is trained.
                Event::Stopped { .. } => {}
            }
            keep(&t, &mut r.diagnoses, &mut r.observed);
        }
        if *t.status() != Status::Running && !t.validating() {
            break 'run;
        }
        if drive.until.is_some_and(|f| f(&r, p)) {
            break 'run;
        }
    }
    r.sharpness = t.sharpness().to_vec();
    r.act_hist = t.act_history().clone();
    r.seconds = t0.elapsed().as_secs_f64();
    r
}

fn window<T: Copy + Into<f64>>(v: &[T], from: usize, to: usize) -> Result<Vec<f64>, String> {
    if to > v.len() {
        return Err(format!("not measured: the run has {} steps", v.len()));
    }
    Ok(v[from - 1..to].iter().map(|&x| x.into()).collect())
}

impl Run {
    fn epoch(&self, e: usize) -> Result<&EpochRecord, String> {
        self.epochs
            .get(e.wrapping_sub(1))
            .ok_or_else(|| match &self.diverged {
                Some((s, _)) => format!("not measured: diverged at step {s}, before epoch {e}"),
                None => format!("not measured: the run has {} epochs", self.epochs.len()),
            })
    }

    fn layer_index(&self, name: &str) -> Result<usize, String> {
        self.layer_names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| format!("no layer {name}"))
    }

    /// The value of a measure on this run.
    pub fn measure(&self, m: &Measure) -> Result<f64, String> {
        Ok(match m {
            Measure::BatchLoss { from, to, stat } => stat.of(&window(&self.loss, *from, *to)?),
            Measure::BatchAcc { from, to, stat } => stat.of(&window(&self.acc, *from, *to)?),
            Measure::FirstStepBelow { value } => self
                .loss
                .iter()
                .position(|&l| (l as f64) < *value)
                .map_or(f64::INFINITY, |i| (i + 1) as f64),
            Measure::GradNorm {
                layer,
                from,
                to,
                stat,
            } => {
                let i = self.layer_index(layer)?;
                let col: Vec<f32> = self.grad_norms.iter().map(|g| g[i]).collect();
                stat.of(&window(&col, *from, *to)?)
            }
            Measure::Upswings {
                from,
                to,
                window: w,
                rise,
            } => upswings(&window(&self.loss, *from, *to)?, *w, *rise) as f64,
            Measure::Epoch {
                field,
                from,
                to,
                stat,
            } => {
                let v = (*from..=*to)
                    .map(|epoch| {
                        let e = self.epoch(epoch)?;
                        let s = &e.summary;
                        Ok((match field {
                            EpochField::TrainLoss => s.train_loss,
                            EpochField::TrainAcc => s.train_acc,
                            EpochField::CleanLoss => s.clean_loss,
                            EpochField::CleanAcc => s.clean_acc,
                            EpochField::NoisyLoss => s.noisy_loss,
                            EpochField::NoisyAcc => s.noisy_acc,
                            EpochField::ValLoss => e.eval.loss,
                            EpochField::ValAcc => e.eval.acc,
                            EpochField::ClipFrac => s.clip_frac,
                        }) as f64)
                    })
                    .collect::<Result<Vec<f64>, String>>()?;
                stat.of(&v)
            }
            Measure::Recall {
                epoch,
                digits,
                stat,
            } => {
                let rec = self.epoch(*epoch)?.eval.recall;
                let v: Vec<f64> = digits.iter().map(|&d| rec[d as usize] as f64).collect();
                stat.of(&v)
            }
            Measure::Layer {
                field,
                layer,
                epoch,
            } => {
                let i = self.layer_index(layer)?;
                let stats = if *epoch == 0 {
                    &self.start_layers
                } else {
                    &self.epoch(*epoch)?.layers
                };
                let s = stats.get(i).ok_or("not measured")?;
                (match field {
                    LayerField::DeadFrac => s.dead_frac,
                    LayerField::SatFrac => s.sat_frac,
                }) as f64
            }
            Measure::ActMiddle {
                layer,
                from,
                to,
                stat,
            } => {
                let h = &self.act_hist;
                let l = h
                    .layers
                    .iter()
                    .find(|l| &l.name == layer)
                    .ok_or_else(|| format!("no activation layer {layer}"))?;
                let v: Vec<f64> = (0..h.steps.len())
                    .filter(|&c| (*from as u64..=*to as u64).contains(&h.steps[c]))
                    .map(|c| act_middle(l, c))
                    .collect();
                if v.is_empty() {
                    return Err(format!("not measured: no column at steps {from}..{to}"));
                }
                stat.of(&v)
            }
            Measure::SharpnessRatio { from, to, stat } => {
                let v: Vec<f64> = self
                    .sharpness
                    .iter()
                    .filter(|p| (*from as u64..=*to as u64).contains(&p.step))
                    .map(|p| p.ratio as f64)
                    .collect();
                if v.is_empty() {
                    return Err(format!(
                        "not measured: no estimate of the meter after {from}..{to} steps (it has {:?}; the \
                         harness runs the meter only for a lesson whose own claims read it)",
                        self.sharpness.iter().map(|p| p.step).collect::<Vec<_>>()
                    ));
                }
                stat.of(&v)
            }
            Measure::DivergedAt => self
                .diverged
                .as_ref()
                .map_or(f64::INFINITY, |(s, _)| *s as f64),
            Measure::NoiseFloor => {
                noise_floor(self.config.noise as f64 / 100.0, self.config.noise_kind)
            }
            Measure::NoisyFloor => {
                noisy_floor(self.config.noise as f64 / 100.0, self.config.noise_kind)
            }
        })
    }
}

/// The label-noise floor www/views/refs.js (`noiseBounds`) draws on the loss chart, in nats: the
/// training loss of a net that learned the true digits and nothing else, under label noise at rate
/// `p` (0…1). It predicts the distribution of the given label, 1 − p on the true digit and the rest
/// where the noise sends it, so its loss is that distribution's entropy: −(1−p)·ln(1−p) − p·ln(p/9)
/// for uniform noise over the 9 other digits, −(1−p)·ln(1−p) − p·ln p for pair flips (Natarajan et
/// al. 2013 for the noise model). NaN without noise: the page then draws no floor.
/// tests/lessons.rs pins it to the values tests/refs.test.mjs pins for the page.
pub fn noise_floor(p: f64, kind: NoiseKind) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    let xlx = |x: f64| if x > 0.0 { -x * x.ln() } else { 0.0 };
    match kind {
        NoiseKind::Uniform => xlx(1.0 - p) - p * (p / 9.0).ln(),
        NoiseKind::Pairs => xlx(1.0 - p) + xlx(p),
        // Redrawn from all ten: the true digit keeps 1 − 0.9p, each other digit gets p/10.
        NoiseKind::Random => xlx(1.0 - 0.9 * p) - 0.9 * p * (p / 10.0).ln(),
    }
}

/// The corrupted-label reference www/views/refs.js (`noiseBounds`, `noisyFloor`) draws on the loss chart,
/// in nats: what the net of `noise_floor`, which learned the true digits and nothing else, pays on a
/// corrupted sample alone. It gives the wrong label p/9 (uniform noise) or p (pair flips), so it pays
/// −ln(p/9) or −ln p; the loss on the corrupted labels is read against this line, the overall
/// training loss against `noise_floor` (which mixes it with −ln(1−p) on the intact samples). NaN
/// without noise.
pub fn noisy_floor(p: f64, kind: NoiseKind) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    match kind {
        NoiseKind::Uniform => -(p / 9.0).ln(),
        NoiseKind::Pairs => -p.ln(),
        NoiseKind::Random => -(p / 10.0).ln(),
    }
}

/// Trailing moving average of `w` values (shorter at the start).
pub fn moving_average(v: &[f64], w: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(v.len());
    let mut sum = 0.0;
    for i in 0..v.len() {
        sum += v[i];
        if i >= w {
            sum -= v[i - w];
        }
        out.push(sum / (i + 1).min(w) as f64);
    }
    out
}

/// Climbs of at least `rise` of the `w`-step average, each counted once it has risen `rise`
/// above the lowest point since the previous climb ended with a fall of `rise` (hysteresis, so
/// batch-to-batch jitter smaller than `rise` never counts).
pub fn upswings(v: &[f64], w: usize, rise: f64) -> usize {
    let s = moving_average(v, w);
    let (mut lo, mut hi, mut up, mut n) = (f64::INFINITY, f64::NEG_INFINITY, false, 0);
    for &x in &s {
        if up {
            hi = hi.max(x);
            if x <= hi - rise {
                up = false;
                lo = x;
            }
        } else {
            lo = lo.min(x);
            if x >= lo + rise {
                up = true;
                hi = x;
                n += 1;
            }
        }
    }
    n
}

// ---------------------------------------------------------------------------- every lesson, once

/// The runs of every lesson on every seed of `seeds()`.
pub struct Recorded {
    pub lessons: Lessons,
    pub runs: Vec<Run>,
    /// Runs of the lesson variants that claims read through `with` (not lessons themselves).
    pub variants: Vec<Run>,
    /// Runs on the further seeds that claims about a share of seeds read (`Claim::share`).
    pub extra: Vec<Run>,
    /// Wall time of all the training.
    pub seconds: f64,
}

impl Recorded {
    pub fn run_of(&self, preset: &str, seed: u64) -> Option<&Run> {
        self.runs
            .iter()
            .chain(&self.variants)
            .chain(&self.extra)
            .find(|r| r.preset == preset && r.seed == seed)
    }

    /// The value of one side of a claim, on `seed`.
    pub fn operand(&self, this: &str, seed: u64, op: &Operand) -> Result<f64, String> {
        let base = op.base(this);
        let id = if op.with.is_empty() {
            base.to_string()
        } else {
            let p = self
                .lessons
                .get(base)
                .ok_or_else(|| format!("no lesson `{base}`"))?;
            variant(p, &op.with).id
        };
        let id = id.as_str();
        self.run_of(id, seed)
            .ok_or_else(|| format!("no run of `{id}` on seed {seed}"))?
            .measure(&op.measure)
    }

    /// The value a claim of lesson `this` measures on `seed`.
    pub fn claim_value(&self, this: &str, seed: u64, c: &Claim) -> Result<f64, String> {
        let a = self.operand(this, seed, &c.left)?;
        Ok(match &c.right {
            None => a,
            Some((Combine::Minus, r)) => a - self.operand(this, seed, r)?,
            Some((Combine::Over, r)) => a / self.operand(this, seed, r)?,
        })
    }
}

/// Relative cost of a run, to start the longest first: multiply-adds of the convolutions per image
/// (they dominate a step) times the images trained (three passes each) and evaluated.
fn cost(p: &Preset) -> f64 {
    let c = config_of(p, 1).expect("checked lessons");
    let macs: usize = plan(&c)
        .map(|layers| {
            layers
                .iter()
                .map(|l| match l.kind {
                    LayerKind::Conv { kernel, .. } => l.output.len() * l.input.c * kernel * kernel,
                    _ => l.params,
                })
                .sum()
        })
        .unwrap_or(0);
    p.epochs as f64 * macs as f64 * (3.0 * c.train_n.min(10_000) as f64 + c.val_n as f64)
}

/// Train `jobs` (lesson, seed) on `threads` threads, longest first; results in `jobs` order.
pub fn run_all(jobs: &[(&Preset, u64)], data: &Mnist, threads: usize) -> Vec<Run> {
    let jobs: Vec<(&Preset, u64, Drive)> = jobs
        .iter()
        .map(|&(p, s)| (p, s, Drive::default()))
        .collect();
    run_all_with(&jobs, data, threads)
}

/// `run_all`, each job trained as its `Drive` says.
pub fn run_all_with(jobs: &[(&Preset, u64, Drive)], data: &Mnist, threads: usize) -> Vec<Run> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by(|&a, &b| cost(jobs[b].0).total_cmp(&cost(jobs[a].0)));
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<Run>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&j) = order.get(k) else { break };
                let (p, seed, drive) = jobs[j];
                let r = run_with(p, seed, data, drive);
                eprintln!(
                    "  trained {:<14} seed {seed}{}: {} steps, {} epochs{} in {:.1} s",
                    p.id,
                    if drive.two_cores { " (two cores)" } else { "" },
                    r.loss.len(),
                    r.epochs.len(),
                    r.diverged
                        .as_ref()
                        .map_or(String::new(), |(s, _)| format!(", diverged at step {s}")),
                    r.seconds
                );
                out.lock().unwrap()[j] = Some(r);
            });
        }
    });
    out.into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// Every lesson of www/presets.json trained once on every seed of `seeds()`, shared by all the tests
/// of a test binary (the first caller trains, the others wait). Panics when the lessons are
/// malformed or MNIST is missing.
pub fn recorded() -> &'static Recorded {
    static CELL: OnceLock<Recorded> = OnceLock::new();
    CELL.get_or_init(|| {
        let lessons = only_named(valid_lessons());
        let max_n = lessons
            .presets
            .iter()
            .map(|p| config_of(p, 1).unwrap().train_n)
            .max()
            .unwrap_or(0);
        let data = mnist::load(max_n);
        // The variants that claims read (`with`), each once.
        let mut variants: Vec<Preset> = Vec::new();
        for p in &lessons.presets {
            for c in &p.claims {
                for op in c.operands() {
                    if op.with.is_empty() {
                        continue;
                    }
                    let base = lessons.get(op.base(&p.id)).expect("checked lessons");
                    let mut v = variant(base, &op.with);
                    // A variant whose stability meter a claim reads keeps that claim, so that
                    // `reads_meter` runs the meter for it (a variant's claims are never checked).
                    if matches!(op.measure, Measure::SharpnessRatio { .. }) {
                        v.claims.push(Claim {
                            left: Operand {
                                preset: None,
                                with: Vec::new(),
                                measure: op.measure.clone(),
                            },
                            right: None,
                            ..c.clone()
                        });
                    }
                    match variants.iter_mut().find(|w| w.id == v.id) {
                        Some(w) => w.claims.extend(v.claims),
                        None => variants.push(v),
                    }
                }
            }
        }
        let mut jobs: Vec<(&Preset, u64)> = lessons
            .presets
            .iter()
            .chain(&variants)
            .flat_map(|p| seeds().iter().map(move |&s| (p, s)))
            .collect();
        let regular = jobs.len();
        // Claims about a share of seeds read their runs on every seed they list.
        for p in &lessons.presets {
            for c in &p.claims {
                let Some(sh) = &c.share else { continue };
                for op in c.operands() {
                    let base = lessons.get(op.base(&p.id)).expect("checked lessons");
                    let run: &Preset = if op.with.is_empty() {
                        base
                    } else {
                        let id = variant(base, &op.with).id;
                        variants.iter().find(|v| v.id == id).expect("every variant")
                    };
                    for &seed in &sh.seeds {
                        if !jobs.iter().any(|(q, s)| q.id == run.id && *s == seed) {
                            jobs.push((run, seed));
                        }
                    }
                }
            }
        }
        // A job whose configuration and epochs equal an earlier job's (a variant that is another
        // lesson, or two lessons on one setting) is trained once and its record shared; whether the run
        // keeps the meter's estimates is part of the key, so a lesson that reads them gets them.
        let key = |&(p, s): &(&Preset, u64)| {
            (
                config_of(p, s).expect("checked lessons"),
                p.epochs,
                reads_meter(p),
            )
        };
        let keys: Vec<(Config, usize, bool)> = jobs.iter().map(key).collect();
        let mut unique: Vec<(&Preset, u64)> = Vec::new();
        let mut slot: Vec<usize> = Vec::new();
        for (j, k) in keys.iter().enumerate() {
            match keys[..j].iter().position(|e| e == k) {
                Some(i) => slot.push(slot[i]),
                None => {
                    slot.push(unique.len());
                    unique.push(jobs[j]);
                }
            }
        }
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let t0 = Instant::now();
        let trained = run_all(&unique, &data, threads);
        let seconds = t0.elapsed().as_secs_f64();
        let mut runs: Vec<Run> = jobs
            .iter()
            .zip(&slot)
            .map(|(&(p, _), &u)| Run {
                preset: p.id.clone(),
                ..trained[u].clone()
            })
            .collect();
        let extra = runs.split_off(regular);
        let variants = runs.split_off(lessons.presets.len() * seeds().len());
        Recorded {
            lessons: lessons.clone(),
            runs,
            variants,
            extra,
            seconds,
        }
    })
}

/// A claim about a share of seeds, checked on each seed it lists: the value is how many it holds on.
fn share_outcome(rec: &Recorded, this: &str, c: &Claim) -> Outcome {
    let sh = c.share.as_ref().expect("a share claim");
    let mut held = 0;
    let mut readings = Vec::new();
    for &seed in &sh.seeds {
        match rec.claim_value(this, seed, c) {
            Ok(v) => {
                held += usize::from(c.holds(v));
                readings.push(format!("{seed}: {v:.4}"));
            }
            Err(e) => readings.push(format!("{seed}: {e}")),
        }
    }
    Outcome {
        preset: this.to_string(),
        seed: 0,
        claim: format!("{c} [{}]", readings.join("; ")),
        say: c.say.clone(),
        value: Ok(held as f64),
        bound: format!("≥ {} seeds {}", sh.at_least, c.bound()),
        pass: held >= sh.at_least,
    }
}

/// One checked claim, for the table.
pub struct Outcome {
    pub preset: String,
    pub seed: u64,
    pub claim: String,
    pub say: String,
    pub value: Result<f64, String>,
    pub bound: String,
    pub pass: bool,
}

/// Check every claim of every lesson on every seed; a run that diverged without a claim saying it
/// would is a failure too.
pub fn check_all(rec: &Recorded) -> Vec<Outcome> {
    let mut out = Vec::new();
    for p in &rec.lessons.presets {
        let expects_divergence = p
            .claims
            .iter()
            .any(|c| c.left.preset.is_none() && c.left.measure == Measure::DivergedAt);
        for c in p.claims.iter().filter(|c| c.share.is_some()) {
            out.push(share_outcome(rec, &p.id, c));
        }
        for &seed in seeds() {
            for c in p.claims.iter().filter(|c| c.share.is_none()) {
                let value = rec.claim_value(&p.id, seed, c);
                let pass = value.as_ref().is_ok_and(|&v| c.holds(v));
                out.push(Outcome {
                    preset: p.id.clone(),
                    seed,
                    claim: c.to_string(),
                    say: c.say.clone(),
                    value,
                    bound: c.bound(),
                    pass,
                });
            }
            if !expects_divergence {
                let r = rec.run_of(&p.id, seed).expect("every lesson ran");
                if let Some((step, msg)) = &r.diverged {
                    out.push(Outcome {
                        preset: p.id.clone(),
                        seed,
                        claim: "does not diverge".into(),
                        say: String::new(),
                        value: Err(format!("diverged at step {step}: {msg}")),
                        bound: "never".into(),
                        pass: false,
                    });
                }
            }
        }
    }
    out
}

/// The table of `check_all`: lesson × seed × claim → measured value / bound / pass.
pub fn table(outcomes: &[Outcome]) -> String {
    let w = outcomes
        .iter()
        .map(|o| o.claim.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut s = format!(
        "{:<14} {:>4}  {:<w$}  {:>10}  {:<14} {}\n",
        "lesson", "seed", "claim", "measured", "bound", "ok"
    );
    for o in outcomes {
        let v = match &o.value {
            Ok(v) if v.is_infinite() => "never".to_string(),
            Ok(v) if v.abs() >= 1000.0 || (v.abs() < 0.01 && *v != 0.0) => format!("{v:.3e}"),
            Ok(v) => format!("{v:.4}"),
            Err(_) => "—".to_string(),
        };
        s += &format!(
            "{:<14} {:>4}  {:<w$}  {:>10}  {:<14} {}{}\n",
            o.preset,
            o.seed,
            o.claim,
            v,
            o.bound,
            if o.pass { "ok" } else { "FAIL" },
            match &o.value {
                Err(e) => format!("  ({e})"),
                Ok(_) => String::new(),
            }
        );
    }
    s
}

/// The key figures of a run by epoch, for reading beside the table.
pub fn summary(r: &Run) -> String {
    let mut s = format!(
        "{} seed {}: step-1 loss {:.3}, {} steps{}",
        r.preset,
        r.seed,
        r.loss.first().copied().unwrap_or(f32::NAN),
        r.loss.len(),
        r.diverged
            .as_ref()
            .map_or(String::new(), |(s, _)| format!(", diverged at step {s}"))
    );
    for e in &r.epochs {
        let rec: BTreeMap<usize, String> = e
            .eval
            .recall
            .iter()
            .enumerate()
            .map(|(d, v)| (d, format!("{:.0}", 100.0 * v)))
            .collect();
        s += &format!(
            "\n    e{}: train {:.3}/{:.1}% val {:.3}/{:.1}% recall {:?}",
            e.summary.epoch,
            e.summary.train_loss,
            100.0 * e.summary.train_acc,
            e.eval.loss,
            100.0 * e.eval.acc,
            rec.values().collect::<Vec<_>>()
        );
    }
    s
}
