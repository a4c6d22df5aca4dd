//! Loss Lab: a small convolutional network trainer, written to be broken on purpose and watched.
//! The core is pure Rust and knows nothing of the browser; `wasm` is the one binding file.

pub mod config;
pub mod data;
pub use losslab_diagnose as diagnose;
pub mod init;
pub mod kernels;
pub mod layers;
pub mod metrics;
pub mod model;
pub mod observe;
pub mod optim;
pub mod rng;
pub mod sandbox;
pub mod tensor;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
