// Prediction dynamics: sixteen fixed validation digits (src/train/predictions.rs: the first of each digit, then the
// earliest others) with the network's ten probabilities for each, as the untrained net gave them and after every
// epoch's validation pass, on the validation side's own preprocessing. An epoch slider steps through them. Karpathy
// 2019, "A Recipe for Training Neural Networks": "visualize prediction dynamics … on a fixed test batch during the
// course of training". A network that learns moves its belief onto the labelled digits; flat bars mean it learns
// nothing. The words are pure functions of the record (tested in node: tests/predictions.test.mjs); the drawing is
// a canvas per digit, its thumbnail and its ten bars, with an HTML caption and an accessible name.
import { chartStyle, OI } from '../charts.js';
import { font } from '../ui/canvas.js';
import { el } from '../ui/dom.js';
import { pct } from '../ui/format.js';

const K = 10;

/**
 * Learning also needs at least this share of the watched digits right at the latest epoch: a rise alone can be a
 * net that learnt something that barely carries over (validation images inverted by a pipeline bug: 6.8% to 21.0%
 * on the labels after two epochs of the default run, 3 of 16 right), while the baseline gets 15–16 of 16 after one to
 * three epochs.
 */
export const MIN_RIGHT = 0.5;

/** What the check expects, said before it is read. */
export const PREDICTIONS_EXPECTED =
  'A network that learns moves its belief onto the labelled digit: epoch by epoch the bars of these 16 validation ' +
  'digits grow on it, their mean probability on it rises at least 10 points above the untrained net\'s, and most ' +
  'are answered right. Bars ' +
  'that stay flat mean nothing is learnt (Karpathy 2019, “A Recipe for Training Neural Networks”: visualise ' +
  'prediction dynamics).';

/** Digit i's ten probabilities in one answer (a {epoch, probs} entry). */
export const probsOf = (entry, i) => Array.from(entry.probs.slice(i * K, (i + 1) * K));

/** The most likely digit of ten probabilities, or null when they are not numbers. */
export function top(p) {
  if (!p.every(Number.isFinite)) return null;
  let best = 0;
  for (let c = 1; c < K; c++) if (p[c] > p[best]) best = c;
  return best;
}

/** The mean over the watched digits of the probability on each one's label (NaN when any is not a number). */
export function meanOnLabels(labels, entry) {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += entry.probs[i * K + labels[i]];
  return s / Math.max(1, labels.length);
}

/** How an answer stands: {right, unsure, finite, n}; unsure: the top probability under 50%. */
export function tally(labels, entry) {
  let right = 0, unsure = 0, finite = true;
  for (let i = 0; i < labels.length; i++) {
    const p = probsOf(entry, i);
    const t = top(p);
    if (t === null) { finite = false; continue; }
    if (t === labels[i]) right++;
    if (p[t] < 0.5) unsure++;
  }
  return { right, unsure, finite, n: labels.length };
}

const when = (epoch) => (epoch === 0 ? 'untrained' : `epoch ${epoch}`);

/** The plain-words reading of answer k of `predictions` (the record's list, epoch 0 first). */
export function predictionsReading(watch, predictions, k) {
  const now = predictions[k];
  if (!watch || !now) return '';
  const labels = Array.from(watch.labels);
  const t = tally(labels, now);
  if (!t.finite) return `At ${when(now.epoch)} the network's outputs are not numbers: nothing can be read.`;
  const parts = [`${now.epoch === 0 ? 'Untrained (epoch 0)' : `Epoch ${now.epoch}`}: ${t.right} of ${t.n} right${now.epoch === 0 ? ' by chance' : ''}`];
  if (k > 0) {
    const before = predictions[k - 1];
    const changed = [];
    labels.forEach((y, i) => {
      const a = top(probsOf(before, i)), b = top(probsOf(now, i));
      if (a !== null && b !== null && a !== b) changed.push(`#${i + 1} (labelled ${y}) from ${a} to ${b}`);
    });
    if (changed.length) {
      const more = changed.length > 2 ? `, and ${changed.length - 2} more` : '';
      parts.push(`${changed.length === 1 ? 'one answer' : `${changed.length} answers`} changed since ${when(before.epoch)}: ${changed.slice(0, 2).join(', ')}${more}`);
    } else {
      parts.push(`no answer changed since ${when(before.epoch)}`);
    }
  }
  parts.push(t.unsure === 0 ? 'none unsure' : `${t.unsure} unsure (top probability under 50%)`);
  return `${parts.join('; ')}.`;
}

/**
 * The verdict of the prediction-dynamics check on the record's answers: {verdict: 'learning' | 'not learning' |
 * 'not trained yet', pass (true | false | null), text, means (per answer)}. Learning: the mean probability on the
 * labels rose by at least `watch.learningRise` since the untrained net's, and at least half the digits are right.
 */
export function predictionsVerdict(watch, predictions) {
  const labels = Array.from(watch.labels);
  const means = predictions.map((e) => meanOnLabels(labels, e));
  const last = predictions[predictions.length - 1];
  const rise = watch.learningRise;
  const points = Math.round(rise * 100);
  if (predictions.length < 2) {
    const t = tally(labels, predictions[0]);
    return {
      verdict: 'not trained yet', pass: null, means,
      text: `Untrained: ${t.right} of ${t.n} right by chance, mean probability ${pct(means[0])} on the labelled digit. Train at least one epoch: each epoch's answers are compared with these.`,
    };
  }
  const [a, b] = [means[0], means[means.length - 1]];
  if (!Number.isFinite(b)) {
    return { verdict: 'not learning', pass: false, means, text: `Not learning: at ${when(last.epoch)} the network's outputs are not numbers.` };
  }
  const t = tally(labels, last);
  if (b - a >= rise && t.right >= MIN_RIGHT * t.n) {
    return {
      verdict: 'learning', pass: true, means,
      text: `Learning: the mean probability on the labelled digit rose from ${pct(a)} (untrained) to ${pct(b)} at ${when(last.epoch)}, at least ${points} points; ${t.right} of ${t.n} right.`,
    };
  }
  const how = b - a >= rise
    ? `rose from ${pct(a)} (untrained) to ${pct(b)} at ${when(last.epoch)}, but only ${t.right} of ${t.n} are right (fewer than half)`
    : `went from ${pct(a)} (untrained) to ${pct(b)} at ${when(last.epoch)}, less than ${points} points up; ${t.right} of ${t.n} right`;
  return {
    verdict: 'not learning', pass: false, means,
    text: `Not learning: the mean probability on the labelled digit ${how}. Bars that stay flat mean the network learns nothing; confident answers that disagree with the labels mean that what it learns does not carry over to these digits as they are labelled and prepared for validation.`,
  };
}

/** Bar colours: the top answer when right or wrong (Okabe & Ito: blue and vermillion stay apart for colour-blind readers), the rest grey. */
function colours() {
  const hc = chartStyle().highContrast;
  return { right: OI.blue, wrong: OI.vermillion, rest: hc ? '#555' : '#a8a8a8', ink: hc ? '#000' : '#333', frame: '#000' };
}

/** Tile size in CSS pixels (the canvas holds the 2× thumbnail and the ten bars with their digits under them). */
const TILE_W = 150, TILE_H = 64;

/** Draws digit i of answer `entry` into `canvas`: its thumbnail at 2×, then ten bars with the label framed. */
export function drawTile(canvas, images, i, label, p) {
  const s = chartStyle().textScale;
  const w = Math.round(TILE_W * s), h = Math.round(TILE_H * s);
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  // the thumbnail: MNIST's grey levels, white on black, at 2× without smoothing
  const thumb = document.createElement('canvas');
  thumb.width = 28; thumb.height = 28;
  const tctx = thumb.getContext('2d');
  const img = tctx.createImageData(28, 28);
  for (let j = 0; j < 784; j++) {
    const g = images[i * 784 + j];
    img.data.set([g, g, g, 255], 4 * j);
  }
  tctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  const side = Math.min(h - 4, 56 * s);
  ctx.drawImage(thumb, 2, (h - side) / 2, side, side);
  // the ten bars
  const c = colours();
  const x0 = side + 10, bw = (w - x0 - 2) / K, base = h - 14 * s, top0 = 4;
  const t = top(p);
  ctx.font = font(Math.round(10 * s));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let d = 0; d < K; d++) {
    const x = x0 + d * bw;
    const v = Number.isFinite(p[d]) ? p[d] : 0;
    const bh = Math.max(v > 0 ? 1 : 0, v * (base - top0));
    ctx.fillStyle = d === t ? (t === label ? c.right : c.wrong) : c.rest;
    ctx.fillRect(x + 1, base - bh, bw - 2, bh);
    if (d === label) {
      // the labelled digit: a frame over its whole column and its number in bold
      ctx.strokeStyle = c.frame;
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, top0 - 0.5, bw - 1, base - top0 + 1);
    }
    ctx.fillStyle = c.ink;
    ctx.font = font(Math.round(10 * s), d === label ? 'bold' : '');
    ctx.fillText(String(d), x + bw / 2, base + 2);
  }
  ctx.strokeStyle = c.ink;
  ctx.beginPath();
  ctx.moveTo(x0, base + 0.5);
  ctx.lineTo(w - 2, base + 0.5);
  ctx.stroke();
}

export class PredictionsView {
  /**
   * @param {HTMLElement} root the block holding #pred-grid, #pred-epoch (a range input), #pred-epoch-out and
   *   #pred-reading
   */
  constructor(root) {
    this.root = root;
    this.grid = root.querySelector('#pred-grid');
    this.slider = root.querySelector('#pred-epoch');
    this.out = root.querySelector('#pred-epoch-out');
    this.reading = root.querySelector('#pred-reading');
    this.record = null;
    this.k = 0;
    this.follow = true; // the slider follows each new epoch until the learner moves it back
    this.slider.addEventListener('input', () => {
      this.k = Number(this.slider.value);
      this.follow = this.k === this.slider.max * 1;
      this.draw();
    });
    // projector mode changes the type size and contrast: redraw in the new style
    new MutationObserver(() => this.draw()).observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
    this.tiles = [];
  }

  /** A record to show (null: nothing built); keeps the chosen epoch unless the slider followed the latest. */
  show(record) {
    if (record !== this.record) this.follow = true;
    this.record = record;
    const n = record?.predictions?.length ?? 0;
    this.slider.max = String(Math.max(0, n - 1));
    this.slider.disabled = n < 2;
    if (this.follow || this.k > n - 1) this.k = Math.max(0, n - 1);
    this.slider.value = String(this.k);
    this.draw();
  }

  draw() {
    const r = this.record;
    const watch = r?.watch;
    const entry = r?.predictions?.[this.k];
    if (!watch || !entry || !this.root.closest('details')?.open) {
      if (!watch) { this.grid.textContent = ''; this.tiles = []; this.reading.textContent = ''; this.out.textContent = ''; }
      return;
    }
    const n = watch.labels.length;
    if (this.tiles.length !== n) {
      this.grid.textContent = '';
      this.tiles = Array.from({ length: n }, () => {
        const fig = el('figure', 'pred-tile');
        const canvas = el('canvas');
        canvas.setAttribute('role', 'img');
        const cap = el('figcaption');
        fig.append(canvas, cap);
        this.grid.append(fig);
        return { fig, canvas, cap };
      });
    }
    const last = r.predictions.length - 1;
    this.out.textContent = `${when(entry.epoch)} (${this.k} of ${last} epoch${last === 1 ? '' : 's'} trained)`;
    this.slider.setAttribute('aria-valuetext', when(entry.epoch));
    watch.labels.forEach((y, i) => {
      const p = probsOf(entry, i);
      const t = top(p);
      const tile = this.tiles[i];
      drawTile(tile.canvas, watch.images, i, y, p);
      const says = t === null ? 'not a number' : `${t} (${pct(p[t], '—', 0)})`;
      tile.fig.dataset.right = t === y ? '1' : '0';
      tile.cap.textContent = `#${i + 1} label ${y}: says ${says}`;
      tile.canvas.setAttribute('aria-label', `validation digit #${i + 1} (sample ${watch.index[i]}), labelled ${y}; at ${when(entry.epoch)} the network says ${says}; probability on ${y}: ${pct(p[y], 'not a number', 0)}`);
    });
    this.reading.textContent = predictionsReading(watch, r.predictions, this.k);
  }
}
