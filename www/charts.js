// Small canvas charts: a line chart (linear or log y, gaps at non-finite values, min/max decimation so
// spikes survive at any zoom) and a bar chart. Crisp on high-DPI screens: the backing store is sized by
// devicePixelRatio. Legends are HTML (readable text, selectable, announced by screen readers).

// Okabe & Ito (2008) colour-blind-safe palette; yellow is left out (too faint on white).
export const OI = {
  blue: '#0072B2', vermillion: '#D55E00', green: '#009E73', orange: '#E69F00',
  purple: '#CC79A7', sky: '#56B4E9', black: '#000000', yellow: '#F0E442',
};
export const LAYER_COLOURS = [OI.blue, OI.vermillion, OI.green, OI.orange, OI.purple, OI.sky, OI.black, '#8c6d00', '#555555', '#7a3b8f'];

const FONT = '14px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const SMALL = '13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

function niceStep(span, target) {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

function fmtTick(v, step) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  const dec = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(dec, 6));
}

/** The two axis lines of a plot area (left L, top T, width pw, height ph) and their labels. */
function drawAxes(ctx, L, T, pw, ph, xLabel, yLabel) {
  ctx.strokeStyle = '#555';
  ctx.beginPath(); ctx.moveTo(L + 0.5, T); ctx.lineTo(L + 0.5, T + ph + 0.5); ctx.lineTo(L + pw, T + ph + 0.5); ctx.stroke();
  ctx.font = FONT;
  ctx.fillStyle = '#222';
  ctx.fillText(xLabel, L + pw / 2, T + ph + 24);
  ctx.save();
  ctx.translate(14, T + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
}

class Canvas {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.w = 0;
    this.h = 0;
    this.last = null;
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
    ctx.font = FONT;
    return ctx;
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
   * opts: {xLabel, yLabel, logY, yMin, yMax (fixed bounds, optional), zoom (drag to zoom into x), xName (the
   * x value's words in the readout, e.g. (x) => `epoch ${x}`), pointName (the same for a point away from the cursor)}.
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
    const stepBy = (d) => this.#setCursor(Math.max(f.xMin, Math.min(f.xMax, x + d)));
    switch (e.key) {
      case 'ArrowLeft': stepBy(-span / (e.shiftKey ? 10 : 50)); break;
      case 'ArrowRight': stepBy(span / (e.shiftKey ? 10 : 50)); break;
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
   * spec: {series: [{xs, ys, n, color, width, dash, alpha, dots}], hlines: [{y, label, color}],
   *        vlines: [{x, label, color}], xMin, xMax, logY}
   */
  draw(spec) {
    this.last = spec;
    if (!this.w) return;
    const ctx = this.begin();
    const logY = spec.logY ?? this.opts.logY;
    const ty = (v) => (logY ? Math.log10(v) : v);
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
    const L = 62, R = 14, T = 12, B = 46;
    const pw = this.w - L - R, ph = this.h - T - B;
    if (pw < 20 || ph < 20) return;
    const X = (x) => L + ((x - xMin) / (xMax - xMin || 1)) * pw;
    const Y = (t) => T + ph - ((t - y0) / (y1 - y0)) * ph;
    this.frame = { L, T, pw, ph, X, xMin, xMax, full, series, hlines, xLast: Math.max(xMin, Math.min(xMax, Number.isFinite(xLast) ? xLast : xMax)) };

    // grid and ticks
    ctx.strokeStyle = '#e3e3e3';
    ctx.fillStyle = '#333';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.font = SMALL;
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
      ctx.fillText(fmtTick(v, xstep), px, T + ph + 5);
    }
    drawAxes(ctx, L, T, pw, ph, this.opts.xLabel, this.opts.yLabel + (logY ? ' (log scale)' : ''));

    ctx.save();
    ctx.beginPath(); ctx.rect(L, T - 1, pw + 1, ph + 2); ctx.clip();
    // reference lines
    for (const h of hlines) {
      if (!ok(h.y)) continue;
      const py = Math.round(Y(ty(h.y))) + 0.5;
      ctx.strokeStyle = h.color || '#444';
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
      ctx.setLineDash([]);
      // label at the right end: curves usually start high on the left
      ctx.font = SMALL;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      // above the line, or below it (h.below) where two lines lie close together
      const tw = ctx.measureText(h.label).width;
      const ly = h.below ? py + 16 : py - 2;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(L + pw - tw - 9, ly - 15, tw + 6, 15);
      ctx.fillStyle = h.color || '#444';
      ctx.fillText(h.label, L + pw - 6, ly);
    }
    // series; with zeroFloor, zeros on a log axis (a dead layer's gradient) sit on the bottom edge
    const floor = logY && spec.zeroFloor ? y0 : null;
    for (const s of series) this.line(ctx, s, X, Y, ty, ok, floor);
    if (capped !== null) {
      ctx.fillStyle = '#222';
      ctx.font = 'bold ' + SMALL;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      const note = `▲ off the chart: up to ${fmtTick(capped * 0.96, capped)} — tick log scale`;
      const w = ctx.measureText(note).width;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(L + pw - w - 8, T + 2, w + 6, 18);
      ctx.fillStyle = '#222';
      ctx.fillText(note, L + pw - 4, T + 4);
    }
    for (const v of spec.vlines || []) {
      const px = Math.round(X(v.x)) + 0.5;
      ctx.strokeStyle = v.color || OI.vermillion;
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(px, T); ctx.lineTo(px, T + ph); ctx.stroke();
      ctx.fillStyle = v.color || OI.vermillion;
      ctx.font = 'bold ' + SMALL;
      ctx.textBaseline = 'top';
      const w = ctx.measureText(v.label).width;
      const right = px + 6 + w < L + pw;
      if (right || px - 6 - w >= L) {
        ctx.textAlign = right ? 'left' : 'right';
        ctx.fillText(v.label, right ? px + 6 : px - 6, T + 4);
      } else {
        // a narrow chart with the line near the middle: the label fits on neither side, so it crosses the
        // line on a white backing instead of being cut off at the plot's edge
        const x = Math.max(L + 2, Math.min(px + 6, L + pw - w - 2));
        ctx.fillStyle = 'rgba(255,255,255,0.9)';
        ctx.fillRect(x - 2, T + 2, w + 4, 18);
        ctx.fillStyle = v.color || OI.vermillion;
        ctx.textAlign = 'left';
        ctx.fillText(v.label, x, T + 4);
      }
    }
    ctx.restore();
    if (this.cursor !== null) this.#setCursor(Math.max(xMin, Math.min(xMax, this.cursor)));
  }

  line(ctx, s, X, Y, ty, ok, floor = null) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.globalAlpha = s.alpha ?? 1;
    ctx.lineWidth = s.width ?? 2;
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
    if (!s.dots) {
      for (const [x, y] of lonely) { ctx.beginPath(); ctx.arc(x, y, Math.max(3.5, ctx.lineWidth + 1.5), 0, Math.PI * 2); ctx.fill(); }
    }
    ctx.setLineDash([]);
    if (s.dots) {
      for (let i = 0; i < s.n; i++) {
        const v = s.ys[i];
        if (!ok(v)) continue;
        ctx.beginPath();
        ctx.arc(X(s.xs[i]), Y(ty(v)), s.dots, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
  }
}

export class BarChart extends Canvas {
  /** opts: {xLabel, yLabel, categories: [...], yMax} */
  constructor(canvas, opts) {
    super(canvas);
    this.opts = opts;
  }

  /** spec: {bars: [{values, color, alpha, outline}]} — several sets are drawn side by side per category */
  draw(spec) {
    this.last = spec;
    if (!this.w) return;
    const ctx = this.begin();
    const { categories, yMax } = this.opts;
    const L = 62, R = 10, T = 12, B = 46;
    const pw = this.w - L - R, ph = this.h - T - B;
    if (pw < 20 || ph < 20) return;
    const Y = (v) => T + ph - (v / yMax) * ph;
    ctx.font = SMALL;
    ctx.strokeStyle = '#e3e3e3';
    ctx.fillStyle = '#333';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = 0; v <= yMax; v += yMax / 4) {
      const py = Math.round(Y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
      ctx.fillText(String(v), L - 6, py);
    }
    const slot = pw / categories.length;
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
          ctx.lineWidth = 1.5;
          ctx.strokeRect(x + 0.75, y + 0.75, bw - 1.5, T + ph - y - 0.75);
        } else {
          ctx.fillStyle = set.color;
          ctx.fillRect(x, y, bw - 1, T + ph - y);
        }
      }
      ctx.globalAlpha = 1;
    });
    drawAxes(ctx, L, T, pw, ph, this.opts.xLabel, this.opts.yLabel);
  }
}
