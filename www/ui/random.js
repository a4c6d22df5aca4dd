// Mulberry32 (Tommy Ettinger's 32-bit generator): a small seeded generator with explicit state, for draws that
// must be the same every time for the same seed: the mystery drill's sequence for a class code, and the reference
// generator's numbers (tests/reference/gen_tfjs.mjs). The benchmark's classic workers keep their own copy
// (bench/workers/common.js), since a classic worker cannot import a module.

/** A generator of uniform numbers in [0, 1) from a 32-bit `seed`. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
