// Shared by every benchmark worker (classic workers, loaded with importScripts): the request
// dispatcher, the timing loop, a seeded PRNG and the MNIST arrays the page posts in.
'use strict';

// convnet.js ends with `window.jsfeat = lib` when it finds no CommonJS `module`; a worker has no window.
self.window = self;

// Mulberry32: a tiny seeded PRNG so every contender sees the same batch order for the same seed.
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n, seed) {
  const rnd = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

// Calls `unit` (which returns the samples it processed, or a promise of them) until at least `ms`
// milliseconds and `minCalls` calls have passed (a slow contender's single call may outlast `ms`). Timing covers whole calls only, so the reported rate
// is samples / the time those calls took.
async function timeLoop(unit, ms, minCalls = 2) {
  let samples = 0;
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (calls < minCalls || t - t0 < ms) {
    samples += await unit();
    calls++;
    t = performance.now();
  }
  return { samples, calls, ms: t - t0 };
}

// Batches of `batch` training images in a seeded shuffled order, as [0,1] floats, like the lab's
// fill_batch (the u8 -> f32 conversion is part of every contender's timed step).
class Batcher {
  constructor(images, labels, batch, seed) {
    this.images = images; // Uint8Array (n · 784)
    this.labels = labels; // Uint8Array (n)
    this.batch = batch;
    this.order = shuffled(labels.length, seed);
    this.pos = 0;
  }
  // Fills x (batch · 784 floats) and y (batch labels) with the next batch; wraps at the end.
  next(x, y) {
    for (let b = 0; b < this.batch; b++) {
      if (this.pos >= this.order.length) this.pos = 0;
      const i = this.order[this.pos++];
      const src = this.images.subarray(i * 784, (i + 1) * 784);
      for (let p = 0; p < 784; p++) x[b * 784 + p] = src[p] * (1 / 255);
      y[b] = this.labels[i];
    }
  }
}

// One request at a time: {id, cmd, args} -> {id, ok, result} or {id, ok: false, error}.
function serve(handlers) {
  self.onmessage = async (e) => {
    const { id, cmd, args } = e.data;
    try {
      if (!handlers[cmd]) throw new Error(`unknown command ${cmd}`);
      const result = await handlers[cmd](args || {});
      self.postMessage({ id, ok: true, result });
    } catch (err) {
      self.postMessage({ id, ok: false, error: String((err && err.message) || err) });
    }
  };
}

// The timed commands of a contender whose training and inference are one synchronous call each (ConvNetJS, the Rust
// peers): a warm-up of both, then windows of each, every call whole.
function timedCalls(trainCall, inferCall) {
  return {
    async warmup({ ms }) {
      await timeLoop(trainCall, ms, 3);
      await timeLoop(inferCall, 0, 1);
      return {};
    },
    train: ({ ms }) => timeLoop(trainCall, ms, 1),
    infer: ({ ms }) => timeLoop(inferCall, ms, 1),
  };
}
