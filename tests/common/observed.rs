//! Recorded diagnosis inputs: an `Observations` (crates/losslab-diagnose/src/observe.rs) as text and back, so
//! that the rules can be checked on what real runs measured without training them again
//! (tests/recorded.rs; the lesson binary, tests/lessons.rs, records them with LOSSLAB_RECORD_OBSERVATIONS=1).
//!
//! One line per field, `key value value …`; arrays of numbers are split over lines of at most
//! `PER_LINE` values with the same key, so that a re-record reads as a diff of inputs. Floats are written
//! in Rust's shortest form that reads back to the same f32 (`NaN`, `inf` and `-inf` included), so a
//! recording is exact: writing what was read gives the same text.

use losslab::diagnose::observe::*;

const PER_LINE: usize = 16;
const HEADER: &str = "# Loss Lab recorded Observations v1";

/// Each enum's words in a recording, one table for writing and reading.
const ROLES: &[(LayerRole, &str)] = &[
    (LayerRole::Conv, "conv"),
    (LayerRole::Dense, "dense"),
    (LayerRole::Output, "output"),
];
const ACTS: &[(Option<ActKind>, &str)] = &[
    (Some(ActKind::ReluLike), "relu-like"),
    (Some(ActKind::Saturating), "saturating"),
    (Some(ActKind::Identity), "identity"),
    (None, "-"),
];
const OPTIMIZERS: &[(Option<OptimizerFamily>, &str)] = &[
    (Some(OptimizerFamily::Sgd), "sgd"),
    (Some(OptimizerFamily::Momentum), "momentum"),
    (Some(OptimizerFamily::Nesterov), "nesterov"),
    (Some(OptimizerFamily::Adam), "adam"),
    (None, "-"),
];
const PASSES: &[(Option<Pass>, &str)] = &[
    (Some(Pass::Forward), "forward"),
    (Some(Pass::Backward), "backward"),
    (None, "-"),
];

/// The word of `v` in `table`.
fn word<T: PartialEq>(table: &[(T, &'static str)], v: &T) -> &'static str {
    table
        .iter()
        .find(|(t, _)| t == v)
        .map(|&(_, w)| w)
        .expect("every value has its word")
}

/// The value of word `w` in `table` (`what` names the table in the error, with the line).
fn value_of<T: Clone>(table: &[(T, &str)], w: &str, what: &str, line: usize) -> Result<T, String> {
    table
        .iter()
        .find(|(_, x)| *x == w)
        .map(|(t, _)| t.clone())
        .ok_or_else(|| format!("line {line}: no {what} `{w}`"))
}

fn input(i: &InputStats) -> String {
    format!("{} {} {} {}", i.min, i.max, i.mean, i.std)
}

/// `key` followed by `values`, PER_LINE to a line (one line with the key alone when empty).
fn list<T: ToString>(out: &mut String, key: &str, values: &[T]) {
    if values.is_empty() {
        out.push_str(key);
        out.push('\n');
    }
    for chunk in values.chunks(PER_LINE) {
        out.push_str(key);
        for v in chunk {
            out.push(' ');
            out.push_str(&v.to_string());
        }
        out.push('\n');
    }
}

/// A run's diagnosis inputs at one diagnosis, with what that diagnosis must say.
pub struct Recording {
    /// Where it was recorded (one line: the run, the seed, the step).
    pub about: String,
    /// The causes of which one must be named (ranked first or second by a warn or alarm finding); empty: the
    /// diagnosis must hold no warn or alarm finding.
    pub expect: Vec<String>,
    pub obs: Observations,
}

/// The text of a recording.
pub fn write(r: &Recording) -> String {
    let o = &r.obs;
    let mut s = format!("{HEADER}: {}\n", r.about);
    s += &format!(
        "expect {}\n",
        if r.expect.is_empty() {
            "quiet".to_string()
        } else {
            r.expect.join(" ")
        }
    );
    for l in &o.layers {
        s += &format!(
            "layer {} {} {}\n",
            l.name,
            word(ROLES, &l.role),
            word(ACTS, &l.act)
        );
    }
    s += &format!("optimizer {}\n", word(OPTIMIZERS, &o.optimizer));
    s += &format!(
        "steps_per_epoch {}\nbatch_size {}\n",
        o.steps_per_epoch, o.batch_size
    );
    s += &format!(
        "initial_loss {}\nfirst_step {}\n",
        o.initial_loss.map_or("-".to_string(), |v| v.to_string()),
        o.first_step
    );
    list(&mut s, "step_loss", &o.step_loss);
    list(&mut s, "step_acc", &o.step_acc);
    list(&mut s, "step_classes", &o.step_classes);
    for e in &o.epochs {
        s += &format!(
            "epoch {} {} {} {}\n",
            e.train_loss, e.train_acc, e.val_loss, e.val_acc
        );
    }
    for snap in &o.layer_history {
        s += &format!("snapshot {} {}\n", snap.step, snap.samples);
        for t in &snap.stats {
            s += &format!(
                "stats {} {} {} {} {} {} {} {} {}\n",
                t.name,
                t.grad_norm,
                t.kernel_grad_norm,
                t.weight_norm,
                t.update_ratio,
                t.act_mean,
                t.act_std,
                t.dead_frac,
                t.sat_frac
            );
        }
    }
    if let Some(nf) = &o.non_finite {
        s += &format!(
            "non_finite {} {} {}\n",
            nf.step,
            nf.layer.as_deref().unwrap_or("-"),
            word(PASSES, &nf.pass)
        );
    }
    list(&mut s, "class_counts", &o.class_counts);
    for row in &o.confusion {
        list(&mut s, "confusion", row);
    }
    for (key, i) in [
        ("input", &o.input),
        ("val_input", &o.val_input),
        ("probe_input", &o.probe_input),
    ] {
        if let Some(i) = i {
            s += &format!("{key} {}\n", input(i));
        }
    }
    for x in &o.samples {
        s += &format!(
            "sample {} {} {} {}\n",
            x.label, x.loss, x.predicted, x.confidence
        );
    }
    list(&mut s, "probe_trained", &o.probe_trained);
    if let Some(d) = o.val_duplicates {
        s += &format!("val_duplicates {} {}\n", d.found, d.checked);
    }
    s
}

fn num<T: std::str::FromStr>(w: &str, line: usize) -> Result<T, String> {
    w.parse()
        .map_err(|_| format!("line {line}: `{w}` is not a number of the kind expected"))
}

fn nums<T: std::str::FromStr>(ws: &[&str], line: usize) -> Result<Vec<T>, String> {
    ws.iter().map(|w| num(w, line)).collect()
}

fn exactly<'a>(ws: &'a [&'a str], n: usize, line: usize) -> Result<&'a [&'a str], String> {
    if ws.len() == n {
        Ok(ws)
    } else {
        Err(format!(
            "line {line}: {n} values expected, {} found",
            ws.len()
        ))
    }
}

fn input_of(ws: &[&str], line: usize) -> Result<InputStats, String> {
    let v: Vec<f32> = nums(exactly(ws, 4, line)?, line)?;
    Ok(InputStats {
        min: v[0],
        max: v[1],
        mean: v[2],
        std: v[3],
    })
}

/// Reads what `write` wrote; an error names the line.
pub fn read(text: &str) -> Result<Recording, String> {
    let mut o = Observations::default();
    let mut expect = None;
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let about = match lines.next() {
        Some((_, l)) if l.starts_with(HEADER) => {
            l[HEADER.len()..].trim_start_matches(": ").to_string()
        }
        _ => {
            return Err(format!(
                "not a recording: its first line is not `{HEADER}: …`"
            ))
        }
    };
    // a `confusion` row continues over lines until it has as many values as there are classes
    let mut row: Vec<u32> = Vec::new();
    for (n, l) in lines {
        let ws: Vec<&str> = l.split(' ').collect();
        let (key, v) = (ws[0], &ws[1..]);
        match key {
            "expect" if v == ["quiet"] => expect = Some(Vec::new()),
            "expect" => expect = Some(v.iter().map(|c| c.to_string()).collect()),
            "layer" => {
                let v = exactly(v, 3, n)?;
                o.layers.push(ObservedLayer {
                    name: v[0].to_string(),
                    role: value_of(ROLES, v[1], "layer role", n)?,
                    act: value_of(ACTS, v[2], "activation kind", n)?,
                });
            }
            "optimizer" => {
                o.optimizer = value_of(OPTIMIZERS, exactly(v, 1, n)?[0], "optimizer family", n)?
            }
            "steps_per_epoch" => o.steps_per_epoch = num(exactly(v, 1, n)?[0], n)?,
            "batch_size" => o.batch_size = num(exactly(v, 1, n)?[0], n)?,
            "initial_loss" => {
                let w = exactly(v, 1, n)?[0];
                o.initial_loss = if w == "-" { None } else { Some(num(w, n)?) };
            }
            "first_step" => o.first_step = num(exactly(v, 1, n)?[0], n)?,
            "step_loss" => o.step_loss.extend(nums::<f32>(v, n)?),
            "step_acc" => o.step_acc.extend(nums::<f32>(v, n)?),
            "step_classes" => o.step_classes.extend(nums::<u8>(v, n)?),
            "epoch" => {
                let e: Vec<f32> = nums(exactly(v, 4, n)?, n)?;
                o.epochs.push(EpochFigures {
                    train_loss: e[0],
                    train_acc: e[1],
                    val_loss: e[2],
                    val_acc: e[3],
                });
            }
            "snapshot" => {
                let v = exactly(v, 2, n)?;
                o.layer_history.push(LayerSnapshot {
                    step: num(v[0], n)?,
                    samples: num(v[1], n)?,
                    stats: Vec::new(),
                });
            }
            "stats" => {
                let v = exactly(v, 9, n)?;
                let f: Vec<f32> = nums(&v[1..], n)?;
                let snap = o
                    .layer_history
                    .last_mut()
                    .ok_or(format!("line {n}: stats before any snapshot"))?;
                snap.stats.push(LayerStats {
                    name: v[0].to_string(),
                    grad_norm: f[0],
                    kernel_grad_norm: f[1],
                    weight_norm: f[2],
                    update_ratio: f[3],
                    act_mean: f[4],
                    act_std: f[5],
                    dead_frac: f[6],
                    sat_frac: f[7],
                });
            }
            "non_finite" => {
                let v = exactly(v, 3, n)?;
                o.non_finite = Some(NonFinite {
                    step: num(v[0], n)?,
                    layer: (v[1] != "-").then(|| v[1].to_string()),
                    pass: value_of(PASSES, v[2], "pass", n)?,
                });
            }
            "class_counts" => o.class_counts.extend(nums::<u32>(v, n)?),
            "confusion" => {
                row.extend(nums::<u32>(v, n)?);
                if row.len() >= o.class_counts.len().max(1) {
                    o.confusion.push(std::mem::take(&mut row));
                }
            }
            "input" => o.input = Some(input_of(v, n)?),
            "val_input" => o.val_input = Some(input_of(v, n)?),
            "probe_input" => o.probe_input = Some(input_of(v, n)?),
            "sample" => {
                let v = exactly(v, 4, n)?;
                o.samples.push(SampleLoss {
                    label: num(v[0], n)?,
                    loss: num(v[1], n)?,
                    predicted: num(v[2], n)?,
                    confidence: num(v[3], n)?,
                });
            }
            "probe_trained" => o.probe_trained.extend(nums::<f32>(v, n)?),
            "val_duplicates" => {
                let v = exactly(v, 2, n)?;
                o.val_duplicates = Some(Duplicates {
                    found: num(v[0], n)?,
                    checked: num(v[1], n)?,
                });
            }
            k => return Err(format!("line {n}: unknown key `{k}`")),
        }
    }
    if !row.is_empty() {
        return Err("the last confusion row is incomplete".into());
    }
    let expect = expect.ok_or("no `expect` line")?;
    Ok(Recording {
        about,
        expect,
        obs: o,
    })
}
