// ConvNetJS 0.3.0 contender: the classic MNIST demo net and its own SGD trainer, one sample at a time
// as ConvNetJS trains (the Trainer applies the update every batch_size samples).
'use strict';
importScripts('/bench/workers/common.js', '/node_modules/convnetjs/build/convnet.js');

const BATCH = 32;
const INFER_BATCH = 256;

let net = null;
let trainer = null;
let batcher = null;
let val = null;
let valPos = 0;
let lastLoss = NaN;
const xb = new Float32Array(BATCH * 784);
const yb = new Uint8Array(BATCH);

function toVol(x, offset) {
  const v = new convnetjs.Vol(28, 28, 1, 0.0);
  for (let p = 0; p < 784; p++) v.w[p] = x[offset + p];
  return v;
}

function trainCall() {
  batcher.next(xb, yb);
  let loss = 0;
  for (let b = 0; b < BATCH; b++) loss += trainer.train(toVol(xb, b * 784), yb[b]).loss;
  lastLoss = loss / BATCH;
  return BATCH;
}

function inferCall() {
  if (valPos + INFER_BATCH > val.n) valPos = 0;
  for (let b = 0; b < INFER_BATCH; b++) {
    const v = new convnetjs.Vol(28, 28, 1, 0.0);
    const src = val.images.subarray((valPos + b) * 784, (valPos + b + 1) * 784);
    for (let p = 0; p < 784; p++) v.w[p] = src[p] * (1 / 255);
    net.forward(v, false);
  }
  valPos += INFER_BATCH;
  return INFER_BATCH;
}

serve({
  init({ train, valSet, seed }) {
    // ConvNetJS draws its initial weights from Math.random: seed it for the build only.
    const saved = Math.random;
    Math.random = seededRandom(seed);
    try {
      net = new convnetjs.Net();
      net.makeLayers([
        { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
        { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
        { type: 'pool', sx: 2, stride: 2 },
        { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
        { type: 'pool', sx: 3, stride: 3 },
        { type: 'softmax', num_classes: 10 },
      ]);
    } finally {
      Math.random = saved;
    }
    trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: 0.01, momentum: 0.9, batch_size: BATCH, l2_decay: 0 });
    batcher = new Batcher(train.images, train.labels, BATCH, seed);
    val = { images: valSet.images, n: valSet.labels.length };
    const shapes = net.layers.map((l) => `${l.layer_type} ${l.out_sx}×${l.out_sy}×${l.out_depth}`);
    return { version: '0.3.0', layers: shapes };
  },
  ...timedCalls(trainCall, inferCall),
  state: () => ({ lastLoss }),
});
