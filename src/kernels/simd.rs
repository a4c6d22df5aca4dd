//! The one place that chooses how a build multiplies and adds four lanes at once: the browser builds' simd128
//! (fused or not), and SSE for the native x86-64 build the test suites train with.
//!
//! scripts/build.sh compiles the engine twice: with `+simd128` (every browser with WebAssembly SIMD) and
//! with `+simd128,+relaxed-simd` (www/engine.js loads it where `WebAssembly.validate` accepts a relaxed-simd
//! instruction). In the relaxed build `madd` is `f32x4.relaxed_madd`, which V8 compiles to one fused
//! multiply-add (vfmadd231ps) on a CPU with FMA: one instruction and one rounding instead of two. The
//! proposal lets an engine round twice instead (a CPU without FMA), so the kernels must be right with
//! either rounding: the checks in kernels::check compare with tolerances, never bit for bit.

/// Four f32 lanes and the few operations the register tiles (`blocked::tile`, `wgrad`'s tile) are
/// written in, on this build's vector unit: simd128 in the browser builds, SSE natively on x86-64
/// (every x86-64 CPU has it), so that each tile is written once. A multiply then an add round twice,
/// as the portable loops do, so the native tiles compute what the portable ones would, bit for bit; the
/// native build's speed is the test suites' (the lessons train natively).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;
    pub(crate) type F4 = v128;
    /// SAFETY (load, store): p..p + 4 must be in bounds; no alignment is required.
    #[inline(always)]
    pub(crate) unsafe fn load(p: *const f32) -> F4 {
        v128_load(p as *const v128)
    }
    #[inline(always)]
    pub(crate) unsafe fn store(p: *mut f32, v: F4) {
        v128_store(p as *mut v128, v)
    }
    #[inline(always)]
    pub(crate) fn splat(x: f32) -> F4 {
        f32x4_splat(x)
    }
    #[inline(always)]
    pub(crate) fn mul(a: F4, b: F4) -> F4 {
        f32x4_mul(a, b)
    }
    #[inline(always)]
    pub(crate) fn add(a: F4, b: F4) -> F4 {
        f32x4_add(a, b)
    }
}

#[cfg(all(target_arch = "x86_64", not(target_arch = "wasm32")))]
mod lanes {
    use core::arch::x86_64::*;
    pub(crate) type F4 = __m128;
    /// SAFETY (load, store): p..p + 4 must be in bounds; no alignment is required.
    #[inline(always)]
    pub(crate) unsafe fn load(p: *const f32) -> F4 {
        _mm_loadu_ps(p)
    }
    #[inline(always)]
    pub(crate) unsafe fn store(p: *mut f32, v: F4) {
        _mm_storeu_ps(p, v)
    }
    #[inline(always)]
    pub(crate) fn splat(x: f32) -> F4 {
        // SAFETY: SSE is part of x86-64.
        unsafe { _mm_set1_ps(x) }
    }
    #[inline(always)]
    pub(crate) fn mul(a: F4, b: F4) -> F4 {
        // SAFETY: as above.
        unsafe { _mm_mul_ps(a, b) }
    }
    #[inline(always)]
    pub(crate) fn add(a: F4, b: F4) -> F4 {
        // SAFETY: as above.
        unsafe { _mm_add_ps(a, b) }
    }
}

#[cfg(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
))]
pub(crate) use lanes::*;

/// a·b + c, lane by lane: one fused multiply-add where the engine has relaxed SIMD.
#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
#[inline(always)]
pub(crate) fn madd(a: F4, b: F4, c: F4) -> F4 {
    core::arch::wasm32::f32x4_relaxed_madd(a, b, c)
}

/// a·b + c, lane by lane: a multiply, then an add (plain simd128 and SSE have no fused form).
#[cfg(any(
    all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(target_feature = "relaxed-simd")
    ),
    target_arch = "x86_64"
))]
#[inline(always)]
pub(crate) fn madd(a: F4, b: F4, c: F4) -> F4 {
    add(mul(a, b), c)
}

/// Which arithmetic this build's kernels use: "relaxed-simd" (fused multiply-add), "simd128" (separate
/// multiply and add), "sse" (native x86-64, separate multiply and add) or "portable" (other native
/// builds: plain Rust that LLVM vectorises). The browser suites assert it, so a relaxed test run that
/// silently compiled the fallback fails.
pub const BUILD: &str = if cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd")) {
    "relaxed-simd"
} else if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
    "simd128"
} else if cfg!(target_arch = "x86_64") {
    "sse"
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
        // Native builds multiply, then add: SSE's tile as written, and LLVM never fuses a multiply and
        // an add of the portable loops by itself.
        assert!(!super::tile_is_fused());
        let want = if cfg!(target_arch = "x86_64") {
            "sse"
        } else {
            "portable"
        };
        assert_eq!(super::BUILD, want);
    }
}
