// "Step size against curvature": the stability meter and the loss along the last step (src/train/sharpness.rs).
//
// The meter: η·λ_max over training, λ_max the top Hessian eigenvalue of the loss on a fixed batch of training
// images, estimated by the engine before the first step and every few hundred steps, drawn on a log scale against
// the optimizer's threshold (2 for SGD, 2(1 + μ) for momentum, (2 + 2μ)/(1 + 2μ) for Nesterov; for Adam the
// preconditioned sharpness against (2 + 2β1)/(1 − β1)). The step line: the last batch's loss at w + t·(w − w_before)
// for t from −1 (the weights before the last step) to 3, with its lowest point and the one-line reading.
//
// Both come from the worker only while the section is open: the meter's history (a copy of a few numbers) at most
// once a second while training and at each epoch end; the step line (41 forward passes of one batch) on the button,
// when the section opens, after a single step and whenever training is paused, so a closed section costs nothing.

import { Asker } from '../ui/asker.js';

// The drawing's size in CSS pixels: the canvas's displayed width (so that text keeps its size on a phone), 220 high.
let W = 560;
const H = 220;
const PAD = { l: 62, r: 12, t: 12, b: 34 };
const COLORS = { meter: '#0072b2', threshold: '#d55e00', line: '#009e73', now: '#555', min: '#a03c7d' };
const fmt = (v) => (!Number.isFinite(v) ? '—' : v === 0 ? '0' : Math.abs(v) >= 1e5 ? v.toExponential(1) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 0.01 ? Number(v.toPrecision(3)).toString() : v.toExponential(1));

/** The threshold's formula in words for the optimizer the point was taken with. */
export function thresholdName(cfg, preconditioned) {
  const opt = cfg && cfg.opt;
  if (preconditioned || opt === 'adam') return '(2 + 2β1)/(1 − β1)';
  if (opt === 'momentum') return '2(1 + μ)';
  if (opt === 'nesterov') return '(2 + 2μ)/(1 + 2μ)';
  return '2';
}

/** The one-line reading of a step line, e.g. "the step went past the lowest point along its own direction by ×2.3". */
export function stepReading(line) {
  if (!line) return 'No step yet: train one step to see the loss along it.';
  const { tMin, overshoot } = line;
  if (!Array.from(line.loss).some(Number.isFinite)) return `Step ${line.step}: the loss along the step is not finite.`;
  // the line is sampled in tenths of the step: a lowest point at t = −1 lies within the first tenth, or the step went uphill
  if (tMin <= -0.999) return `Step ${line.step}: the loss was lowest within the first tenth of the step — it went more than ×10 past the lowest point along its own direction (or uphill from the start).`;
  if (tMin >= 2.999) return `Step ${line.step}: the loss still falls three steps further on — the step was at most a quarter of the way to the lowest point along its direction (×${fmt(overshoot)}).`;
  if (overshoot > 1.05) return `Step ${line.step}: the step went past the lowest point along its own direction by ×${fmt(overshoot)} (lowest at t = ${fmt(tMin)}).`;
  if (overshoot < 0.95) return `Step ${line.step}: the step stopped short of the lowest point along its own direction: it went ×${fmt(overshoot)} of the way (lowest at t = ${fmt(tMin)}).`;
  return `Step ${line.step}: the step landed near the lowest point along its own direction (×${fmt(overshoot)}).`;
}

/** The meter's reading in one sentence for the last estimate. */
export function meterReading(h, cfg) {
  const n = h && h.step ? h.step.length : 0;
  if (!n) return 'No estimate yet: the meter takes its first before the first step (Adam: after it).';
  const i = n - 1;
  const pre = h.preconditioned[i] === 1;
  const what = pre ? 'η·λ_max(P⁻¹H)' : 'η·λ_max';
  const r = h.ratio[i];
  const side = r > 1 ? 'above' : 'below';
  return `After ${h.step[i]} steps: λ_max ${fmt(h.lambdaMax[i])}, ${what} = ${fmt(h.ratio[i] * h.threshold[i])}, `
    + `${side} the threshold ${thresholdName(cfg, pre)} = ${fmt(h.threshold[i])} (×${fmt(r)} of it; ${n} estimate${n === 1 ? '' : 's'}).`;
}

function canvasFor(el) {
  const dpr = window.devicePixelRatio || 1;
  W = Math.max(280, Math.min(720, Math.round(el.clientWidth) || 560));
  el.width = W * dpr; el.height = H * dpr;
  const g = el.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, W, H);
  g.font = '11px system-ui, sans-serif';
  return g;
}

function axes(g, xlab, ylab, xticks, yticks, x, y) {
  g.strokeStyle = '#999'; g.fillStyle = '#444'; g.lineWidth = 1;
  g.beginPath(); g.moveTo(PAD.l, PAD.t); g.lineTo(PAD.l, H - PAD.b); g.lineTo(W - PAD.r, H - PAD.b); g.stroke();
  g.textAlign = 'center'; g.textBaseline = 'top';
  for (const v of xticks) g.fillText(fmt(v), x(v), H - PAD.b + 3);
  g.fillText(xlab, (PAD.l + W - PAD.r) / 2, H - 14);
  g.textAlign = 'right'; g.textBaseline = 'middle';
  for (const v of yticks) g.fillText(fmt(v), PAD.l - 4, y(v));
  g.save(); g.translate(10, (PAD.t + H - PAD.b) / 2); g.rotate(-Math.PI / 2); g.textAlign = 'center'; g.fillText(ylab, 0, 0); g.restore();
}

/** Text whose bottom sits at (x, y), on a light backing box. */
function labelled(g, text, x, y, align, color) {
  const w = g.measureText(text).width;
  g.fillStyle = 'rgba(255,255,255,0.88)';
  g.fillRect(align === 'right' ? x - w - 2 : x - 2, y - 13, w + 4, 14);
  g.fillStyle = color; g.textAlign = align; g.textBaseline = 'bottom';
  g.fillText(text, x, y);
}

export class StabilityView {
  /** root: the #stability <details>; run(): the current Run */
  constructor(root, { run, config }) {
    const q = (s) => root.querySelector(s);
    this.root = root;
    this.getRun = run;
    this.config = config;
    this.meter = q('#stab-meter');
    this.line = q('#stab-line');
    this.meterNote = q('#stab-meter-note');
    this.lineNote = q('#stab-line-note');
    this.summary = q('#stab-summary');
    this.button = q('#btn-stab-line');
    this.meterAsker = new Asker();
    this.lineAsker = new Asker();
    this.history = null;
    this.stepLine = null;
    root.addEventListener('toggle', () => { if (root.open) this.refresh(true); });
    this.button.addEventListener('click', () => this.#fetchLine());
  }

  /** A new run or a rebuild: the old pictures go. */
  show(run) {
    this.meterAsker.drop();
    this.lineAsker.drop();
    this.history = null;
    this.stepLine = null;
    this.root.dataset.state = 'empty';
    this.#draw();
    if (run) this.refresh(true);
  }

  /** After steps: the meter at most once a second while training; both pictures after a step taken while paused. */
  tick(paused) {
    if (!this.root.open) return;
    if (paused) { this.refresh(true); return; }
    if (this.meterAsker.due(1000)) this.#fetchMeter();
  }

  /** At an epoch end, on opening, on pausing: the meter, and the step line unless training runs. */
  refresh(withLine = false) {
    if (!this.root.open) return;
    const r = this.getRun();
    this.#fetchMeter();
    if (withLine || (r && r.status !== 'running')) this.#fetchLine();
  }

  #fetchMeter() {
    const r = this.getRun();
    if (!r || !r.built) return;
    this.meterAsker.ask(() => r.sharpness(), (h) => {
      this.history = h;
      this.#draw();
    });
  }

  #fetchLine() {
    const r = this.getRun();
    if (!r || !r.built) return;
    this.lineAsker.ask(() => r.stepLine(), (line) => {
      this.stepLine = line;
      this.#draw();
    });
  }

  #draw() {
    const cfg = this.config();
    this.#drawMeter(cfg);
    this.#drawLine();
    const m = meterReading(this.history, cfg);
    const l = stepReading(this.stepLine);
    this.meterNote.textContent = m;
    this.lineNote.textContent = l;
    this.summary.textContent = `Stability meter: ${m} Loss along the last step: ${l}`;
    const n = this.history ? this.history.step.length : 0;
    this.root.dataset.state = n || this.stepLine ? 'drawn' : 'empty';
    this.root.dataset.estimates = String(n);
    this.root.dataset.line = this.stepLine ? String(this.stepLine.step) : '';
  }

  #drawMeter(cfg) {
    const g = canvasFor(this.meter);
    const h = this.history;
    const n = h ? h.step.length : 0;
    const pts = [];
    for (let i = 0; i < n; i++) {
      const v = h.ratio[i] * h.threshold[i];
      if (Number.isFinite(v) && v > 0) pts.push([h.step[i], v, h.threshold[i]]);
    }
    const thr = n ? h.threshold[n - 1] : 2;
    const vals = pts.map((p) => p[1]).concat(pts.map((p) => p[2]), [thr]);
    const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...vals) / 1.5)));
    const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...vals) * 1.5)));
    const maxStep = Math.max(1, ...pts.map((p) => p[0]), (this.getRun() && this.getRun().record && this.getRun().record.steps) || 0);
    const x = (s) => PAD.l + (W - PAD.l - PAD.r) * s / maxStep;
    const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
    const yt = [];
    for (let e = Math.log10(lo); e <= Math.log10(hi) + 1e-9; e++) yt.push(Math.pow(10, e));
    const xt = [0, Math.round(maxStep / 2), maxStep];
    const pre = n && h.preconditioned[n - 1] === 1;
    axes(g, 'steps trained', pre ? 'η·λ_max(P⁻¹H), log' : 'η·λ_max, log scale', xt, yt.length > 6 ? yt.filter((_, i) => i % 2 === 0) : yt, x, y);
    // threshold line (per estimate: a live change of μ or β1 moves it), dashed
    g.strokeStyle = COLORS.threshold; g.setLineDash([6, 4]); g.lineWidth = 1.5;
    g.beginPath();
    if (pts.length) {
      pts.forEach(([s, , t], i) => { if (i === 0) g.moveTo(PAD.l, y(t)); g.lineTo(x(s), y(t)); });
      g.lineTo(W - PAD.r, y(pts[pts.length - 1][2]));
    } else { g.moveTo(PAD.l, y(thr)); g.lineTo(W - PAD.r, y(thr)); }
    g.stroke(); g.setLineDash([]);
    // the meter
    g.strokeStyle = COLORS.meter; g.fillStyle = COLORS.meter; g.lineWidth = 2;
    g.beginPath();
    pts.forEach(([s, v], i) => (i ? g.lineTo(x(s), y(v)) : g.moveTo(x(s), y(v))));
    g.stroke();
    for (const [s, v] of pts) { g.beginPath(); g.arc(x(s), y(v), 3, 0, 2 * Math.PI); g.fill(); }
    // the threshold's label last, on a light backing, so the meter's line never hides it
    const label = `threshold ${thresholdName(cfg, pre)} = ${fmt(thr)}: unstable above`;
    labelled(g, label, W - PAD.r - 2, y(thr) - 2, 'right', COLORS.threshold);
    this.meter.setAttribute('aria-label', `Stability meter chart: ${meterReading(h, cfg)}`);
  }

  #drawLine() {
    const g = canvasFor(this.line);
    const l = this.stepLine;
    const t = l ? Array.from(l.t) : [];
    const loss = l ? Array.from(l.loss) : [];
    const fin = loss.filter(Number.isFinite);
    const min = fin.length ? Math.min(...fin) : 0, max = fin.length ? Math.max(...fin) : 1;
    // a loss that spans more than a factor 20 along the line (a step far too long) is drawn on a log scale
    const log = min > 0 && max / min > 20;
    const f = log ? Math.log10 : (v) => v;
    let lo = f(min), hi = f(max);
    if (hi - lo < 1e-6) { lo -= 0.5; hi += 0.5; }
    const span = hi - lo; lo -= 0.05 * span; hi += 0.05 * span;
    const x = (v) => PAD.l + (W - PAD.l - PAD.r) * (v + 1) / 4;
    const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - (f(v) - lo) / (hi - lo));
    const mid = log ? Math.sqrt(min * max) : (min + max) / 2;
    axes(g, 't: multiples of the last step (−1: before it, 0: now)', log ? 'batch loss (nats), log' : 'batch loss (nats)', [-1, 0, 1, 2, 3], fin.length ? [min, mid, max] : [], x, y);
    // t = 0 (now) and t = −1 (before the step)
    g.strokeStyle = COLORS.now; g.setLineDash([2, 3]); g.lineWidth = 1;
    for (const v of [-1, 0]) { g.beginPath(); g.moveTo(x(v), PAD.t); g.lineTo(x(v), H - PAD.b); g.stroke(); }
    g.setLineDash([]);
    if (!l) return;
    g.strokeStyle = COLORS.line; g.lineWidth = 2; g.beginPath();
    let started = false;
    t.forEach((tv, i) => {
      const v = loss[i];
      if (!Number.isFinite(v)) { started = false; return; }
      if (started) g.lineTo(x(tv), y(v)); else { g.moveTo(x(tv), y(v)); started = true; }
    });
    g.stroke();
    // the lowest point
    const i0 = t.findIndex((v) => v >= l.tMin);
    const vMin = Number.isFinite(loss[i0]) ? loss[i0] : fin.length ? Math.min(...fin) : NaN;
    if (Number.isFinite(vMin)) {
      g.fillStyle = COLORS.min; g.beginPath(); g.arc(x(l.tMin), y(vMin), 4, 0, 2 * Math.PI); g.fill();
      labelled(g, `lowest at t = ${fmt(l.tMin)}`, x(l.tMin) + (l.tMin > 2 ? -6 : 6), y(vMin) - 6, l.tMin > 2 ? 'right' : 'left', COLORS.min);
    }
    g.fillStyle = COLORS.now; g.textAlign = 'left'; g.textBaseline = 'top';
    g.fillText('before', x(-1) + 3, PAD.t); g.fillText('now', x(0) + 3, PAD.t);
    this.line.setAttribute('aria-label', `Loss along the last step: ${stepReading(l)}`);
  }
}

/** Adds lossLab.sharpness() and lossLab.stepLine() to window.lossLab (documented in www/api.js). */
export function installStabilityApi(run) {
  Object.assign(window.lossLab, {
    sharpness: () => {
      const r = run();
      if (!r || !r.built) return Promise.reject(new Error('sharpness(): the network is not built yet — wait for lossLab.ready()'));
      return r.sharpness().then((h) => Array.from(h.step, (step, i) => ({
        step, lambdaMax: h.lambdaMax[i], lr: h.lr[i], threshold: h.threshold[i], ratio: h.ratio[i],
        preconditioned: h.preconditioned[i] === 1,
      })));
    },
    stepLine: () => {
      const r = run();
      if (!r || !r.built) return Promise.reject(new Error('stepLine(): the network is not built yet — wait for lossLab.ready()'));
      return r.stepLine().then((l) => (l ? { step: l.step, t: Array.from(l.t), loss: Array.from(l.loss), tMin: l.tMin, overshoot: l.overshoot, reading: stepReading(l) } : null));
    },
  });
}
