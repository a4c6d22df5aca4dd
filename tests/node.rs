//! The wasm boundary (`losslab::wasm`) checked in node: what the worker sees when it calls the exported
//! API — shapes, lengths, error messages, divergence, reproducibility — on the real wasm32 + simd128
//! build. Run with `wasm-pack test --node --release -- --test node` (scripts/test.sh does).
#![cfg(target_arch = "wasm32")]

use js_sys::Uint8Array;
use js_sys::{Array, Error, Float32Array, Object, Uint32Array};
use losslab::wasm::{defaults, describe, sandbox, settings, LabData, LabHelper, LabTrainer};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod common;
use common::{cfg, get, FIXTURE_IMAGES, FIXTURE_LABELS};

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("field `{key}` is not a number"))
}

fn string(v: &JsValue, key: &str) -> String {
    get(v, key)
        .as_string()
        .unwrap_or_else(|| panic!("field `{key}` is not a string"))
}

fn f32s(v: &JsValue, key: &str) -> Vec<f32> {
    let a = get(v, key);
    assert!(
        a.is_instance_of::<Float32Array>(),
        "field `{key}` is not a Float32Array"
    );
    Float32Array::from(a).to_vec()
}

fn u32s(v: &JsValue, key: &str) -> Vec<u32> {
    let a = get(v, key);
    assert!(
        a.is_instance_of::<Uint32Array>(),
        "field `{key}` is not a Uint32Array"
    );
    Uint32Array::from(a).to_vec()
}

/// The message of a JsError as the page shows it.
fn message(e: JsError) -> String {
    Error::from(JsValue::from(e)).message().into()
}

/// A damaged data file's error: its message and the set it names (`set`, for the page to pick the files).
fn data_error(e: JsValue) -> (String, String) {
    let set = js_sys::Reflect::get(&e, &JsValue::from_str("set"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    (Error::from(e).message().into(), set)
}

fn synthetic_cfg(extra: &[(&str, &str)]) -> JsValue {
    let mut pairs = vec![
        ("data", "synthetic"),
        ("train_n", "300"),
        ("val_n", "100"),
        ("batch", "16"),
    ];
    pairs.extend_from_slice(extra);
    cfg(&pairs)
}

fn synthetic_data() -> LabData {
    LabData::synthetic(300, 100, 7.0)
}

#[wasm_bindgen_test]
fn built_with_simd128() {
    // An exported RUSTFLAGS drops the flag from .cargo/config.toml without any error.
    assert!(
        cfg!(target_feature = "simd128"),
        "this wasm build has no simd128"
    );
}

#[wasm_bindgen_test]
fn simd_kernels_match_their_plain_twins_in_node() {
    // The f32x4 paths only exist in this build, so only the wasm suites can check them.
    if let Err(e) = losslab::kernels::check::fast_kernels_match_reference() {
        panic!("{e}");
    }
}

/// The settings table as the page receives it (www/generated/settings.js is written from it): its
/// (key, default) pairs.
fn table_defaults() -> Vec<(String, String)> {
    let rows: Vec<(String, String)> = settings()
        .iter()
        .map(|row| (string(&row, "key"), string(&row, "def")))
        .collect();
    assert!(
        rows.len() > 30,
        "settings() lists only {} settings",
        rows.len()
    );
    rows
}

#[wasm_bindgen_test]
fn defaults_cover_every_key_of_the_table_and_describe_accepts_them() {
    let d = defaults();
    let table = table_defaults();
    for (key, want) in &table {
        let got = get(&d, key)
            .as_string()
            .unwrap_or_else(|| panic!("defaults()[{key}] is not a string"));
        let same = match (got.parse::<f64>(), want.parse::<f64>()) {
            (Ok(a), Ok(b)) => (a - b).abs() <= 1e-6 * b.abs(),
            _ => got == *want,
        };
        assert!(
            same,
            "default of `{key}`: defaults() says {got:?}, settings() says {want:?}"
        );
    }
    let keys = Object::keys(&d).length() as usize;
    assert_eq!(
        keys,
        table.len(),
        "defaults() has keys settings() does not list"
    );
    describe(d.into()).expect("the defaults are a valid configuration");
}

#[wasm_bindgen_test]
fn describe_lays_out_the_default_network() {
    let r = describe(cfg(&[])).unwrap();
    let layers = Array::from(&get(&r, "layers"));
    let shape = |name: &str| -> Vec<u32> {
        let l = layers
            .iter()
            .find(|l| string(l, "name") == name)
            .unwrap_or_else(|| panic!("describe() has no layer `{name}`"));
        Array::from(&get(&l, "outShape"))
            .iter()
            .map(|x| x.as_f64().unwrap() as u32)
            .collect()
    };
    assert_eq!(shape("conv1"), [8, 28, 28]);
    assert_eq!(shape("pool1"), [8, 14, 14]);
    assert_eq!(shape("conv2"), [16, 14, 14]);
    // A 3×3 pool of a 14×14 map: floor(14 / 3) = 4.
    assert_eq!(shape("pool2"), [16, 4, 4]);
    assert_eq!(shape("dense")[0], 10);
    let per_layer: f64 = layers.iter().map(|l| num(&l, "params")).sum();
    let expected = (8 * 25 + 8) + (16 * 8 * 25 + 16) + (10 * 16 * 4 * 4 + 10);
    assert_eq!(expected, 5994);
    assert_eq!(num(&r, "params"), expected as f64);
    assert_eq!(per_layer, expected as f64);
}

#[wasm_bindgen_test]
fn invalid_configurations_throw_messages_that_name_the_culprit() {
    // Stride 4 in eight blocks shrinks the 28×28 image to nothing: the message names the layer.
    let e = message(describe(cfg(&[("depth", "8"), ("stride", "4")])).unwrap_err());
    let named = ["conv", "pool"].iter().any(|p| {
        e.strip_prefix(p).is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_digit()) && rest.contains(':')
        })
    });
    assert!(named, "message does not start with the layer name: {e}");

    let e = message(describe(cfg(&[("lr", "abc")])).unwrap_err());
    assert!(e.contains("lr"), "message does not name the key: {e}");
    let e = message(describe(cfg(&[("batch", "100000")])).unwrap_err());
    assert!(
        e.contains("batch") && e.contains("512"),
        "message does not name the key and range: {e}"
    );
    let e = message(describe(cfg(&[("no_such_key", "1")])).unwrap_err());
    assert!(
        e.contains("no_such_key"),
        "message does not name the unknown key: {e}"
    );

    let data = synthetic_data();
    let e = message(
        LabTrainer::new(&data, synthetic_cfg(&[("depth", "8"), ("stride", "4")]))
            .err()
            .unwrap(),
    );
    assert!(e.contains("conv") || e.contains("pool"), "{e}");
}

#[wasm_bindgen_test]
fn a_few_steps_return_arrays_of_the_documented_lengths() {
    let data = synthetic_data();
    assert_eq!(data.train_count(), 300);
    assert_eq!(data.test_count(), 100);
    assert!(data.is_synthetic());
    let mut t = LabTrainer::new(&data, synthetic_cfg(&[])).unwrap();
    let names: Vec<String> = t
        .layer_names()
        .iter()
        .map(|n| n.as_string().unwrap())
        .collect();
    assert_eq!(names, ["conv1", "conv2", "dense"]);

    let r = t.step(5);
    let loss = f32s(&r, "loss");
    let k = loss.len();
    assert!((1..=5).contains(&k), "step(5) reported {k} steps");
    assert!(loss.iter().all(|l| l.is_finite() && *l > 0.0), "{loss:?}");
    let acc = f32s(&r, "acc");
    assert_eq!(acc.len(), k);
    assert!(acc.iter().all(|a| (0.0..=1.0).contains(a)), "{acc:?}");
    assert_eq!(f32s(&r, "cleanLoss").len(), k);
    assert_eq!(f32s(&r, "noisyLoss").len(), k);
    // No label noise: every batch is clean, so the noisy loss is NaN throughout.
    assert!(f32s(&r, "noisyLoss").iter().all(|l| l.is_nan()));
    let grads = f32s(&r, "gradNorms");
    assert_eq!(grads.len(), k * names.len());
    assert!(
        grads.iter().all(|g| g.is_finite() && *g >= 0.0),
        "{grads:?}"
    );
    assert_eq!(string(&r, "status"), "running");
    assert_eq!(num(&r, "step"), k as f64);
    // 300 samples in batches of 16.
    assert_eq!(num(&r, "stepsPerEpoch"), 19.0);
    assert!(get(&r, "divergedAt").is_null());

    let stats = t.layer_stats();
    assert_eq!(stats.length() as usize, names.len());
    for s in stats.iter() {
        for key in [
            "gradNorm",
            "kernelGradNorm",
            "weightNorm",
            "updateRatio",
            "deadFrac",
            "satFrac",
        ] {
            assert!(
                get(&s, key).as_f64().is_some(),
                "layerStats().{key} is not a number"
            );
        }
    }
    // Activation statistics of the conv layers (each followed by its ReLU).
    for s in stats.iter().take(2) {
        assert!(get(&s, "actStd").as_f64().unwrap() > 0.0);
        let dead = get(&s, "deadFrac").as_f64().unwrap();
        assert!((0.0..=1.0).contains(&dead), "deadFrac {dead}");
    }
    let w = t.weights(0).unwrap();
    let shape: Vec<u32> = Array::from(&get(&w, "shape"))
        .iter()
        .map(|x| x.as_f64().unwrap() as u32)
        .collect();
    assert_eq!(shape, [8, 1, 5, 5]);
    assert_eq!(f32s(&w, "data").len(), 8 * 25);

    let counts = t.class_counts().to_vec();
    assert_eq!(counts.len(), 10);
    assert_eq!(counts.iter().sum::<u32>() as usize, t.train_count());
}

#[wasm_bindgen_test]
fn evaluation_covers_the_validation_split() {
    let data = synthetic_data();
    let mut t = LabTrainer::new(&data, synthetic_cfg(&[])).unwrap();
    t.step(3);
    let mut chunks = 0;
    while !t.eval_chunk(30) {
        chunks += 1;
        assert!(chunks < 10, "evalChunk(30) never finished 100 samples");
    }
    let r = t.eval_report();
    let confusion = u32s(&r, "confusion");
    assert_eq!(confusion.len(), 100);
    assert_eq!(confusion.iter().sum::<u32>(), 100);
    assert_eq!(f32s(&r, "recall").len(), 10);
    let acc = num(&r, "valAcc");
    let diagonal: u32 = (0..10).map(|i| confusion[i * 10 + i]).sum();
    assert!(
        (acc - diagonal as f64 / 100.0).abs() < 1e-6,
        "valAcc {acc} vs confusion diagonal {diagonal}/100"
    );
    assert!(num(&r, "valLoss").is_finite());
}

#[wasm_bindgen_test]
fn live_settings_apply_and_reset_settings_are_refused() {
    let data = synthetic_data();
    let mut t = LabTrainer::new(&data, synthetic_cfg(&[])).unwrap();
    t.set("lr", "0.05").unwrap();
    t.set("opt", "adam").unwrap();
    let e = message(t.set("batch", "8").unwrap_err());
    assert!(e.contains("batch"), "{e}");
    let e = message(t.set("lr", "100").unwrap_err());
    assert!(e.contains("lr"), "{e}");
    let r = t.step(2);
    assert!(f32s(&r, "loss").iter().all(|l| l.is_finite()));
}

#[wasm_bindgen_test]
fn a_huge_learning_rate_diverges_without_a_panic() {
    // A linear network (no activation to saturate or die) under plain SGD at lr 10: the weights grow
    // geometrically until the loss overflows. With ReLU the same rate mostly kills units instead.
    let data = synthetic_data();
    let mut t = LabTrainer::new(
        &data,
        synthetic_cfg(&[("opt", "sgd"), ("lr", "10"), ("act", "identity")]),
    )
    .unwrap();
    let r = t.step(19);
    assert_eq!(string(&r, "status"), "diverged");
    let at = num(&r, "divergedAt");
    let loss = f32s(&r, "loss");
    // The diverging step is not reported as a loss: the arrays end with the last finite step.
    assert_eq!(
        loss.len() as f64,
        at - 1.0,
        "divergedAt {at}, {} losses",
        loss.len()
    );
    assert!(loss.iter().all(|l| l.is_finite()), "{loss:?}");
    assert_eq!(f32s(&r, "gradNorms").len(), loss.len() * 3);
    let msg = string(&r, "message");
    assert!(
        msg.contains(&format!("{at}")),
        "the message does not give the step: {msg}"
    );
    // Once diverged, more steps do nothing and still do not throw.
    let again = t.step(5);
    assert_eq!(f32s(&again, "loss").len(), 0);
    assert_eq!(string(&again, "status"), "diverged");
}

#[wasm_bindgen_test]
fn the_same_seed_gives_bit_identical_losses() {
    let run = |seed: &str| -> Vec<u32> {
        let data = synthetic_data();
        let mut t =
            LabTrainer::new(&data, synthetic_cfg(&[("seed", seed), ("noise", "20")])).unwrap();
        let mut bits = Vec::new();
        while bits.len() < 12 {
            let r = t.step(12 - bits.len());
            assert_eq!(string(&r, "status"), "running");
            bits.extend(f32s(&r, "loss").iter().map(|l| l.to_bits()));
        }
        bits
    };
    let a = run("42");
    assert_eq!(a, run("42"));
    assert_ne!(a, run("43"), "a different seed gave the same losses");
}

/// Two cores through the exported API, as www/worker.js and www/helper.js call it: the share's fields, then
/// the same batch losses and accuracies as one worker, and the same weights to float rounding.
#[wasm_bindgen_test]
fn a_split_step_with_a_helper_matches_one_worker() {
    let data = synthetic_data();
    let c = || synthetic_cfg(&[("seed", "5"), ("batch", "17")]);
    let mut one = LabTrainer::new(&data, c()).unwrap();
    let mut two = LabTrainer::new(&data, c()).unwrap();
    let mut helper = LabHelper::new(c()).unwrap();
    let r1 = one.step(3);
    for _ in 0..3 {
        let share = two.split_step();
        assert_eq!(
            num(&share, "rows"),
            9.0,
            "a batch of 17: the helper takes 9 rows"
        );
        assert_eq!(f32s(&share, "x").len(), 9 * 784);
        assert_eq!(f32s(&share, "scale"), vec![1.0 / 17.0; 9]);
        let y = Uint8Array::from(get(&share, "y")).to_vec();
        let answer = helper
            .gradient(
                f32s(&share, "weights"),
                f32s(&share, "x"),
                y,
                f32s(&share, "scale"),
            )
            .unwrap();
        two.local_step().unwrap();
        assert!(
            !two.join_step(&answer).unwrap(),
            "no epoch end after a few steps"
        );
    }
    let r2 = two.take_steps();
    assert_eq!(f32s(&r2, "loss").len(), 3);
    for (a, b) in f32s(&r1, "loss").iter().zip(f32s(&r2, "loss")) {
        assert!(
            (a - b).abs() <= 1e-5 * a.abs(),
            "batch loss {a} (one worker) against {b} (two)"
        );
    }
    assert_eq!(f32s(&r1, "acc"), f32s(&r2, "acc"));
    for i in 0..2 {
        let (w1, w2) = (
            f32s(&one.weights(i).unwrap().into(), "data"),
            f32s(&two.weights(i).unwrap().into(), "data"),
        );
        let scale = w1.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let diff = w1
            .iter()
            .zip(&w2)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            diff <= 1e-5 * scale,
            "layer {i}: weights differ by {diff} (largest {scale})"
        );
    }
    // a share from a network of another shape is refused with a message
    let mut other = LabHelper::new(synthetic_cfg(&[("ch", "4,4")])).unwrap();
    let share = two.split_step();
    let y = Uint8Array::from(get(&share, "y")).to_vec();
    let err = other
        .gradient(
            f32s(&share, "weights"),
            f32s(&share, "x"),
            y,
            f32s(&share, "scale"),
        )
        .unwrap_err();
    assert!(message(err).contains("parameters"));
}

#[wasm_bindgen_test]
fn real_mnist_idx_loads_and_trains() {
    // The 500-image MNIST test fixture serves as both splits here.
    let data = LabData::from_idx(
        FIXTURE_IMAGES,
        FIXTURE_LABELS,
        FIXTURE_IMAGES,
        FIXTURE_LABELS,
    )
    .unwrap();
    assert_eq!(data.train_count(), 500);
    assert_eq!(data.test_count(), 500);
    assert!(!data.is_synthetic());
    let mut t = LabTrainer::new(&data, cfg(&[("train_n", "500"), ("val_n", "100")])).unwrap();
    assert_eq!(t.train_count(), 500);
    let r = t.step(3);
    assert!(f32s(&r, "loss").iter().all(|l| l.is_finite()));

    // Mistakes a person can make with the files get a message that says which one.
    let (e, set) = data_error(
        LabData::from_idx(
            FIXTURE_LABELS,
            FIXTURE_IMAGES,
            FIXTURE_IMAGES,
            FIXTURE_LABELS,
        )
        .err()
        .unwrap(),
    );
    assert!(e.contains("swapped") && set == "training", "{e} ({set})");
    let (e, set) = data_error(
        LabData::from_idx(
            FIXTURE_IMAGES,
            FIXTURE_LABELS,
            &FIXTURE_IMAGES[..1000],
            FIXTURE_LABELS,
        )
        .err()
        .unwrap(),
    );
    assert!(
        e.contains("truncated") && set == "validation",
        "{e} ({set})"
    );
    let gz = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let (e, set) = data_error(
        LabData::from_idx(&gz, FIXTURE_LABELS, FIXTURE_IMAGES, FIXTURE_LABELS)
            .err()
            .unwrap(),
    );
    assert!(e.contains("gzip") && set == "training", "{e} ({set})");
}

#[wasm_bindgen_test]
fn the_sandbox_follows_gradient_descent_and_flips_at_its_bound_in_wasm() {
    // Plain SGD, lr 0.009 on λ 200 and 10: x_k = (1 − 1.8)^k·x0 and y_k = (1 − 0.09)^k·y0 (the closed form).
    let r = sandbox(
        cfg(&[("opt", "sgd"), ("lr", "0.009")]),
        200.0,
        10.0,
        0.15,
        1.0,
        40,
    )
    .unwrap_or_else(|e| panic!("{:?}", JsValue::from(e)));
    let r: JsValue = r.into();
    let path = f32s(&r, "path");
    assert_eq!(path.len(), 2 * 41);
    for k in 0..=40 {
        let (x, y) = (0.15 * (-0.8f64).powi(k), 0.91f64.powi(k));
        assert!(
            (path[2 * k as usize] as f64 - x).abs() < 1e-5,
            "step {k}: x {}",
            path[2 * k as usize]
        );
        assert!(
            (path[2 * k as usize + 1] as f64 - y).abs() < 1e-5,
            "step {k}: y {}",
            path[2 * k as usize + 1]
        );
    }
    assert_eq!(num(&r, "threshold"), 2.0);
    assert_eq!(string(&r, "verdict"), "oscillates");
    assert!(get(&r, "adamRatios").is_null());
    // η·λ = 2.02 along x: diverges, along x (axis 0)
    let r: JsValue = sandbox(
        cfg(&[("opt", "sgd"), ("lr", "0.0101")]),
        200.0,
        10.0,
        0.15,
        1.0,
        40,
    )
    .unwrap_or_else(|e| panic!("{:?}", JsValue::from(e)))
    .into();
    assert_eq!(
        (string(&r, "verdict"), num(&r, "axis")),
        ("diverges".to_string(), 0.0)
    );
    // a refused value is refused as everywhere else, naming its key
    let e = sandbox(cfg(&[("lr", "20")]), 200.0, 10.0, 0.15, 1.0, 40).unwrap_err();
    let msg = Error::from(JsValue::from(e)).message();
    assert!(String::from(msg).contains("lr"), "the refusal names lr");
}
