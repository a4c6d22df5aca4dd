// Starts the page's training worker before the page's own modules have loaded. index.html loads this module
// first, and it imports nothing but the SIMD check: the worker fetches and compiles the engine and reads the MNIST
// set the page will most likely build first while the browser still fetches the ~65 modules of www/main.js.
// The first Run (www/lab/run.js) takes the worker with takeEarlyWorker() and replays what it said meanwhile.
import { hasSimd } from './engine/engine-build.js';

/**
 * The MNIST set a configuration trains on, as the worker's 'init' and 'prefetch' name it: null for synthetic digits,
 * train50k past 10 000 training images, else train10k (the default's and every lesson's). `data` and `trainN` as a
 * configuration or an address holds them (text or number; absent: the defaults).
 */
export function mnistSet(data, trainN) {
  if (data === 'synthetic') return null;
  return Number(trainN) > 10000 ? 'mnist50k' : 'mnist10k';
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
  // A guess from the address alone: the first Run sends the set its configuration needs once the page has read it,
  // and a set read ahead but not needed costs only its download.
  const q = new URLSearchParams(location.search);
  worker.postMessage({ type: 'init', prefetch: mnistSet(q.get('data'), q.get('train_n')) });
  early = { worker, held };
}

/** The worker started at load, once (then null): {worker, held: the events it sent before it was taken}. */
export function takeEarlyWorker() {
  const e = early;
  early = null;
  return e;
}
