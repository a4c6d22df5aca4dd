// TensorFlow.js 4.22 contender: the same net in NHWC built with tf.layers, momentum SGD through
// optimizer.minimize, one backend per worker (cpu, wasm or webgl).
'use strict';
importScripts('/bench/workers/common.js', '/node_modules/@tensorflow/tfjs/dist/tf.min.js');

const BATCH = 32;
const INFER_BATCH = 256;
const WASM_DIR = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

let model = null;
let optimizer = null;
let batcher = null;
let val = null; // {x: Float32Array (n · 784), n}
let valPos = 0;
let canTrain = true;
let lastLoss = NaN;
const xb = new Float32Array(BATCH * 784);
const yb = new Uint8Array(BATCH);

function buildModel(seed) {
  const init = (k) => tf.initializers.heUniform({ seed: seed + k });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, strides: 1, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, strides: 1, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, kernelInitializer: init(3) }),
    ],
  });
}

// One mini-batch: forward, softmax cross-entropy, backward, momentum update; waits for the loss so
// the work is really done (webgl queues work asynchronously).
async function trainCall() {
  batcher.next(xb, yb);
  const xs = tf.tensor4d(xb, [BATCH, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(yb, 'int32'), 10);
  const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true })), true);
  lastLoss = (await cost.data())[0];
  tf.dispose([xs, ys, cost]);
  return BATCH;
}

async function inferCall() {
  const n = INFER_BATCH;
  if (valPos + n > val.n) valPos = 0;
  const xs = tf.tensor4d(val.x.subarray(valPos * 784, (valPos + n) * 784), [n, 28, 28, 1]);
  valPos += n;
  const y = model.predict(xs);
  await y.data();
  tf.dispose([xs, y]);
  return n;
}

async function selectBackend(backend) {
  const info = { backend };
  if (backend === 'wasm') {
    importScripts('/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js');
    tf.wasm.setWasmPaths(WASM_DIR);
    // One thread, as every other contender: no SharedArrayBuffer-based pool.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  let ok = false;
  try {
    ok = await tf.setBackend(backend);
  } catch (e) {
    throw new Error(`backend ${backend} unavailable: ${e.message}`);
  }
  if (!ok || tf.getBackend() !== backend) throw new Error(`backend ${backend} unavailable: tf.setBackend returned false`);
  await tf.ready();
  if (backend === 'wasm') {
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  if (backend === 'webgl') {
    const gl = tf.backend().gpgpu.gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    info.renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    info.webglVersion = tf.env().get('WEBGL_VERSION');
  }
  return info;
}

serve({
  async init({ backend, train, valSet, seed }) {
    const info = await selectBackend(backend);
    info.version = tf.version.tfjs;
    model = buildModel(seed);
    optimizer = tf.train.momentum(0.01, 0.9);
    batcher = new Batcher(train.images, train.labels, BATCH, seed);
    const x = new Float32Array(valSet.images.length);
    for (let i = 0; i < x.length; i++) x[i] = valSet.images[i] * (1 / 255);
    val = { x, n: valSet.labels.length };
    // Can this backend train the net at all? (stock tfjs-backend-wasm has no Conv2DBackpropFilter.)
    try {
      await trainCall();
    } catch (e) {
      canTrain = false;
      info.trainError = e.message;
    }
    info.canTrain = canTrain;
    return info;
  },
  async warmup({ ms }) {
    if (canTrain) await timeLoop(trainCall, ms, 3);
    await timeLoop(inferCall, canTrain ? 0 : ms, 2);
    return { numTensors: tf.memory().numTensors };
  },
  train: ({ ms }) => {
    if (!canTrain) throw new Error('this backend cannot train the net');
    return timeLoop(trainCall, ms, 1);
  },
  infer: ({ ms }) => timeLoop(inferCall, ms, 1),
  state: () => ({ lastLoss, numTensors: tf.memory().numTensors }),
});
