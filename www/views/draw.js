// "Draw a digit": a pad where the student draws with the mouse, a finger or a pen (pointer events); the drawing
// is prepared the way MNIST's digits were (www/digitpad.js: strokes with an MNIST pen, the ink's box scaled to
// 20 pixels, the centre of mass moved to the middle of 28×28), the current network classifies it (Run.classify:
// one forward pass in the worker, between two chunks of training) and the ten probabilities are shown as bars,
// with the image the network saw and what its answer means — softmax always answers, even for no digit at all.
// It asks again when a stroke ends, when the network is (re)built, at each epoch end and every few seconds while
// training, so the bars follow the weights as they learn.
import { SIDE, RASTER, normaliseStrokes, mnistImage, describe, percent as pct } from '../digitpad.js';

/** Width of the pen on the pad, in pad pixels (280 across): about what the network's image gets for a digit drawn
 * across most of the pad (the network's copy always gets an MNIST pen, www/digitpad.js). */
const PAD_PEN = 20;
/** While training, ask again at most this often (one forward pass: well under a millisecond of the worker). */
const TICK_MS = 2000;

export class DrawView {
  /**
   * @param {HTMLElement} root  the section (#draw) holding #draw-pad, #draw-seen, #draw-bars, #draw-headline,
   *                            #draw-detail and the Undo and Clear buttons
   * @param {object} opts       run(): the current Run
   */
  constructor(root, { run }) {
    this.root = root;
    this.run = run;
    this.pad = root.querySelector('#draw-pad');
    this.seen = root.querySelector('#draw-seen');
    this.bars = root.querySelector('#draw-bars');
    this.headline = root.querySelector('#draw-headline');
    this.detail = root.querySelector('#draw-detail');
    this.undoButton = root.querySelector('#btn-draw-undo');
    this.clearButton = root.querySelector('#btn-draw-clear');
    this.strokes = [];
    this.current = null; // the stroke being drawn: {id: pointerId, points}
    this.image = null; // the 28×28 image of the drawing (Float32Array), null when blank
    this.version = 0; // bumped by every change of the drawing
    this.asking = false;
    this.again = false;
    this.lastTick = 0;
    this.rows = [];
    for (let d = 0; d < 10; d++) {
      const li = document.createElement('li');
      li.dataset.digit = String(d);
      const label = document.createElement('span');
      label.className = 'db-digit';
      label.textContent = String(d);
      const track = document.createElement('span');
      track.className = 'db-track';
      const fill = document.createElement('span');
      fill.className = 'db-fill';
      track.append(fill);
      const value = document.createElement('span');
      value.className = 'db-pct';
      li.append(label, track, value);
      this.bars.append(li);
      this.rows.push({ li, fill, value });
    }
    this.#wirePointer();
    this.undoButton.addEventListener('click', () => { this.strokes.pop(); this.#changed(); });
    this.clearButton.addEventListener('click', () => { this.strokes = []; this.#changed(); });
    this.undoButton.disabled = this.clearButton.disabled = true;
    this.#paint();
    this.#showAnswer(null);
  }

  // ------------------------------------------------------------ run events
  /** The network was (re)built: an untrained net answers the drawing. */
  built() { this.ask(); }
  /** An epoch ended: the answer of the weights it ended with. */
  epoch() { this.ask(); }
  /** A progress message: while training, ask again every TICK_MS. */
  tick() {
    const now = performance.now();
    if (now - this.lastTick < TICK_MS) return;
    this.lastTick = now;
    this.ask();
  }
  /** The run is being rebuilt: the old answer no longer belongs to any network. */
  reset() {
    if (!this.image) return;
    const failed = this.run()?.status === 'error';
    this.root.dataset.state = failed ? 'error' : 'waiting';
    this.headline.textContent = failed ? 'There is no network to ask: it could not be built (the status line says why).'
      : 'The network is being built; it answers once it is ready.';
    this.detail.textContent = '';
    this.#bars(null);
  }

  // ------------------------------------------------------------ drawing
  #wirePointer() {
    const pad = this.pad;
    const at = (e) => {
      const r = pad.getBoundingClientRect();
      return { x: ((e.clientX - r.left) * RASTER) / r.width, y: ((e.clientY - r.top) * RASTER) / r.height };
    };
    pad.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || this.current) return;
      e.preventDefault();
      pad.setPointerCapture(e.pointerId);
      this.current = { id: e.pointerId, points: [at(e)] };
      this.strokes.push(this.current.points);
      this.#paint();
    });
    pad.addEventListener('pointermove', (e) => {
      if (!this.current || e.pointerId !== this.current.id) return;
      // a pen or a fast mouse delivers several positions per frame: keep them all, for smooth curves
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
      for (const c of events.length ? events : [e]) this.current.points.push(at(c));
      this.#paint();
    });
    const end = (e) => {
      if (!this.current || e.pointerId !== this.current.id) return;
      this.current = null;
      this.#changed();
    };
    pad.addEventListener('pointerup', end);
    pad.addEventListener('pointercancel', end);
  }

  /** Draws the strokes on the pad (white on black, as MNIST), or a hint when it is blank. */
  #paint() {
    const pad = this.pad;
    const dpr = Math.max(1, Math.round(window.devicePixelRatio || 1));
    if (pad.width !== RASTER * dpr) { pad.width = RASTER * dpr; pad.height = RASTER * dpr; }
    const ctx = pad.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, RASTER, RASTER);
    if (!this.strokes.length) {
      ctx.fillStyle = '#8a8a8a';
      ctx.font = '16px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText('draw a digit here', RASTER / 2, RASTER / 2 + 5);
      return;
    }
    strokePaths(ctx, this.strokes, PAD_PEN);
  }

  /** The drawing changed (a stroke ended, Undo, Clear): prepare its 28×28 image and ask the network. */
  #changed() {
    this.version++;
    this.#paint();
    this.undoButton.disabled = this.clearButton.disabled = !this.strokes.length;
    const norm = normaliseStrokes(this.strokes);
    this.image = norm ? rasterImage(norm) : null;
    this.#showSeen();
    if (!this.image) this.#showAnswer(null);
    else this.ask();
  }

  #showSeen() {
    const ctx = this.seen.getContext('2d');
    const img = ctx.createImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) {
      const g = this.image ? Math.round(255 * this.image[i]) : 0;
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // ------------------------------------------------------------ asking the network
  /** Classifies the current drawing with the current weights (one request at a time; the latest drawing wins). */
  ask() {
    if (!this.image) return;
    const run = this.run();
    if (!run || !run.built) { this.reset(); return; }
    if (this.asking) { this.again = true; return; }
    this.asking = true;
    this.again = false;
    const version = this.version, build = run.buildId;
    run.classify(this.image)
      .then((r) => {
        if (version === this.version && run === this.run() && build === run.buildId) this.#showAnswer(r.probs, r.step);
      })
      .catch((e) => {
        if (version === this.version && run === this.run() && build === run.buildId) {
          this.root.dataset.state = 'error';
          this.headline.textContent = `No answer: ${e.message}.`;
          this.detail.textContent = '';
          this.#bars(null);
        }
      })
      .finally(() => {
        this.asking = false;
        const stale = version !== this.version || run !== this.run() || build !== run.buildId;
        if (this.again || (stale && this.image && this.run()?.built)) this.ask();
      });
  }

  /** Renders an answer (probs: 10 probabilities; null when nothing is drawn). */
  #showAnswer(probs, step = 0) {
    const d = describe(probs, { step });
    this.root.dataset.state = d.state;
    this.root.dataset.top = d.state === 'answer' ? String(d.top) : '';
    this.headline.textContent = d.headline;
    this.detail.textContent = d.detail;
    this.#bars(d.state === 'answer' ? probs : null, d.top);
  }

  #bars(probs, top) {
    this.rows.forEach(({ li, fill, value }, digit) => {
      const p = probs ? probs[digit] : null;
      li.dataset.p = p === null ? '' : String(p);
      li.classList.toggle('db-top', p !== null && digit === top);
      fill.style.width = p === null ? '0%' : `${(100 * p).toFixed(1)}%`;
      value.textContent = p === null ? '—' : pct(p) + (digit === top ? ' ◀ top guess' : '');
      li.setAttribute('aria-label', p === null ? `${digit}: no answer` : `${digit}: ${pct(p)}${digit === top ? ', the top guess' : ''}`);
    });
  }

  /** The current drawing's 28×28 image (null when blank): what classify() sends. */
  get seenImage() { return this.image; }
}

/** Strokes as round-capped polylines of `width` in the current fill/stroke colour white; a tap is a dot. */
function strokePaths(ctx, strokes, width) {
  ctx.strokeStyle = '#fff';
  ctx.fillStyle = '#fff';
  ctx.lineWidth = width;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of strokes) {
    if (s.length === 1) {
      ctx.beginPath();
      ctx.arc(s[0].x, s[0].y, width / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(s[0].x, s[0].y);
    for (const p of s.slice(1)) ctx.lineTo(p.x, p.y);
    ctx.stroke();
  }
}

let raster = null;
/** The normalised strokes drawn with their MNIST pen on an offscreen RASTER square, its ink (alpha) prepared by
 * www/digitpad.js into the network's 28×28 image. */
function rasterImage({ strokes, width }) {
  raster ??= document.createElement('canvas');
  raster.width = RASTER;
  raster.height = RASTER;
  const ctx = raster.getContext('2d', { willReadFrequently: true });
  ctx.clearRect(0, 0, RASTER, RASTER);
  strokePaths(ctx, strokes, width);
  const rgba = ctx.getImageData(0, 0, RASTER, RASTER).data;
  const ink = new Float32Array(RASTER * RASTER);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3] / 255;
  return mnistImage(ink, RASTER, RASTER);
}
