// "What the net sees": the current training batch exactly as it entered the network (after augmentation and
// pixel noise), each image with the label it is trained on and badges where that label was corrupted or the
// image was mirrored, turned or otherwise transformed. It refreshes at a calm pace while training (at most every
// REFRESH_MS and at each epoch) and on demand from its button. Reads Run.batchView (docs/ARCHITECTURE.md).
import { el } from '../ui/dom.js';

export const SHOWN = 16;
const REFRESH_MS = 2000;


/** Draws 28×28 grey levels (0 = black background, as MNIST stores them: white ink on black). */
export function drawDigit(canvas, pixels, offset = 0) {
  canvas.width = 28;
  canvas.height = 28;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const g = pixels[offset + i];
    img.data[4 * i] = g;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = g;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** What augmentation did to sample j, in words (empty when nothing). */
function changes(v, j) {
  const out = [];
  if (v.flipped[j]) out.push('mirrored');
  if (v.rotated[j]) out.push('turned 180°');
  if (v.transformed[j]) out.push('warped or noised');
  return out;
}

export class BatchView {
  /**
   * @param {HTMLElement} root  the section (#batch-view) holding #batch-strip, #batch-note and #btn-batch
   * @param {object} opts       run(): the current Run
   */
  constructor(root, { run }) {
    this.root = root;
    this.run = run;
    this.strip = root.querySelector('#batch-strip');
    this.note = root.querySelector('#batch-note');
    this.button = root.querySelector('#btn-batch');
    this.button.addEventListener('click', () => this.refresh(true));
    this.shownAt = 0; // performance.now() of the last request
    this.pending = false;
    this.last = null; // the batch shown (lossLab.batchView reads the engine, not this)
    this.reset();
  }

  /** A new build: nothing trained yet. */
  reset() {
    this.last = null;
    this.shownAt = 0;
    this.strip.textContent = '';
    this.note.textContent = 'Train a step to see the images of the batch exactly as the network receives them.';
  }

  /** Called on every progress message: refreshes at most every REFRESH_MS while training; `now` (a single
   * step while paused) refreshes at once. */
  tick(now = false) {
    if (now || performance.now() - this.shownAt >= REFRESH_MS) this.refresh(now);
  }

  /** Asks the engine for the current batch and shows it; `force` skips the calm-pace check. */
  async refresh(force = false) {
    if (this.pending && !force) return;
    const run = this.run();
    if (!run || !run.built) return;
    this.pending = true;
    this.shownAt = performance.now();
    try {
      const v = await run.batchView(SHOWN);
      if (run === this.run()) this.show(v);
    } catch {
      // a rebuild replaced the run meanwhile: the next build shows its own batch
    } finally {
      this.pending = false;
    }
  }

  /** Renders batch `v` (Run.batchView's answer). */
  show(v) {
    this.last = v;
    this.strip.textContent = '';
    if (!v.count) {
      this.note.textContent = 'No step trained yet: press Step or Start, then show the batch.';
      return;
    }
    let bad = 0, changed = 0;
    for (let j = 0; j < v.count; j++) {
      const tile = el('figure', 'bv-tile');
      const canvas = el('canvas', 'digit');
      drawDigit(canvas, v.images, j * 784);
      const did = changes(v, j);
      const corrupted = !!v.corrupted[j];
      bad += corrupted;
      changed += did.length > 0;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `training image trained as ${v.labels[j]}`
        + (corrupted ? `; label changed by noise, the true digit is ${v.trueLabels[j]}` : '')
        + (did.length ? `; ${did.join(', ')}` : ''));
      tile.dataset.corrupted = corrupted ? '1' : '0';
      tile.dataset.rotated = v.rotated[j] ? '1' : '0';
      tile.dataset.flipped = v.flipped[j] ? '1' : '0';
      const cap = el('figcaption');
      cap.append(el('span', 'bv-label', String(v.labels[j])));
      if (corrupted) cap.append(el('span', 'dv-badge dv-bad', `label changed: true ${v.trueLabels[j]}`));
      if (v.flipped[j]) cap.append(el('span', 'dv-badge dv-aug', 'mirrored'));
      if (v.rotated[j]) cap.append(el('span', 'dv-badge dv-aug', 'turned 180°'));
      if (v.transformed[j]) cap.append(el('span', 'dv-badge dv-aug', 'warped/noised'));
      tile.append(canvas, cap);
      this.strip.append(tile);
    }
    const of = (n, what) => `${n === v.count ? 'All' : n} of them ${what}.`;
    this.note.textContent = [
      `The first ${v.count} images of the batch of step ${v.step}, as the network receives them, each with the label it is trained on.`,
      bad ? of(bad, `carry a label changed by label noise`) : '',
      changed ? of(changed, 'were changed by augmentation') : '',
    ].filter(Boolean).join(' ');
  }
}
