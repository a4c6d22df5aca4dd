#![cfg(not(target_arch = "wasm32"))]
//! Loss Lab's CNN against TensorFlow.js: forward values, the loss, every parameter gradient, the input
//! gradient, and 5-step trajectories of SGD, momentum, Nesterov and Adam (with and without weight
//! decay) must agree with the numbers in `tests/reference/tfjs_reference.txt`, made by
//! `tests/reference/gen_tfjs.mjs` (see `tests/reference/README.md`).
//!
//! Each case is built from Loss Lab's own config keys, its parameters are overwritten with the
//! reference ones (names, order and shapes must match Loss Lab's state-dict layout), and the results
//! are compared element by element with |got − want| ≤ atol + rtol·|want|.
//!
//! Run with `cargo test --test reference -- --nocapture` to see the worst errors per case.

use losslab::config::Config;
use losslab::layers::loss::softmax_cross_entropy;
use losslab::model::Model;
use losslab::optim::Optimizer;

const CLASSES: usize = 10;

/// Forward values and gradients: both sides are float32 with different summation orders (im2col +
/// GEMM here, tfjs's own loops there). Measured: ≤ 2e-6 absolute, at most 2.3% of this bound, while a
/// real mistake moves values by O(|want|): running the cases with relu instead of leaky_relu, or max
/// instead of avg pooling, gives errors of 9× to 36 000× the bound.
const FWD: Tol = Tol {
    atol: 1e-5,
    rtol: 1e-4,
};
/// Every parameter after 5 optimizer steps. SGD, momentum and Nesterov add lr·(gradient difference) per
/// step. Adam moves each weight by about lr·m̂/(√v̂+ε), a ratio of gradients, so what matters is a
/// gradient's *relative* difference (large for the smallest gradients), and tfjs keeps βᵗ as a float32
/// running product where Loss Lab forms 1 − βᵗ in f64 (1 − β2ᵗ then differs by up to 1.4e-5 relative
/// within 5 steps). Measured: ≤ 3.1e-7 absolute for Adam, ≤ 1.2e-7 for the others, at most 2.5% of
/// this bound, which is itself 200× smaller than one Adam step of lr 0.002.
const PATH: Tol = Tol {
    atol: 1e-5,
    rtol: 1e-4,
};
/// The loss recorded before each step. Along the Adam paths the small coherent parameter differences
/// add up to ≤ 1.1e-5 in the loss (17% of this bound); ≤ 7.2e-7 along the others.
const LOSS_PATH: Tol = Tol {
    atol: 1e-5,
    rtol: 1e-4,
};

#[derive(Clone, Copy, Debug)]
struct Tol {
    atol: f32,
    rtol: f32,
}

struct RefParam {
    name: String,
    shape: Vec<usize>,
    value: Vec<f32>,
    grad: Vec<f32>,
}

struct RefRun {
    name: String,
    steps: usize,
    cfg: Vec<(String, String)>,
    loss_before_step: Vec<f32>,
    after: Vec<(String, Vec<f32>)>,
}

struct RefCase {
    name: String,
    n: usize,
    cfg: Vec<(String, String)>,
    labels: Vec<u8>,
    x: Vec<f32>,
    params: Vec<RefParam>,
    logits: Vec<f32>,
    loss: f32,
    grad_x: Vec<f32>,
    runs: Vec<RefRun>,
    /// BatchNorm cases: the running statistics before the training pass (per layer, mean then
    /// variance, in `Model::weights_flat` order), the evaluation-mode logits with them, and the
    /// running statistics after the training pass.
    running: Vec<f32>,
    logits_eval: Vec<f32>,
    running_after: Vec<f32>,
}

fn floats(fields: &[&str], line: usize) -> Vec<f32> {
    fields
        .iter()
        .map(|s| {
            s.parse::<f32>()
                .unwrap_or_else(|e| panic!("line {line}: bad number {s:?}: {e}"))
        })
        .collect()
}

/// `t NAME COUNT V...` -> (NAME, values), checking COUNT.
fn tensor_line(f: &[&str], line: usize) -> (String, Vec<f32>) {
    assert!(f.len() >= 3, "line {line}: short tensor record");
    let count: usize = f[2]
        .parse()
        .unwrap_or_else(|_| panic!("line {line}: bad count"));
    let v = floats(&f[3..], line);
    assert_eq!(
        v.len(),
        count,
        "line {line}: {} declares {count} values, has {}",
        f[1],
        v.len()
    );
    (f[1].to_string(), v)
}

/// Parse the line format described in tests/reference/README.md.
fn load() -> Vec<RefCase> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/tfjs_reference.txt"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("{path}: {e} (regenerate with node tests/reference/gen_tfjs.mjs)")
    });
    let mut cases: Vec<RefCase> = Vec::new();
    let mut cur: Option<RefCase> = None;
    for (i, l) in text.lines().enumerate() {
        let line = i + 1;
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = l.split(' ').collect();
        if f[0] == "case" {
            assert!(cur.is_none(), "line {line}: case inside a case");
            cur = Some(RefCase {
                name: f[1].to_string(),
                n: f[2].parse().expect("batch size"),
                cfg: Vec::new(),
                labels: Vec::new(),
                x: Vec::new(),
                params: Vec::new(),
                logits: Vec::new(),
                loss: f32::NAN,
                grad_x: Vec::new(),
                runs: Vec::new(),
                running: Vec::new(),
                logits_eval: Vec::new(),
                running_after: Vec::new(),
            });
            continue;
        }
        let c = cur
            .as_mut()
            .unwrap_or_else(|| panic!("line {line}: record outside a case"));
        match f[0] {
            "cfg" => c.cfg.push((f[1].to_string(), f[2].to_string())),
            "labels" => c.labels = f[1..].iter().map(|s| s.parse().expect("label")).collect(),
            "p" => c.params.push(RefParam {
                name: f[1].to_string(),
                shape: f[2].split(',').map(|d| d.parse().expect("dim")).collect(),
                value: floats(&f[3..], line),
                grad: Vec::new(),
            }),
            "opt" => c.runs.push(RefRun {
                name: f[1].to_string(),
                steps: f[2].parse().expect("steps"),
                cfg: Vec::new(),
                loss_before_step: Vec::new(),
                after: Vec::new(),
            }),
            "ocfg" => {
                let r = c.runs.last_mut().expect("ocfg before opt");
                r.cfg.push((f[1].to_string(), f[2].to_string()));
            }
            "t" => {
                let (name, v) = tensor_line(&f, line);
                if let Some(r) = c.runs.last_mut() {
                    if name == "loss_before_step" {
                        r.loss_before_step = v;
                    } else if let Some(p) = name.strip_prefix("after.") {
                        r.after.push((p.to_string(), v));
                    } else {
                        panic!("line {line}: unexpected {name} inside an optimizer run");
                    }
                    continue;
                }
                match name.as_str() {
                    "x" => c.x = v,
                    "logits" => c.logits = v,
                    "loss" => c.loss = v[0],
                    "grad.x" => c.grad_x = v,
                    "logits_eval" => c.logits_eval = v,
                    other if other.starts_with("running.") => c.running.extend(v),
                    other if other.starts_with("running_after.") => c.running_after.extend(v),
                    other => {
                        let pname = other
                            .strip_prefix("grad.")
                            .unwrap_or_else(|| panic!("line {line}: {other}?"));
                        let p = c.params.last_mut().expect("grad before its parameter");
                        assert_eq!(
                            p.name, pname,
                            "line {line}: gradient of {pname} after parameter {}",
                            p.name
                        );
                        p.grad = v;
                    }
                }
            }
            "end" => cases.push(cur.take().unwrap()),
            other => panic!("line {line}: unknown record {other:?}"),
        }
    }
    assert!(cur.is_none(), "unterminated case");
    for c in &cases {
        assert_eq!(c.x.len(), c.n * 28 * 28, "{}: x", c.name);
        assert_eq!(c.labels.len(), c.n, "{}: labels", c.name);
        assert_eq!(c.logits.len(), c.n * CLASSES, "{}: logits", c.name);
        assert_eq!(c.grad_x.len(), c.x.len(), "{}: grad.x", c.name);
        for p in &c.params {
            assert_eq!(
                p.value.len(),
                p.shape.iter().product::<usize>(),
                "{}: {}",
                c.name,
                p.name
            );
            assert_eq!(p.grad.len(), p.value.len(), "{}: grad.{}", c.name, p.name);
        }
        for r in &c.runs {
            assert_eq!(r.loss_before_step.len(), r.steps, "{} {}", c.name, r.name);
            assert_eq!(r.after.len(), c.params.len(), "{} {}", c.name, r.name);
        }
    }
    assert_eq!(cases.len(), 7, "expected the seven reference cases");
    cases
}

/// Worst error of `got` against `want` under `tol`.
struct Diff {
    max_abs: f32,
    /// max |got − want| / (atol + rtol·|want|); ≤ 1 passes.
    worst: f32,
    worst_at: usize,
    worst_got: f32,
    worst_want: f32,
}

fn diff(got: &[f32], want: &[f32], tol: Tol) -> Diff {
    assert_eq!(got.len(), want.len(), "length mismatch");
    // worst starts below any ratio so that the first element is always the one shown.
    let mut d = Diff {
        max_abs: 0.0,
        worst: -1.0,
        worst_at: 0,
        worst_got: 0.0,
        worst_want: 0.0,
    };
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let e = (g - w).abs();
        // NaN anywhere must fail, so compare with a negated `<=`.
        let r = if e.is_nan() {
            f32::INFINITY
        } else {
            e / (tol.atol + tol.rtol * w.abs())
        };
        if e > d.max_abs || e.is_nan() {
            d.max_abs = if e.is_nan() { f32::INFINITY } else { e };
        }
        if r > d.worst {
            d = Diff {
                worst: r,
                worst_at: i,
                worst_got: g,
                worst_want: w,
                ..d
            };
        }
    }
    d
}

/// Record one comparison: print it, and remember a failure.
fn check(report: &mut Vec<String>, what: &str, got: &[f32], want: &[f32], tol: Tol) {
    let d = diff(got, want, tol);
    let line = format!(
        "  {what:<34} n={:<6} max|err| {:.2e}  worst err/tol {:.3} (at {}: got {} want {})",
        want.len(),
        d.max_abs,
        d.worst,
        d.worst_at,
        d.worst_got,
        d.worst_want
    );
    println!("{line}");
    if d.worst.is_nan() || d.worst > 1.0 {
        report.push(format!("{what}: {}", line.trim()));
    }
}

fn config(pairs: &[(String, String)], n: usize) -> Config {
    let mut cfg = Config::default();
    for (k, v) in pairs {
        cfg.set(k, v)
            .unwrap_or_else(|e| panic!("config {k}={v}: {e}"));
    }
    cfg.set("batch", &n.to_string()).expect("batch");
    cfg
}

/// Build the case's model in Loss Lab and load the reference parameters into it.
fn model_with_reference_params(c: &RefCase, extra: &[(String, String)]) -> (Config, Model) {
    let mut pairs = c.cfg.clone();
    pairs.extend_from_slice(extra);
    let cfg = config(&pairs, c.n);
    let mut model = Model::from_config(&cfg).unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let mut params = model.params_mut();
    let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
    let want: Vec<String> = c.params.iter().map(|p| p.name.clone()).collect();
    assert_eq!(names, want, "{}: parameter names and order", c.name);
    for (p, r) in params.iter_mut().zip(&c.params) {
        assert_eq!(p.shape, r.shape, "{}: shape of {}", c.name, r.name);
        p.value.copy_from_slice(&r.value);
    }
    (cfg, model)
}

/// Forward, loss and backward on the case's batch; returns (logits, loss, dx).
fn forward_backward(model: &mut Model, c: &RefCase) -> (Vec<f32>, f32, Vec<f32>) {
    model.zero_grad();
    let logits = model.forward(&c.x, c.n, true);
    let (loss, dlogits, _) = softmax_cross_entropy(&logits, &c.labels, CLASSES);
    let dx = model.backward(&dlogits);
    (logits, loss, dx)
}

#[test]
fn forward_values_and_gradients_match_tensorflow_js() {
    let mut failures = Vec::new();
    for c in load() {
        println!("{} (N={}): tolerance {:?}", c.name, c.n, FWD);
        let (_, mut model) = model_with_reference_params(&c, &[]);
        let (logits, loss, dx) = forward_backward(&mut model, &c);
        let mut report = Vec::new();
        check(&mut report, "logits", &logits, &c.logits, FWD);
        check(&mut report, "loss", &[loss], &[c.loss], FWD);
        for (p, r) in model.params().iter().zip(&c.params) {
            check(
                &mut report,
                &format!("grad {}", r.name),
                &p.grad,
                &r.grad,
                FWD,
            );
        }
        check(&mut report, "grad x", &dx, &c.grad_x, FWD);
        if !c.running.is_empty() {
            // BatchNorm: the running statistics after the training pass (PyTorch's update from the
            // reference's starting values), then evaluation with the starting values.
            let mut w: Vec<f32> = c.params.iter().flat_map(|p| p.value.clone()).collect();
            let params = w.len();
            w.extend(&c.running);
            model
                .set_weights_flat(&w)
                .expect("parameters and running statistics");
            model.forward(&c.x, c.n, true);
            let after = model.weights_flat()[params..].to_vec();
            check(
                &mut report,
                "running statistics after",
                &after,
                &c.running_after,
                FWD,
            );
            model
                .set_weights_flat(&w)
                .expect("parameters and running statistics");
            let logits = model.forward(&c.x, c.n, false);
            check(
                &mut report,
                "logits in evaluation mode",
                &logits,
                &c.logits_eval,
                FWD,
            );
        }
        failures.extend(report.into_iter().map(|f| format!("{}: {f}", c.name)));
    }
    assert!(
        failures.is_empty(),
        "disagreements with TensorFlow.js:\n{}",
        failures.join("\n")
    );
}

#[test]
fn optimizer_steps_match_tensorflow_js() {
    let mut failures = Vec::new();
    for c in load() {
        for r in &c.runs {
            // The reference decays every variable, biases included (the generator adds wd·w to each
            // gradient, as PyTorch's `weight_decay` does); the lab leaves biases out unless wd_bias=on.
            let mut extra = r.cfg.clone();
            extra.push(("wd_bias".into(), "on".into()));
            let (cfg, mut model) = model_with_reference_params(&c, &extra);
            println!(
                "{} / {} ({} steps): params {:?}, loss {:?}",
                c.name, r.name, r.steps, PATH, LOSS_PATH
            );
            let mut opt = Optimizer::new(cfg.optim);
            let mut losses = Vec::new();
            for _ in 0..r.steps {
                let (_, loss, _) = forward_backward(&mut model, &c);
                losses.push(loss);
                opt.step(&mut model.params_mut());
            }
            let mut report = Vec::new();
            check(
                &mut report,
                "loss before each step",
                &losses,
                &r.loss_before_step,
                LOSS_PATH,
            );
            let mut moved = 0.0f32;
            for ((p, (name, want)), start) in model.params().iter().zip(&r.after).zip(&c.params) {
                assert_eq!(&p.name, name);
                check(&mut report, &format!("{name} after"), &p.value, want, PATH);
                // The reference must have moved far beyond the tolerance, or this check proves nothing.
                moved = moved.max(diff(want, &start.value, PATH).worst);
            }
            assert!(
                moved > 10.0,
                "{} / {}: the reference run hardly moved the weights ({moved})",
                c.name,
                r.name
            );
            failures.extend(
                report
                    .into_iter()
                    .map(|f| format!("{} / {}: {f}", c.name, r.name)),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "disagreements with TensorFlow.js:\n{}",
        failures.join("\n")
    );
}
