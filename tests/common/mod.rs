//! Helpers shared by the test suites. The wasm suites (tests/node.rs, tests/web.rs) share a fixture,
//! a config builder and a field getter; the native suites (tests/training.rs, tests/lessons.rs) share
//! the real-MNIST loader and the lesson runner with its record.
#![allow(dead_code)] // each suite uses a different subset

#[cfg(not(target_arch = "wasm32"))]
pub mod diagnosis;
#[cfg(not(target_arch = "wasm32"))]
pub mod lessons;
#[cfg(not(target_arch = "wasm32"))]
pub mod mnist;
#[cfg(not(target_arch = "wasm32"))]
pub mod observed;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use js_sys::{Object, Reflect};
    use wasm_bindgen::prelude::*;

    pub const FIXTURE_IMAGES: &[u8] = include_bytes!("../fixtures/mnist-test500-images.idx");
    pub const FIXTURE_LABELS: &[u8] = include_bytes!("../fixtures/mnist-test500-labels.idx");

    /// A `{key: value}` object as the page's state table sends it.
    pub fn cfg(pairs: &[(&str, &str)]) -> JsValue {
        let o = Object::new();
        for (k, v) in pairs {
            Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v)).unwrap();
        }
        o.into()
    }

    /// Field `key` of a returned object; fails the test when it is missing.
    pub fn get(v: &JsValue, key: &str) -> JsValue {
        let got = Reflect::get(v, &JsValue::from_str(key)).unwrap();
        assert!(!got.is_undefined(), "field `{key}` is missing");
        got
    }
}
