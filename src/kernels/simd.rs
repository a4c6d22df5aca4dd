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

/// Whether the GEMM tile rounded once per multiply-add on this machine: true in the relaxed-simd build on a
/// CPU with FMA (every x86-64 since 2013 and every 64-bit ARM), false in the simd128 and native builds. The
/// browser suites use it to show that a relaxed build's kernels really run fused.
///
/// The case: c = (−(1 + 2⁻¹¹))·1 + (1 + 2⁻¹²)·(1 + 2⁻¹²). The second product, 1 + 2⁻¹¹ + 2⁻²⁴, is not an
/// f32 (2⁻²⁴ is half an ulp of 1): rounded on its own it ties to 1 + 2⁻¹¹ and c is 0; fused into the
/// multiply-add, c is exactly 2⁻²⁴.
pub fn tile_is_fused() -> bool {
    let (x, y) = (1.0 + 2f32.powi(-11), 1.0 + 2f32.powi(-12));
    let a = [-x, y]; // op(a): 1 × 2
    let mut b = [1.0f32; 16]; // b: 2 × 8, every column (1, y): one full tile of the blocked GEMM
    b[8..].fill(y);
    let mut c = [f32::NAN; 8];
    super::gemm_nn(1, 8, 2, &a, false, &b, 0.0, &mut c);
    c == [2f32.powi(-24); 8]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_native_tile_rounds_every_product() {
        // Native builds are portable Rust: LLVM never fuses a multiply and an add it was not told to.
        assert!(!super::tile_is_fused());
        assert_eq!(super::BUILD, "portable");
    }
}
