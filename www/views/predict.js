// "Predict, then run": before a lesson trains, the lesson note asks one multiple-choice question about what
// the run will show ("What will the loss do?") and keeps the lesson's explanation folded away. Answering is
// optional and Start stays usable; once the run has shown the answer — the lesson's `epochs` are done, or it
// diverged or stopped early — the note says what the learner picked, whether it was right, the right answer,
// and then the lesson text. Committing to a guess first is what makes the surprise stick (the "predict,
// observe, explain" sequence of science teaching).
//
// The questions are data: each lesson's `predict` block in www/presets.json, {ask, options, answer, claim},
// where `claim` names the lesson claim (checked on real MNIST by tests/lessons.rs) that backs the right
// answer. tests/presets.test.mjs checks every block's shape.

import { lastParam, shown } from '../state.js';
import { el } from '../ui/dom.js';
import { readClaim } from '../lab/measure.js';
import { measuredText } from './measured.js';

/** The URL key: `predict=0` turns the questions off (the lesson text shows at once); 1 (the default) asks. */
export const QUERY_PARAMS = new Set(['predict']);

/** Reads the URL state: {on, notices}. A garbled value keeps the default, on. */
export function readQuery(search) {
  const { last, notices } = lastParam(new URLSearchParams(search), 'predict');
  if (last === null) return { on: true, notices: [] };
  if (last !== '0' && last !== '1') {
    notices.push(`predict = "${shown(last)}" is not 0 or 1 — the lessons ask for a prediction first (predict=0 turns that off)`);
    return { on: true, notices };
  }
  return { on: last === '1', notices };
}

/** The lesson's question, or null when its block is missing or malformed (the lesson then shows its text at once). */
export function questionOf(preset) {
  const q = preset && preset.predict;
  if (!q || typeof q.ask !== 'string' || !Array.isArray(q.options) || q.options.length < 2) return null;
  if (!Number.isInteger(q.answer) || q.answer < 0 || q.answer >= q.options.length) return null;
  return q;
}


export class PredictView {
  /**
   * root: the #predict box inside the lesson note; text: the lesson's text paragraph it hides until the reveal;
   * toggle: the "Ask me to predict first" checkbox. o: {changed() -> the URL state changed,
   * revealed(state) -> the answer was revealed (lossLab.prediction()'s state), record() -> the current run's Record
   * (www/lab/record.js), whose numbers the reveal measures the claim on, title(id) -> a lesson's title}.
   */
  constructor(root, { text, toggle }, o = {}) {
    this.root = root;
    this.text = text;
    this.toggle = toggle;
    this.o = o;
    this.on = true;
    this.clear();
    toggle.addEventListener('change', () => {
      this.on = toggle.checked;
      // turning the questions off mid-question shows the lesson text at once, as if it had never been asked
      if (!this.on && this.q && !this.revealed) this.#drop();
      this.o.changed?.();
    });
  }

  /** The URL state from readQuery. */
  load({ on }) {
    this.on = on;
    this.toggle.checked = on;
  }

  /** `predict=0` while the questions are off, else nothing (on is the default). */
  query() {
    return this.on ? '' : 'predict=0';
  }

  clear() {
    this.preset = null;
    this.q = null;
    this.picked = null;
    this.revealed = false;
    this.measured = null;
    this.hintLine = null;
    this.root.hidden = true;
    this.root.textContent = '';
    this.text.hidden = false;
  }

  /** A lesson was applied (or the note cleared, null): ask its question if predicting is on. */
  show(preset) {
    this.clear();
    const q = questionOf(preset);
    if (!preset || !q || !this.on) return;
    this.preset = preset;
    this.q = q;
    this.text.hidden = true;
    this.#render();
  }

  /** Picks option i (as a click on its radio button does); false when there is nothing to answer. */
  answer(i) {
    if (!this.q || this.revealed || !Number.isInteger(i) || i < 0 || i >= this.q.options.length) return false;
    this.picked = i;
    const radio = this.root.querySelector(`#predict-opt-${i}`);
    if (radio) radio.checked = true;
    this.#hint();
    return true;
  }

  /** Epoch `n` of the lesson's run was drawn: its last epoch shows the answer. */
  epoch(n) {
    if (this.q && !this.revealed && n >= this.preset.epochs) this.reveal();
  }

  /** The run diverged or stopped early: it has shown all it will. */
  ended() {
    if (this.q && !this.revealed) this.reveal();
  }

  reveal() {
    this.revealed = true;
    // the claim the answer rests on, measured on this run's own record (www/lab/measure.js)
    const claim = this.preset.claims?.[this.q.claim];
    const rec = this.o.record?.();
    this.measured = claim && rec ? { claim, reading: readClaim(claim, rec) } : null;
    this.#render();
    this.text.hidden = false;
    this.o.revealed?.(this.state());
  }

  /** lossLab.prediction(): null without a question; the answer and whether the pick was right only once revealed. */
  state() {
    if (!this.q) return null;
    return {
      lesson: this.preset.id,
      question: this.q.ask,
      options: [...this.q.options],
      picked: this.picked,
      revealed: this.revealed,
      answer: this.revealed ? this.q.answer : null,
      right: this.revealed ? this.picked === this.q.answer : null,
      // the claim behind the answer as this run measured it: {claim (its words), status, value, holds}
      measured: this.measured ? {
        claim: this.measured.claim.say, status: this.measured.reading.status,
        value: Number.isFinite(this.measured.reading.value) || Math.abs(this.measured.reading.value) === Infinity ? this.measured.reading.value : null,
        holds: this.measured.reading.holds,
      } : null,
    };
  }

  #drop() {
    this.q = null;
    this.root.hidden = true;
    this.root.textContent = '';
    this.text.hidden = false;
  }

  #render() {
    const q = this.q;
    this.root.textContent = '';
    this.root.hidden = false;
    this.root.dataset.state = this.revealed ? (this.picked === q.answer ? 'right' : this.picked === null ? 'unanswered' : 'wrong') : 'asking';
    if (!this.revealed) {
      const box = el('fieldset', 'predict-ask');
      box.append(el('legend', '', `Predict first: ${q.ask}`));
      q.options.forEach((text, i) => {
        const label = el('label', 'predict-option');
        const radio = document.createElement('input');
        radio.type = 'radio';
        radio.name = 'predict-option';
        radio.id = `predict-opt-${i}`;
        radio.value = String(i);
        radio.checked = this.picked === i;
        radio.addEventListener('change', () => { if (radio.checked) this.answer(i); });
        label.append(radio, el('span', '', text));
        box.append(label);
      });
      this.hintLine = el('p', 'help predict-hint');
      this.hintLine.setAttribute('aria-live', 'polite');
      box.append(this.hintLine);
      this.root.append(box);
      this.#hint();
      return;
    }
    const right = q.options[q.answer];
    this.root.append(el('p', 'predict-q', `You were asked: ${q.ask}`));
    const result = el('p', 'predict-result');
    result.setAttribute('role', 'status');
    if (this.picked === null) {
      result.append(el('strong', '', 'You did not pick an answer. '), `What happened: “${right}”.`);
    } else if (this.picked === q.answer) {
      result.append(el('strong', '', '✓ Right. '), `You predicted “${right}”, and that is what happened.`);
    } else {
      result.append(el('strong', '', '✗ Not this time. '), `You predicted “${q.options[this.picked]}”. What happened: “${right}”.`);
    }
    this.root.append(result);
    const m = this.measured;
    const words = m && measuredText(m.claim, m.reading, this.o.title);
    if (words) {
      const p = el('p', 'predict-measured');
      p.dataset.status = m.reading.status;
      if (m.reading.holds !== null) p.dataset.holds = String(m.reading.holds);
      p.append(el('span', 'predict-claim', `The lesson’s claim: “${m.claim.say}”. `), words);
      this.root.append(p);
    }
  }

  #hint() {
    if (!this.hintLine) return;
    const n = this.preset.epochs;
    const when = `after ${n === 1 ? 'its one epoch' : `its ${n} epochs`}, or as soon as it diverges or stops`;
    this.hintLine.textContent = this.picked === null
      ? `Pick an answer, then press Start (or just press Start). The explanation appears once the run has shown it: ${when}.`
      : `Your prediction is in. Press Start and watch: the explanation appears ${when}.`;
  }
}
