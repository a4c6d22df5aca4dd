//! The wasm boundary in a headless browser, Chromium (V8) and Firefox (SpiderMonkey): the checks that
//! need a browser engine (a page, with its `performance` clock and transferable buffers), plus a short
//! training run there. The broader boundary checks are in tests/node.rs. Run with
//! `wasm-pack test --headless --chrome --release -- --test web` and `--headless --firefox`
//! (scripts/test.sh runs both).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Error, Float32Array, Object, Reflect, Uint8Array};
use losslab::wasm::{describe, LabData, LabTrainer};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{cfg, get, FIXTURE_IMAGES, FIXTURE_LABELS};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
    #[wasm_bindgen(js_name = structuredClone)]
    fn structured_clone(value: &JsValue, options: &JsValue) -> JsValue;
}

fn losses(r: &JsValue) -> Vec<f32> {
    Float32Array::from(get(r, "loss")).to_vec()
}

#[wasm_bindgen_test]
fn runs_in_a_browser_page_with_simd128() {
    assert!(
        cfg!(target_feature = "simd128"),
        "this wasm build has no simd128"
    );
    let global = js_sys::global();
    for name in ["window", "document", "Worker", "DecompressionStream"] {
        assert!(
            Reflect::has(&global, &JsValue::from_str(name)).unwrap(),
            "no `{name}`: not a browser page?"
        );
    }
}

#[wasm_bindgen_test]
fn the_kernels_are_the_build_this_run_compiled() {
    // scripts/test.sh runs this file twice in Chromium: as the simd128 build, and with +relaxed-simd and
    // LOSSLAB_WASM_BUILD=relaxed-simd, so a relaxed run that silently compiled the fallback fails here.
    use losslab::kernels::simd::{tile_is_fused, BUILD};
    let want = option_env!("LOSSLAB_WASM_BUILD").unwrap_or("simd128");
    assert_eq!(
        BUILD, want,
        "the kernels were compiled as {BUILD}, not {want}"
    );
    // And the arithmetic: the relaxed build's tile rounds once per multiply-add (V8 emits FMA for
    // f32x4.relaxed_madd on a CPU that has it), the simd128 build's twice.
    assert_eq!(
        tile_is_fused(),
        want == "relaxed-simd",
        "the GEMM tile {} its multiply-adds in the {BUILD} build",
        if tile_is_fused() {
            "fused"
        } else {
            "did not fuse"
        }
    );
}

#[wasm_bindgen_test]
fn simd_kernels_match_their_plain_twins_in_the_browser() {
    // The f32x4 paths only exist in this build, so only the wasm suites can check them.
    if let Err(e) = losslab::kernels::check::fast_kernels_match_reference() {
        panic!("{e}");
    }
}

#[wasm_bindgen_test]
fn mnist_bytes_from_javascript_train_and_the_clock_advances() {
    // What the worker does: bytes arrive as Uint8Arrays (fetched, then inflated) and cross into wasm.
    let images = Uint8Array::from(FIXTURE_IMAGES);
    let labels = Uint8Array::from(FIXTURE_LABELS);
    assert_eq!(images.length() as usize, FIXTURE_IMAGES.len());
    let data = LabData::from_idx(
        &images.to_vec(),
        &labels.to_vec(),
        &images.to_vec(),
        &labels.to_vec(),
    )
    .unwrap();
    assert_eq!(data.train_count(), 500);

    let mut t = LabTrainer::new(
        &data,
        cfg(&[("train_n", "500"), ("val_n", "100"), ("batch", "32")]),
    )
    .unwrap();
    let t0 = now();
    let r = t.step(4);
    let elapsed = now() - t0;
    let loss = losses(&r);
    assert_eq!(loss.len(), 4);
    assert!(loss.iter().all(|l| l.is_finite() && *l > 0.0), "{loss:?}");
    // Four batches of 32 through a 6k-parameter CNN take measurable time, and not minutes.
    assert!(
        elapsed > 0.0 && elapsed < 60_000.0,
        "performance.now() says {elapsed} ms"
    );
}

#[wasm_bindgen_test]
fn returned_arrays_are_copies_the_worker_can_transfer() {
    let data = LabData::synthetic(200, 100, 3.0);
    let mut t = LabTrainer::new(
        &data,
        cfg(&[("data", "synthetic"), ("train_n", "200"), ("val_n", "100")]),
    )
    .unwrap();
    let r = t.step(2);
    let loss = Float32Array::from(get(&r, "loss"));
    let memory = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .unwrap()
        .buffer();
    assert!(
        !Object::is(&loss.buffer(), &memory),
        "step().loss is a view of wasm memory"
    );
    let before = loss.to_vec();

    // Transferring detaches the original: only possible for a buffer of its own.
    let options = Object::new();
    Reflect::set(&options, &"transfer".into(), &Array::of1(&loss.buffer())).unwrap();
    let moved = Float32Array::from(structured_clone(&loss, &options));
    assert_eq!(loss.length(), 0, "the buffer was not transferred");
    assert_eq!(moved.to_vec(), before);

    // Training goes on after the transfer: wasm memory was not affected.
    let r = t.step(2);
    assert!(losses(&r).iter().all(|l| l.is_finite()));
}

#[wasm_bindgen_test]
fn same_seed_same_losses_in_the_browser() {
    let run = || {
        let data = LabData::synthetic(200, 100, 9.0);
        let c = cfg(&[
            ("data", "synthetic"),
            ("train_n", "200"),
            ("val_n", "100"),
            ("seed", "5"),
            ("opt", "adam"),
        ]);
        let mut t = LabTrainer::new(&data, c).unwrap();
        losses(&t.step(6))
            .iter()
            .map(|l| l.to_bits())
            .collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a.len(), 6);
    assert_eq!(a, run());
}

#[wasm_bindgen_test]
fn an_impossible_network_is_an_error_not_a_panic() {
    let e = describe(cfg(&[("depth", "8"), ("stride", "4")])).unwrap_err();
    let msg: String = Error::from(JsValue::from(e)).message().into();
    assert!(
        msg.starts_with("conv") || msg.starts_with("pool"),
        "message does not name the layer: {msg}"
    );
}
