// Layer health over epochs, from the history rows (www/lab/record.js): each layer's update/weight ratio on a
// log axis against the healthy band, the share of its channels dead (ReLU) or saturated (sigmoid/tanh), and a table
// of every per-layer figure of one epoch (activation mean and std included), which is also the charts' text
// alternative. Colours per layer are the gradient chart's (LAYER_COLOURS by layer index), so a layer keeps its
// colour across charts; the pinned run is drawn faded behind, as in the other charts.
//
// Both charts are charts.js's LineChart, so they read off values on hover and focus and hide a layer from its
// legend entry like the others: the ratio chart with a shaded band, a floor on its log axis and ▽ markers.
import { LineChart, LAYER_COLOURS, renderLegend } from '../charts.js';
import { pct } from '../ui/format.js';
import { keyboardScrollable } from '../ui/scroll.js';

/** ‖Δθ‖/‖θ‖ per step: about 1e-3 is healthy (Karpathy, CS231n notes "Ratio of weights:updates"). */
export const HEALTHY = 1e-3;
export const BAND = [1e-4, 1e-2];
/** Ten times outside the band: what the diagnosis warns about (crates/losslab-diagnose/src/thresholds.rs: update_ratio_low < 1e-5, _high > 0.1). */
const FAR = [1e-5, 1e-1];
/** The ratio axis never goes below this; smaller ratios (a layer that stopped moving) sit on its floor, marked. */
const FLOOR = 1e-8;
const PIN_ALPHA = 0.35;
/** The readout's head: the mouse may rest between two epochs. */
const epochAt = (x) => `epoch ${Number.isInteger(x) ? x : x.toFixed(2)}`;
/** A point below the band is a hollow ▽, one on the floor (a ratio < 1e-8) a filled ▼, any other a dot. */
const ratioMarker = (v) => (v < FLOOR ? 'down-solid' : v < BAND[0] ? 'down' : 'dot');

const colour = (j) => LAYER_COLOURS[j % LAYER_COLOURS.length];
const sci = (v) => (v == null || !Number.isFinite(v) ? '—' : v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? Number(v.toPrecision(2)).toString() : v.toExponential(1));
/** A share of channels: whole percent, one decimal below 1% (a few dead channels are not 0%). */
const unitsPct = (v) => pct(v, '—', v > 0 && v < 0.01 ? 1 : 0);
/** Which per-layer share means something for an activation: ReLU units can die, sigmoid/tanh saturate. */
const shareOf = (act) => (act === 'relu' ? 'deadFracs' : act === 'sigmoid' || act === 'tanh' ? 'satFracs' : null);

export class LayerHealthView {
  /** root: the #layer-health section */
  constructor(root) {
    const q = (s) => root.querySelector(s);
    this.root = root;
    this.ratioFigure = q('#health-ratio');
    this.ratioCanvas = q('#chart-ratio');
    this.ratio = new LineChart(this.ratioCanvas, { xLabel: 'epoch', yLabel: 'update / weight', logY: true, xStep: 1, xName: epochAt });
    this.shareCanvas = q('#chart-share');
    this.share = new LineChart(this.shareCanvas, { xLabel: 'epoch', yLabel: '% of channels', yMin: 0, yMax: 100, unit: '%', xStep: 1, xName: epochAt });
    this.legends = { ratio: q('#legend-ratio'), share: q('#legend-share') };
    this.below = q('#health-below');
    this.shareNote = q('#health-share-note');
    this.table = q('#health-table');
    // wider than a phone: it scrolls sideways, by keyboard too
    keyboardScrollable(q('.health-table-wrap'), "Table of each layer's figures");
    this.shareHead = q('#health-share-col');
    this.epochPick = q('#health-epoch');
    this.picked = null; // the epoch the learner chose for the table; null = always the latest
    this.epochPick.addEventListener('change', () => {
      const v = Number(this.epochPick.value);
      this.picked = v === this.latest ? null : v;
      this.#table();
    });
    this.key = '';
    this.rec = null;
    this.latest = 0;
  }

  /** rec: the current Record; pin: the pinned Record or null; o: {act, pinAct} — the runs' activations */
  draw(rec, pin, o) {
    this.rec = rec;
    this.act = o.act;
    const names = rec.layerNames;
    const xMax = Math.max(1, rec.epochs.length, pin ? pin.epochs.length : 0);
    const runs = pin ? [[pin, PIN_ALPHA, o.pinAct], [rec, 1, o.act]] : [[rec, 1, o.act]];

    // update/weight ratio per layer
    const ratioSeries = [];
    for (const [r, alpha] of runs) {
      const faded = alpha < 1;
      r.layerNames.forEach((name, j) => ratioSeries.push({
        xs: r.epochs.map((e) => e.epoch), ys: r.epochs.map((e) => e.updateRatios?.[name] ?? NaN), n: r.epochs.length,
        color: colour(j), alpha, width: 2.5, marker: ratioMarker,
        key: `layer-${name}`, group: faded ? 'pinned' : undefined, name: `${faded ? 'pinned: ' : ''}${name}`,
      }));
    }
    this.ratio.draw({
      series: ratioSeries, xMax, integerX: true, yFloor: FLOOR,
      // a decade either side of the band always shows, so a layer just outside it is seen to be
      yInclude: [BAND[0] / 10, BAND[1] * 10],
      bands: [{ y0: BAND[0], y1: BAND[1], color: 'rgba(0, 158, 115, 0.12)', label: 'shaded: healthy band 1e-4 … 1e-2' }],
      hlines: [{ y: HEALTHY, label: 'healthy ≈ 1e-3 (CS231n)', color: '#0b6b4f', left: true }],
    });

    // dead (ReLU) or saturated (sigmoid/tanh) share of every layer with an activation (all but the output layer)
    const shareSeries = [];
    for (const [r, alpha, act] of runs) {
      const field = shareOf(act);
      if (!field) continue;
      const faded = alpha < 1;
      r.layerNames.slice(0, -1).forEach((name, j) => shareSeries.push({
        xs: r.epochs.map((e) => e.epoch), ys: r.epochs.map((e) => (e[field]?.[name] ?? NaN) * 100), n: r.epochs.length,
        color: colour(j), alpha, width: 2.5, dots: 4, dash: field === 'satFracs' ? [7, 4] : undefined,
        // legend keys and readout names as in the gradient chart (www/views/plots.js)
        key: `layer-${name}`, group: faded ? 'pinned' : undefined,
        name: `${faded ? 'pinned: ' : ''}${name} ${field === 'deadFracs' ? 'dead' : 'saturated'}`,
      }));
    }
    this.share.draw({ series: shareSeries, xMax, integerX: true });
    const field = shareOf(o.act);
    this.shareNote.textContent = field === 'deadFracs'
      ? 'Dead: a ReLU channel (a convolution\u2019s filter, a dense layer\u2019s unit) that is off (≤ 0) at every position for every image of the batch, so it passes no gradient back and cannot recover (CS231n). A healthy layer reads near 0%.'
      : field === 'satFracs'
        ? 'Saturated: a sigmoid or tanh channel whose outputs sit in a flat end of the curve at every position for every image of the batch, where the slope, and so the gradient passed back, is almost zero.'
        : `With ${o.act === 'leaky_relu' ? 'leaky ReLU (it never outputs exactly zero)' : 'no activation'} channels can neither die nor saturate: nothing to draw here.`;

    const legendRatio = names.map((name, j) => ({ label: name, color: colour(j), key: `layer-${name}` }));
    const legendShare = field ? names.slice(0, -1).map((name, j) => ({ label: `${name} ${field === 'deadFracs' ? 'dead' : 'saturated'}`, color: colour(j), dash: field === 'satFracs', key: `layer-${name}` })) : [];
    if (pin) {
      const faded = { label: 'faded: pinned run, same colour per layer', color: '#999', faded: true };
      legendRatio.push({ ...faded, key: 'pinned' });
      if (field || shareOf(o.pinAct)) legendShare.push({ ...faded, key: 'pinned' });
    }
    const key = JSON.stringify([legendRatio, legendShare]);
    if (key !== this.key) {
      this.key = key;
      renderLegend(this.legends.ratio, legendRatio, this.ratio);
      renderLegend(this.legends.share, legendShare, this.share);
    }
    this.#belowBand(rec);
    this.#ariaLabels(rec, field);
    this.#epochChoices(rec);
    this.#table();
  }

  /** The layers of the latest epoch below (or above) the band, in words, and as data attributes for scripts. */
  #belowBand(rec) {
    const last = rec.epochs[rec.epochs.length - 1];
    const fig = this.ratioFigure;
    if (!last) {
      this.below.textContent = 'One point per layer appears at the end of each epoch.';
      fig.dataset.below = fig.dataset.above = '';
      return;
    }
    const r = last.updateRatios || {};
    const below = rec.layerNames.filter((n) => r[n] != null && r[n] < BAND[0]);
    const above = rec.layerNames.filter((n) => r[n] != null && r[n] > BAND[1]);
    const none = rec.layerNames.filter((n) => r[n] == null);
    // a layer without any gradient that still moves is coasting on momentum: its ratio says nothing about learning
    const still = rec.layerNames.filter((n) => last.gradNorms?.[n] === 0);
    fig.dataset.below = below.join(' ');
    fig.dataset.above = above.join(' ');
    fig.dataset.epoch = String(last.epoch);
    const list = (ns) => ns.map((n) => `${n} (${sci(r[n])})`).join(', ');
    const parts = [];
    if (below.length) parts.push(`▽ below the band, barely learning: ${list(below)}`);
    if (above.length) parts.push(`above the band, large steps for the weights: ${list(above)}`);
    if (none.length) parts.push(`no ratio (all weights zero): ${none.join(', ')}`);
    if (still.length) parts.push(`no gradient at all: ${still.join(', ')}${still.some((n) => r[n] > 0) ? ' (any movement is momentum coasting)' : ''}`);
    this.below.textContent = `Epoch ${last.epoch}: ${parts.length ? parts.join('; ') : 'every layer inside the healthy band'}.`;
    const far = none.length || still.length || rec.layerNames.some((n) => r[n] != null && (r[n] < FAR[0] || r[n] > FAR[1]));
    this.below.dataset.state = far ? 'far' : parts.length ? 'near' : 'ok';
  }

  #ariaLabels(rec, field) {
    const last = rec.epochs[rec.epochs.length - 1];
    const each = (f, fmt) => rec.layerNames.map((n) => `${n} ${fmt(last[f]?.[n])}`).join(', ');
    this.ratioCanvas.setAttribute('aria-label', last
      ? `Update to weight ratio per layer against epochs, log scale, healthy band 1e-4 to 1e-2 around 1e-3. Epoch ${last.epoch}: ${each('updateRatios', sci)}.`
      : 'Update to weight ratio per layer against epochs, log scale, with the healthy band around 1e-3; no epoch yet.');
    this.shareCanvas.setAttribute('aria-label', last && field
      ? `${field === 'deadFracs' ? 'Dead ReLU' : 'Saturated'} channels per layer in percent against epochs. Epoch ${last.epoch}: ${rec.layerNames.slice(0, -1).map((n) => `${n} ${unitsPct(last[field]?.[n])}`).join(', ')}.`
      : 'Dead or saturated channels per layer in percent against epochs; nothing to show yet.');
  }

  #epochChoices(rec) {
    const n = rec.epochs.length;
    if (n === this.latest && this.epochPick.options.length === Math.max(1, n)) return;
    this.latest = n;
    if (this.picked !== null && this.picked > n) this.picked = null;
    this.epochPick.textContent = '';
    if (!n) this.epochPick.append(new Option('—', '0'));
    for (let e = n; e >= 1; e--) this.epochPick.append(new Option(e === n ? `${e} (latest)` : String(e), String(e)));
    this.epochPick.value = String(this.picked ?? n);
    this.epochPick.disabled = n < 2;
  }

  /** Every per-layer figure of the chosen epoch: the numbers behind both charts, and the activations. */
  #table() {
    const rec = this.rec;
    const tbody = this.table.tBodies[0];
    tbody.textContent = '';
    const row = rec && rec.epochs[(this.picked ?? rec.epochs.length) - 1];
    if (!row) {
      const tr = tbody.insertRow();
      const td = tr.insertCell();
      td.colSpan = 6;
      td.textContent = 'The figures of each layer appear at the end of the first epoch.';
      return;
    }
    const field = shareOf(this.act);
    this.shareHead.textContent = field === 'satFracs' ? 'saturated' : 'dead';
    rec.layerNames.forEach((name, j) => {
      const tr = tbody.insertRow();
      tr.dataset.layer = name;
      const th = document.createElement('th');
      th.scope = 'row';
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.setProperty('--c', colour(j));
      th.append(sw, ` ${name}`);
      tr.append(th);
      const u = row.updateRatios?.[name];
      const out = j === rec.layerNames.length - 1;
      const cells = [
        [sci(u), u != null && (u < BAND[0] || u > BAND[1]) ? (u < BAND[0] ? 'below' : 'above') : ''],
        [sci(row.gradNorms?.[name]), ''],
        [sci(row.weightNorms?.[name]), ''],
        [out || !field ? '—' : unitsPct(row[field]?.[name]), ''],
        [out ? 'output (logits)' : `${sci(row.actMeans?.[name])} ± ${sci(row.actStds?.[name])}`, ''],
      ];
      for (const [text, flag] of cells) {
        const td = tr.insertCell();
        td.textContent = text;
        if (flag) { td.dataset.flag = flag; if (u < FAR[0] || u > FAR[1]) td.dataset.far = ''; td.title = flag === 'below' ? 'below the healthy band (1e-4 … 1e-2)' : 'above the healthy band (1e-4 … 1e-2)'; }
      }
    });
  }
}
