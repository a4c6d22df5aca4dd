// Which build of the engine this browser runs: 'relaxed' (simd128 + relaxed SIMD: the GEMM tile's
// multiply-adds fused, www/pkg/losslab_relaxed_bg.wasm) or 'simd128' (www/pkg/losslab_bg.wasm, every browser
// with WebAssembly SIMD). No imports, so the page can ask without loading the engine's glue; www/engine/engine.js
// (the worker's loader) asks the same question, and one browser gives both the same answer.

/**
 * The smallest module using a relaxed-simd instruction; a browser that validates it compiles the relaxed build.
 *   00 61 73 6d 01 00 00 00       "\0asm", version 1
 *   01 08 01 60 03 7b 7b 7b 01 7b type section: one type, func (v128, v128, v128) -> v128
 *   03 02 01 00                   function section: one function of type 0
 *   0a 0d 01 0b 00                code section: one body of 11 bytes, no locals
 *      20 00 20 01 20 02          local.get 0, local.get 1, local.get 2
 *      fd 85 02                   f32x4.relaxed_madd (prefix 0xfd, opcode 0x105 as LEB128)
 *      0b                         end
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/**
 * To try the fallback where relaxed SIMD exists (a speed comparison, a test), set
 * globalThis.LOSSLAB_ENGINE = 'simd128' before the engine loads (in the page and in its worker alike), or give a
 * worker `?engine=simd128` in its URL (new Worker('…/worker.js?engine=simd128')). A page's own URL has no say:
 * its worker would not see it, and the page would name a build the worker does not run.
 */
function forced() {
  if (globalThis.LOSSLAB_ENGINE !== undefined) return globalThis.LOSSLAB_ENGINE;
  if (typeof WorkerGlobalScope === 'undefined') return null;
  return new URLSearchParams(globalThis.location.search).get('engine');
}

/** 'relaxed' where WebAssembly.validate accepts relaxed SIMD and nothing forces the fallback, else 'simd128'. */
export function engineBuild() {
  if (forced() === 'simd128') return 'simd128';
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE) ? 'relaxed' : 'simd128';
  } catch {
    return 'simd128';
  }
}

/**
 * The smallest module using a simd128 instruction (v128 result, i8x16.splat, i8x16.popcnt): a browser that
 * validates it can compile the engine. Checked before the engine loads, so a browser without WebAssembly SIMD
 * gets a sentence about browsers instead of a CompileError.
 */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** True where this browser can run the engine at all (WebAssembly with SIMD). */
export function hasSimd() {
  try { return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE); } catch { return false; }
}
