// Projector mode: the page for a room, read from the back row. One toggle in the header and the URL key
// `projector=1` turn it on: larger type and high contrast (the `projector` class on <html>, www/style.css), thicker
// chart lines and larger axis text (setChartStyle, www/charts.js), the charts before the settings, and a large
// readout of the last finished epoch (its validation loss and accuracy) with the epoch in progress under it.
// main.js feeds the readout from the Run's progress and epoch events and writes query() into the URL.
import { setChartStyle } from './charts.js';
import { lastParam, shown } from './state.js';
import { lossText, pct } from './ui/format.js';
import { PROGRESS_EVERY_MS, Throttle } from './ui/throttle.js';

/** The URL key of projector mode; it is not a setting, so the settings parser leaves it alone. */
export const QUERY_PARAMS = new Set(['projector']);

/** How much thicker the chart lines are and how much larger their axis text is in projector mode. */
const LINE_SCALE = 2;
const TEXT_SCALE = 1.3;

/** Reads projector mode from a query string: {value: true|false, notices}. Only 1 and 0 are values; anything else is a notice. */
export function readQuery(search) {
  const given = lastParam(new URLSearchParams(search), 'projector');
  if (given.last === null) return { value: false, notices: [] };
  const { notices } = given;
  const last = given.last.trim();
  if (last === '1') return { value: true, notices };
  if (last === '0') return { value: false, notices };
  notices.push(`projector=${shown(last)} is not 1 (on) or 0 (off) — projector mode stays off; the Projector button in the header turns it on`);
  return { value: false, notices };
}


export class Projector {
  /**
   * button: the header's toggle (aria-pressed); readout: the element to fill with the large readout;
   * changed(on): called after the learner toggled (main.js writes the URL).
   */
  constructor({ button, readout, changed }) {
    this.button = button;
    this.root = readout;
    this.changed = changed;
    this.on = false;
    const cell = (name, label) => {
      const value = document.createElement('span');
      value.className = 'ro-value';
      value.id = `ro-${name}`;
      const sub = document.createElement('span');
      sub.className = 'ro-sub';
      sub.id = `ro-${name}-sub`;
      const head = document.createElement('span');
      head.className = 'ro-label';
      head.textContent = label;
      const box = document.createElement('p');
      box.className = `ro-cell ro-${name}`;
      box.append(head, value, sub);
      this.root.append(box);
      return { value, sub };
    };
    this.epochCell = cell('epoch', 'Epoch');
    this.lossCell = cell('loss', 'Validation loss');
    this.accCell = cell('acc', 'Validation accuracy');
    this.latest = null; // the last progress event's [m, record], written by the next write
    this.writes = new Throttle(PROGRESS_EVERY_MS, () => this.#writeProgress());
    this.reset();
    button.addEventListener('click', () => {
      this.set(!this.on);
      this.changed?.(this.on);
    });
  }

  /** Turns projector mode on or off (no URL write: the caller's business). */
  set(on) {
    this.on = !!on;
    document.documentElement.classList.toggle('projector', this.on);
    this.button.setAttribute('aria-pressed', String(this.on));
    this.root.hidden = !this.on;
    if (this.on) this.writes.request(false); // the line as it stands now; nothing is written while off
    setChartStyle(this.on ? { lineScale: LINE_SCALE, textScale: TEXT_SCALE, highContrast: true } : { lineScale: 1, textScale: 1, highContrast: false });
  }

  /** This mode's part of the page's query string ('' while off). */
  query() {
    return this.on ? 'projector=1' : '';
  }

  /** A new or rebuilt run: nothing finished yet. */
  reset() {
    this.writes.cancel();
    this.latest = null;
    this.root.dataset.epoch = '0';
    this.epochCell.value.textContent = '—';
    this.epochCell.sub.textContent = 'not started';
    this.lossCell.value.textContent = '—';
    this.lossCell.sub.textContent = '';
    this.accCell.value.textContent = '—';
    this.accCell.sub.textContent = '';
  }

  /** A progress event of the run (m: {epoch, stepInEpoch, stepsPerEpoch, epochDone}); record: its Record; busy:
   * the run trains on (the line is then written at most every PROGRESS_EVERY_MS, as the progress bar is). */
  progress(m, record, busy = false) {
    this.latest = [m, record];
    if (this.on) this.writes.request(busy);
  }

  #writeProgress() {
    if (!this.latest) return;
    const [m, record] = this.latest;
    const spe = m.stepsPerEpoch || 1;
    const ema = record.lossEma.n ? record.lossEma.a[record.lossEma.n - 1] : NaN;
    const batch = record.lossEma.n ? ` · batch loss ${lossText(ema)}` : '';
    // the epoch in progress (a finished one is the big number already)
    this.epochCell.sub.textContent = m.epochDone ? `validating epoch ${m.epoch}`
      : `now epoch ${m.epoch + 1}: ${Math.round((100 * m.stepInEpoch) / spe)}%${batch}`;
  }

  /** The validation pass under way, so far (the worker's 'estimate'): the epoch's line gives its accuracy with the
   * 95% interval; the large figures stay the last finished epoch's until the pass completes. */
  estimate(m) {
    if (!this.on) return;
    this.writes.cancel(); // a progress line still waiting would say only "validating"
    this.epochCell.sub.textContent = `validating epoch ${m.epoch}: ${pct(m.acc)} ± ${pct(m.accHalf)} so far`;
  }

  /** An epoch's history row: the large figures are the last finished epoch's. */
  epoch(row) {
    this.writes.cancel(); // a write still waiting would say "validating" over "finished"
    this.root.dataset.epoch = String(row.epoch);
    this.epochCell.value.textContent = String(row.epoch);
    this.epochCell.sub.textContent = 'finished';
    this.lossCell.value.textContent = lossText(row.valLoss);
    this.lossCell.sub.textContent = `training ${lossText(row.trainLoss)}`;
    this.accCell.value.textContent = pct(row.valAcc);
    this.accCell.sub.textContent = `training ${pct(row.trainAcc)}`;
  }
}
