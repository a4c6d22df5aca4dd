// Loss Lab contender: one LabTrainer in a worker, as the lab's own training worker holds one.
// Also runs the two peak kernels (a worker with `peakOnly`): the SIMD128 GEMM micro-kernel and the
// hardware-peak loop of independent f32x4 multiply and add chains (src/kernels/peak.rs).
'use strict';
importScripts('/bench/workers/common.js');

const PEAK_UNIT_MS = 20;

let ll = null; // the wasm module
let data = null;
let cfg = null;
let trainer = null;
let stepsPerCall = 1;
let peakCallsPerUnit = 1000;
let hwCallsPerUnit = 1000;
let lastLoss = NaN;
let rebuilds = 0;
let CHUNK_TARGET_MS = 30; // replaced by www/engine/peer.js's at init: the lab's worker trains in chunks this long

// FLOP per sample from the layer table that describe() returns, counting 2 per multiply-add:
// forward = Σ 2·MACs over conv and dense layers; backward = the weight gradient of every such layer
// (same MACs as its forward) + the input gradient of every such layer but the first (the image needs none).
function flopsFromDescribe(table) {
  let forward = 0;
  let first = 0;
  for (const l of table.layers) {
    let macs = 0;
    if (l.kind.startsWith('conv')) {
      const [oc, oh, ow] = l.outShape;
      macs = (l.params - oc) * oh * ow; // (OC·C·K·K weights) · OH·OW positions
    } else if (l.kind.startsWith('dense')) {
      macs = l.params - l.outShape[0]; // in · out weights
    } else continue;
    if (forward === 0) first = 2 * macs;
    forward += 2 * macs;
  }
  return { forward, train: forward + forward + (forward - first) };
}

function build() {
  trainer = new ll.LabTrainer(data, cfg);
  peer?.build(cfg);
}

// One run on two workers (`port`: the page's helper worker, www/engine/helper.js): the steps go through
// www/engine/peer.js, the module www/engine/worker.js trains with — the helper computes the gradient of the
// batch's second half while this worker computes the first, then this worker adds them and updates; if the
// helper fails, this worker computes its share and `peerFailed` says why.
let peer = null;
let peerFailed = '';

async function trainCallSplit() {
  const t = trainer;
  await peer.trainSteps(t, stepsPerCall, () => trainer !== t);
  const r = trainer.takeSteps();
  const k = r.loss.length;
  if (k > 0) lastLoss = r.loss[k - 1];
  if (r.status === 'diverged') {
    rebuilds++;
    build();
  }
  return k * cfg.batch;
}

// `step`, not the page's `advance`: an `advance` call after an epoch's end validates instead of training, so
// validation passes would land in the training time. They are timed on their own (inferCall).
function trainCall() {
  const r = trainer.step(stepsPerCall);
  const k = r.loss.length;
  if (k > 0) lastLoss = r.loss[k - 1];
  if (r.status === 'diverged') {
    rebuilds++;
    build(); // never time a dead model
  }
  return k * cfg.batch;
}

// A validation set up to 2,048 images is one pass a call, its bookkeeping (the training probe, the diagnosis, the
// watched digits) included each time; the page's 10,000 are five calls of 2,000, the bookkeeping once in five.
const PAGE_CHUNK = 2000;
function inferCall() {
  const whole = trainer.valCount <= 2048;
  const n = whole ? trainer.valCount : PAGE_CHUNK;
  const done = trainer.evalChunk(n);
  if (whole && !done) throw new Error('evalChunk(valCount) did not finish the validation pass');
  return n;
}

function peakCall() {
  const sum = ll.peak_gemm(peakCallsPerUnit);
  if (!Number.isFinite(sum)) throw new Error('peak kernel produced a non-finite checksum');
  return peakCallsPerUnit * ll.peak_flops_per_call(); // "samples" are FLOP here
}

// The hardware-peak loop returns the FLOP it executed (its result goes through black_box in Rust).
function hwCall() {
  const flop = ll.peak_hw(hwCallsPerUnit);
  if (!(flop > 0)) throw new Error('hardware peak loop reported no work');
  return flop;
}

serve({
  async init({ idx, synthetic, trainN, valN, seed, peakOnly, port, bn }) {
    // The peak kernels are in the benchmark build only (bench/pkg, `scripts/build.sh --bench`); training and
    // inference run the engine the page loads.
    ll = await import(peakOnly ? '/bench/pkg/losslab.js' : '/www/engine/engine.js');
    const steps = await import('/www/engine/peer.js');
    CHUNK_TARGET_MS = steps.CHUNK_TARGET_MS;
    if (port) {
      peer = new steps.Peer({ makeHelper: (c) => new ll.LabHelper(c), onFallback: (why) => { peerFailed = why; } });
      peer.attach(port);
    }
    await ll.default();
    if (peakOnly) {
      if (typeof ll.peak_gemm !== 'function') throw new Error('bench/pkg has no peak_gemm export: rebuild with bash scripts/build.sh --bench');
      // peak_self_check covers both kernels: the GEMM tile (~1e-7) and the mul/add chains (0: bit for bit).
      return { selfCheck: ll.peak_self_check(), flopsPerCall: ll.peak_flops_per_call(), hasHw: typeof ll.peak_hw === 'function' };
    }
    data = synthetic
      ? ll.LabData.synthetic(trainN, valN, seed)
      : ll.LabData.fromIdx(idx.trainImages, idx.trainLabels, idx.testImages, idx.testLabels);
    cfg = {
      seed, data: synthetic ? 'synthetic' : 'mnist', train_n: trainN, val_n: valN,
      batch: 32, opt: 'momentum', lr: 0.01, mom: 0.9, wd: 0,
      ...(bn ? { bn: '1' } : {}),
    };
    build();
    const table = ll.describe(cfg);
    return {
      layers: table.layers.map((l) => `${l.name}: ${l.kind} -> ${l.outShape.join('×')}`),
      params: table.params,
      flops: flopsFromDescribe(table),
      trainCount: trainer.trainCount,
      valCount: trainer.valCount,
      synthetic: trainer.synthetic,
    };
  },

  // Runs the hot calls until V8 has tiered them up, then sizes a call to ~30 ms like the lab does.
  async warmup({ ms }) {
    if (!trainer) {
      ll.peak_gemm(1000);
      await timeLoop(() => peakCall(), ms, 3);
      const t = await timeLoop(() => peakCall(), 200, 3);
      peakCallsPerUnit = Math.max(1000, Math.round((peakCallsPerUnit * t.calls * PEAK_UNIT_MS) / t.ms));
      if (typeof ll.peak_hw !== 'function') return { peakCallsPerUnit };
      await timeLoop(() => hwCall(), ms, 3);
      const h = await timeLoop(() => hwCall(), 200, 3);
      hwCallsPerUnit = Math.max(1000, Math.round((hwCallsPerUnit * h.calls * PEAK_UNIT_MS) / h.ms));
      return { peakCallsPerUnit, hwCallsPerUnit };
    }
    stepsPerCall = 1;
    const call = peer ? trainCallSplit : trainCall;
    await timeLoop(call, ms, 5);
    await timeLoop(inferCall, 0, 2);
    const t = await timeLoop(call, 300, 3);
    stepsPerCall = Math.max(1, Math.min(256, Math.round(CHUNK_TARGET_MS / (t.ms / t.calls))));
    return { stepsPerCall };
  },

  train: ({ ms }) => timeLoop(peer ? trainCallSplit : trainCall, ms, 1),
  infer: ({ ms }) => timeLoop(inferCall, ms, 1),
  peak: ({ ms }) => timeLoop(peakCall, ms, 1),
  peakHw: ({ ms }) => {
    if (typeof ll.peak_hw !== 'function') throw new Error('bench/pkg has no peak_hw export: rebuild with bash scripts/build.sh --bench');
    return timeLoop(hwCall, ms, 1);
  },
  state: () => ({ lastLoss, rebuilds, peerFailed, steps: trainer ? trainer.step(0).step : 0, valAcc: trainer?.evalReport()?.valAcc ?? null }),
});
