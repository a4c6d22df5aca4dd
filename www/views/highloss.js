// "Highest-loss training images": the k training images the current weights find hardest (clean images, the
// labels they are trained on), each with its given label, the predicted digit and its probability, and a
// "corrupted" badge where the injected label-noise mask says so; with the share of corrupted labels among them
// against the share in the whole set. The worker scans the training set in chunks (Run.lossScan); the panel
// scans at each epoch end only while it is open, so a closed panel costs the lab nothing.
import { drawDigit } from './batch.js';
import { el } from '../ui/dom.js';
import { pct } from '../ui/format.js';

export const TOP_K = 16;


/** A share as a whole percentage ("13%"). */
const pctWhole = (v) => pct(v, '—', 0);

export class HighLossView {
  /**
   * @param {HTMLDetailsElement} root  the panel (#highloss) holding #highloss-grid, #highloss-note, #btn-highloss
   * @param {object} opts              run(): the current Run
   */
  constructor(root, { run }) {
    this.root = root;
    this.run = run;
    this.grid = root.querySelector('#highloss-grid');
    this.note = root.querySelector('#highloss-note');
    this.button = root.querySelector('#btn-highloss');
    this.button.addEventListener('click', () => this.refresh());
    root.addEventListener('toggle', () => { if (root.open && !this.last && !this.pending) this.refresh(); });
    this.pending = null;
    this.last = null;
    this.reset();
  }

  reset() {
    this.last = null;
    this.grid.textContent = '';
    this.note.textContent = 'Train at least a few steps, then find the training images the network gets most wrong.';
  }

  /** At each epoch end: scans again when the panel is open. */
  epoch() {
    if (this.root.open) this.refresh();
  }

  /** Opens the panel, brings it into view and scans (the diagnosis card's link). */
  reveal() {
    this.root.open = true;
    this.root.scrollIntoView({ block: 'start' });
    this.root.querySelector('summary').focus();
    this.refresh();
  }

  /** Scans the training set under the current weights and shows the TOP_K highest-loss images. */
  refresh() {
    const run = this.run();
    if (!run || !run.built) return Promise.resolve(null);
    if (this.pending) return this.pending;
    this.note.textContent = `Computing the loss of all ${run.built.trainCount} training images…`;
    this.button.disabled = true;
    this.pending = run.lossScan(TOP_K)
      .then((r) => { if (run === this.run()) this.show(r); return r; })
      .catch(() => { this.note.textContent = 'The network was rebuilt before the scan finished.'; return null; })
      .finally(() => { this.pending = null; this.button.disabled = false; });
    return this.pending;
  }

  /** Renders a Run.lossScan answer. */
  show(r) {
    this.last = r;
    this.grid.textContent = '';
    const k = r.items.length;
    r.items.forEach((s, j) => {
      const tile = el('figure', 'hl-tile');
      tile.dataset.corrupted = s.corrupted ? '1' : '0';
      const canvas = el('canvas', 'digit');
      drawDigit(canvas, r.images, j * 784);
      const prob = s.prob === null ? 'unknown' : pctWhole(s.prob);
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `training image ${s.index}, labelled ${s.label}, predicted ${s.predicted} with probability ${prob}`
        + (s.corrupted ? `; its label was corrupted, the true digit is ${s.trueLabel}` : ''));
      const cap = el('figcaption');
      cap.append(el('span', 'hl-line', `label ${s.label}`), el('span', 'hl-line', `net says ${s.predicted} (${prob})`));
      if (s.corrupted) cap.append(el('span', 'dv-badge dv-bad', `corrupted: true ${s.trueLabel}`));
      tile.append(canvas, cap);
      this.grid.append(tile);
    });
    const bad = r.items.filter((s) => s.corrupted).length;
    const lossNote = `after step ${r.step}, on the clean training images with the labels they are trained on`;
    this.note.textContent = r.corruptedShareAll > 0
      ? `${bad} of the ${k} highest-loss images have a corrupted label; ${pctWhole(r.corruptedShareAll)} of all training labels are corrupted (${lossNote}).`
      : `No training label is corrupted in this run: these ${k} images are the ones the network finds hardest (${lossNote}).`;
  }
}
