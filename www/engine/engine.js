// The engine's loader: the wasm-bindgen glue (www/pkg/losslab.js, the same for both builds) with the build
// this browser runs (www/engine/engine-build.js, which also says how to force the fallback). Import it in place of
// the glue: its default export initialises the engine, every other export is the glue's.
import init from '../pkg/losslab.js';
import { engineBuild } from './engine-build.js';

export * from '../pkg/losslab.js';

const WASM = {
  relaxed: new URL('../pkg/losslab_relaxed_bg.wasm', import.meta.url),
  simd128: new URL('../pkg/losslab_bg.wasm', import.meta.url),
};

/** The build this engine runs: 'relaxed' or 'simd128'. */
export const build = engineBuild();

/** Compiles and instantiates this browser's build; resolves as the glue's own init does. */
export default function initEngine() {
  return init({ module_or_path: WASM[build] });
}
