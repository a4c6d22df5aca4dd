// The validation confusion matrix as a heat map (rows = true digit, columns = predicted) and the training
// class counts as bars. Both are HTML, not canvas: every cell and bar is an element a screen reader can
// name and a keyboard can reach, and the tests read the counts from data attributes.
import { el } from '../ui/dom.js';
import { cssRgb, fadeToWhite, hslToRgb, inkOn } from '../ui/contrast.js';
import { count } from '../ui/format.js';

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * Colour of a cell holding `share` (0…1) of its row, as sRGB [r, g, b]: one hue, light to dark (a sequential scale
 * reads the same to colour-blind readers), on a square-root scale so that a 2% confusion is visible beside a 98%
 * diagonal. Off-diagonal cells are blue; the diagonal (the right answers) is grey, so the eye goes to the
 * mistakes. `keep` < 1 fades the colour towards white (the pinned run's matrix).
 */
export function cellColour(share, diagonal, keep = 1) {
  const t = Math.sqrt(Math.max(0, Math.min(1, share)));
  if (t === 0) return [255, 255, 255];
  const [h, s] = diagonal ? [0, 0] : [205, 100];
  const light = 97 - t * 72; // 97% (near white) … 25% (dark)
  return fadeToWhite(hslToRgb(h, s, light), keep);
}

/** How much of its colour the pinned run's matrix keeps: faded behind this run's, as the pinned curves are. */
const PIN_KEEP = 0.8;

/** One 10×10 matrix: a grid of cells with a roving tabindex (arrow keys, Home/End) and a live readout. */
class Matrix {
  /** keep: how much of its colour each cell keeps (1; less fades the matrix towards white, see cellColour). */
  constructor(root, title, readout, keep = 1) {
    this.readout = readout;
    this.title = title;
    this.keep = keep;
    this.fig = el('div', { class: 'cm' });
    this.caption = el('p', { class: 'cm-title' }, title);
    this.grid = el('div', { class: 'cm-grid', role: 'grid', 'aria-label': `${title}: confusion matrix, rows are the true digit, columns the predicted digit` });
    const head = el('div', { role: 'row', class: 'cm-row' });
    head.append(el('span', { class: 'cm-corner', role: 'columnheader', 'aria-label': 'true digit ↓, predicted →' }, 'true↓'));
    for (const c of DIGITS) head.append(el('span', { class: 'cm-head', role: 'columnheader' }, String(c)));
    this.grid.append(head);
    this.cells = [];
    for (const r of DIGITS) {
      const row = el('div', { role: 'row', class: 'cm-row' });
      row.append(el('span', { class: 'cm-head', role: 'rowheader' }, String(r)));
      for (const c of DIGITS) {
        const cell = el('span', { role: 'gridcell', class: 'cm-cell' + (r === c ? ' diag' : ''), tabindex: '-1', 'data-true': r, 'data-pred': c });
        cell.addEventListener('focus', () => this.say(r, c));
        cell.addEventListener('mouseenter', () => this.say(r, c));
        this.cells.push(cell);
        row.append(cell);
      }
      this.grid.append(row);
    }
    this.cells[0].tabIndex = 0;
    this.grid.addEventListener('keydown', (e) => this.key(e));
    const axis = el('p', { class: 'cm-axis', 'aria-hidden': 'true' }, 'predicted →');
    this.fig.append(this.caption, axis, this.grid);
    root.append(this.fig);
    this.counts = null;
  }

  key(e) {
    const i = this.cells.indexOf(document.activeElement);
    if (i < 0) return;
    let r = Math.floor(i / 10), c = i % 10;
    switch (e.key) {
      case 'ArrowLeft': c = Math.max(0, c - 1); break;
      case 'ArrowRight': c = Math.min(9, c + 1); break;
      case 'ArrowUp': r = Math.max(0, r - 1); break;
      case 'ArrowDown': r = Math.min(9, r + 1); break;
      case 'Home': c = 0; break;
      case 'End': c = 9; break;
      default: return;
    }
    e.preventDefault();
    this.move(r * 10 + c);
  }
  move(j) {
    for (const cell of this.cells) cell.tabIndex = -1;
    this.cells[j].tabIndex = 0;
    this.cells[j].focus();
  }

  /** The sentence for one cell, in the live readout. */
  say(r, c) {
    if (!this.counts) { this.readout.textContent = `${this.title}: no epoch finished yet`; return; }
    const n = this.counts[r * 10 + c];
    const row = this.counts.slice(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0);
    const share = row ? ` (${((100 * n) / row).toFixed(1)}% of the ${r}s)` : '';
    this.readout.textContent = `${this.title}: true ${r}, predicted ${c}: ${n} image${n === 1 ? '' : 's'}${share}${r === c ? ' — right' : ''}`;
  }

  /** counts: 100 validation counts row by row, or null (nothing to show yet). */
  show(counts, label) {
    this.counts = counts && counts.length === 100 ? counts : null;
    this.caption.textContent = label ? `${this.title} · ${label}` : this.title;
    this.grid.dataset.empty = this.counts ? 'false' : 'true';
    for (let r = 0; r < 10; r++) {
      const row = this.counts ? this.counts.slice(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0) : 0;
      for (let c = 0; c < 10; c++) {
        const cell = this.cells[r * 10 + c];
        const n = this.counts ? this.counts[r * 10 + c] : 0;
        const share = row ? n / row : 0;
        cell.dataset.count = this.counts ? String(n) : '';
        // the background is faded, never the text: its ink is chosen on the colour as shown (4.5:1 or more)
        const bg = cellColour(share, r === c, this.keep);
        cell.style.background = cssRgb(bg);
        cell.style.color = inkOn(bg);
        cell.textContent = this.counts && n ? String(n) : '';
        cell.setAttribute('aria-label', this.counts ? `true ${r}, predicted ${c}: ${n}` : `true ${r}, predicted ${c}: no data yet`);
      }
    }
  }
}

export class ConfusionView {
  /** root: the figure's body; holds the epoch picker, this run's matrix and, with a pin, the pinned run's. */
  constructor(root) {
    this.root = root;
    const tools = el('div', { class: 'cm-tools' });
    const lab = el('label', { for: 'cm-epoch' }, 'epoch ');
    this.picker = el('select', { id: 'cm-epoch' });
    lab.append(this.picker);
    tools.append(lab);
    this.picker.addEventListener('change', () => { this.chosen = this.picker.value === 'latest' ? null : Number(this.picker.value); this.render(); });
    this.readout = el('p', { class: 'cm-readout', 'aria-live': 'polite', id: 'cm-readout' }, 'Hover over or focus a cell (arrow keys move) to read its count.');
    this.pair = el('div', { class: 'cm-pair' });
    this.mine = new Matrix(this.pair, 'this run', this.readout);
    this.pinned = new Matrix(this.pair, 'pinned run', this.readout, PIN_KEEP);
    this.pinned.fig.hidden = true;
    this.pinned.fig.classList.add('cm-pinned');
    root.append(tools, this.pair, this.readout);
    this.chosen = null; // an epoch number, or null for the latest
    this.rec = null;
    this.pin = null;
    this.key = '';
  }

  /** rec: the current Record; pin: the shown pinned Record or null. Redraws only when something changed. */
  update(rec, pin) {
    const key = `${rec.epochs.length}|${pin ? pin.epochs.length : -1}|${pin ? pin.label : ''}`;
    this.rec = rec;
    this.pin = pin;
    if (key === this.key) return;
    this.key = key;
    if (this.chosen !== null && this.chosen > rec.epochs.length) this.chosen = null;
    this.picker.textContent = '';
    const last = rec.epochs.length;
    this.picker.append(el('option', { value: 'latest' }, last ? `latest (${last})` : 'latest'));
    for (let e = 1; e <= last; e++) this.picker.append(el('option', { value: String(e) }, String(e)));
    this.picker.value = this.chosen === null ? 'latest' : String(this.chosen);
    this.picker.disabled = last < 2;
    this.render();
  }

  render() {
    const rec = this.rec;
    const row = (r, n) => (r && r.epochs.length ? r.epochs[Math.min(n ?? r.epochs.length, r.epochs.length) - 1] : null);
    const mine = row(rec, this.chosen);
    this.mine.show(mine ? mine.confusion : null, mine ? `epoch ${mine.epoch}` : 'after the first epoch');
    this.root.dataset.epoch = mine ? String(mine.epoch) : '';
    const p = this.pin;
    this.pinned.fig.hidden = !p;
    if (p) {
      const pr = row(p, this.chosen);
      this.pinned.show(pr ? pr.confusion : null, pr ? `epoch ${pr.epoch}` : 'no epoch yet');
    }
  }
}

/** Training-label counts after the data faults, as HTML bars with the digit under each and a text list. */
export class ClassCountsView {
  constructor(root) {
    this.fig = el('figure', { class: 'counts', id: 'class-counts' });
    const cap = el('figcaption', {}, 'Training images per digit (after imbalance)');
    this.bars = el('div', { class: 'count-bars', role: 'list', 'aria-label': 'training images per digit' });
    this.items = DIGITS.map((d) => {
      const item = el('div', { class: 'count-bar', role: 'listitem', tabindex: '0', 'data-digit': d });
      const bar = el('span', { class: 'count-fill' });
      const lab = el('span', { class: 'count-digit', 'aria-hidden': 'true' }, String(d));
      item.append(bar, lab);
      const say = () => { this.readout.textContent = item.getAttribute('aria-label'); };
      item.addEventListener('focus', say);
      item.addEventListener('mouseenter', say);
      this.bars.append(item);
      return { item, bar };
    });
    this.readout = el('p', { class: 'count-readout', 'aria-live': 'polite' });
    this.text = el('p', { class: 'count-text help', id: 'class-counts-text' });
    this.fig.append(cap, this.bars, this.readout, this.text);
    root.append(this.fig);
    this.show(null);
  }

  /** counts: the built message's classCounts (10 numbers) or null while building. */
  show(counts) {
    this.fig.dataset.ready = counts ? 'true' : 'false';
    this.readout.textContent = '';
    const max = counts ? Math.max(1, ...counts) : 1;
    const total = counts ? counts.reduce((a, b) => a + b, 0) : 0;
    this.items.forEach(({ item, bar }, d) => {
      const n = counts ? counts[d] : 0;
      item.dataset.count = counts ? String(n) : '';
      bar.style.height = `${(100 * n) / max}%`;
      const say = counts ? `digit ${d}: ${count(n)} images (${((100 * n) / (total || 1)).toFixed(1)}%)` : `digit ${d}: not built yet`;
      item.title = say;
      item.setAttribute('aria-label', say);
    });
    this.text.textContent = counts ? counts.map((n, d) => `${d}: ${count(n)}`).join(' · ') : 'counted once the data is loaded';
  }
}
