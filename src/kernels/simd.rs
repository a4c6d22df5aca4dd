//! The one place that chooses how the browser build multiplies and adds four lanes at once.
//!
//! scripts/build.sh compiles the engine twice: with `+simd128` (every browser with WebAssembly SIMD) and
//! with `+simd128,+relaxed-simd` (www/engine.js loads it where `WebAssembly.validate` accepts a relaxed-simd
//! instruction). In the relaxed build `madd` is `f32x4.relaxed_madd`, which V8 compiles to one fused
//! multiply-add (vfmadd231ps) on a CPU with FMA: one instruction and one rounding instead of two. The
//! proposal lets an engine round twice instead (a CPU without FMA), so the kernels must be right with
//! either rounding: the checks in kernels::check compare with tolerances, never bit for bit.

#[cfg(target_arch = "wasm32")]
use core::arch::wasm32::v128;

/// a·b + c, lane by lane: one fused multiply-add where the engine has relaxed SIMD.
#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
#[inline(always)]
pub(crate) fn madd(a: v128, b: v128, c: v128) -> v128 {
    core::arch::wasm32::f32x4_relaxed_madd(a, b, c)
}

/// a·b + c, lane by lane: a multiply, then an add (plain simd128 has no fused form).
#[cfg(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    not(target_feature = "relaxed-simd")
))]
#[inline(always)]
pub(crate) fn madd(a: v128, b: v128, c: v128) -> v128 {
    use core::arch::wasm32::{f32x4_add, f32x4_mul};
    f32x4_add(f32x4_mul(a, b), c)
}

/// Which arithmetic this build's kernels use: "relaxed-simd" (fused multiply-add), "simd128" (separate
/// multiply and add) or "portable" (native builds: plain Rust that LLVM vectorises). The browser suites
/// assert it, so a relaxed test run that silently compiled the fallback fails.
pub const BUILD: &str = if cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd")) {
    "relaxed-simd"
} else if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
    "simd128"
} else {
    "portable"
};
