// Small canvas charts: a line chart (linear or log y, gaps at non-finite values, min/max decimation so
// spikes survive at any zoom) and a bar chart. Crisp on high-DPI screens: the backing store is sized by
// devicePixelRatio. Legends are HTML (readable text, selectable, announced by screen readers).

import { FONT_FAMILY, niceStep } from './ui/canvas.js';

// Okabe & Ito (2008) colour-blind-safe palette; yellow is left out (too faint on white).
export const OI = {
  blue: '#0072B2', vermillion: '#D55E00', green: '#009E73', orange: '#E69F00',
  purple: '#CC79A7', sky: '#56B4E9', black: '#000000', yellow: '#F0E442',
};
export const LAYER_COLOURS = [OI.blue, OI.vermillion, OI.green, OI.orange, OI.purple, OI.sky, OI.black, '#8c6d00', '#555555', '#7a3b8f'];


/**
 * The drawing style shared by every chart on the page. Projector mode (www/projector.js) raises it for a room:
 * lineScale thickens the data and reference lines (and their dots), textScale enlarges the axis text and the
 * margins that hold it, highContrast turns the grey grid, ticks and axes black. Set with setChartStyle().
 */
const STYLE = { lineScale: 1, textScale: 1, highContrast: false };
/** Every chart made so far (weakly held: a sweep's small multiples come and go), redrawn when the style changes. */
const CHARTS = new Set();

/** Changes the shared style (any of lineScale, textScale, highContrast) and redraws every chart on the page. */
export function setChartStyle(partial) {
  Object.assign(STYLE, partial);
  for (const ref of CHARTS) {
    const c = ref.deref();
    if (!c) CHARTS.delete(ref);
    else if (c.last) c.draw(c.last);
  }
}
/** A copy of the shared style. */
export function chartStyle() {
  return { ...STYLE };
}

const FONT = () => `${Math.round(14 * STYLE.textScale)}px ${FONT_FAMILY}`;
const SMALL = () => `${Math.round(13 * STYLE.textScale)}px ${FONT_FAMILY}`;
/** A length that holds text (a margin, a label's backing), grown with the text. */
const tx = (px) => Math.round(px * STYLE.textScale);
/** Dots on a thicker line grow with it, by half as much, so that they still read as points. */
const dotScale = () => 1 + (STYLE.lineScale - 1) / 2;
/** Grid, tick text and axis colours: mid greys, or black in high contrast. */
const ink = () => (STYLE.highContrast
  ? { grid: '#9a9a9a', tick: '#000', axis: '#000', label: '#000' }
  : { grid: '#e3e3e3', tick: '#333', axis: '#555', label: '#222' });

function fmtTick(v, step) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  const dec = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(dec, 6));
}

/** The two axis lines of a plot area (left L, top T, width pw, height ph) and their labels. */
function drawAxes(ctx, L, T, pw, ph, xLabel, yLabel) {
  ctx.strokeStyle = ink().axis;
  ctx.lineWidth = STYLE.highContrast ? 1.5 : 1;
  ctx.beginPath(); ctx.moveTo(L + 0.5, T); ctx.lineTo(L + 0.5, T + ph + 0.5); ctx.lineTo(L + pw, T + ph + 0.5); ctx.stroke();
  ctx.font = FONT();
  ctx.fillStyle = ink().label;
  ctx.fillText(xLabel, L + pw / 2, T + ph + tx(24));
  ctx.save();
  ctx.translate(tx(14), T + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  // A short chart has less height than a long label ("gradient norm (log scale)"): fillText's maxWidth
  // narrows the glyphs to fit rather than letting both ends run off the canvas.
  ctx.fillText(yLabel, 0, 0, ph + T);
  ctx.restore();
}

class Canvas {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.w = 0;
    this.h = 0;
    this.last = null;
    CHARTS.add(new WeakRef(this));
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }
  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (w === 0 || h === 0) return;
    if (w === this.w && h === this.h && dpr === this.dpr) return;
    this.w = w; this.h = h; this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    if (this.last) this.draw(this.last);
  }
  begin() {
    const { ctx } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    ctx.font = FONT();
    return ctx;
  }
  /**
   * Draws the chart's last picture again into `target` (a canvas off the page) at the size it has on the page
   * and `scale` device pixels per CSS pixel, then redraws the chart on the page as it was (the PNG export,
   * www/export.js). False when nothing has been drawn yet.
   */
  drawInto(target, scale) {
    if (!this.last || !this.w) return false;
    const own = [this.canvas, this.ctx, this.dpr];
    target.width = Math.round(this.w * scale);
    target.height = Math.round(this.h * scale);
    [this.canvas, this.ctx, this.dpr] = [target, target.getContext('2d'), scale];
    try { this.draw(this.last); } finally {
      [this.canvas, this.ctx, this.dpr] = own;
      this.draw(this.last); // the frame, cursor and readout of the chart on the page
    }
    return true;
  }
}

/**
 * Renders an HTML legend: items [{label, color, dash, faded, key}]. With a `chart`, an item with a `key` is a
 * toggle button (aria-pressed) that hides or shows every series and reference line of that key.
 */
export function renderLegend(ul, items, chart = null) {
  ul.textContent = '';
  for (const it of items) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch' + (it.dash ? ' dashed' : '') + (it.bar ? ' bar' : '') + (it.faded ? ' faded' : '');
    sw.style.setProperty('--c', it.color);
    const t = document.createElement('span');
    t.textContent = it.label;
    if (chart && it.key) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'legend-toggle';
      b.dataset.key = it.key;
      b.title = 'Hide or show this line';
      const sync = () => b.setAttribute('aria-pressed', chart.hidden.has(it.key) ? 'false' : 'true');
      sync();
      b.addEventListener('click', () => { chart.toggle(it.key); sync(); });
      b.append(sw, t);
      li.append(b);
    } else li.append(sw, t);
    if (it.ref) { li.dataset.ref = it.ref; li.dataset.value = String(it.value); }
    ul.append(li);
  }
}

/** Index of the element of sorted xs[0..n) nearest to x. */
function nearest(xs, n, x) {
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid; else hi = mid; }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

const fmtVal = (v) => (!Number.isFinite(v) ? 'none' : Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : v.toPrecision(3));

export class LineChart extends Canvas {
  /**
   * opts: {xLabel, yLabel, logY, yMin, yMax (fixed bounds, optional), zoom (drag to zoom into x), xStep (←/→ move
   * the cursor by this much, onto its multiples, e.g. 1 for a chart of epochs), xName (the
   * x value's words in the readout, e.g. (x) => `epoch ${x}`), pointName (the same for a point away from the cursor),
   * xTick (v, step) -> the text of an x tick, e.g. a power of ten for an axis of log10 values)}.
   * Hovering or focusing the canvas shows a vertical cursor and every named series' value at it (←/→ move it);
   * with zoom, a drag selects a range of x, +/− zoom around the cursor, double-click, 0 or Escape go back.
   */
  constructor(canvas, opts) {
    super(canvas);
    this.opts = { ...opts };
    this.hidden = new Set(); // legend keys whose series and lines are not drawn
    this.zoom = null; // [x0, x1] or null
    this.cursor = null; // x of the readout cursor, or null
    this.frame = null; // the last drawn plot area and scales
    const fig = canvas.parentElement;
    fig.classList.add('has-readout');
    this.cursorLine = document.createElement('div');
    this.cursorLine.className = 'chart-cursor';
    this.cursorLine.hidden = true;
    this.band = document.createElement('div');
    this.band.className = 'chart-band';
    this.band.hidden = true;
    this.tip = document.createElement('div');
    this.tip.className = 'chart-readout';
    this.tip.setAttribute('role', 'status');
    this.tip.hidden = true;
    canvas.after(this.cursorLine, this.band, this.tip);
    canvas.tabIndex = 0;
    canvas.setAttribute('aria-describedby', (canvas.getAttribute('aria-describedby') || '') + ' ' + this.#tipId());
    canvas.addEventListener('mousemove', (e) => this.#pointer(e));
    canvas.addEventListener('mouseleave', () => { if (!this.drag) this.#setCursor(null); });
    canvas.addEventListener('focus', () => { if (this.cursor === null && this.frame) this.#setCursor(this.frame.xLast); });
    canvas.addEventListener('blur', () => this.#setCursor(null));
    canvas.addEventListener('keydown', (e) => this.#key(e));
    if (opts.zoom) {
      this.resetButton = document.createElement('button');
      this.resetButton.type = 'button';
      this.resetButton.className = 'chart-reset';
      this.resetButton.textContent = 'reset zoom';
      this.resetButton.hidden = true;
      this.resetButton.addEventListener('click', () => this.setZoom(null));
      canvas.after(this.resetButton);
      canvas.addEventListener('mousedown', (e) => { if (e.button === 0 && this.frame) { this.drag = { x0: this.#xAt(e) }; e.preventDefault(); } });
      window.addEventListener('mouseup', (e) => this.#endDrag(e));
      canvas.addEventListener('dblclick', () => this.setZoom(null));
    }
  }

  #tipId() {
    if (!this.tip.id) this.tip.id = `${this.canvas.id || 'chart'}-readout`;
    return this.tip.id;
  }

  /** Hides or shows the series and lines of one legend key. */
  toggle(key) {
    if (this.hidden.has(key)) this.hidden.delete(key); else this.hidden.add(key);
    this.canvas.dataset.hidden = [...this.hidden].join(' ');
    if (this.last) this.draw(this.last);
  }

  /** Shows x in [x0, x1] (null: everything). */
  setZoom(range) {
    this.zoom = range && range[1] - range[0] > 1e-9 ? [Math.min(...range), Math.max(...range)] : null;
    this.canvas.dataset.zoom = this.zoom ? this.zoom.map((v) => v.toFixed(4)).join(' ') : '';
    if (this.resetButton) this.resetButton.hidden = !this.zoom;
    if (this.last) this.draw(this.last);
  }

  #xAt(e) {
    const f = this.frame;
    const r = this.canvas.getBoundingClientRect();
    const px = Math.max(f.L, Math.min(f.L + f.pw, e.clientX - r.left));
    return f.xMin + ((px - f.L) / f.pw) * (f.xMax - f.xMin);
  }

  #pointer(e) {
    if (!this.frame) return;
    const x = this.#xAt(e);
    if (this.drag) {
      const f = this.frame, a = Math.min(this.drag.x0, x), b = Math.max(this.drag.x0, x);
      this.band.hidden = false;
      this.band.style.left = `${this.canvas.offsetLeft + f.X(a)}px`;
      this.band.style.width = `${f.X(b) - f.X(a)}px`;
      this.band.style.top = `${this.canvas.offsetTop + f.T}px`;
      this.band.style.height = `${f.ph}px`;
    }
    this.#setCursor(x);
  }

  #endDrag(e) {
    if (!this.drag) return;
    const x0 = this.drag.x0;
    this.drag = null;
    this.band.hidden = true;
    const f = this.frame;
    const x1 = this.#xAt(e);
    // a click is not a zoom: at least 8 pixels of drag
    if (Math.abs(f.X(x1) - f.X(x0)) >= 8) this.setZoom([x0, x1]);
  }

  #key(e) {
    const f = this.frame;
    if (!f) return;
    const span = f.xMax - f.xMin;
    const x = this.cursor ?? f.xLast;
    // xStep (a chart of epochs): the keys move from point to point rather than by a share of the width
    const q = this.opts.xStep;
    const stepBy = (d) => this.#setCursor(Math.max(f.xMin, Math.min(f.xMax, q ? Math.round((x + d) / q) * q : x + d)));
    switch (e.key) {
      case 'ArrowLeft': stepBy(q ? -q * (e.shiftKey ? 5 : 1) : -span / (e.shiftKey ? 10 : 50)); break;
      case 'ArrowRight': stepBy(q ? q * (e.shiftKey ? 5 : 1) : span / (e.shiftKey ? 10 : 50)); break;
      case 'Home': this.#setCursor(f.xMin); break;
      case 'End': this.#setCursor(f.xLast); break;
      case '+': case '=':
        if (!this.opts.zoom) return;
        this.setZoom([Math.max(f.full[0], x - span / 4), Math.min(f.full[1], x + span / 4)]);
        this.#setCursor(x);
        break;
      case '-': case '_':
        if (!this.opts.zoom || !this.zoom) return;
        { const a = Math.max(f.full[0], x - span), b = Math.min(f.full[1], x + span);
          this.setZoom(a <= f.full[0] && b >= f.full[1] ? null : [a, b]); }
        this.#setCursor(x);
        break;
      case '0': case 'Escape':
        if (!this.opts.zoom || !this.zoom) return;
        this.setZoom(null);
        break;
      default: return;
    }
    e.preventDefault();
  }

  /** Moves the readout cursor to x (null hides it) and lists every visible named series' value there. */
  #setCursor(x) {
    this.cursor = x;
    const f = this.frame;
    if (x === null || !f) { this.cursorLine.hidden = true; this.tip.hidden = true; this.tip.textContent = ''; delete this.canvas.dataset.readout; return; }
    const px = f.X(x);
    this.cursorLine.hidden = false;
    this.cursorLine.style.left = `${this.canvas.offsetLeft + px}px`;
    this.cursorLine.style.top = `${this.canvas.offsetTop + f.T}px`;
    this.cursorLine.style.height = `${f.ph}px`;
    const xName = this.opts.xName || ((v) => `${this.opts.xLabel} ${fmtVal(v)}`);
    const lines = [];
    const seen = new Set();
    for (const s of f.series) {
      if (!s.name || !s.n || seen.has(s.name)) continue;
      // the nearest point in x; one away from the cursor (an epoch's dot) is listed with where it lies
      const i = nearest(s.xs, s.n, x);
      seen.add(s.name);
      lines.push({ name: s.name, color: s.color, value: s.ys[i], at: s.xs[i] });
    }
    for (const h of f.hlines) lines.push({ name: h.label, color: h.color || '#444', value: h.y, ref: true });
    for (const b of f.bands) if (b.label) lines.push({ name: b.label, color: b.color || '#444', value: b.y0, ref: true });
    this.tip.textContent = '';
    const head = document.createElement('div');
    head.className = 'chart-readout-x';
    head.textContent = xName(x);
    this.tip.append(head);
    for (const l of lines) {
      const row = document.createElement('div');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.setProperty('--c', l.color);
      const unit = this.opts.unit || '';
      // a point away from the cursor (an epoch's dot) says where it is
      const where = !l.ref && Math.abs(f.X(l.at) - px) >= 2 ? ` (${(this.opts.pointName || xName)(l.at)})` : '';
      row.append(sw, document.createTextNode(l.ref ? ` ${l.name}` : ` ${l.name}: ${fmtVal(l.value)}${unit}${where}`));
      this.tip.append(row);
    }
    if (!lines.length) this.tip.append('no value here yet');
    this.canvas.dataset.readout = JSON.stringify(lines.filter((l) => !l.ref).map((l) => [l.name, l.value]));
    this.tip.hidden = false;
    // beside the cursor, on the side with more room
    const left = px > f.L + f.pw / 2;
    this.tip.style.top = `${this.canvas.offsetTop + f.T + 4}px`;
    this.tip.style.left = left ? '' : `${this.canvas.offsetLeft + px + 10}px`;
    this.tip.style.right = left ? `${this.canvas.offsetParent ? this.canvas.offsetParent.clientWidth - this.canvas.offsetLeft - px + 10 : 0}px` : '';
  }

  /**
   * spec: {series: [{xs, ys, n, color, width, dash, alpha, dots, marker}], hlines: [{y, label, color, left}],
   *        bands: [{y0, y1, color, label}], areas: [{xs, lo, hi, n, color, alpha, key, group}],
   *        vlines: [{x, label, color, row}], whiskers: [{x, y, lo, hi, color, key, group}], xMin, xMax, logY, yFloor,
   *        yInclude}
   * A band is a shaded range of y under the reference lines (its label, if any, is read out with them). An area is
   * a shaded region between two lines of y over x (lo[i] … hi[i] at xs[i]; a gap where either is not finite): the
   * min–max band of several seeds (www/views/seedrace.js), drawn under the series, hidden with its legend key. A series'
   * marker(y, i) returns the shape of point i: 'dot', 'down' (hollow ▽), 'down-solid' (filled ▼) or null.
   * A whisker is an estimate with its interval: a hollow point at (x, y) and a bar from lo to hi (the validation
   * pass under way, www/views/plots.js), hidden with its legend key; the canvas lists the ones drawn in
   * data-whiskers.
   * On a log axis, yFloor draws smaller positive values on that floor (the readout keeps the true value);
   * yInclude lists values the y axis always spans.
   */
  draw(spec) {
    this.last = spec;
    if (!this.w) return;
    const ctx = this.begin();
    const logY = spec.logY ?? this.opts.logY;
    const yFloor = logY && spec.yFloor > 0 ? spec.yFloor : 0;
    const ty = (v) => (logY ? Math.log10(Math.max(v, yFloor)) : v);
    const ok = (v) => Number.isFinite(v) && (!logY || v > 0);

    // data range
    let y0 = Infinity, y1 = -Infinity, xMax = spec.xMax ?? 1;
    let xMin = spec.xMin ?? 0;
    // a series is hidden by its own legend key or by its group's (the pinned run's lines share one toggle)
    const off = (s) => (s.key && this.hidden.has(s.key)) || (s.group && this.hidden.has(s.group));
    const series = spec.series.filter((s) => !off(s));
    const hlines = (spec.hlines || []).filter((h) => !off(h));
    let xLast = -Infinity; // the last x with a value: where the keyboard cursor starts
    for (const s of spec.series) for (let i = 0; i < s.n; i++) if (ok(s.ys[i]) && s.xs[i] > xLast) xLast = s.xs[i];
    if (xLast > xMax) xMax = xLast;
    const full = [xMin, xMax];
    if (this.zoom) { xMin = Math.max(full[0], this.zoom[0]); xMax = Math.min(full[1], this.zoom[1]); if (!(xMax > xMin)) { xMin = full[0]; xMax = full[1]; } }
    for (const s of series) {
      for (let i = 0; i < s.n; i++) {
        const v = s.ys[i];
        if (!ok(v) || s.xs[i] < xMin || s.xs[i] > xMax) continue;
        const t = ty(v);
        if (t < y0) y0 = t;
        if (t > y1) y1 = t;
      }
    }
    for (const h of hlines) if (ok(h.y)) { y0 = Math.min(y0, ty(h.y)); y1 = Math.max(y1, ty(h.y)); }
    const bands = (spec.bands || []).filter((b) => !off(b));
    for (const v of [...bands.flatMap((b) => [b.y0, b.y1]), ...(spec.yInclude || [])]) if (ok(v)) { y0 = Math.min(y0, ty(v)); y1 = Math.max(y1, ty(v)); }
    const whiskers = (spec.whiskers || []).filter((w) => !off(w) && ok(w.y));
    for (const w of whiskers) {
      if (w.x < xMin || w.x > xMax) continue;
      for (const v of [w.lo, w.y, w.hi]) if (ok(v)) { y0 = Math.min(y0, ty(v)); y1 = Math.max(y1, ty(v)); }
    }
    const areas = (spec.areas || []).filter((a) => !off(a));
    for (const a of areas) {
      for (let i = 0; i < a.n; i++) {
        if (a.xs[i] < xMin || a.xs[i] > xMax) continue;
        for (const v of [a.lo[i], a.hi[i]]) if (ok(v)) { y0 = Math.min(y0, ty(v)); y1 = Math.max(y1, ty(v)); }
      }
    }
    if (this.opts.yMin !== undefined) y0 = ty(this.opts.yMin);
    if (this.opts.yMax !== undefined) y1 = ty(this.opts.yMax);
    if (!Number.isFinite(y0)) { y0 = logY ? -2 : 0; y1 = logY ? 1 : 1; }
    if (y1 - y0 < 1e-9) { y0 -= logY ? 0.5 : Math.abs(y0) * 0.1 + 0.1; y1 += logY ? 0.5 : Math.abs(y1) * 0.1 + 0.1; }
    if (!logY && this.opts.yMin === undefined && (spec.yZero || (y0 > 0 && y0 < (y1 - y0) * 0.5))) y0 = Math.min(y0, 0);
    if (!logY) { const pad = (y1 - y0) * 0.04; if (this.opts.yMax === undefined) y1 += pad; }
    // A linear axis stretched by one explosion would flatten everything else: cap it and say so.
    let capped = null;
    if (!logY && spec.yCap !== undefined && y1 > spec.yCap) { capped = y1; y1 = spec.yCap; }
    if (logY) { y0 = Math.floor(y0 * 2) / 2; y1 = Math.ceil(y1 * 2) / 2; if (y1 === y0) y1 += 0.5; }

    // layout
    const L = tx(62), R = 14, T = 12, B = tx(46);
    const pw = this.w - L - R, ph = this.h - T - B;
    if (pw < 20 || ph < 20) return;
    const X = (x) => L + ((x - xMin) / (xMax - xMin || 1)) * pw;
    const Y = (t) => T + ph - ((t - y0) / (y1 - y0)) * ph;
    this.frame = { L, T, pw, ph, X, xMin, xMax, full, series, hlines, bands, xLast: Math.max(xMin, Math.min(xMax, Number.isFinite(xLast) ? xLast : xMax)) };

    // grid and ticks
    ctx.strokeStyle = ink().grid;
    ctx.fillStyle = ink().tick;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.font = SMALL();
    if (logY) {
      const step = y1 - y0 > 6 ? Math.ceil((y1 - y0) / 6) : 1;
      for (let e = Math.ceil(y0); e <= y1; e += step) {
        const py = Math.round(Y(e)) + 0.5;
        ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
        ctx.fillText(e === 0 ? '1' : e === 1 ? '10' : e === -1 ? '0.1' : `1e${e}`, L - 6, py);
      }
    } else {
      const step = niceStep(y1 - y0, Math.max(2, Math.floor(ph / 45)));
      for (let v = Math.ceil(y0 / step) * step; v <= y1 + step * 1e-6; v += step) {
        const py = Math.round(Y(v)) + 0.5;
        ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
        ctx.fillText(fmtTick(v, step), L - 6, py);
      }
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const xs = niceStep(xMax - xMin, Math.max(2, Math.floor(pw / 70)));
    const xstep = spec.integerX ? Math.max(1, Math.round(xs)) : xs;
    for (let v = Math.ceil(xMin / xstep) * xstep; v <= xMax + xstep * 1e-6; v += xstep) {
      const px = Math.round(X(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(px, T); ctx.lineTo(px, T + ph); ctx.stroke();
      ctx.fillText(this.opts.xTick ? this.opts.xTick(v, xstep) : fmtTick(v, xstep), px, T + ph + 5);
    }
    drawAxes(ctx, L, T, pw, ph, this.opts.xLabel, this.opts.yLabel + (logY ? ' (log scale)' : ''));

    ctx.save();
    ctx.beginPath(); ctx.rect(L, T - 1, pw + 1, ph + 2); ctx.clip();
    // shaded ranges, under everything else
    for (const b of bands) {
      if (!ok(b.y0) || !ok(b.y1)) continue;
      const a = Y(ty(b.y0)), c = Y(ty(b.y1));
      ctx.fillStyle = b.color || 'rgba(0, 158, 115, 0.12)';
      ctx.fillRect(L, Math.min(a, c), pw, Math.abs(a - c));
    }
    for (const a of areas) this.area(ctx, a, X, Y, ty, ok);
    // reference lines; `taken`: the rows their right-hand labels occupy (the markers' labels' rows first)
    // Placed from the top line down, so that a label moves down past its upper neighbour's, not past a lower one's.
    const taken = (spec.vlines || []).map((v) => [T + 4 + (v.row || 0) * tx(18), T + 4 + ((v.row || 0) + 1) * tx(18)]);
    for (const h of [...hlines].sort((a, b) => b.y - a.y)) {
      if (!ok(h.y)) continue;
      const py = Math.round(Y(ty(h.y))) + 0.5;
      ctx.strokeStyle = h.color || '#444';
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5 * STYLE.lineScale;
      ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
      ctx.setLineDash([]);
      if (h.left) continue; // labelled after the series, so that no line crosses it
      // label at the right end: curves usually start high on the left
      ctx.font = SMALL();
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      // above the line, or below it (h.below) where two lines lie close together; moved down past any label
      // already there (another line's, or the vertical markers' row at the top) so that none hides another
      const tw = ctx.measureText(h.label).width;
      let ly = h.below ? py + tx(16) : py - 2;
      for (let moved = true; moved;) {
        moved = false;
        for (const [a, b] of taken) if (ly > a && ly - tx(15) < b) { ly = b + tx(15); moved = true; }
      }
      taken.push([ly - tx(15), ly]);
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(L + pw - tw - 9, ly - tx(15), tw + 6, tx(15));
      ctx.fillStyle = h.color || '#444';
      ctx.fillText(h.label, L + pw - 6, ly);
    }
    // series; with zeroFloor, zeros on a log axis (a dead layer's gradient) sit on the bottom edge
    const floor = logY && spec.zeroFloor ? y0 : null;
    for (const s of series) this.line(ctx, s, X, Y, ty, ok, floor);
    // h.left: the label at the left end (where a chart of epochs has no point yet), on a white backing, over the lines
    for (const h of hlines) {
      if (!h.left || !ok(h.y)) continue;
      const py = Math.round(Y(ty(h.y))) + 0.5;
      ctx.font = SMALL();
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      const tw = ctx.measureText(h.label).width;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(L + 3, py - tx(17), tw + 6, tx(15));
      ctx.fillStyle = h.color || '#444';
      ctx.fillText(h.label, L + 6, py - 2);
    }
    if (capped !== null) {
      ctx.fillStyle = '#222';
      ctx.font = 'bold ' + SMALL();
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      // The long note where it fits; on a narrow chart the value alone.
      const long = `▲ off the chart: up to ${fmtTick(capped * 0.96, capped)} — tick log scale`;
      const note = ctx.measureText(long).width <= pw - 10 ? long : `▲ up to ${fmtTick(capped * 0.96, capped)}`;
      const w = ctx.measureText(note).width;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(L + pw - w - 8, T + 2, w + 6, tx(18));
      ctx.fillStyle = '#222';
      ctx.fillText(note, L + pw - 4, T + 4);
    }
    for (const v of spec.vlines || []) {
      const px = Math.round(X(v.x)) + 0.5;
      ctx.strokeStyle = v.color || OI.vermillion;
      ctx.lineWidth = 2 * STYLE.lineScale;
      ctx.beginPath(); ctx.moveTo(px, T); ctx.lineTo(px, T + ph); ctx.stroke();
      ctx.fillStyle = v.color || OI.vermillion;
      ctx.font = 'bold ' + SMALL();
      ctx.textBaseline = 'top';
      const w = ctx.measureText(v.label).width;
      // v.row: the label's line, so that the labels of close lines do not overlap; below the off-the-chart note
      const ly = T + 4 + ((v.row || 0) + (capped !== null ? 1 : 0)) * tx(18);
      const right = px + 6 + w < L + pw;
      if (right || px - 6 - w >= L) {
        // on a white backing: a reference line (the chance line near the top of a loss chart) may cross its row
        const x = right ? px + 6 : px - 6 - w;
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.fillRect(x - 2, ly - 2, w + 4, tx(18));
        ctx.fillStyle = v.color || OI.vermillion;
        ctx.textAlign = right ? 'left' : 'right';
        ctx.fillText(v.label, right ? px + 6 : px - 6, ly);
      } else {
        // a narrow chart with the line near the middle: the label fits on neither side, so it crosses the
        // line on a white backing instead of being cut off at the plot's edge
        const x = Math.max(L + 2, Math.min(px + 6, L + pw - w - 2));
        ctx.fillStyle = 'rgba(255,255,255,0.9)';
        ctx.fillRect(x - 2, ly - 2, w + 4, tx(18));
        ctx.fillStyle = v.color || OI.vermillion;
        ctx.textAlign = 'left';
        ctx.fillText(v.label, x, ly);
      }
    }
    ctx.restore();
    // per-point markers outside the clip, so that one at the first or last x is whole
    for (const s of series) if (s.marker) this.markers(ctx, s, X, Y, ty, ok, xMin, xMax);
    const drawn = whiskers.filter((w) => w.x >= xMin && w.x <= xMax);
    for (const w of drawn) this.whisker(ctx, w, X, Y, ty, ok);
    if (drawn.length) this.canvas.dataset.whiskers = JSON.stringify(drawn.map((w) => [w.x, w.y, w.lo, w.hi]));
    else delete this.canvas.dataset.whiskers;
    if (this.cursor !== null) this.#setCursor(Math.max(xMin, Math.min(xMax, this.cursor)));
  }

  /** An estimate with its interval: a bar with end caps from w.lo to w.hi (where it reaches out of the point), and
   * a hollow point at w.y. */
  whisker(ctx, w, X, Y, ty, ok) {
    const px = Math.round(X(w.x)) + 0.5, py = Y(ty(w.y));
    const cap = 5 * STYLE.lineScale, r = dotScale() * 5;
    ctx.strokeStyle = w.color;
    ctx.lineWidth = 2 * STYLE.lineScale;
    ctx.setLineDash([]);
    const a = ok(w.lo) ? Y(ty(w.lo)) : NaN, b = ok(w.hi) ? Y(ty(w.hi)) : NaN;
    if (Math.abs(a - b) / 2 > r + ctx.lineWidth) {
      ctx.beginPath();
      ctx.moveTo(px, a); ctx.lineTo(px, b);
      ctx.moveTo(px - cap, a); ctx.lineTo(px + cap, a);
      ctx.moveTo(px - cap, b); ctx.lineTo(px + cap, b);
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(px, py, r, 0, Math.PI * 2);
    ctx.fillStyle = '#fff';
    ctx.fill();
    ctx.stroke();
  }

  /** A shaded region between a.lo and a.hi over a.xs, one polygon per stretch of finite values. */
  area(ctx, a, X, Y, ty, ok) {
    ctx.fillStyle = a.color;
    ctx.globalAlpha = a.alpha ?? 0.2;
    let start = -1;
    const fill = (from, to) => { // indices from … to − 1
      if (to - from < 1) return;
      ctx.beginPath();
      for (let i = from; i < to; i++) { const px = X(a.xs[i]), py = Y(ty(a.hi[i])); if (i === from) ctx.moveTo(px, py); else ctx.lineTo(px, py); }
      for (let i = to - 1; i >= from; i--) ctx.lineTo(X(a.xs[i]), Y(ty(a.lo[i])));
      ctx.closePath();
      ctx.fill();
      // a lone point (one epoch) is a bar, so that its spread still shows
      if (to - from === 1) ctx.fillRect(X(a.xs[from]) - 3, Y(ty(a.hi[from])), 6, Y(ty(a.lo[from])) - Y(ty(a.hi[from])));
    };
    for (let i = 0; i <= a.n; i++) {
      const good = i < a.n && ok(a.lo[i]) && ok(a.hi[i]);
      if (good && start < 0) start = i;
      if (!good && start >= 0) { fill(start, i); start = -1; }
    }
    ctx.globalAlpha = 1;
  }

  /** The markers of a series: s.marker(y, i) -> 'dot' | 'down' (hollow ▽) | 'down-solid' (▼) | null. */
  markers(ctx, s, X, Y, ty, ok, xMin, xMax) {
    ctx.globalAlpha = s.alpha ?? 1;
    ctx.strokeStyle = ctx.fillStyle = s.color;
    ctx.lineWidth = 2 * STYLE.lineScale;
    for (let i = 0; i < s.n; i++) {
      const v = s.ys[i], x = s.xs[i];
      if (!ok(v) || x < xMin || x > xMax) continue;
      const kind = s.marker(v, i);
      if (!kind) continue;
      const px = X(x), py = Y(ty(v));
      ctx.beginPath();
      if (kind === 'dot') { ctx.arc(px, py, dotScale() * (s.dots || 4), 0, Math.PI * 2); ctx.fill(); continue; }
      ctx.moveTo(px - 6, py - 5); ctx.lineTo(px + 6, py - 5); ctx.lineTo(px, py + 5); ctx.closePath();
      if (kind === 'down-solid') ctx.fill();
      else { ctx.fillStyle = '#fff'; ctx.fill(); ctx.fillStyle = s.color; ctx.stroke(); }
    }
    ctx.globalAlpha = 1;
  }

  line(ctx, s, X, Y, ty, ok, floor = null) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.globalAlpha = s.alpha ?? 1;
    ctx.lineWidth = (s.width ?? 2) * STYLE.lineScale;
    ctx.setLineDash(s.dash || []);
    ctx.lineJoin = 'round';
    ctx.beginPath();
    let pen = false, col = null, lo = 0, hi = 0, run = 0;
    const lonely = []; // points with no neighbour to join: drawn as dots so they do not vanish
    const flush = () => { if (col !== null) { ctx.lineTo(col, lo); if (hi !== lo) ctx.lineTo(col, hi); } };
    const endRun = () => { if (run === 1 && col !== null) lonely.push([col, lo]); run = 0; };
    for (let i = 0; i < s.n; i++) {
      const v = s.ys[i];
      const atFloor = floor !== null && v === 0;
      if (!ok(v) && !atFloor) { endRun(); flush(); col = null; pen = false; continue; }
      const px = Math.round(X(s.xs[i]));
      const py = atFloor ? Y(floor) : Y(ty(v));
      run++;
      if (!pen) { ctx.moveTo(px, py); pen = true; col = px; lo = hi = py; continue; }
      if (px === col) { lo = Math.min(lo, py); hi = Math.max(hi, py); continue; }
      flush();
      col = px; lo = hi = py;
    }
    endRun();
    flush();
    ctx.stroke();
    if (!s.dots && !s.marker) {
      for (const [x, y] of lonely) { ctx.beginPath(); ctx.arc(x, y, Math.max(3.5, ctx.lineWidth + 1.5), 0, Math.PI * 2); ctx.fill(); }
    }
    ctx.setLineDash([]);
    if (s.dots) {
      for (let i = 0; i < s.n; i++) {
        const v = s.ys[i];
        if (!ok(v)) continue;
        ctx.beginPath();
        ctx.arc(X(s.xs[i]), Y(ty(v)), dotScale() * s.dots, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
  }
}

/**
 * A readout beside a canvas for charts of discrete items (bars, histogram bins), in LineChart's style: a box
 * (role=status, linked by aria-describedby) with a bold head and one row per value, each with its swatch.
 */
export class ItemReadout {
  constructor(canvas, id) {
    this.canvas = canvas;
    canvas.parentElement.classList.add('has-readout');
    this.tip = document.createElement('div');
    this.tip.className = 'chart-readout';
    this.tip.id = id;
    this.tip.setAttribute('role', 'status');
    this.tip.hidden = true;
    this.mark = document.createElement('div');
    this.mark.className = 'item-mark';
    this.mark.hidden = true;
    canvas.after(this.mark, this.tip);
    canvas.tabIndex = 0;
    canvas.setAttribute('aria-describedby', ((canvas.getAttribute('aria-describedby') || '') + ' ' + id).trim());
  }

  /**
   * Shows head and rows [{color, text, bar}] (a row without a colour has no swatch) beside the item that spans
   * pixels x0…x1 of the canvas, which is outlined; f: the plot area {L, T, pw, ph}.
   */
  show(x0, x1, f, head, rows) {
    const { tip, canvas, mark } = this;
    tip.textContent = '';
    const h = document.createElement('div');
    h.className = 'chart-readout-x';
    h.textContent = head;
    tip.append(h);
    for (const r of rows) {
      const row = document.createElement('div');
      if (r.color) {
        const sw = document.createElement('span');
        sw.className = 'swatch' + (r.bar ? ' bar' : '');
        sw.style.setProperty('--c', r.color);
        row.append(sw, ' ');
      }
      row.append(r.text);
      tip.append(row);
    }
    mark.hidden = false;
    mark.style.left = `${canvas.offsetLeft + x0}px`;
    mark.style.width = `${Math.max(2, x1 - x0)}px`;
    mark.style.top = `${canvas.offsetTop + f.T}px`;
    mark.style.height = `${f.ph}px`;
    tip.hidden = false;
    // beside the item, on the side with more room, inside the figure; where it fits on neither side (a small
    // histogram), under the canvas, so that it never hides the item it is about
    const w = tip.offsetWidth, cl = canvas.offsetLeft;
    const room = canvas.offsetParent ? canvas.offsetParent.clientWidth : cl + canvas.clientWidth;
    const before = cl + x0 - 8 - w, after = cl + x1 + 8;
    const fitsBefore = before >= 0, fitsAfter = after + w <= room;
    const preferBefore = (x0 + x1) / 2 > f.L + f.pw / 2;
    if (fitsBefore || fitsAfter) {
      tip.style.left = `${(preferBefore && fitsBefore) || !fitsAfter ? before : after}px`;
      tip.style.top = `${canvas.offsetTop + f.T + 4}px`;
    } else {
      tip.style.left = `${Math.max(0, Math.min(room - w, cl + (x0 + x1) / 2 - w / 2))}px`;
      tip.style.top = `${canvas.offsetTop + canvas.offsetHeight + 4}px`;
    }
  }

  hide() { this.tip.hidden = true; this.tip.textContent = ''; this.mark.hidden = true; }
}

/**
 * Hover and keyboard for a row of n items across a plot area: the mouse picks the item under it, ←/→ step,
 * Home/End jump, focus starts at `start()`; pick(i) shows item i (null: none).
 */
export function itemCursor(canvas, n, frame, pick, start = () => 0) {
  let at = null;
  const set = (i) => { at = i; pick(i); };
  canvas.addEventListener('mousemove', (e) => {
    const f = frame();
    if (!f) return;
    const x = e.clientX - canvas.getBoundingClientRect().left;
    set(x < f.L || x > f.L + f.pw ? null : Math.max(0, Math.min(n() - 1, Math.floor(((x - f.L) / f.pw) * n()))));
  });
  canvas.addEventListener('mouseleave', () => { if (document.activeElement !== canvas) set(null); });
  canvas.addEventListener('focus', () => { if (at === null && frame()) set(start()); });
  canvas.addEventListener('blur', () => set(null));
  canvas.addEventListener('keydown', (e) => {
    if (!frame()) return;
    const i = at ?? start();
    const last = n() - 1;
    const to = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: last }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    set(Math.max(0, Math.min(last, to)));
  });
  return { redraw: () => { if (at !== null) pick(at); } };
}

export class BarChart extends Canvas {
  /**
   * opts: {xLabel, yLabel, categories: [...], yMax, itemName (category -> words, e.g. (d) => `digit ${d}`),
   * valueName (words before the value, e.g. 'recall'), unit}. Hovering or focusing the canvas reads off every
   * named set's value at one category (←/→ between categories); the canvas carries `data-readout` (the category
   * and [[set name, value]]) for the tests.
   */
  constructor(canvas, opts) {
    super(canvas);
    this.opts = opts;
    this.frame = null;
    this.readout = new ItemReadout(canvas, `${canvas.id || 'bars'}-readout`);
    this.cursor = itemCursor(canvas, () => this.opts.categories.length, () => this.frame, (i) => this.#pick(i));
  }

  /** Reads off category i (null hides the readout): the set drawn in front (the last) first. */
  #pick(i) {
    const f = this.frame;
    if (i === null || !f) { this.readout.hide(); delete this.canvas.dataset.readout; return; }
    const { categories, itemName = (c) => String(c), valueName = '', unit = '' } = this.opts;
    const sets = [...(this.last?.bars || [])].filter((s) => s.name).reverse();
    const rows = sets.map((s, k) => {
      const v = s.values[i];
      const val = Number.isFinite(v) ? `${v.toFixed(1)}${unit}` : 'none yet';
      return { color: s.color, bar: !s.outline, text: `${k === 0 && valueName ? valueName + ' ' : ''}${val} (${s.name})` };
    });
    if (!rows.length) rows.push({ color: '#999', text: 'no value yet' });
    this.readout.show(f.L + f.slot * i + 1, f.L + f.slot * (i + 1) - 1, f, `${itemName(categories[i])}:`, rows);
    this.canvas.dataset.readout = JSON.stringify([categories[i], sets.map((s) => [s.name, s.values[i] ?? null])]);
  }

  /** spec: {bars: [{values, color, alpha, outline, name}]} — several sets are drawn side by side per category */
  draw(spec) {
    this.last = spec;
    if (!this.w) return;
    const ctx = this.begin();
    const { categories, yMax } = this.opts;
    const L = tx(62), R = 10, T = 12, B = tx(46);
    const pw = this.w - L - R, ph = this.h - T - B;
    if (pw < 20 || ph < 20) return;
    const slot = pw / categories.length;
    this.frame = { L, T, pw, ph, slot };
    const Y = (v) => T + ph - (v / yMax) * ph;
    ctx.font = SMALL();
    ctx.strokeStyle = ink().grid;
    ctx.fillStyle = ink().tick;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = 0; v <= yMax; v += yMax / 4) {
      const py = Math.round(Y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
      ctx.fillText(String(v), L - 6, py);
    }
    const sets = spec.bars.length || 1;
    const bw = Math.max(2, (slot * 0.75) / sets);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    categories.forEach((c, i) => ctx.fillText(String(c), L + slot * (i + 0.5), T + ph + 5));
    spec.bars.forEach((set, j) => {
      ctx.globalAlpha = set.alpha ?? 1;
      for (let i = 0; i < categories.length; i++) {
        const v = set.values[i];
        if (!Number.isFinite(v)) continue;
        const x = L + slot * i + slot * 0.125 + j * bw;
        const y = Y(Math.max(0, Math.min(yMax, v)));
        if (set.outline) {
          ctx.strokeStyle = set.color;
          ctx.lineWidth = 1.5 * STYLE.lineScale;
          ctx.strokeRect(x + 0.75, y + 0.75, bw - 1.5, T + ph - y - 0.75);
        } else {
          ctx.fillStyle = set.color;
          ctx.fillRect(x, y, bw - 1, T + ph - y);
        }
      }
      ctx.globalAlpha = 1;
    });
    drawAxes(ctx, L, T, pw, ph, this.opts.xLabel, this.opts.yLabel);
    this.cursor.redraw();
  }
}
