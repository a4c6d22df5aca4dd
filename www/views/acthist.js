// "Activations over training": one heat map per layer followed by an activation (fastai's "colorful dimension",
// Howard & Gugger 2020, ch. 13), from the engine's histograms of the training batch every few steps
// (src/train/acthist.rs). x: steps trained; y: the activation's value (rows of powers of two for ReLU, leaky ReLU
// and linear layers, with one row for ≈ 0; equal rows over the range for sigmoid and tanh); colour: the share of the
// layer's values in a row at that step, on a log scale, so a row that holds 1 value in 10,000 still shows.
//
// The histograms come from the worker only while the section is open: at most once a second while training, at each
// epoch end, after a single step and when the section opens, so a closed section costs nothing.

import { Asker } from '../ui/asker.js';
import { maskHistory } from './layernames.js';
import { count } from '../ui/format.js';

const PLOT_H = 100;
const PAD = { l: 62, r: 12, t: 6, b: 30 };
const H = PAD.t + PLOT_H + PAD.b;
/** Shares from 10^LOG_FLOOR (darkest colour) to 1 (brightest); a row with no value is the background. */
const LOG_FLOOR = -4;
const BACKGROUND = '#10061e';
// viridis (van der Walt & Smith 2015), five stops: perceptually even and readable without colour vision
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
/** Numbers in words: integers whole, others to `digits` significant digits, a minus sign rather than a hyphen. */
const fmt = (v, digits = 2) => (!Number.isFinite(v) ? (v > 0 ? '∞' : '−∞') : v === 0 || Number.isInteger(v) ? String(v) : Number(v.toPrecision(digits)).toString()).replace('-', '−');
const pct = (p) => (p >= 0.995 ? `${p < 1 ? '≥' : ''}${p < 1 ? 99 : 100}%` : p < 0.005 ? (p > 0 ? '<1%' : '0%') : `${Math.round(100 * p)}%`);

/** The colour of a share s in (0, 1]. */
export function shareColour(s) {
  const t = Math.max(0, Math.min(1, (Math.log10(s) - LOG_FLOOR) / -LOG_FLOOR));
  const x = t * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((v, k) => Math.round(v + f * (STOPS[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The row of a log-scaled layer that holds ≈ 0 (the one whose edges straddle 0), or -1 for a linear one. */
export function zeroRow(layer) {
  if (layer.scale !== 'log2') return -1;
  const e = layer.edges;
  for (let r = 0; r + 1 < e.length; r++) if (e[r] <= 0 && e[r + 1] > 0) return r;
  return -1;
}

/** Column c of a layer: its counts, bottom row first. */
export function column(layer, c) {
  const rows = layer.edges.length - 1;
  return layer.counts.subarray(c * rows, (c + 1) * rows);
}

/** The row in which a share q of the counts (rows in `rows`, bottom first) is reached. */
function quantileRow(col, rows, q) {
  const total = rows.reduce((a, r) => a + col[r], 0);
  let acc = 0;
  for (const r of rows) { acc += col[r]; if (acc >= q * total) return r; }
  return rows[rows.length - 1];
}

/** From the lower edge of row a to the upper edge of row b, in words: "between 0.25 and 2", "above 2048". */
function between(layer, a, b) {
  const e = layer.edges;
  if (!Number.isFinite(e[b + 1])) return `above ${fmt(e[a])}`;
  if (!Number.isFinite(e[a])) return `below ${fmt(e[b + 1])}`;
  return `between ${fmt(e[a])} and ${fmt(e[b + 1])}`;
}

/** What one column of a layer shows, in one sentence (the figure's caption and the screen reader's text). */
export function layerReading(layer, c, steps) {
  const col = column(layer, c);
  const total = col.reduce((a, b) => a + b, 0);
  const head = `${layer.name} (after ${layer.after}) at step ${count(steps[c])}`;
  if (!total) return `${head}: no finite value.`;
  const e = layer.edges;
  const z = zeroRow(layer);
  const parts = [];
  if (z >= 0) parts.push(`${pct(col[z] / total)} of values ≈ 0 (under ${fmt(e[z + 1])} in size)`);
  else parts.push(`${pct(layer.saturated[c] / total)} saturated (within 0.01 of ${fmt(e[0])} or ${fmt(e[e.length - 1])})`);
  const rest = [...col.keys()].filter((r) => r !== z && col[r] > 0);
  if (rest.length) {
    const lo = quantileRow(col, rest, 0.25), hi = quantileRow(col, rest, 0.75);
    parts.push(`${z >= 0 ? 'the middle half of the rest' : 'the middle half'} ${between(layer, lo, hi)}`);
    if (z >= 0) {
      const top = rest[rest.length - 1], bottom = rest[0];
      if (top > z) parts.push(`the largest ${between(layer, top, top)}`);
      if (bottom < z) parts.push(`the most negative ${between(layer, bottom, bottom)}`);
    }
  }
  return `${head}: ${parts.join('; ')}.`;
}

/** The rows a layer's y axis labels: [row edge index, text]. */
function yTicks(layer) {
  const e = layer.edges;
  if (layer.scale !== 'log2') return [0, e.length >> 1, e.length - 1].map((i) => [i, fmt(e[i])]);
  const z = zeroRow(layer);
  const out = [[z + 0.5, '≈0']];
  const step = z > 0 ? 8 : 4; // a signed layer has twice the rows in the same height
  for (let i = 0; i < e.length; i++) {
    const v = e[i];
    if (!Number.isFinite(v) || v === 0 || i === z || i === z + 1) continue;
    const k = Math.round(Math.log2(Math.abs(v)));
    if (k % step === 0) out.push([i, fmt(v, 1)]);
  }
  return out;
}

export class ActHistView {
  /** root: the #acthist <details>; run(): the current Run; masked(): true while a mystery hides the settings (the
   * layers are then called by their place and their function is not named, www/views/layernames.js) */
  constructor(root, { run, masked = () => false }) {
    this.masked = masked;
    const q = (s) => root.querySelector(s);
    this.root = root;
    this.getRun = run;
    this.maps = q('#acthist-maps');
    this.note = q('#acthist-note');
    this.summary = q('#acthist-summary');
    this.asker = new Asker();
    this.history = null;
    root.addEventListener('toggle', () => { if (root.open) this.refresh(); });
  }

  /** A new run or a rebuild: the old pictures go. */
  show(run) {
    this.asker.drop();
    this.history = null;
    this.#draw();
    if (run) this.refresh();
  }

  /** After steps: at most once a second while training; at once after a step taken while paused. */
  tick(paused) {
    if (!this.root.open) return;
    if (paused || this.asker.due(1000)) this.refresh();
  }

  /** At an epoch end and on opening. */
  refresh() {
    if (!this.root.open) return;
    const r = this.getRun();
    if (!r || !r.built) return;
    this.asker.ask(() => r.actHistory(), (h) => {
      this.history = h;
      this.#draw();
    });
  }

  /** Draws the last maps again (the mystery was answered: the layers get their own names back). */
  relabel() {
    this.#draw();
  }

  #draw() {
    let h = this.history;
    if (h && this.masked()) h = maskHistory(h);
    const n = h ? h.steps.length : 0;
    this.root.dataset.state = n ? 'drawn' : 'empty';
    this.root.dataset.columns = String(n);
    if (!n) {
      this.maps.textContent = '';
      this.note.textContent = h && !h.layers.length ? 'This network has no activation layer to show.' : 'No step yet: the first column is taken at the first step.';
      this.summary.textContent = '';
      return;
    }
    const figs = this.maps.querySelectorAll('figure');
    if (figs.length !== h.layers.length) {
      this.maps.textContent = '';
      for (const l of h.layers) {
        const fig = document.createElement('figure');
        fig.className = 'acthist-fig';
        const cv = document.createElement('canvas');
        cv.className = 'acthist-canvas';
        cv.setAttribute('role', 'img');
        const cap = document.createElement('figcaption');
        cap.className = 'help';
        fig.append(cv, cap);
        this.maps.append(fig);
      }
    }
    const readings = [];
    this.maps.querySelectorAll('figure').forEach((fig, i) => {
      const l = h.layers[i];
      const reading = layerReading(l, n - 1, h.steps);
      readings.push(reading);
      fig.querySelector('canvas').dataset.layer = l.name;
      this.#drawLayer(fig.querySelector('canvas'), l, h);
      fig.querySelector('canvas').setAttribute('aria-label', `Heat map of ${l.name}'s values over training. ${reading}`);
      fig.querySelector('figcaption').textContent = reading;
    });
    const merged = h.every > 10 ? ` (older columns add ${h.every / 10} samples each)` : '';
    this.note.textContent = `${n} columns, one every ${h.every} steps${merged}, each from the training batch of that step.`;
    this.summary.textContent = `Activations over training: ${readings.join(' ')}`;
  }

  #drawLayer(cv, l, h) {
    const dpr = window.devicePixelRatio || 1;
    const W = Math.max(280, Math.min(720, Math.round(cv.clientWidth) || 560));
    cv.width = W * dpr; cv.height = H * dpr;
    const g = cv.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, W, H);
    const rows = l.edges.length - 1;
    const n = h.steps.length;
    const first = h.steps[0];
    const end = Math.max(h.steps[n - 1] + h.every, first + 1);
    const pw = W - PAD.l - PAD.r;
    const x = (s) => PAD.l + pw * (s - first) / (end - first);
    const rh = PLOT_H / rows;
    const y = (edge) => PAD.t + PLOT_H - edge * rh;
    g.fillStyle = BACKGROUND;
    g.fillRect(PAD.l, PAD.t, pw, PLOT_H);
    for (let c = 0; c < n; c++) {
      const col = column(l, c);
      const total = col.reduce((a, b) => a + b, 0);
      if (!total) continue;
      const x0 = x(h.steps[c]);
      const x1 = c + 1 < n ? x(h.steps[c + 1]) : x(end);
      for (let r = 0; r < rows; r++) {
        if (!col[r]) continue;
        g.fillStyle = shareColour(col[r] / total);
        // half a pixel of overlap hides the seams between cells
        g.fillRect(x0, y(r + 1), x1 - x0 + 0.5, rh + 0.5);
      }
    }
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#444'; g.strokeStyle = '#999'; g.lineWidth = 1;
    g.textAlign = 'right'; g.textBaseline = 'middle';
    for (const [i, text] of yTicks(l)) {
      g.fillText(text, PAD.l - 5, y(i));
      g.beginPath(); g.moveTo(PAD.l - 3, y(i)); g.lineTo(PAD.l, y(i)); g.stroke();
    }
    g.save(); g.translate(10, PAD.t + PLOT_H / 2); g.rotate(-Math.PI / 2); g.textAlign = 'center';
    g.fillText(l.scale === 'log2' ? 'value (log)' : 'value', 0, 0); g.restore();
    g.textAlign = 'center'; g.textBaseline = 'top';
    const last = h.steps[n - 1];
    for (const s of [first, Math.round((first + last) / 2), last]) g.fillText(count(s), x(s), PAD.t + PLOT_H + 3);
    g.textAlign = 'left';
    g.fillText(`${l.name} (after ${l.after}${l.activation ? `, ${l.activation}` : ''}) · steps`, PAD.l, PAD.t + PLOT_H + 16);
  }
}

/** Adds lossLab.activationHistory() to window.lossLab (documented in www/api.js); masked() as the view's. */
export function installActHistApi(run, masked = () => false) {
  Object.assign(window.lossLab, {
    activationHistory: () => {
      const r = run();
      if (!r || !r.built) return Promise.reject(new Error('activationHistory(): the network is not built yet — wait for lossLab.ready()'));
      return r.actHistory().then((h) => (masked() ? maskHistory(h) : h)).then((h) => ({
        steps: Array.from(h.steps),
        every: h.every,
        layers: h.layers.map((l) => {
          const rows = l.edges.length - 1;
          return {
            name: l.name, after: l.after, activation: l.activation, scale: l.scale, edges: Array.from(l.edges),
            columns: Array.from({ length: h.steps.length }, (_, c) => Array.from(l.counts.subarray(c * rows, (c + 1) * rows))),
            saturated: Array.from(l.saturated),
            reading: h.steps.length ? layerReading(l, h.steps.length - 1, h.steps) : null,
          };
        }),
      }));
    },
  });
}
