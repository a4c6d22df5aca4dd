// What the weights look like: the first layer's filters as small greyscale tiles, and a histogram of the weights
// of every deeper parameterised layer. The weights come from the worker (run.weights(i): {shape, data}, PyTorch
// layout: conv (OC, C, KH, KW), dense (OUT, IN)), and only while the section is open: the tiles refresh when
// the network is built, at each epoch end, after a single step and on the Refresh button, so a closed section
// costs nothing.
//
// Tile contrast is fixed per layer, not stretched per tile: grey is 0, and black and white are ∓2 standard
// deviations of He initialisation for the layer (σ = √(2 / fan_in), He et al. 2015). So all-zero or tiny
// weights give blank grey tiles, filters that never broke symmetry give identical tiles, a huge initialisation
// gives clipped black-and-white noise, and the tiles of two runs can be compared. "Stretch" rescales to the
// layer's own largest |w| instead, to see the pattern of tiny weights.
import { OI, ItemReadout, itemCursor } from '../charts.js';
import { font } from '../ui/canvas.js';
import { count } from '../ui/format.js';

const BINS = 41; // odd: one bin is centred on 0
const TILE_PX = 44;
const FONT = font(13);

const fmt = (v) => (v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? Number(v.toPrecision(2)).toString() : v.toExponential(1));

export class FiltersView {
  /** root: the #filters <details> */
  constructor(root) {
    const q = (s) => root.querySelector(s);
    this.root = root;
    this.tiles = q('#filter-tiles');
    this.caption = q('#filter-caption');
    this.hists = q('#weight-hists');
    this.note = q('#filters-note');
    this.button = q('#btn-filters');
    this.stretch = q('#opt-stretch');
    this.run = null;
    this.asked = 0; // request number: an answer to an older request (or an older build) is dropped
    this.last = null;
    root.addEventListener('toggle', () => { if (root.open) this.refresh(); });
    this.button.addEventListener('click', () => this.refresh());
    this.stretch.addEventListener('change', () => { if (this.last) this.#drawTiles(this.last[0]); });
  }

  /** A new run or a rebuild: the old weights go, the new network's are fetched if the section is open. */
  show(run) {
    this.run = run;
    this.asked++;
    this.last = null;
    this.tiles.textContent = '';
    this.hists.textContent = '';
    this.caption.textContent = '';
    this.root.dataset.state = 'empty';
    this.note.textContent = run && run.built ? '' : 'The weights appear once the network is built.';
    this.refresh();
  }

  /** Fetches every layer's weights from the worker and redraws, when the section is open. */
  async refresh() {
    const run = this.run;
    if (!this.root.open || !run || !run.built) return;
    if (typeof run.weights !== 'function') { this.note.textContent = 'This version of the page cannot read the weights.'; return; }
    const ask = ++this.asked;
    const n = run.built.layerNames.length;
    const names = run.built.layerNames;
    const step = run.record.steps;
    let layers;
    try {
      layers = await Promise.all(Array.from({ length: n }, (_, i) => run.weights(i)));
    } catch (e) {
      if (ask === this.asked) this.note.textContent = `The weights could not be read: ${e.message}`;
      return;
    }
    if (ask !== this.asked || run !== this.run) return;
    this.last = layers.map((w, i) => ({ ...w, name: names[i] }));
    this.note.textContent = step ? `Weights after step ${count(step)}.` : 'Weights as initialised (step 0).';
    this.root.dataset.state = 'drawn';
    this.root.dataset.step = String(step);
    this.#drawTiles(this.last[0]);
    this.#drawHists(this.last.slice(1));
  }

  #drawTiles(w) {
    const [oc, c, kh, kw] = w.shape.length === 4 ? w.shape : [w.shape[0], 1, 1, w.shape[1]];
    const fanIn = c * kh * kw;
    let maxAbs = 0;
    for (const v of w.data) if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
    const stretch = this.stretch.checked;
    const scale = stretch ? maxAbs : 2 * Math.sqrt(2 / fanIn);
    this.tiles.textContent = '';
    this.tiles.dataset.maxAbs = String(maxAbs);
    this.tiles.dataset.scale = String(scale);
    const per = c * kh * kw;
    for (let o = 0; o < oc; o++) {
      // one tile per output channel; with several input channels, their slices side by side
      const cv = document.createElement('canvas');
      cv.width = kw * c;
      cv.height = kh;
      cv.className = 'filter-tile';
      cv.style.width = `${Math.round((TILE_PX * kw * c) / Math.max(kh, kw))}px`;
      cv.style.height = `${Math.round((TILE_PX * kh) / Math.max(kh, kw))}px`;
      cv.dataset.filter = String(o);
      cv.setAttribute('role', 'img');
      const ctx = cv.getContext('2d');
      const img = ctx.createImageData(kw * c, kh);
      let lo = Infinity, hi = -Infinity;
      for (let ci = 0; ci < c; ci++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) {
            const v = w.data[o * per + ci * kh * kw + y * kw + x];
            lo = Math.min(lo, v); hi = Math.max(hi, v);
            const g = scale > 0 ? Math.round(128 + 127 * Math.max(-1, Math.min(1, v / scale))) : 128;
            const p = (y * kw * c + ci * kw + x) * 4;
            img.data[p] = img.data[p + 1] = img.data[p + 2] = g;
            img.data[p + 3] = 255;
          }
        }
      }
      ctx.putImageData(img, 0, 0);
      cv.setAttribute('aria-label', `filter ${o + 1}: weights from ${fmt(lo)} to ${fmt(hi)}`);
      this.tiles.append(cv);
    }
    this.caption.textContent = `${w.name}: ${oc} filters of ${kh}×${kw}${c > 1 ? ` × ${c} channels` : ''}. `
      + (stretch
        ? `Stretched: grey is 0, black and white are ∓${fmt(maxAbs)}, the layer's largest |w|.`
        : `Grey is 0; black and white are ∓${fmt(scale)} (2σ of He initialisation for this layer), stronger weights are clipped. Largest |w| now: ${fmt(maxAbs)}.`)
      + (maxAbs === 0 ? ' Every weight is exactly 0.' : '');
  }

  #drawHists(layers) {
    this.hists.textContent = '';
    for (const w of layers) {
      const fig = document.createElement('figure');
      fig.className = 'weight-hist';
      fig.dataset.layer = w.name;
      const cap = document.createElement('figcaption');
      const cv = document.createElement('canvas');
      cv.setAttribute('role', 'img');
      fig.append(cap, cv);
      this.hists.append(fig);
      let maxAbs = 0, sum = 0, sq = 0;
      for (const v of w.data) { if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v); sum += v; sq += v * v; }
      const n = w.data.length;
      const mean = sum / n, sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
      const range = maxAbs > 0 ? maxAbs : 1;
      const counts = new Array(BINS).fill(0);
      for (const v of w.data) counts[Math.min(BINS - 1, Math.floor(((v + range) / (2 * range)) * BINS))]++;
      cap.textContent = `${w.name} ${w.shape.join('×')} · σ ${fmt(sd)}`;
      cv.setAttribute('aria-label', `Histogram of the ${count(n)} weights of ${w.name} in ${BINS} bins from ${fmt(-range)} to ${fmt(range)}; mean ${fmt(mean)}, standard deviation ${fmt(sd)}, largest |w| ${fmt(maxAbs)}`);
      cv.id = `hist-${w.name}`;
      const frame = drawHist(cv, counts, n, range);
      // hover or focus reads off one bin (←/→ between bins), starting at the one centred on 0
      const readout = new ItemReadout(cv, `${cv.id}-readout`);
      const width = (2 * range) / BINS;
      const dec = Math.max(2, 1 - Math.floor(Math.log10(width)));
      const edge = (v) => (Math.abs(v) < width / 1e6 ? '0' : v.toFixed(dec).replace('-', '−'));
      itemCursor(cv, () => BINS, () => frame, (i) => {
        if (i === null) { readout.hide(); delete cv.dataset.readout; return; }
        const lo = -range + i * width, k = counts[i];
        const share = `${((100 * k) / n).toFixed(k > 0 && k / n < 0.001 ? 3 : 1)}%`;
        readout.show(frame.L + i * frame.bw - 1, frame.L + (i + 1) * frame.bw + 1, frame, `${edge(lo)} … ${edge(lo + width)}:`,
          [{ color: OI.blue, bar: true, text: `${share} of ${w.name}'s weights` }, { text: `${count(k)} of ${count(n)}` }]);
        cv.dataset.readout = JSON.stringify([lo, lo + width, k / n]);
      }, () => (BINS - 1) / 2);
    }
  }
}

/** Bars of the share of weights per bin, x from −range to +range (axes as in charts.js, smaller); returns the plot area. */
function drawHist(cv, counts, n, range) {
  const w = cv.clientWidth || 220, h = cv.clientHeight || 130;
  const dpr = window.devicePixelRatio || 1;
  cv.width = Math.round(w * dpr);
  cv.height = Math.round(h * dpr);
  const ctx = cv.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const L = 46, R = 10, T = 8, B = 38;
  const pw = w - L - R, ph = h - T - B;
  const top = Math.max(...counts) / n || 1;
  const yMax = top > 0.5 ? 1 : top > 0.2 ? 0.5 : top > 0.1 ? 0.2 : top > 0.05 ? 0.1 : 0.05;
  ctx.font = FONT;
  ctx.strokeStyle = '#e3e3e3';
  ctx.fillStyle = '#333';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const f of [0, 0.5, 1]) {
    const py = Math.round(T + ph - f * ph) + 0.5;
    ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
    ctx.fillText(`${+(f * yMax * 100).toFixed(1)}%`, L - 4, py);
  }
  const bw = pw / counts.length;
  ctx.fillStyle = OI.blue;
  counts.forEach((k, i) => {
    const bh = (k / n / yMax) * ph;
    if (k > 0) ctx.fillRect(L + i * bw, T + ph - Math.max(1, bh), Math.max(1, bw - 0.5), Math.max(1, bh));
  });
  ctx.strokeStyle = '#555';
  ctx.beginPath(); ctx.moveTo(L + 0.5, T); ctx.lineTo(L + 0.5, T + ph + 0.5); ctx.lineTo(L + pw, T + ph + 0.5); ctx.stroke();
  ctx.fillStyle = '#333';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(fmt(-range), L, T + ph + 3);
  ctx.textAlign = 'right';
  ctx.fillText(fmt(range), L + pw, T + ph + 3);
  ctx.textAlign = 'center';
  ctx.fillText('0', L + pw / 2, T + ph + 3);
  ctx.fillStyle = '#222';
  ctx.fillText('weight value', L + pw / 2, T + ph + 19);
  return { L, T, pw, ph, bw };
}
