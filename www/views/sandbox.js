// "The same law in two dimensions": the lab's own optimizer, with the learning rate, momentum and betas set in the
// lab, stepping through the valley f(x, y) = ½(a·x² + b·y²) (the picture of Goh 2017, "Why Momentum Really Works",
// Distill). The path comes from the engine (run.sandbox(), src/sandbox.rs: the Optimizer::step that trains the CNN,
// run in the training worker between two chunks), and so do the bound, where swings begin and the verdicts; this
// file only draws them and animates the path it was given, a step at a time. It asks again whenever a setting or
// the valley changes, and only while the section is open (lossLab.sandbox() asks whatever the section does).
import { el } from '../ui/dom.js';
import { font } from '../ui/canvas.js';
import { OI, chartStyle } from '../charts.js';

/** Steps in one path, and how many the animation shows a second. */
export const STEPS = 200;
const STEPS_PER_SECOND = 25;
/** The start: far along the shallow axis y, a little off the floor x = 0 (as Distill's figure starts), so that
 * growing swings across the floor stay in the picture for a few steps. */
export const START = [0.15, 1.0];
/** Half the width of the square of (x, y) the plot shows. */
const R = 1.25;

/** The valley menu: id, name, a (curvature along x), b (along y). */
export const VALLEYS = [
  ['narrow', 'Narrow valley', 200, 10],
  ['steep', 'Very narrow valley', 1000, 2],
  ['round', 'Round bowl', 60, 60],
];
const LAMBDA_MIN = 0.01;
const LAMBDA_MAX = 100000;

const OPT_NAME = { sgd: 'SGD', momentum: 'momentum (heavy ball)', nesterov: 'Nesterov momentum', adam: 'Adam' };
/** How each method's bound is written. */
const BOUND_TEXT = { sgd: '2', momentum: '2(1 + μ)', nesterov: '2(1 + μ)/(1 + 2μ)', adam: '2(1 + β1)/(1 − β1)' };
const AXIS = ['x', 'y'];

/** A number for the reading: three significant digits, no float noise. */
export function num(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/**
 * The one-line reading of an answer (`s`: the engine's reply with the settings it was asked with): what the path
 * does and along which axis, with the numbers that decide it. Sentences are keyed by the engine's verdict ids.
 */
export function reading(s) {
  const i = s.axisIndex;
  const ax = s.axes[i];
  const along = AXIS[i];
  const other = s.axes[1 - i];
  if (s.opt === 'adam') {
    // Adam is judged by what its path did: no bound on η·λ applies to it
    const top = Math.max(s.axes[0].ratio, s.axes[1].ratio);
    const edge = `η·λ/P up to ${num(top)} at the last step, against Adam's own edge ${num(s.threshold)}`;
    switch (s.verdict) {
      case 'diverges': return `Diverges along ${along}: the path left the picture (${edge}).`;
      case 'converges': return `Settles on the floor within ${s.steps} steps (${edge}).`;
      default: return `Has not settled after ${s.steps} steps${other.verdict === 'unsettled' ? '' : `: it is still moving along ${along}`} (${edge}).`;
    }
  }
  const bound = BOUND_TEXT[s.opt] === num(s.threshold) ? num(s.threshold) : `${BOUND_TEXT[s.opt]} = ${num(s.threshold)}`;
  const crosses = s.opt === 'sgd' ? 'each step crosses the valley floor' : 'the path swings back and forth across the valley floor';
  const lrMax = num(s.threshold / s.lambdaMax);
  switch (s.verdict) {
    case 'diverges': {
      const both = other.verdict === 'diverges'
        ? `both axes: η·λ = ${num(ax.ratio)} along ${along} and ${num(other.ratio)} along ${AXIS[1 - i]} are`
        : `${along}: η·λ = ${num(ax.ratio)} is`;
      return `Diverges along ${both} above ${bound}, so every swing across the valley is larger than the last. This valley needs a learning rate below ${lrMax}.`;
    }
    case 'edge':
      return `On the edge along ${along}: η·λ = ${num(ax.ratio)} equals ${bound}; the swing neither grows nor shrinks.`;
    case 'oscillates':
      return `Oscillates and converges: along ${other.verdict === 'oscillates' ? 'both axes' : along} ${crosses}. η·λ = ${num(ax.ratio)} along ${along} is above ${num(s.onset)}, where swings begin, and below ${bound}, so the swings shrink, by ×${num(ax.rate)} a step along ${along}${other.verdict === 'converges' ? `; along ${AXIS[1 - i]} the path creeps down without crossing, by ×${num(other.rate)} a step` : ` and ×${num(other.rate)} along ${AXIS[1 - i]}`}.`;
    default:
      return `Converges without overshooting: η·λ = ${num(ax.ratio)} along ${along} is below ${num(s.onset)}, where swings begin (the bound is ${bound}); the slower axis shrinks by ×${num(Math.max(s.axes[0].rate, s.axes[1].rate))} a step.`;
  }
}

/** What Adam's figures mean, shown under its reading. */
export const ADAM_NOTE = 'Adam has no bound on η·λ: it divides each coordinate\u2019s step by P = √v̂ + ε, which shrinks with the gradients, so it moves each coordinate by about η a step whatever the curvature. With P held still it would be a heavy ball, stable while η·λ/P < 2(1 + β1)/(1 − β1); as the gradients shrink, η·λ/P climbs towards that edge and stays near it (Cohen et al. 2022, \u201cAdaptive Gradient Methods at the Edge of Stability\u201d; β2 = 0.9 shows it within 200 steps).';

export class SandboxView {
  /** root: the #sandbox <details>; run() -> the current Run; config() -> the page's configuration. */
  constructor(root, { run, config }) {
    this.root = root;
    this.runOf = run;
    this.config = config;
    this.a = VALLEYS[0][2];
    this.b = VALLEYS[0][3];
    this.start = [...START];
    this.result = null; // the engine's last answer, with the settings it was asked with
    this.shown = 0; // steps of the path drawn
    this.playing = false;
    this.asked = 0;
    this.frame = 0;
    this.reduced = matchMedia('(prefers-reduced-motion: reduce)');
    this.#build(root.querySelector('.sandbox-body'));
    root.addEventListener('toggle', () => { if (root.open) this.refresh(); else this.#pause(); });
    new ResizeObserver(() => { if (this.result) this.#draw(); }).observe(this.plot);
  }

  #build(body) {
    const id = (s) => `sandbox-${s}`;
    this.valley = el('select', { id: id('valley') },
      ...VALLEYS.map(([v, name, a, b]) => el('option', { value: v, text: `${name} (λ ${a} and ${b})` })),
      el('option', { value: 'custom', text: 'Your own curvatures' }));
    const lam = (name, value) => el('input', { type: 'number', id: id(name), min: LAMBDA_MIN, max: LAMBDA_MAX, step: 'any', value, inputmode: 'decimal' });
    this.inA = lam('a', this.a);
    this.inB = lam('b', this.b);
    this.btnPlay = el('button', { type: 'button', id: id('play'), class: 'primary', text: 'Play' });
    this.btnStep = el('button', { type: 'button', id: id('step'), text: 'One step' });
    this.btnReset = el('button', { type: 'button', id: id('reset'), text: 'Reset' });
    this.note = el('span', { class: 'help', id: id('note'), 'aria-live': 'polite' });
    const tools = el('div', 'filters-tools sandbox-tools',
      el('label', {}, 'Valley ', this.valley),
      el('label', { title: 'Curvature along x: the eigenvalue of the Hessian on that axis' }, 'λ along x (a) ', this.inA),
      el('label', { title: 'Curvature along y' }, 'λ along y (b) ', this.inB));
    const run = el('div', 'filters-tools sandbox-tools', this.btnPlay, this.btnStep, this.btnReset, this.note);
    this.plot = el('canvas', { id: id('plot'), class: 'sandbox-plot', role: 'img',
      'aria-label': 'Contours of the valley and the optimizer\u2019s path through it; the reading beside it says what the path does' });
    this.gauge = el('canvas', { id: id('gauge'), class: 'sandbox-gauge', role: 'img',
      'aria-label': 'η·λ of each axis on a log scale against the bands where the path creeps, swings and diverges' });
    this.facts = el('dl', { class: 'sandbox-facts', id: id('facts') });
    this.read = el('p', { class: 'sandbox-reading', id: id('reading'), 'aria-live': 'polite' });
    this.adamNote = el('p', { class: 'help', id: id('adam'), text: ADAM_NOTE, hidden: '' });
    this.stepLine = el('p', { class: 'help sandbox-step', id: id('stepline') });
    const side = el('div', 'sandbox-side', this.facts, this.gauge, this.read, this.adamNote, this.stepLine);
    body.append(tools, run, el('div', 'sandbox-grid', el('div', 'sandbox-plotbox', this.plot), side));
    this.valley.addEventListener('change', () => {
      const v = VALLEYS.find(([k]) => k === this.valley.value);
      if (v) { this.a = v[2]; this.b = v[3]; this.inA.value = String(v[2]); this.inB.value = String(v[3]); this.#restart(); }
    });
    for (const input of [this.inA, this.inB]) input.addEventListener('change', () => this.#readCurvatures());
    this.btnPlay.addEventListener('click', () => (this.playing ? this.#pause() : this.#play()));
    this.btnStep.addEventListener('click', () => { this.#pause(); this.#show(this.shown + 1); });
    this.btnReset.addEventListener('click', () => { this.#pause(); this.#show(0); });
    this.plot.addEventListener('click', (e) => this.#pick(e));
  }

  #readCurvatures() {
    const get = (input, old) => {
      const v = Number(input.value);
      if (!Number.isFinite(v) || v < LAMBDA_MIN || v > LAMBDA_MAX) {
        input.value = String(old);
        this.note.textContent = `A curvature is a number from ${LAMBDA_MIN} to ${LAMBDA_MAX}.`;
        return old;
      }
      return v;
    };
    this.a = get(this.inA, this.a);
    this.b = get(this.inB, this.b);
    const v = VALLEYS.find(([, , a, b]) => a === this.a && b === this.b);
    this.valley.value = v ? v[0] : 'custom';
    this.#restart();
  }

  /** A click on the plot moves the start there. */
  #pick(e) {
    const r = this.plot.getBoundingClientRect();
    const { toX, toY } = this.#frame(r.width, r.height);
    this.start = [toX.inv(e.clientX - r.left), toY.inv(e.clientY - r.top)].map((v) => Math.max(-R, Math.min(R, Number(v.toFixed(3)))));
    this.#restart();
  }

  /** The valley or the start changed: a new path from step 0. */
  #restart() {
    this.shown = 0;
    this.refresh();
  }

  /** What is asked of the engine now: the lab's optimizer settings and this valley. */
  spec() {
    const c = this.config();
    const opt = { opt: c.opt, lr: c.lr, mom: c.mom, b1: c.b1, b2: c.b2, eps: c.eps };
    return { config: opt, a: this.a, b: this.b, x0: this.start[0], y0: this.start[1], steps: STEPS };
  }

  /** The engine's path and reading for the current settings, as lossLab.sandbox() gives it. */
  async ask() {
    const spec = this.spec();
    const r = await this.runOf().sandbox(spec);
    const c = spec.config;
    const path = [];
    for (let i = 0; i + 1 < r.path.length; i += 2) path.push([r.path[i], r.path[i + 1]]);
    const adam = r.adamRatios ? Array.from({ length: r.adamRatios.length / 2 }, (_, i) => [r.adamRatios[2 * i], r.adamRatios[2 * i + 1]]) : null;
    return {
      opt: c.opt, lr: Number(c.lr), mom: Number(c.mom), b1: Number(c.b1), b2: Number(c.b2), eps: Number(c.eps),
      a: spec.a, b: spec.b, start: [spec.x0, spec.y0], steps: spec.steps,
      lambdaMax: Math.max(spec.a, spec.b), ratio: r.axes[r.axis].ratio, threshold: r.threshold, onset: r.onset,
      verdict: r.verdict, axis: AXIS[r.axis], axisIndex: r.axis, axes: r.axes.map((a) => ({ ...a })), path, adamRatios: adam,
    };
  }

  /** lossLab.sandbox(valley): sets {a, b} when given, then resolves with a fresh answer (the section need not be open). */
  async state(valley = {}) {
    if (valley && (valley.a !== undefined || valley.b !== undefined)) {
      if (valley.a !== undefined) this.inA.value = String(valley.a);
      if (valley.b !== undefined) this.inB.value = String(valley.b);
      this.#readCurvatures();
    }
    const s = await this.ask();
    return { ...s, reading: reading(s), shown: this.result ? this.shown : 0 };
  }

  /** Asks the engine again (a setting or the valley changed) and redraws, when the section is open. */
  async refresh() {
    if (!this.root.open) return;
    const ask = ++this.asked;
    this.root.dataset.state = 'loading';
    let s;
    try {
      s = await this.ask();
    } catch (e) {
      if (ask === this.asked) {
        this.note.textContent = `The sandbox could not be computed: ${e.message}`;
        this.root.dataset.state = 'error';
      }
      return;
    }
    if (ask !== this.asked) return;
    this.note.textContent = '';
    this.result = s;
    this.read.textContent = reading(s);
    this.adamNote.hidden = s.opt !== 'adam';
    this.root.dataset.state = 'drawn';
    this.root.dataset.verdict = s.verdict;
    this.root.dataset.ratio = String(s.ratio);
    this.root.dataset.opt = s.opt;
    this.#show(this.reduced.matches && this.playing ? s.path.length - 1 : this.shown);
  }

  #play() {
    if (!this.result) return;
    if (this.shown >= this.result.path.length - 1) this.shown = 0;
    if (this.reduced.matches) { this.#show(this.result.path.length - 1); return; } // no animation: the whole path at once
    this.playing = true;
    this.btnPlay.textContent = 'Pause';
    let last = performance.now();
    let carry = 0;
    const tick = (now) => {
      if (!this.playing) return;
      carry += ((now - last) * STEPS_PER_SECOND) / 1000;
      last = now;
      const n = Math.floor(carry);
      carry -= n;
      if (n) this.#show(this.shown + n);
      if (this.shown >= this.result.path.length - 1) { this.#pause(); return; }
      this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  #pause() {
    this.playing = false;
    cancelAnimationFrame(this.frame);
    this.btnPlay.textContent = this.reduced.matches ? 'Show every step' : 'Play';
  }

  /** Shows the path up to step k (clamped to the path). */
  #show(k) {
    if (!this.result) return;
    this.shown = Math.max(0, Math.min(this.result.path.length - 1, k));
    this.root.dataset.shown = String(this.shown);
    this.#draw();
  }

  #draw() {
    const s = this.result;
    this.#facts(s);
    this.#drawPlot(s);
    this.#drawGauge(s);
    const [x, y] = s.path[this.shown];
    const f = 0.5 * (s.a * x * x + s.b * y * y);
    const left = s.path.length - 1 < s.steps && this.shown === s.path.length - 1 ? ' The path ends here: it has run off past 10⁶.' : '';
    this.stepLine.textContent = `Step ${this.shown} of ${s.path.length - 1}: (x, y) = (${num(x)}, ${num(y)}), loss f = ${num(f)}.${left} Click the picture to start elsewhere.`;
    this.btnPlay.textContent = this.playing ? 'Pause' : this.reduced.matches ? 'Show every step' : 'Play';
  }

  #facts(s) {
    const rows = [
      ['Optimizer', `${OPT_NAME[s.opt] ?? s.opt}${s.opt === 'momentum' || s.opt === 'nesterov' ? `, μ = ${num(s.mom)}` : ''}${s.opt === 'adam' ? `, β1 = ${num(s.b1)}, β2 = ${num(s.b2)}, ε = ${num(s.eps)}` : ''}`],
      ['Learning rate η', `${num(s.lr)} (the lab's)`],
      ['Curvatures λ', `${num(s.a)} along x, ${num(s.b)} along y`],
    ];
    if (s.opt === 'adam') {
      const r = this.shown > 0 ? s.adamRatios[this.shown - 1] : null;
      rows.push(['η·λ/P at this step', r ? `${num(r[0])} along x, ${num(r[1])} along y` : 'no step yet']);
      rows.push(['Adam\u2019s edge', `${BOUND_TEXT.adam} = ${num(s.threshold)}`]);
    } else {
      rows.push(['η·λ_max', `${num(s.ratio)} (along ${s.axis})`]);
      rows.push([`Bound ${BOUND_TEXT[s.opt]}`, num(s.threshold)]);
    }
    this.facts.textContent = '';
    for (const [k, v] of rows) this.facts.append(el('dt', { text: k }), el('dd', { text: v }));
  }

  /** Pixel mappings of the plot: world (x, y) in −R … R to CSS pixels, equal scales. */
  #frame(w, h) {
    const pad = 18;
    const half = Math.min(w, h) / 2 - pad;
    const cx = w / 2, cy = h / 2;
    const toX = (x) => cx + (x / R) * half;
    toX.inv = (px) => ((px - cx) / half) * R;
    const toY = (y) => cy - (y / R) * half;
    toY.inv = (py) => ((cy - py) / half) * R;
    return { toX, toY, half, cx, cy };
  }

  #canvas(cv) {
    const w = cv.clientWidth, h = cv.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(h * dpr);
    }
    const ctx = cv.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { ctx, w, h };
  }

  #drawPlot(s) {
    const { ctx, w, h } = this.#canvas(this.plot);
    if (!w || !h) return;
    const st = chartStyle();
    const { toX, toY, half, cx, cy } = this.#frame(w, h);
    const ink = st.highContrast ? '#000' : '#555';
    // contours: f = level is the ellipse with semi-axes √(2·level/a), √(2·level/b); levels a factor 2.5 apart
    // down from the one through the corner of the picture
    ctx.save();
    ctx.beginPath();
    ctx.rect(cx - half, cy - half, 2 * half, 2 * half);
    ctx.clip();
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(cx - half, cy - half, 2 * half, 2 * half);
    const top = 0.5 * (s.a + s.b) * R * R;
    for (let k = 0, level = top; k < 14; k++, level /= 2.5) {
      const rx = (Math.sqrt((2 * level) / s.a) / R) * half, ry = (Math.sqrt((2 * level) / s.b) / R) * half;
      if (Math.min(rx, ry) < 0.6) break;
      ctx.beginPath();
      ctx.ellipse(cx, cy, rx, ry, 0, 0, 2 * Math.PI);
      ctx.strokeStyle = st.highContrast ? '#777' : '#c4c4c4';
      ctx.lineWidth = st.lineScale;
      ctx.stroke();
    }
    // the valley floor (x = 0) and the minimum
    ctx.strokeStyle = '#e0e0e0';
    ctx.beginPath(); ctx.moveTo(cx, cy - half); ctx.lineTo(cx, cy + half); ctx.moveTo(cx - half, cy); ctx.lineTo(cx + half, cy); ctx.stroke();
    ctx.fillStyle = ink;
    ctx.beginPath(); ctx.arc(cx, cy, 3 * st.lineScale, 0, 2 * Math.PI); ctx.fill();
    // the path up to the step shown
    // up to the first point far outside the picture: the segment to it shows the way out, the rest only clutters
    let pts = s.path.slice(0, this.shown + 1);
    const far = pts.findIndex(([x, y]) => Math.abs(x) > 3 * R || Math.abs(y) > 3 * R);
    if (far >= 0) pts = pts.slice(0, far + 1);
    ctx.strokeStyle = OI.blue;
    ctx.lineWidth = 1.6 * st.lineScale;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    pts.forEach(([x, y], i) => { const px = clampPx(toX(x)), py = clampPx(toY(y)); if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py); });
    ctx.stroke();
    ctx.fillStyle = OI.blue;
    for (const [x, y] of pts) { ctx.beginPath(); ctx.arc(clampPx(toX(x)), clampPx(toY(y)), 1.8 * st.lineScale, 0, 2 * Math.PI); ctx.fill(); }
    // the start (ring) and the point now (filled)
    const [x0, y0] = s.path[0];
    ctx.strokeStyle = ink; ctx.lineWidth = 1.5 * st.lineScale;
    ctx.beginPath(); ctx.arc(toX(x0), toY(y0), 5 * st.lineScale, 0, 2 * Math.PI); ctx.stroke();
    const [xn, yn] = s.path[this.shown];
    ctx.fillStyle = OI.vermillion;
    ctx.beginPath(); ctx.arc(clampPx(toX(xn)), clampPx(toY(yn)), 5 * st.lineScale, 0, 2 * Math.PI); ctx.fill();
    ctx.restore();
    // frame and axis names
    ctx.strokeStyle = st.highContrast ? '#000' : '#999';
    ctx.lineWidth = 1;
    ctx.strokeRect(cx - half, cy - half, 2 * half, 2 * half);
    const px = Math.round(12 * st.textScale);
    ctx.font = font(px);
    ctx.fillStyle = ink;
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'right';
    ctx.fillText(`x: λ = ${num(s.a)}`, cx + half - 4, cy + half - 3);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`y: λ = ${num(s.b)}`, cx - half + 4, cy - half + 3);
    const out = Math.abs(xn) > R || Math.abs(yn) > R;
    if (out) {
      ctx.font = font(px, 'bold');
      ctx.fillStyle = OI.vermillion;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      const left = s.path.findIndex(([x, y]) => Math.abs(x) > R || Math.abs(y) > R);
      ctx.fillText(`outside the picture since step ${left}`, cx, cy + half - px - 8);
    }
  }

  #drawGauge(s) {
    const { ctx, w, h } = this.#canvas(this.gauge);
    if (!w || !h) return;
    const st = chartStyle();
    const adam = s.opt === 'adam';
    const now = adam ? (this.shown > 0 ? s.adamRatios[this.shown - 1] : null) : s.axes.map((a) => a.ratio);
    // a log scale from 10⁻³ to a decade past the bound or the largest ratio
    const hiRatio = Math.max(...(now ?? [0]).filter(Number.isFinite), s.threshold);
    const lo = Math.log10(adam ? 1e-3 : Math.min(1e-3, (s.onset || 1e-3) / 2));
    const hi = Math.log10(hiRatio * 3);
    const padL = 16, padR = 12;
    const X = (v) => padL + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (w - padL - padR);
    const px = Math.round(11 * st.textScale);
    const barTop = px + 8, barH = Math.max(18, h - 2 * px - 20);
    const bands = adam
      ? [[10 ** lo, s.threshold, '#e6f0fa', 'stable if P stood still'], [s.threshold, 10 ** hi, '#fbe0d8', 'past Adam\u2019s edge']]
      : [[10 ** lo, s.onset, '#e3f1e8', 'creeps'], [s.onset, s.threshold, '#fff1cf', 'swings'], [s.threshold, 10 ** hi, '#fbe0d8', 'diverges']];
    ctx.font = font(px);
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'center';
    for (const [a, b, colour, name] of bands) {
      const x1 = X(a), x2 = X(b);
      ctx.fillStyle = colour;
      ctx.fillRect(x1, barTop, x2 - x1, barH);
      if (x2 - x1 > ctx.measureText(name).width + 6) { ctx.fillStyle = '#333'; ctx.fillText(name, (x1 + x2) / 2, barTop + barH / 2); }
    }
    ctx.strokeStyle = st.highContrast ? '#000' : '#888';
    ctx.lineWidth = 1;
    ctx.strokeRect(padL, barTop, w - padL - padR, barH);
    // the bound
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2 * st.lineScale;
    ctx.beginPath(); ctx.moveTo(X(s.threshold), barTop - 4); ctx.lineTo(X(s.threshold), barTop + barH + 4); ctx.stroke();
    ctx.fillStyle = '#000';
    ctx.textBaseline = 'top';
    ctx.fillText(`${num(s.threshold)}`, Math.min(w - 14, X(s.threshold)), barTop + barH + 5);
    // decades
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    for (let d = Math.ceil(lo); d <= Math.floor(hi); d++) {
      const x = X(10 ** d);
      if (Math.abs(x - X(s.threshold)) < 28) continue;
      ctx.fillText(d === 0 ? '1' : `10${sup(d)}`, x, barTop + barH + 5);
    }
    // each axis's η·λ (Adam: η·λ/P at the step shown)
    if (now) {
      ctx.textBaseline = 'bottom';
      ctx.font = font(px, 'bold');
      const marks = [0, 1].map((i) => ({ i, x: X(now[i]) }));
      const close = Math.abs(marks[0].x - marks[1].x) < 2 * px;
      for (const { i, x } of marks) {
        ctx.fillStyle = i === s.axisIndex ? OI.vermillion : OI.blue;
        ctx.beginPath(); ctx.moveTo(x, barTop + 2); ctx.lineTo(x - 5, barTop - 5); ctx.lineTo(x + 5, barTop - 5); ctx.closePath(); ctx.fill();
        const label = close ? (i === 0 ? 'x, y' : '') : AXIS[i];
        if (label) ctx.fillText(label, x, barTop - 6);
      }
    }
  }
}

/** Keeps a far-off point within a few thousand pixels: canvas paths lose precision beyond that. */
function clampPx(v) {
  return Math.max(-5000, Math.min(5000, v));
}

const SUP = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
const sup = (d) => String(d).split('').map((c) => SUP[c]).join('');
