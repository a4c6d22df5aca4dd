// The second worker of a run that trains on two cores (src/train/parallel.rs): it holds the network's
// shape only (a LabHelper) and answers the training worker (www/engine/worker.js) over a MessagePort that
// www/lab/run.js hands to both: the gradient of the second half of each mini-batch, and the logits of
// the second half of each validation chunk, under the weights that come with every request.
// Protocol, on the port:
//   worker -> helper: {type:'build', config}, {type:'gradient', req, weights, x, y, scale}, {type:'logits', req, weights, x}
//   helper -> worker: {req, answer: Float32Array} or {req, error, fatal}
// From www/lab/run.js: {type:'init', port} once.
import init, { LabHelper } from './engine.js';

let engine = null;
let helper = null;
let buildError = null;

function answer(port, msg) {
  if (!helper) throw new Error(buildError || 'the second worker has no network yet');
  const out = msg.type === 'gradient'
    ? helper.gradient(msg.weights, msg.x, msg.y, msg.scale)
    : helper.logits(msg.weights, msg.x);
  port.postMessage({ req: msg.req, answer: out }, [out.buffer]);
}

async function onPortMessage(port, msg) {
  try {
    await engine;
    if (msg.type === 'build') {
      helper?.free();
      helper = null;
      buildError = null;
      try {
        helper = new LabHelper(msg.config);
      } catch (e) {
        buildError = e && e.message ? e.message : String(e);
      }
      return;
    }
    answer(port, msg);
  } catch (err) {
    // A Rust panic leaves this instance unusable: the training worker finishes the step itself.
    const fatal = err instanceof WebAssembly.RuntimeError;
    port.postMessage({ req: msg.req, error: err && err.message ? err.message : String(err), fatal });
  }
}

self.onmessage = (e) => {
  const msg = e.data;
  if (msg.type !== 'init' || !msg.port) return;
  engine = engine || init();
  const port = msg.port;
  port.onmessage = (ev) => onPortMessage(port, ev.data);
};
