// The four charts of a run (and of the pinned run, faded): loss, accuracy, per-layer gradient norm, recall.
// Every line has a legend key: its legend entry hides and shows it, and the hover/focus readout names it.
import { LineChart, BarChart, OI, LAYER_COLOURS, renderLegend } from '../charts.js';
import { bandCharts } from './seedrace.js';
import { count } from '../ui/format.js';

const CHANCE = Math.log(10);
const PIN_ALPHA = 0.35;
// the noise lines in a dark ochre, apart from the curves they bound; the corrupted-label reference in a dark
// purple, as the corrupted-label curve (purple) that is read against it
const REF_COLOUR = { prior: '#444', floor: '#8c6d00', ceiling: '#8c6d00', 'noisy-floor': '#7d3c68' };

export class Plots {
  constructor() {
    this.spe = 0; // steps per epoch of the current run, for the readout's step numbers
    const epochAndStep = (x) => `epoch ${x.toFixed(2)}${this.spe ? ` (step ${Math.round(x * this.spe)})` : ''}`;
    const point = (x) => (Number.isInteger(x) ? `epoch ${x}` : this.spe ? `step ${Math.round(x * this.spe)}` : `epoch ${x.toFixed(2)}`);
    this.loss = new LineChart(document.getElementById('chart-loss'), { xLabel: 'epoch', yLabel: 'loss (nats)', zoom: true, xName: epochAndStep, pointName: point });
    this.acc = new LineChart(document.getElementById('chart-acc'), { xLabel: 'epoch', yLabel: 'accuracy %', yMin: 0, yMax: 100, unit: '%', xName: epochAndStep, pointName: point });
    this.grad = new LineChart(document.getElementById('chart-grad'), { xLabel: 'epoch', yLabel: 'gradient norm', logY: true, xName: epochAndStep, pointName: point });
    this.recall = new BarChart(document.getElementById('chart-recall'), {
      xLabel: 'digit', yLabel: 'recall %', categories: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], yMax: 100,
      itemName: (d) => `digit ${d}`, valueName: 'recall', unit: '%',
    });
    this.legends = {
      loss: document.getElementById('legend-loss'), acc: document.getElementById('legend-acc'),
      grad: document.getElementById('legend-grad'), recall: document.getElementById('legend-recall'),
    };
    this.legendKey = '';
  }

  /** rec: the current Record; pin: a frozen Record or null; o: {raw, logY, noise, pinNote, refs: {loss, acc} or null,
   * drop: the epoch after which the step schedule divides the rate by 10, or null, seedRace: a race on several seeds
   * (www/lab/seedrace.js) that the loss and accuracy charts show instead of the two runs, or null} */
  draw(rec, pin, o) {
    this.spe = rec.stepsPerEpoch;
    let xMax = Math.max(1, Math.ceil(Math.max(rec.x.n ? rec.x.a[rec.x.n - 1] : 0, rec.epochs.length,
      pin ? Math.max(pin.epochs.length, pin.x.n ? pin.x.a[pin.x.n - 1] : 0) : 0)));
    // a run that diverged within its first epoch (and nothing pinned): zoom in on the steps it took
    if (rec.divergedAt != null && !rec.epochs.length && !pin && rec.stepsPerEpoch) {
      xMax = Math.min(1, Math.max(rec.divergedAt / rec.stepsPerEpoch * 1.25, 4 / rec.stepsPerEpoch));
    }
    const lossSeries = [], accSeries = [], lossLegend = [], accLegend = [];
    // the validation pass under way: its estimate so far, with the 95% interval of the complete pass's figure
    const est = rec.estimate;
    const whisker = (y, half, scale = 1) => ({ x: est.epoch, y: y * scale, lo: (y - half) * scale, hi: (y + half) * scale, color: OI.vermillion, key: 'val' });
    const lossWhiskers = est ? [whisker(est.loss, est.lossHalf)] : [];
    const accWhiskers = est ? [whisker(est.acc, est.accHalf, 100)] : [];
    const runs = pin ? [[pin, true], [rec, false]] : [[rec, false]];
    const dot = (r) => (r.epochs.length <= 30 ? 4 : 0);
    const batchName = o.raw ? 'each batch (raw)' : 'each batch (smoothed)';
    for (const [r, faded] of runs) {
      const a = faded ? PIN_ALPHA : 1;
      // the pinned run's lines: named apart in the readout, hidden with their own key or all at once
      const k = (key, name) => ({ key, name: faded ? `pinned: ${name}` : name, group: faded ? 'pinned' : undefined });
      const batch = o.raw ? r.loss : r.lossEma;
      lossSeries.push({ xs: r.x.a, ys: batch.a, n: batch.n, color: OI.sky, width: o.raw ? 1 : 2, alpha: faded ? PIN_ALPHA : o.raw ? 0.8 : 1, ...k('batch', batchName) });
      const tr = r.epochSeries('trainLoss'), va = r.epochSeries('valLoss');
      lossSeries.push({ ...tr, color: OI.blue, width: 2.5, dots: dot(r), alpha: a, ...k('train', 'train (epoch)') });
      lossSeries.push({ ...va, color: OI.vermillion, width: 2.5, dots: dot(r), alpha: a, dash: [7, 4], ...k('val', 'validation') });
      accSeries.push({ ...r.epochSeries('trainAcc', 100), color: OI.blue, width: 2.5, dots: dot(r), alpha: a, ...k('train', 'train') });
      accSeries.push({ ...r.epochSeries('valAcc', 100), color: OI.vermillion, width: 2.5, dots: dot(r), alpha: a, dash: [7, 4], ...k('val', 'validation') });
      if (o.noise && r.withNoise) {
        lossSeries.push({ ...r.epochSeries('cleanLoss'), color: OI.green, width: 2, dots: dot(r) && 3.5, alpha: a, dash: [2, 3], ...k('clean', 'clean labels') });
        lossSeries.push({ ...r.epochSeries('noisyLoss'), color: OI.purple, width: 2, dots: dot(r) && 3.5, alpha: a, dash: [2, 3], ...k('noisy', 'corrupted labels') });
        accSeries.push({ ...r.epochSeries('cleanAcc', 100), color: OI.green, width: 2, dots: dot(r) && 3.5, alpha: a, dash: [2, 3], ...k('clean', 'clean labels') });
        accSeries.push({ ...r.epochSeries('noisyAcc', 100), color: OI.purple, width: 2, dots: dot(r) && 3.5, alpha: a, dash: [2, 3], ...k('noisy', 'corrupted labels') });
      }
    }
    // while a validation pass is under way, its legend entry says what the hollow point is
    const valLabel = est ? `validation (○ so far: ${count(est.count)} of ${count(est.total)} images, 95% interval)` : 'validation';
    lossLegend.push({ label: batchName, color: OI.sky, key: 'batch' },
      { label: 'train (epoch)', color: OI.blue, key: 'train' }, { label: valLabel, color: OI.vermillion, dash: true, key: 'val' });
    accLegend.push({ label: 'train', color: OI.blue, key: 'train' }, { label: valLabel, color: OI.vermillion, dash: true, key: 'val' });
    if (o.noise) {
      lossLegend.push({ label: 'clean labels', color: OI.green, dash: true, key: 'clean' }, { label: 'corrupted labels', color: OI.purple, dash: true, key: 'noisy' });
      accLegend.push({ label: 'clean labels', color: OI.green, dash: true, key: 'clean' }, { label: 'corrupted labels (fits the wrong label)', color: OI.purple, dash: true, key: 'noisy' });
    }
    const pinItem = pin && { label: `faded: pinned run${pin.label ? ' (' + pin.label + ')' : ''}${o.pinNote || ''}`, color: '#999', faded: true, key: 'pinned' };
    if (pin) {
      lossLegend.push(pinItem);
      accLegend.push(pinItem);
    }
    // reference lines where theory gives one (www/views/refs.js); the chance line is always there
    const lossRefs = [{ y: CHANCE, label: 'chance (ln 10 ≈ 2.30)', color: '#444', key: 'chance' }];
    const accRefs = [{ y: 10, label: 'chance (10%)', color: '#444', key: 'chance' }];
    for (const r of o.refs?.loss || []) {
      lossRefs.push({ y: r.y, label: r.short, color: REF_COLOUR[r.kind], key: r.kind, below: true });
      lossLegend.push({ label: r.label, color: REF_COLOUR[r.kind], dash: true, key: r.kind, ref: r.kind, value: r.y });
    }
    for (const r of o.refs?.acc || []) {
      accRefs.push({ y: r.y, label: r.short, color: REF_COLOUR[r.kind], key: r.kind, below: true });
      accLegend.push({ label: r.label, color: REF_COLOUR[r.kind], dash: true, key: r.kind, ref: r.kind, value: r.y });
    }
    const vlines = [];
    if (rec.divergedAt != null) vlines.push({ x: rec.divergedAt / (rec.stepsPerEpoch || 1), label: `diverged at step ${rec.divergedAt}`, color: OI.vermillion });
    if (pin && pin.divergedAt != null) vlines.push({ x: pin.divergedAt / (pin.stepsPerEpoch || 1), label: `pinned run diverged at step ${pin.divergedAt}`, color: '#777' });
    // where the step schedule divided the learning rate, once the run is past it (a second label line, below the others)
    if (o.drop != null && rec.steps >= o.drop * (rec.stepsPerEpoch || Infinity)) {
      vlines.push({ x: o.drop, label: 'learning rate ÷ 10', color: OI.purple, row: 1 });
    }
    // the epoch of the lowest validation loss so far (the engine's own record, which early stopping reads)
    const best = rec.epochs.length ? rec.epochs[rec.epochs.length - 1].bestEpoch : null;
    const lossVlines = best != null ? [...vlines, { x: best, label: 'best validation loss', color: OI.green }] : vlines;
    if (o.seedRace) {
      // each side's mean line and min–max band over the seeds, on the axes of the race's epochs
      const b = bandCharts(o.seedRace, { raw: o.raw });
      this.loss.canvas.dataset.bands = JSON.stringify(b.bands);
      const x = { xMax: o.seedRace.epochs, integerX: true };
      this.loss.draw({ series: b.loss.series, areas: b.loss.areas, ...x, logY: o.logY, yCap: 3 * CHANCE, yZero: true, hlines: lossRefs.slice(0, 1) });
      this.acc.draw({ series: b.acc.series, areas: b.acc.areas, ...x, hlines: accRefs.slice(0, 1) });
      lossLegend.length = 0;
      accLegend.length = 0;
      lossLegend.push(...b.loss.legend);
      accLegend.push(...b.acc.legend);
    } else {
      delete this.loss.canvas.dataset.bands;
      this.loss.draw({ series: lossSeries, whiskers: lossWhiskers, xMax, logY: o.logY, vlines: lossVlines, yCap: 3 * CHANCE, yZero: true, hlines: lossRefs });
      this.acc.draw({ series: accSeries, whiskers: accWhiskers, xMax, vlines, hlines: accRefs });
    }

    // gradient norms: one line per parameterised layer, every step; the pinned run's layers faded underneath
    const gradSeries = [], gradLegend = [];
    if (pin) {
      pin.layerNames.forEach((name, j) => {
        const g = o.raw ? pin.grad[j] : pin.gradEma[j];
        gradSeries.push({ xs: pin.x.a, ys: g.a, n: g.n, color: LAYER_COLOURS[j % LAYER_COLOURS.length], width: o.raw ? 1 : 2, alpha: PIN_ALPHA, key: `layer-${name}`, group: 'pinned', name: `pinned: ${name}` });
      });
    }
    rec.layerNames.forEach((name, j) => {
      const c = LAYER_COLOURS[j % LAYER_COLOURS.length];
      const g = o.raw ? rec.grad[j] : rec.gradEma[j];
      gradSeries.push({ xs: rec.x.a, ys: g.a, n: g.n, color: c, width: o.raw ? 1 : 2, key: `layer-${name}`, name });
      gradLegend.push({ label: name, color: c, key: `layer-${name}` });
    });
    if (pin && pin.layerNames.length) gradLegend.push({ ...pinItem, label: 'faded: pinned run, same colour per layer' });
    this.grad.draw({ series: gradSeries, xMax, vlines, zeroFloor: true });

    // recall per digit: the latest epoch, the pinned run's latest epoch as outlines
    const bars = [];
    const last = rec.epochs[rec.epochs.length - 1];
    const recallLegend = [];
    if (pin && pin.epochs.length) {
      bars.push({ values: pin.epochs[pin.epochs.length - 1].recall.map((v) => v * 100), color: '#777', outline: true, name: 'pinned' });
      recallLegend.push({ label: 'pinned run', color: '#777', faded: true });
    }
    bars.push({ values: last ? last.recall.map((v) => v * 100) : [], color: OI.blue, name: 'this run' });
    recallLegend.push({ label: last ? `epoch ${last.epoch}` : 'bars appear after the first epoch', color: OI.blue, bar: true });
    this.recall.draw({ bars });

    const key = JSON.stringify([lossLegend, accLegend, gradLegend, recallLegend]);
    if (key !== this.legendKey) {
      this.legendKey = key;
      renderLegend(this.legends.loss, lossLegend, this.loss);
      renderLegend(this.legends.acc, accLegend, this.acc);
      renderLegend(this.legends.grad, gradLegend, this.grad);
      renderLegend(this.legends.recall, recallLegend);
    }
  }
}
