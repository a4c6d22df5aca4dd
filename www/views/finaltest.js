// "Test the final network": the one look at the MNIST test set (src/train/final_test.rs). Every curve, sweep, race,
// early stop and diagnosis chooses by the validation digits (held out from the training images); the test set is
// measured only here, on request, so no choice of the run is tuned on it. The panel's data-state says where it is:
// 'idle' (nothing measured for this build), 'testing', 'done' or 'error' — the page signal scripts and tests wait on.
import { count, lossText, pct } from '../ui/format.js';

/** Why the test set is kept apart, shown with every result. */
export const WHY =
  'The test images are looked at once, at the end: every choice in this lab (sweeps, races, early stopping, the ' +
  'diagnosis) is made on the validation digits, so this figure is not flattered by them — a test set used to choose ' +
  'settings stops being a test (Goodfellow et al. 2016, §5.3; Deep Learning Tuning Playbook, 2023).';

export class FinalTestView {
  /**
   * @param {HTMLElement} root the panel (#final-test), holding #final-test-result and #final-test-why; the button
   *   (#btn-test) sits with the run buttons
   * @param {{run: () => import('../lab/run.js').Run}} o the current run
   */
  constructor(root, { run }) {
    this.root = root;
    this.run = run;
    this.button = document.getElementById('btn-test');
    this.result = root.querySelector('#final-test-result');
    this.why = root.querySelector('#final-test-why');
    this.why.textContent = WHY;
    this.serial = 0; // bumped by every build: a result of a replaced network is dropped
    this.button.addEventListener('click', () => this.test().catch(() => {}));
    this.reset();
  }

  /** A new build: nothing measured for it yet. */
  reset() {
    this.serial++;
    this.#state('idle');
    this.result.textContent = '';
    this.why.hidden = true;
  }

  /** Enables the button while the current run has an engine (the messages say what is missing otherwise). */
  refresh() {
    const r = this.run(); // null before the page's first run exists
    this.button.disabled = !r || !r.engineReady || this.root.dataset.state === 'testing';
  }

  /**
   * Measures the current weights on the test set and shows the result; resolves with it ({loss, acc,
   * perClassRecall, count, step, weightsEpoch}) or rejects with a message a person can act on (shown too).
   */
  async test() {
    const r = this.run();
    const mine = this.serial;
    if (!r || r.status === 'loading' || !r.built) return this.#fail(mine, 'there is no network to test yet: wait until it is built, train it, then test it');
    if (r.status === 'error') return this.#fail(mine, `there is no network to test: ${r.note}`);
    if (r.record.steps === 0) return this.#fail(mine, 'nothing has been trained yet: press Start (or One step) first, then test the final network');
    this.#state('testing');
    this.result.textContent = 'measuring the network on the 10,000 test images…';
    let t;
    try {
      t = await r.test();
    } catch (e) {
      return this.#fail(mine, e && e.message ? e.message : String(e));
    }
    const out = {
      loss: t.loss, acc: t.acc, perClassRecall: Array.from(t.perClassRecall), count: t.count, step: t.step,
      weightsEpoch: t.weightsEpoch ?? null,
    };
    if (mine !== this.serial) return out; // the network was rebuilt meanwhile: its panel starts afresh
    const which = out.weightsEpoch == null
      ? `the weights after step ${count(out.step)}, mid-epoch`
      : `the weights of epoch ${out.weightsEpoch}${r.status === 'stopped' ? ', restored by early stopping' : ''}`;
    const worst = out.perClassRecall.reduce((w, v, d) => (v < out.perClassRecall[w] ? d : w), 0);
    this.result.textContent =
      `Test set: accuracy ${pct(out.acc)}, loss ${lossText(out.loss)} nats, lowest recall digit ${worst} ` +
      `(${pct(out.perClassRecall[worst])}) — ${count(out.count)} ${t.synthetic ? 'synthetic test digits' : 'MNIST test images'}, ${which}.`;
    this.why.hidden = false;
    this.#state('done');
    return out;
  }

  #fail(mine, message) {
    if (mine === this.serial) {
      this.result.textContent = `Cannot test: ${message}.`;
      this.why.hidden = true;
      this.#state('error');
    }
    return Promise.reject(new Error(message));
  }

  #state(s) {
    this.root.dataset.state = s;
    this.refresh();
  }
}
