// Reference numbers for Loss Lab's CNN, computed with TensorFlow.js (pure-JS 'cpu' backend, float32).
//
//   node tests/reference/gen_tfjs.mjs
//
// writes tests/reference/tfjs_reference.json and tests/reference/tfjs_reference.txt (same numbers;
// the .txt is the line format tests/reference.rs reads). See tests/reference/README.md.
//
// Everything here is in Loss Lab's layouts: input NCHW, conv weight (OC, IC, KH, KW), conv bias (OC),
// dense weight (OUT, IN), dense bias (OUT). TensorFlow works in NHWC with HWIO filters, so the model
// function below takes tensors in Loss Lab's layouts and transposes inside; tf.grads then returns the
// gradients in Loss Lab's layouts too.
//
// Before writing anything, every case is checked against an independent float64 implementation in
// plain JavaScript loops (NCHW, no TensorFlow): logits and loss must agree, and a central finite
// difference of the float64 loss must agree with TensorFlow's gradient on sampled parameters and
// input pixels. The script exits non-zero if a check fails.

import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../www/ui/random.js';

const HERE = dirname(fileURLToPath(import.meta.url));
await tf.setBackend('cpu');

const LEAKY_SLOPE = 0.01;
// BatchNorm's ε and running-statistics momentum: PyTorch's BatchNorm2d defaults, as Loss Lab uses them.
const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;
const CLASSES = 10;

// ---------------------------------------------------------------- deterministic numbers
function normal(rand) {
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
const f32 = (arr) => Float32Array.from(arr);

// ---------------------------------------------------------------- Loss Lab configuration semantics
function perBlock(list, depth) {
  const v = String(list).split(',').map((s) => parseInt(s.trim(), 10));
  const out = [];
  for (let i = 0; i < depth; i++) out.push(v[Math.min(i, v.length - 1)]);
  return out;
}

// Expand a flat config into the layer plan Loss Lab builds.
function plan(cfg) {
  const depth = parseInt(cfg.depth, 10);
  const ch = perBlock(cfg.ch, depth);
  const k = perBlock(cfg.k, depth);
  const stride = perBlock(cfg.stride, depth);
  const pad = perBlock(cfg.pad, depth);
  const poolSize = perBlock(cfg.pool_size, depth);
  const hidden = parseInt(cfg.hidden ?? '0', 10);
  const pre = cfg.pool === 'first' ? poolSize[0] : 0;
  let c = 1;
  let h = 28;
  let w = 28;
  if (pre) {
    h = Math.floor(h / pre);
    w = Math.floor(w / pre);
  }
  const blocks = [];
  for (let i = 0; i < depth; i++) {
    const oh = Math.floor((h + 2 * pad[i] - k[i]) / stride[i]) + 1;
    const ow = Math.floor((w + 2 * pad[i] - k[i]) / stride[i]) + 1;
    if (oh < 1 || ow < 1) throw new Error(`block ${i + 1}: output ${oh}x${ow}`);
    let pool = 0;
    if (cfg.pool === 'every') pool = poolSize[i];
    if (cfg.pool === 'last' && i === depth - 1) pool = poolSize[depth - 1];
    blocks.push({ inC: c, outC: ch[i], k: k[i], stride: stride[i], pad: pad[i], pool });
    c = ch[i];
    h = oh;
    w = ow;
    if (pool) {
      h = Math.floor(h / pool);
      w = Math.floor(w / pool);
      if (h < 1 || w < 1) throw new Error(`block ${i + 1}: pool ${pool} leaves ${h}x${w}`);
    }
  }
  const flat = c * h * w;
  const params = [];
  const bn = cfg.bn === '1';
  blocks.forEach((b, i) => {
    params.push({ name: `conv${i + 1}.weight`, shape: [b.outC, b.inC, b.k, b.k], fanIn: b.inC * b.k * b.k });
    // No conv bias before a BatchNorm: its mean subtraction cancels it (β takes its place).
    if (!bn) params.push({ name: `conv${i + 1}.bias`, shape: [b.outC], fanIn: 0 });
    if (bn) {
      params.push({ name: `bn${i + 1}.weight`, shape: [b.outC], fanIn: 0, gamma: true });
      params.push({ name: `bn${i + 1}.bias`, shape: [b.outC], fanIn: 0 });
    }
  });
  let inF = flat;
  if (hidden > 0) {
    params.push({ name: 'hidden.weight', shape: [hidden, inF], fanIn: inF });
    params.push({ name: 'hidden.bias', shape: [hidden], fanIn: 0 });
    inF = hidden;
  }
  params.push({ name: 'dense.weight', shape: [CLASSES, inF], fanIn: inF });
  params.push({ name: 'dense.bias', shape: [CLASSES], fanIn: 0 });
  return { act: cfg.act, poolType: cfg.pool_type, pre, blocks, hidden, flat, params, bn };
}

// ---------------------------------------------------------------- the model in TensorFlow.js
function tfAct(name, t) {
  switch (name) {
    case 'relu': return tf.relu(t);
    case 'leaky_relu': return tf.leakyRelu(t, LEAKY_SLOPE);
    case 'tanh': return tf.tanh(t);
    case 'sigmoid': return tf.sigmoid(t);
    case 'identity': return t;
    default: throw new Error(`activation ${name}`);
  }
}
function tfPool(type, t, s) {
  return type === 'max' ? tf.maxPool(t, s, s, 'valid') : tf.avgPool(t, s, s, 'valid');
}

// x: (N,1,28,28) NCHW; params: tensors in Loss Lab layouts, in plan order. Returns logits (N,10).
// BatchNorm (after each conv, before its activation) normalises with the batch's moments, or with
// `running` ([[mean, var] per block], evaluation mode) when given.
function tfForward(p, x, params, running) {
  let h = tf.transpose(x, [0, 2, 3, 1]); // NHWC
  if (p.pre) h = tfPool(p.poolType, h, p.pre);
  let j = 0;
  for (const b of p.blocks) {
    const wHWIO = tf.transpose(params[j++], [2, 3, 1, 0]);
    const bias = p.bn ? 0 : params[j++];
    const padded = b.pad ? tf.pad(h, [[0, 0], [b.pad, b.pad], [b.pad, b.pad], [0, 0]]) : h;
    h = tf.add(tf.conv2d(padded, wHWIO, b.stride, 'valid'), bias);
    if (p.bn) {
      const gamma = params[j++];
      const beta = params[j++];
      const bi = p.blocks.indexOf(b);
      const { mean, variance } = running
        ? { mean: tf.tensor1d(running[bi][0]), variance: tf.tensor1d(running[bi][1]) }
        : tf.moments(h, [0, 1, 2]);
      h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, BN_EPS))), gamma), beta);
    }
    h = tfAct(p.act, h);
    if (b.pool) h = tfPool(p.poolType, h, b.pool);
  }
  // Flatten in Loss Lab's (C, H, W) order.
  h = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [x.shape[0], -1]);
  if (p.hidden > 0) {
    const w = params[j++];
    const b = params[j++];
    h = tfAct(p.act, tf.add(tf.matMul(h, w, false, true), b));
  }
  const w = params[j++];
  const b = params[j++];
  return tf.add(tf.matMul(h, w, false, true), b);
}
function tfLoss(logits, onehot) {
  // Mean over the batch of softmax cross-entropy.
  return tf.losses.softmaxCrossEntropy(onehot, logits, undefined, 0, tf.Reduction.MEAN);
}

// ---------------------------------------------------------------- independent float64 model
function act64(name, v) {
  switch (name) {
    case 'relu': return v > 0 ? v : 0;
    case 'leaky_relu': return v > 0 ? v : LEAKY_SLOPE * v;
    case 'tanh': return Math.tanh(v);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'identity': return v;
    default: throw new Error(name);
  }
}
function pool64(type, a, C, H, W, s) {
  const OH = Math.floor(H / s);
  const OW = Math.floor(W / s);
  const out = new Float64Array(C * OH * OW);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++) {
        let acc = type === 'max' ? -Infinity : 0;
        for (let u = 0; u < s; u++)
          for (let v = 0; v < s; v++) {
            const val = a[(c * H + i * s + u) * W + j * s + v];
            acc = type === 'max' ? Math.max(acc, val) : acc + val;
          }
        out[(c * OH + i) * OW + j] = type === 'max' ? acc : acc / (s * s);
      }
  return { a: out, H: OH, W: OW };
}
// The whole batch, block by block (BatchNorm mixes the samples); x is a Float64Array(n·784); params are
// Float64Arrays in Loss Lab layouts. With `running` ([[mean, var] per block]) BatchNorm evaluates with
// those statistics; without, it uses the batch's own and `stats` (when given) receives [mean, biased
// var] per block. Returns one Float64Array of 10 logits per sample.
function forward64(p, x, params, n, running, stats) {
  let acts = [];
  for (let s = 0; s < n; s++) acts.push(x.subarray(s * 784, (s + 1) * 784));
  let C = 1;
  let H = 28;
  let W = 28;
  // Pools every sample's (C, H, W) maps with window s; the new side lengths.
  const poolAll = (s) => {
    const r = acts.map((a) => pool64(p.poolType, a, C, H, W, s));
    acts = r.map((q) => q.a);
    ({ H, W } = r[0]);
  };
  if (p.pre) poolAll(p.pre);
  let j = 0;
  p.blocks.forEach((b, bi) => {
    const wt = params[j++];
    const bias = p.bn ? null : params[j++];
    const OH = Math.floor((H + 2 * b.pad - b.k) / b.stride) + 1;
    const OW = Math.floor((W + 2 * b.pad - b.k) / b.stride) + 1;
    const pre = acts.map((a) => {
      const out = new Float64Array(b.outC * OH * OW);
      for (let oc = 0; oc < b.outC; oc++)
        for (let i = 0; i < OH; i++)
          for (let jj = 0; jj < OW; jj++) {
            let s = bias ? bias[oc] : 0;
            for (let ic = 0; ic < C; ic++)
              for (let u = 0; u < b.k; u++) {
                const y = i * b.stride - b.pad + u;
                if (y < 0 || y >= H) continue;
                for (let v = 0; v < b.k; v++) {
                  const xx = jj * b.stride - b.pad + v;
                  if (xx < 0 || xx >= W) continue;
                  s += wt[((oc * C + ic) * b.k + u) * b.k + v] * a[(ic * H + y) * W + xx];
                }
              }
            out[(oc * OH + i) * OW + jj] = s;
          }
      return out;
    });
    if (p.bn) {
      const gamma = params[j++];
      const beta = params[j++];
      const hw = OH * OW;
      const mean = new Float64Array(b.outC);
      const vari = new Float64Array(b.outC);
      for (let oc = 0; oc < b.outC; oc++) {
        if (running) {
          mean[oc] = running[bi][0][oc];
          vari[oc] = running[bi][1][oc];
          continue;
        }
        let sum = 0;
        for (const a of pre) for (let i = 0; i < hw; i++) sum += a[oc * hw + i];
        mean[oc] = sum / (n * hw);
        let sq = 0;
        for (const a of pre) for (let i = 0; i < hw; i++) sq += (a[oc * hw + i] - mean[oc]) ** 2;
        vari[oc] = sq / (n * hw);
      }
      if (stats) stats.push(Object.assign([mean, vari], { hw }));
      for (const a of pre)
        for (let oc = 0; oc < b.outC; oc++)
          for (let i = 0; i < hw; i++) {
            const k = oc * hw + i;
            a[k] = (gamma[oc] * (a[k] - mean[oc])) / Math.sqrt(vari[oc] + BN_EPS) + beta[oc];
          }
    }
    acts = pre.map((a) => a.map((v) => act64(p.act, v)));
    C = b.outC;
    H = OH;
    W = OW;
    if (b.pool) poolAll(b.pool);
  });
  const dense = (inp, w, bias, f) => {
    const out = new Float64Array(bias.length);
    for (let o = 0; o < bias.length; o++) {
      let s = bias[o];
      for (let i = 0; i < inp.length; i++) s += w[o * inp.length + i] * inp[i];
      out[o] = f(s);
    }
    return out;
  };
  return acts.map((a0) => {
    let a = a0;
    let k = j;
    if (p.hidden > 0) {
      const w = params[k++];
      const bias = params[k++];
      a = dense(a, w, bias, (v) => act64(p.act, v));
    }
    const w = params[k++];
    const bias = params[k++];
    return dense(a, w, bias, (v) => v);
  });
}
function loss64(p, x, labels, params, running, stats) {
  const n = labels.length;
  const logits = [];
  let total = 0;
  forward64(p, x, params, n, running, stats).forEach((z, s) => {
    const m = Math.max(...z);
    let se = 0;
    for (const v of z) se += Math.exp(v - m);
    total += m + Math.log(se) - z[labels[s]];
    logits.push(...z);
  });
  return { loss: total / n, logits };
}

// ---------------------------------------------------------------- one case
const relErr = (a, b, floor) => Math.abs(a - b) / (Math.abs(b) + floor);
const failures = [];

function makeCase(name, cfg, n, seed, opts) {
  const p = plan(cfg);
  const rand = mulberry32(seed);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = -0.5 + 3 * rand();
  const labels = [];
  for (let s = 0; s < n; s++) labels.push(Math.floor(rand() * CLASSES));
  // Weights ~ N(0, (1.2 / sqrt(fan_in))^2) keep the logits O(1) whatever the depth;
  // biases ~ N(0, 0.1^2).
  const values = p.params.map((q) => {
    const count = q.shape.reduce((a, b) => a * b, 1);
    const sd = q.fanIn ? 1.2 / Math.sqrt(q.fanIn) : 0.1;
    const v = new Float32Array(count);
    // BatchNorm's γ ~ N(1, 0.1^2): near its start of 1, but not equal to it.
    for (let i = 0; i < count; i++) v[i] = (q.gamma ? 1 : 0) + sd * normal(rand);
    return v;
  });
  // BatchNorm's running statistics before the step: mean ~ N(0, 0.5^2), variance ~ U(0.5, 2).
  const running = p.bn
    ? p.blocks.map((b) => [
      Float32Array.from({ length: b.outC }, () => 0.5 * normal(rand)),
      Float32Array.from({ length: b.outC }, () => 0.5 + 1.5 * rand()),
    ])
    : null;

  const xT = tf.tensor4d(x, [n, 1, 28, 28]);
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
  const lossOf = (xx, ...ps) => tfLoss(tfForward(p, xx, ps), onehot);
  const pts = values.map((v, i) => tf.tensor(v, p.params[i].shape));
  const logits = tfForward(p, xT, pts).dataSync().slice();
  const loss = lossOf(xT, ...pts).dataSync()[0];
  const grads = tf.grads(lossOf)([xT, ...pts]).map((g) => g.dataSync().slice());
  const gradX = grads[0];
  const gradP = grads.slice(1);

  // --- check against the float64 loops
  const x64 = Float64Array.from(x);
  const p64 = values.map((v) => Float64Array.from(v));
  const stats = [];
  const ref = loss64(p, x64, labels, p64, null, stats);
  let worstLogit = 0;
  logits.forEach((v, i) => (worstLogit = Math.max(worstLogit, Math.abs(v - ref.logits[i]))));
  const lossErr = Math.abs(loss - ref.loss);
  if (worstLogit > 1e-4 || lossErr > 1e-5) failures.push(`${name}: logits ${worstLogit} loss ${lossErr}`);
  const h = 1e-5;
  let worstFd = 0;
  let fdCount = 0;
  const fd = (arr, idx, tfGrad, label) => {
    const keep = arr[idx];
    arr[idx] = keep + h;
    const up = loss64(p, x64, labels, p64).loss;
    arr[idx] = keep - h;
    const down = loss64(p, x64, labels, p64).loss;
    arr[idx] = keep;
    const g = (up - down) / (2 * h);
    const e = relErr(tfGrad, g, 1e-3);
    worstFd = Math.max(worstFd, e);
    fdCount++;
    if (e > 2e-3) failures.push(`${name}: d loss / d ${label}: tfjs ${tfGrad} fd64 ${g}`);
  };
  const pick = mulberry32(seed ^ 0x5eed);
  p64.forEach((arr, i) => {
    for (let t = 0; t < 3; t++) {
      const idx = Math.floor(pick() * arr.length);
      fd(arr, idx, gradP[i][idx], `${p.params[i].name}[${idx}]`);
    }
  });
  for (let t = 0; t < 4; t++) {
    const idx = Math.floor(pick() * x64.length);
    fd(x64, idx, gradX[idx], `x[${idx}]`);
  }
  // Evaluation mode (BatchNorm with the running statistics) and the running statistics after the
  // training pass: PyTorch's update, r ← (1 − m)·r + m·batch value, with the unbiased batch variance.
  let bnEval = null;
  if (p.bn) {
    const logitsEval = tfForward(p, xT, pts, running.map(([m, v]) => [Array.from(m), Array.from(v)])).dataSync().slice();
    const ref64 = loss64(p, x64, labels, p64, running.map(([m, v]) => [Float64Array.from(m), Float64Array.from(v)]));
    let worstEval = 0;
    logitsEval.forEach((v, i) => (worstEval = Math.max(worstEval, Math.abs(v - ref64.logits[i]))));
    if (worstEval > 1e-4) failures.push(`${name}: evaluation logits ${worstEval}`);
    const after = p.blocks.map((b, bi) => {
      const m = n * stats[bi].hw;
      return [
        running[bi][0].map((r, c) => (1 - BN_MOMENTUM) * r + BN_MOMENTUM * stats[bi][0][c]),
        running[bi][1].map((r, c) => (1 - BN_MOMENTUM) * r + BN_MOMENTUM * stats[bi][1][c] * (m / (m - 1))),
      ];
    });
    bnEval = { running, logitsEval, after };
    console.log(`  evaluation mode: logits vs float64 loops max abs err ${worstEval.toExponential(2)}`);
  }
  console.log(
    `${name}: ${p.params.map((q) => q.name + '(' + q.shape.join('x') + ')').join(' ')} flat=${p.flat}\n` +
      `  loss ${loss.toFixed(6)}; vs float64 loops: logits max abs err ${worstLogit.toExponential(2)},` +
      ` loss err ${lossErr.toExponential(2)}; ${fdCount} finite differences, worst rel err ${worstFd.toExponential(2)}`
  );

  // --- optimizer trajectories: same start, same batch, gradient recomputed every step
  const optimizers = [];
  for (const o of opts) {
    const vars = values.map((v, i) => tf.variable(tf.tensor(v, p.params[i].shape), true, `${name}_${o.name}_${i}`));
    const lr = Number(o.cfg.lr);
    let opt;
    if (o.cfg.opt === 'sgd') opt = tf.train.sgd(lr);
    else if (o.cfg.opt === 'momentum') opt = tf.train.momentum(lr, Number(o.cfg.mom), false);
    else if (o.cfg.opt === 'nesterov') opt = tf.train.momentum(lr, Number(o.cfg.mom), true);
    else if (o.cfg.opt === 'adam') opt = tf.train.adam(lr, Number(o.cfg.b1), Number(o.cfg.b2), Number(o.cfg.eps));
    else throw new Error(o.cfg.opt);
    const losses = [];
    for (let step = 0; step < o.steps; step++) {
      const { value, grads: g } = tf.variableGrads(() => lossOf(xT, ...vars), vars);
      losses.push(value.dataSync()[0]);
      // L2 weight decay as PyTorch (and Loss Lab) apply it: added to the gradient, g + wd·p.
      // tfjs's optimizers have no weight decay of their own.
      const wd = Number(o.cfg.wd);
      const decayed = vars.map((v) => (wd ? tf.add(g[v.name], tf.mul(v, wd)) : g[v.name]));
      // Hand the gradients over in parameter order, as a list.
      opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: decayed[i] })));
      if (wd) decayed.forEach((t) => t.dispose());
      value.dispose();
      Object.values(g).forEach((t) => t.dispose());
    }
    const after = vars.map((v) => v.dataSync().slice());
    // Replay the run with the update rules written out by hand (README, "What TensorFlow.js's
    // optimizers compute"), in float64 on tfjs gradients, to confirm that description.
    {
      const c = o.cfg;
      const cur = values.map((v) => Float64Array.from(v));
      const s1 = values.map((v) => new Float64Array(v.length));
      const s2 = values.map((v) => new Float64Array(v.length));
      const [m, b1, b2, eps] = [Number(c.mom), Number(c.b1), Number(c.b2), Number(c.eps)];
      for (let step = 1; step <= o.steps; step++) {
        const ts = cur.map((v, i) => tf.tensor(Float32Array.from(v), p.params[i].shape));
        const g = tf.grads((...ps) => lossOf(xT, ...ps))(ts).map((t) => t.dataSync());
        cur.forEach((v, i) => {
          for (let e = 0; e < v.length; e++) {
            const ge = g[i][e] + Number(c.wd) * v[e];
            if (c.opt === 'sgd') v[e] -= lr * ge;
            else if (c.opt === 'momentum') v[e] -= lr * (s1[i][e] = m * s1[i][e] + ge);
            else if (c.opt === 'nesterov') v[e] -= lr * (ge + m * (s1[i][e] = m * s1[i][e] + ge));
            else {
              s1[i][e] = b1 * s1[i][e] + (1 - b1) * ge;
              s2[i][e] = b2 * s2[i][e] + (1 - b2) * ge * ge;
              const mh = s1[i][e] / (1 - b1 ** step);
              const vh = s2[i][e] / (1 - b2 ** step);
              v[e] -= (lr * mh) / (Math.sqrt(vh) + eps);
            }
          }
        });
      }
      let worst = 0;
      cur.forEach((v, i) => v.forEach((e, j) => (worst = Math.max(worst, Math.abs(e - after[i][j])))));
      if (worst > 1e-4) failures.push(`${name} ${o.name}: hand-written update rule differs from tfjs by ${worst}`);
      o.replayErr = worst;
    }
    console.log(`  ${o.name}: loss ${losses.map((l) => l.toFixed(5)).join(' -> ')}; hand-written rule vs tfjs: max abs ${o.replayErr.toExponential(2)}`);
    optimizers.push({ name: o.name, config: o.cfg, steps: o.steps, loss_before_step: Array.from(losses), params_after: after });
  }
  return {
    name,
    config: cfg,
    n,
    labels,
    x,
    params: p.params.map((q, i) => ({ name: q.name, shape: q.shape, value: values[i], grad: gradP[i] })),
    logits,
    loss,
    grad_x: gradX,
    optimizers,
    bnEval,
  };
}

// ---------------------------------------------------------------- the cases
const OPTS = [
  { name: 'sgd', steps: 5, cfg: { opt: 'sgd', lr: '0.01', wd: '0' } },
  { name: 'momentum', steps: 5, cfg: { opt: 'momentum', lr: '0.01', mom: '0.9', wd: '0' } },
  { name: 'nesterov', steps: 5, cfg: { opt: 'nesterov', lr: '0.01', mom: '0.9', wd: '0' } },
  { name: 'adam', steps: 5, cfg: { opt: 'adam', lr: '0.002', b1: '0.9', b2: '0.999', eps: '1e-8', wd: '0' } },
  { name: 'momentum_wd', steps: 5, cfg: { opt: 'momentum', lr: '0.01', mom: '0.9', wd: '0.1' } },
  { name: 'adam_wd', steps: 5, cfg: { opt: 'adam', lr: '0.002', b1: '0.9', b2: '0.999', eps: '1e-8', wd: '0.1' } },
];
const NET = (o) => ({ depth: '2', ch: '8,16', k: '5,5', stride: '1,1', pad: '2,2', act: 'relu', pool: 'every', pool_type: 'max', pool_size: '2,3', hidden: '0', ...o });

const cases = [
  makeCase('default', NET({}), 2, 101, OPTS),
  makeCase(
    'odd_tanh_avg_last_hidden',
    NET({ depth: '2', ch: '3,4', k: '3,4', stride: '2,1', pad: '1,0', act: 'tanh', pool: 'last', pool_type: 'avg', pool_size: '1,2', hidden: '7' }),
    3, 202, OPTS
  ),
  makeCase(
    'sigmoid_pool_first',
    NET({ depth: '1', ch: '4', k: '7', stride: '3', pad: '3', act: 'sigmoid', pool: 'first', pool_type: 'max', pool_size: '2' }),
    3, 303, OPTS
  ),
  makeCase(
    'leaky_relu_depth3_short_lists',
    NET({ depth: '3', ch: '4,6', k: '3', stride: '1', pad: '1', act: 'leaky_relu', pool: 'every', pool_type: 'max', pool_size: '2' }),
    2, 404, OPTS
  ),
  makeCase(
    'batchnorm_tanh_avg_hidden',
    NET({ depth: '2', ch: '3,4', k: '3', stride: '1,2', pad: '1', act: 'tanh', pool: 'last', pool_type: 'avg', pool_size: '2', hidden: '5', bn: '1' }),
    3, 606, OPTS
  ),
  makeCase(
    'batchnorm_relu_default',
    NET({ bn: '1' }),
    2, 707, OPTS
  ),
  makeCase(
    'identity_no_pool_stride4',
    NET({ depth: '1', ch: '2', k: '5', stride: '4', pad: '0', act: 'identity', pool: 'none', pool_type: 'max', pool_size: '2' }),
    2, 505, OPTS
  ),
];

if (failures.length) {
  console.error('self-check FAILED:\n  ' + failures.join('\n  '));
  process.exit(1);
}

// ---------------------------------------------------------------- output
// Shortest decimal that reads back as the same float32.
function num(v) {
  if (!Number.isFinite(v)) throw new Error(`non-finite ${v}`);
  const f = Math.fround(v);
  if (f === 0) return '0';
  for (let d = 1; d <= 9; d++) {
    const s = f.toPrecision(d);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  throw new Error(`no float32 round trip for ${v}`);
}
const arr = (a) => '[' + Array.from(a, num).join(',') + ']';

const json = [];
json.push('{');
json.push('"generator": "tests/reference/gen_tfjs.mjs",');
json.push(`"tfjs_version": "${tf.version.tfjs}", "backend": "${tf.getBackend()}", "leaky_relu_slope": ${LEAKY_SLOPE},`);
json.push('"layouts": "x NCHW; conv weight (OC,IC,KH,KW); conv bias (OC); dense weight (OUT,IN); dense bias (OUT); all row-major float32",');
json.push('"cases": [');
cases.forEach((c, ci) => {
  json.push('{');
  json.push(`"name": ${JSON.stringify(c.name)}, "config": ${JSON.stringify(c.config)}, "n": ${c.n}, "labels": ${JSON.stringify(c.labels)},`);
  json.push(`"x": ${arr(c.x)},`);
  json.push('"params": [');
  c.params.forEach((q, i) => {
    json.push(`{"name": "${q.name}", "shape": ${JSON.stringify(q.shape)}, "value": ${arr(q.value)}, "grad": ${arr(q.grad)}}${i + 1 < c.params.length ? ',' : ''}`);
  });
  json.push('],');
  json.push(`"logits": ${arr(c.logits)}, "loss": ${num(c.loss)},`);
  json.push(`"grad_x": ${arr(c.grad_x)},`);
  if (c.bnEval) {
    const { running, logitsEval, after } = c.bnEval;
    json.push(`"bn_running": [${running.map(([m, v]) => `{"mean": ${arr(m)}, "var": ${arr(v)}}`).join(',')}],`);
    json.push(`"logits_eval": ${arr(logitsEval)},`);
    json.push(`"bn_running_after": [${after.map(([m, v]) => `{"mean": ${arr(m)}, "var": ${arr(v)}}`).join(',')}],`);
  }
  json.push('"optimizers": [');
  c.optimizers.forEach((o, i) => {
    json.push(
      `{"name": "${o.name}", "config": ${JSON.stringify(o.config)}, "steps": ${o.steps}, "loss_before_step": ${arr(o.loss_before_step)},` +
        ` "params_after": [${o.params_after.map(arr).join(',')}]}${i + 1 < c.optimizers.length ? ',' : ''}`
    );
  });
  json.push(']');
  json.push(`}${ci + 1 < cases.length ? ',' : ''}`);
});
json.push(']}');
writeFileSync(join(HERE, 'tfjs_reference.json'), json.join('\n') + '\n');

// Line format: one record per line, fields separated by single spaces.
//   case NAME N
//   cfg KEY VALUE
//   labels L1 ... LN
//   t NAME COUNT V1 ... VCOUNT          x, logits, loss, grad.x
//   p NAME SHAPE(d1,d2,..) VALUES...    a parameter; followed by "t grad.NAME COUNT ..."
//   opt OPTNAME STEPS                   followed by "ocfg KEY VALUE" lines, "t loss_before_step ...",
//                                       and one "t after.NAME ..." per parameter
//   end
const txt = ['# Loss Lab reference numbers from TensorFlow.js ' + tf.version.tfjs + '; regenerate with node tests/reference/gen_tfjs.mjs'];
const t = (nameField, a) => `t ${nameField} ${a.length} ${Array.from(a, num).join(' ')}`;
for (const c of cases) {
  txt.push(`case ${c.name} ${c.n}`);
  for (const [k, v] of Object.entries(c.config)) txt.push(`cfg ${k} ${v}`);
  txt.push(`labels ${c.labels.join(' ')}`);
  txt.push(t('x', c.x));
  for (const q of c.params) {
    txt.push(`p ${q.name} ${q.shape.join(',')} ${Array.from(q.value, num).join(' ')}`);
    txt.push(t(`grad.${q.name}`, q.grad));
  }
  txt.push(t('logits', c.logits));
  txt.push(t('loss', [c.loss]));
  txt.push(t('grad.x', c.grad_x));
  if (c.bnEval) {
    const { running, logitsEval, after } = c.bnEval;
    running.forEach(([m, v], i) => txt.push(t(`running.bn${i + 1}.mean`, m), t(`running.bn${i + 1}.var`, v)));
    txt.push(t('logits_eval', logitsEval));
    after.forEach(([m, v], i) => txt.push(t(`running_after.bn${i + 1}.mean`, m), t(`running_after.bn${i + 1}.var`, v)));
  }
  for (const o of c.optimizers) {
    txt.push(`opt ${o.name} ${o.steps}`);
    for (const [k, v] of Object.entries(o.config)) txt.push(`ocfg ${k} ${v}`);
    txt.push(t('loss_before_step', o.loss_before_step));
    o.params_after.forEach((a, i) => txt.push(t(`after.${c.params[i].name}`, a)));
  }
  txt.push('end');
}
writeFileSync(join(HERE, 'tfjs_reference.txt'), txt.join('\n') + '\n');
console.log('wrote tfjs_reference.json and tfjs_reference.txt');
