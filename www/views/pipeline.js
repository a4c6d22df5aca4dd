// "Check the pipeline": the recipe's probes, one click each, each with its expected result said before it runs
// (Karpathy 2019, "A Recipe for Training Neural Networks"). "Overfit one batch" (src/train/overfit.rs) trains a fresh
// copy of the network on 32 training images; the run itself is not touched. It splits a bug from a data problem: a
// network that can learn memorises 32 images, wrong labels included (Zhang et al. 2017), so a run that fails here has
// its bug in the model, the initialisation, the loss or the step size. The panel's data-state says where it is:
// 'idle', 'running', 'done' or 'error' — the page signal scripts and tests wait on.
import { count, lossText, pct } from '../ui/format.js';

const IMAGES = 32;
const STEPS = 300;

/** The probes, by the name lossLab.probe(name) takes: what each does and what to expect, said before it runs. */
export const PROBES = {
  overfit: {
    title: 'Overfit one batch',
    expected:
      `A network that can learn memorises ${IMAGES} images: within ${STEPS} steps its loss falls below 0.05 and every ` +
      'image is answered right, even when their labels are wrong or the training set is tiny.',
  },
};

/** The verdict sentence of an overfit report. */
export function overfitVerdict(r) {
  const right = Math.round(r.acc * r.images);
  if (r.diverged) {
    return `Not fitted: the loss stopped being a finite number at step ${count(r.steps)}. Even on ${r.images} images the steps blow up: lower the learning rate.`;
  }
  if (r.fitted) {
    return `Fitted: loss ${lossText(r.lastLoss)} after ${count(r.steps)} steps, all ${r.images} images right. The network, its start, the loss and the step size can learn, so if this run still does badly, look at the data (its labels, order, amount and augmentation) and at how validation is measured.`;
  }
  return `Not fitted: loss ${lossText(r.lastLoss)} after ${count(r.steps)} steps, ${right} of ${r.images} images right (${pct(r.acc)}). A network that can learn would have memorised them, so the bug is in the model, its start, the loss or the step size — not in the data.`;
}

export class PipelineCheckView {
  /**
   * @param {HTMLElement} root the panel (#pipeline-check) with #btn-overfit, #overfit-expected and #overfit-result
   * @param {{run: () => import('../lab/run.js').Run}} o the current run
   */
  constructor(root, { run }) {
    this.root = root;
    this.run = run;
    this.button = root.querySelector('#btn-overfit');
    this.result = root.querySelector('#overfit-result');
    root.querySelector('#overfit-expected').textContent = `Expected: ${PROBES.overfit.expected}`;
    this.serial = 0;
    this.button.addEventListener('click', () => this.probe('overfit').catch(() => {}));
    this.reset();
  }

  /** A new build: nothing probed for it yet. */
  reset() {
    this.serial++;
    this.result.textContent = '';
    this.#state('idle');
  }

  refresh() {
    const r = this.run();
    this.button.disabled = !r || !r.engineReady || this.root.dataset.state === 'running';
  }

  /**
   * Runs probe `name` on the current build and shows the result; resolves with {name, expected, measured, verdict,
   * evidence} or rejects with a message a person can act on (shown too).
   */
  async probe(name) {
    const mine = this.serial;
    if (!Object.hasOwn(PROBES, name)) {
      return Promise.reject(new Error(`unknown probe "${name}": the probes are ${Object.keys(PROBES).join(', ')}`));
    }
    const r = this.run();
    if (!r || r.status === 'loading' || !r.built) return this.#fail(mine, 'the network is not built yet: wait until the page says it is ready, then probe again');
    if (r.status === 'error') return this.#fail(mine, `there is no network to probe: ${r.note}`);
    this.root.open = true;
    this.#state('running');
    this.result.textContent = `training a fresh copy of the network on ${IMAGES} images for ${STEPS} steps…`;
    let o;
    try {
      o = await r.overfit({ images: IMAGES, steps: STEPS });
    } catch (e) {
      return this.#fail(mine, e && e.message ? e.message : String(e));
    }
    const out = {
      name,
      expected: PROBES[name].expected,
      measured: { lastLoss: o.lastLoss, acc: o.acc, steps: o.steps, images: o.images, diverged: o.diverged },
      verdict: o.fitted ? 'fitted' : 'not fitted',
      evidence: overfitVerdict(o),
    };
    if (mine !== this.serial) return out;
    this.result.textContent = out.evidence;
    this.root.dataset.verdict = o.fitted ? 'pass' : 'fail';
    this.#state('done');
    return out;
  }

  #fail(mine, message) {
    if (mine === this.serial) {
      this.result.textContent = `Cannot probe: ${message}.`;
      this.#state('error');
    }
    return Promise.reject(new Error(message));
  }

  #state(s) {
    this.root.dataset.state = s;
    if (s !== 'done') delete this.root.dataset.verdict;
    this.refresh();
  }
}
