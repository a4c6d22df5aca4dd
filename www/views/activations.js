// "What every layer sees": one validation digit through the network, every layer's output channel by channel as
// small greyscale tiles, then the ten logits and their softmax (the view of Wang et al. 2020, "CNN Explainer").
// The maps come from the worker (run.activations(i), src/train/activations.rs: evaluation mode, the validation
// side's preprocessing) and only while the section is open: they refresh when the network is built, at each epoch
// end, after a single step, and when another digit is picked, so a closed section costs training nothing.
//
// Grey scale, one per row so that a row's channels can be compared with each other: black is the lower of 0 and the
// layer's lowest value, white the higher of 0 and its highest (a ReLU's row: black is 0). A channel that is 0
// everywhere is drawn black and marked "dead" whatever the row's scale. Sigmoid and tanh rows use the function's
// whole range (0 … 1, −1 … 1) instead, so that a saturated channel shows as one flat black or white tile. Which
// channels are dead or flat is the engine's reading (ChannelState), not worked out again here.
import { maskActivations } from './layernames.js';
import { count } from '../ui/format.js';

const MAX_PX = 56; // a 28×28 map at 2 screen pixels per value
const MIN_PX = 28;
const CELL_PX = 8; // one unit of a dense layer
const pct = (p) => (p >= 0.995 ? '≥99%' : p < 0.005 ? '<1%' : `${Math.round(100 * p)}%`);
const fmt = (v) => (!Number.isFinite(v) ? String(v) : v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? Number(v.toPrecision(3)).toString() : v.toExponential(1));

/** The grey scale of one layer's row: [black, white] (see the notes at the top). */
export function rowScale(layer) {
  if (layer.kind === 'sigmoid') return [0, 1];
  if (layer.kind === 'tanh') return [-1, 1];
  let lo = 0, hi = 0;
  for (const v of layer.values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

/** Channel states as the engine reports them (src/train/activations.rs, ChannelState). */
export const LIVE = 0, DEAD = 1, FLAT = 2;

/** The screen reader's summary of one layer, e.g. "relu1: 2 of 8 channels dead". */
export function layerSummary(l) {
  const c = l.shape[0];
  const what = l.shape[1] * l.shape[2] === 1 ? 'units' : 'channels';
  const dead = l.dead ? `${l.dead} of ${c} ${what} dead` : `${c} ${what}, 0 dead`;
  return `${l.name}: ${dead}${l.flat ? `, ${l.flat} flat` : ''}`;
}

export class ActivationsView {
  /** root: the #acts <details>; masked(): true while a mystery hides the settings (activation layers are then
   * called by their place, www/views/layernames.js) */
  constructor(root, { masked = () => false } = {}) {
    this.masked = masked;
    const q = (s) => root.querySelector(s);
    this.root = root;
    this.index = q('#acts-index');
    this.prev = q('#btn-acts-prev');
    this.next = q('#btn-acts-next');
    this.note = q('#acts-note');
    this.rows = q('#acts-rows');
    this.out = q('#acts-out');
    this.summary = q('#acts-summary');
    this.run = null;
    this.asked = 0; // request number: an answer to an older request (or an older build) is dropped
    this.last = null;
    root.addEventListener('toggle', () => { if (root.open) this.refresh(); });
    this.index.addEventListener('change', () => this.refresh());
    this.prev.addEventListener('click', () => this.#move(-1));
    this.next.addEventListener('click', () => this.#move(1));
  }

  #count() {
    return this.run && this.run.built ? this.run.built.valCount : 0;
  }

  #move(d) {
    const n = this.#count();
    if (!n) return;
    const i = Math.round(Number(this.index.value)) || 0;
    this.index.value = String((((i + d) % n) + n) % n);
    this.refresh();
  }

  /** A new run or a rebuild: the old maps go, the new network's are fetched if the section is open. */
  show(run) {
    this.run = run;
    this.asked++;
    this.last = null;
    this.rows.textContent = '';
    this.out.textContent = '';
    this.summary.textContent = '';
    this.root.dataset.state = 'empty';
    const n = this.#count();
    if (n) this.index.max = String(n - 1);
    this.note.textContent = n ? '' : 'The maps appear once the network is built.';
    this.refresh();
  }

  /** Fetches the picked digit's maps from the worker and redraws, when the section is open. */
  async refresh() {
    const run = this.run;
    if (!this.root.open || !run || !run.built || typeof run.activations !== 'function') return;
    const n = this.#count();
    let i = Math.round(Number(this.index.value));
    if (!Number.isFinite(i) || i < 0) i = 0;
    if (i > n - 1) i = n - 1;
    this.index.value = String(i);
    const ask = ++this.asked;
    this.root.dataset.state = 'loading';
    let a;
    try {
      a = await run.activations(i);
    } catch (e) {
      if (ask === this.asked) { this.note.textContent = `The maps could not be read: ${e.message}`; this.root.dataset.state = 'error'; }
      return;
    }
    if (ask !== this.asked || run !== this.run) return;
    this.last = a;
    this.#draw(a);
    this.root.dataset.step = String(a.step);
    this.root.dataset.index = String(a.index);
    this.root.dataset.predicted = a.predicted === null ? '' : String(a.predicted);
    this.root.dataset.state = 'drawn';
  }

  /** Draws the last maps again (the mystery was answered: the layers get their own names back). */
  relabel() {
    if (this.last) this.#draw(this.last);
  }

  #draw(a) {
    // each row's grey scale is its function's (the range its tiles show), also where its name is masked
    const scaled = { ...a, layers: a.layers.map((l) => ({ ...l, range: rowScale(l) })) };
    a = this.masked() ? maskActivations(scaled) : scaled;
    this.note.textContent = `Validation image ${a.index} (label ${a.label}), ${a.step ? `after step ${count(a.step)}` : 'untrained (step 0)'}.`;
    this.rows.textContent = '';
    a.layers.forEach((l) => this.rows.append(this.#row(l, l.range)));
    this.#drawOutput(a);
    const p = a.predicted === null ? 'the outputs are not finite' : `predicted ${a.predicted} at ${pct(a.probs[a.predicted])}`;
    this.summary.textContent = `${a.layers.map(layerSummary).join('; ')}; ${p} (label ${a.label}).`;
  }

  #row(l, [lo, hi]) {
    const [c, h, w] = l.shape;
    const row = document.createElement('div');
    row.className = 'acts-row';
    row.dataset.layer = l.name;
    row.dataset.dead = String(l.dead);
    row.dataset.flat = String(l.flat);
    const head = document.createElement('div');
    head.className = 'acts-head';
    const flags = [l.dead ? `${l.dead} dead` : '', l.flat ? `${l.flat} flat` : ''].filter(Boolean).join(', ');
    head.innerHTML = '<b></b> <span class="acts-shape"></span> <span class="acts-flags"></span>';
    head.children[0].textContent = l.name;
    head.children[1].textContent = `${l.kind} · ${c}×${h}×${w} · black ${fmt(lo)}, white ${fmt(hi)}`;
    head.children[2].textContent = flags;
    row.append(head);
    const tiles = document.createElement('div');
    tiles.className = 'acts-tiles';
    tiles.setAttribute('role', 'group');
    tiles.setAttribute('aria-label', `${l.name}: ${c} ${h * w === 1 ? 'units' : 'channels'}`);
    const dead = Array.from(l.channels, (s) => s === DEAD);
    const grey = (v) => (hi > lo ? Math.round(255 * Math.max(0, Math.min(1, (v - lo) / (hi - lo)))) : 0);
    if (h * w === 1) {
      tiles.append(this.#units(l, grey, dead));
    } else {
      const px = Math.max(MIN_PX, Math.min(MAX_PX, 2 * h));
      for (let k = 0; k < c; k++) {
        const cv = document.createElement('canvas');
        cv.width = w;
        cv.height = h;
        cv.className = 'acts-tile';
        cv.style.width = `${Math.round((px * w) / h)}px`;
        cv.style.height = `${px}px`;
        const ctx = cv.getContext('2d');
        const img = ctx.createImageData(w, h);
        let clo = Infinity, chi = -Infinity;
        for (let i = 0; i < h * w; i++) {
          const v = l.values[k * h * w + i];
          clo = Math.min(clo, v); chi = Math.max(chi, v);
          const g = dead[k] ? 0 : grey(v);
          img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
          img.data[4 * i + 3] = 255;
        }
        ctx.putImageData(img, 0, 0);
        const isFlat = l.channels[k] === FLAT;
        if (dead[k]) cv.classList.add('dead');
        else if (isFlat) cv.classList.add('flat');
        const label = `${l.name} channel ${k + 1}: ${dead[k] ? 'dead here, 0 everywhere on this digit' : `${fmt(clo)} to ${fmt(chi)}${isFlat ? ', flat' : ''}`}`;
        cv.title = label;
        cv.setAttribute('role', 'img');
        cv.setAttribute('aria-label', label);
        tiles.append(cv);
      }
    }
    row.append(tiles);
    return row;
  }

  /** A dense layer's units as one strip of cells, wrapped into rows of at most 32. */
  #units(l, grey, dead) {
    const c = l.shape[0];
    const cols = Math.min(c, 32);
    const rows = Math.ceil(c / cols);
    const cv = document.createElement('canvas');
    cv.width = cols;
    cv.height = rows;
    cv.className = 'acts-units';
    cv.style.width = `${cols * CELL_PX}px`;
    cv.style.height = `${rows * CELL_PX}px`;
    const ctx = cv.getContext('2d');
    const img = ctx.createImageData(cols, rows);
    for (let k = 0; k < cols * rows; k++) {
      const g = k < c && !dead[k] ? grey(l.values[k]) : 0;
      img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = g;
      img.data[4 * k + 3] = k < c ? 255 : 0;
    }
    ctx.putImageData(img, 0, 0);
    const label = `${l.name}: ${c} units${l.dead ? `, ${l.dead} at 0` : ''}`;
    cv.title = label;
    cv.setAttribute('role', 'img');
    cv.setAttribute('aria-label', label);
    return cv;
  }

  /** The ten logits and their softmax as bars, the predicted digit and this digit's loss. */
  #drawOutput(a) {
    this.out.textContent = '';
    const table = document.createElement('table');
    table.className = 'acts-probs';
    const said = document.createElement('p');
    said.className = 'acts-answer';
    table.innerHTML = '<caption class="sr-only">The ten logits and their softmax</caption><thead><tr><th scope="col">digit</th><th scope="col">logit</th><th scope="col">softmax</th></tr></thead><tbody></tbody>';
    const loss = -Math.log(a.probs[a.label]);
    said.textContent = a.predicted === null
      ? 'The logits are not finite: the network has no answer.'
      : `Predicted ${a.predicted} at ${pct(a.probs[a.predicted])}${a.logits.every((z) => z === a.logits[0]) ? ' (ten equal logits: a tie, read as the first digit)' : ''}; the label is ${a.label}, so this digit's loss is −ln p(${a.label}) = ${fmt(loss)} nats.`;
    const body = table.tBodies[0];
    for (let d = 0; d < a.logits.length; d++) {
      const tr = document.createElement('tr');
      if (d === a.predicted) tr.dataset.predicted = '';
      if (d === a.label) tr.dataset.label = '';
      tr.innerHTML = '<th scope="row"></th><td class="num"></td><td><span class="acts-bar"><span></span></span> <span class="num"></span></td>';
      tr.cells[0].textContent = `${d}${d === a.label ? ' (label)' : ''}`;
      tr.cells[1].textContent = fmt(a.logits[d]);
      const p = a.probs[d];
      tr.cells[2].querySelector('.acts-bar > span').style.width = `${Number.isFinite(p) ? 100 * p : 0}%`;
      tr.cells[2].querySelector('.num').textContent = Number.isFinite(p) ? pct(p) : '–';
      body.append(tr);
    }
    this.out.append(said, table);
  }
}
