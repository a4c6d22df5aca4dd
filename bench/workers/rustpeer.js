// A Rust peer as a contender: burn (its Flex CPU backend) or candle, each built for wasm32 with simd128 by
// bench/peers/build.sh into bench/peers/pkg/<name>.js + <name>_bg.wasm. Both crates export the same
// `Peer`: new(seed), trainStep(x, y) (one SGD step, lr 0.01, momentum 0.9, on ConvNetJS's MNIST net),
// infer(x, y) (the images it classifies as their label) and name(). The batch is converted to floats in the
// timed call, as for every other contender.
'use strict';
importScripts('/bench/workers/common.js');

const BATCH = 32;
const INFER_BATCH = 256;

let peer = null;
let batcher = null;
let val = null;
let valPos = 0;
let lastLoss = NaN;
let correct = 0;
let seen = 0;
const xb = new Float32Array(BATCH * 784);
const yb = new Uint8Array(BATCH);
const xi = new Float32Array(INFER_BATCH * 784);

function trainCall() {
  batcher.next(xb, yb);
  lastLoss = peer.trainStep(xb, yb);
  return BATCH;
}

function inferCall() {
  if (valPos + INFER_BATCH > val.n) valPos = 0;
  const src = val.images.subarray(valPos * 784, (valPos + INFER_BATCH) * 784);
  for (let p = 0; p < src.length; p++) xi[p] = src[p] * (1 / 255);
  correct += peer.infer(xi, val.labels.subarray(valPos, valPos + INFER_BATCH));
  seen += INFER_BATCH;
  valPos += INFER_BATCH;
  return INFER_BATCH;
}

serve({
  async init({ peer: name, train, valSet, seed }) {
    const url = `/bench/peers/pkg/${name}.js`;
    let mod;
    try {
      mod = await import(url);
    } catch (e) {
      throw new Error(`${url} could not be loaded (${e.message}): build it with bash bench/peers/build.sh`);
    }
    await mod.default();
    peer = new mod.Peer(seed);
    batcher = new Batcher(train.images, train.labels, BATCH, seed);
    val = { images: valSet.images, labels: valSet.labels, n: valSet.labels.length };
    return { version: mod.Peer.name() };
  },
  ...timedCalls(trainCall, inferCall),
  // The validation accuracy of every inference call so far: a peer that does not learn shows it here.
  state: () => ({ lastLoss, valAccuracy: seen ? correct / seen : NaN }),
});
