// Starts the page's training worker before the page's own modules have loaded. index.html loads this module
// first, and it imports nothing but the SIMD check: the worker fetches and compiles the engine and reads the MNIST
// set the page will most likely build first while the browser still fetches the ~90 modules of www/main.js.
// The first Run (www/lab/run.js) takes the worker with takeEarlyWorker() and replays what it said meanwhile.
import { hasSimd } from './engine/engine-build.js';

/**
 * The MNIST set to read ahead for the address `search`: the training set of the default and of every lesson
 * (train10k), unless the address itself asks for synthetic digits or more than 10 000 training images. A guess:
 * the first Run sends the set its configuration really needs (a 'prefetch' message) once the page has read the
 * address, and a set read ahead but not needed costs only its download.
 */
function earlyPrefetch(search) {
  const q = new URLSearchParams(search);
  if (q.get('data') === 'synthetic') return null;
  return Number(q.get('train_n')) > 10000 ? 'mnist50k' : 'mnist10k';
}

let early = null;
// only in a page (node imports www/lab/run.js, and with it this module, in tests/*.test.mjs)
if (typeof Worker === 'function' && typeof location === 'object' && hasSimd()) {
  const worker = new Worker(new URL('./engine/worker.js', import.meta.url), { type: 'module' });
  const held = []; // its messages and errors until a Run takes it
  worker.onmessage = (e) => held.push(e);
  worker.onerror = (e) => {
    e.preventDefault();
    held.push(e);
  };
  worker.postMessage({ type: 'init', prefetch: earlyPrefetch(location.search) });
  early = { worker, held };
}

/** The worker started at load, once (then null): {worker, held: the events it sent before it was taken}. */
export function takeEarlyWorker() {
  const e = early;
  early = null;
  return e;
}
