// The lines that say what the lab is doing: the status line and the run buttons (#status, Start/Pause, One step,
// Reset), the raced run's line (#race-status) and its legend note, the progress bar and the speed line, the
// clipping line, the summary line under the charts and the data badge. Worded from the runs' phases (www/lab/run.js) and records; the words live here only.
import { coresText } from '../lab/cores.js';
import { fmtNum } from '../state.js';
import { count, lossText, pct } from '../ui/format.js';
import { PROGRESS_EVERY_MS, Throttle } from '../ui/throttle.js';

/**
 * With gradient clipping on, clipping more than this share of an epoch's steps means the threshold is too low
 * or the learning rate too high (Google Research, "Deep Learning Tuning Playbook", 2023).
 */
export const CLIP_WARN_SHARE = 0.5;

const $ = (id) => document.getElementById(id);

export class StatusView {
  /** @param {import('../lab/lab.js').Lab} lab  @param {{config: () => object}} o the page's configuration */
  constructor(lab, { config }) {
    this.lab = lab;
    this.config = config;
    this.lastProgress = null; // the latest progress message, written by the next write
    this.progressWrites = new Throttle(PROGRESS_EVERY_MS, () => this.#writeProgress(this.lastProgress));
  }

  /** The status line and the run buttons, from the current run's phase. */
  render() {
    const { run, race } = this.lab;
    const line = $('status');
    let state = run.status, text;
    const n = run.note;
    switch (state) {
      case 'loading': text = run.phase === 'loading' ? 'Loading the training engine…' : `${n}…`; break;
      case 'idle':
        if (race && !this.lab.raceSettled()) { state = 'loading'; text = 'building the pinned run in a second worker…'; }
        else text = `ready — ${run.built.synthetic ? 'synthetic digits' : 'MNIST'} loaded; press Start to train${race && race.built ? ' both runs side by side' : ''}`;
        break;
      case 'running': text = run.phase === 'validating' ? `${n}…` : n; break;
      case 'paused': text = run.phase === 'paused' ? `${n} — press Resume to continue` : `paused — ${n}`; break;
      case 'diverged': text = `diverged at step ${run.record.divergedAt}: ${n} — lower the learning rate (or change what you broke) and press Reset`; break;
      case 'stopped': text = `${n} — press Reset to train again`; break;
      default: text = this.#errorText(); break;
    }
    line.dataset.state = state;
    line.textContent = text;
    const canRun = this.lab.runReady() && (state === 'idle' || state === 'paused' || state === 'running');
    $('btn-start').disabled = !canRun;
    $('btn-start').textContent = state === 'running' ? 'Pause' : state === 'paused' ? 'Resume' : 'Start';
    $('btn-start').setAttribute('aria-pressed', state === 'running' ? 'true' : 'false');
    $('btn-step').disabled = !canRun || state === 'running';
    $('btn-reset').disabled = !run.engineReady;
  }

  #errorText() {
    const run = this.lab.run;
    switch (run.scope) {
      case 'config': return `error: this configuration cannot be built: ${run.note}`;
      case 'data': return 'error: the MNIST files could not be loaded — see the box below';
      default: return `error: ${run.note}`;
    }
  }

  /** What the legend adds to "faded: pinned run (…)" while racing ('' without a race). */
  raceNote() {
    const race = this.lab.race;
    if (!race) return '';
    switch (race.status) {
      case 'loading': return ', trained again: starting…';
      case 'diverged': return `, trained again: diverged at step ${race.record.divergedAt}`;
      case 'error': return ', trained again: failed';
      default: return ', trained again alongside';
    }
  }

  /** The raced run's line under the status line; hidden without a race. */
  race() {
    const race = this.lab.race;
    const el = $('race-status');
    if (!race) { el.hidden = true; el.textContent = ''; return; }
    el.hidden = false;
    el.dataset.state = race.status;
    const rec = race.record;
    const last = rec.epochs[rec.epochs.length - 1];
    const after = last ? ` After epoch ${last.epoch}: train loss ${lossText(last.trainLoss)}, validation loss ${lossText(last.valLoss)}, validation accuracy ${pct(last.valAcc, 'not available')}.` : '';
    const head = 'Pinned run, trained again in a second worker:';
    const n = race.note;
    el.textContent = {
      loading: `${head} ${n}…`,
      idle: `${head} ready, starts with this run.`,
      running: `${head} training epoch ${rec.epochs.length + 1}.${after}`,
      paused: `${head} paused after step ${rec.steps}${race.phase === 'held' ? ` (${n})` : ''}.${after}`,
      diverged: `Pinned run diverged at step ${rec.divergedAt}: ${n} — this run keeps training.${after}`,
      error: `Pinned run failed: ${n} — this run keeps training.${after}`,
    }[race.status];
  }

  /** The summary line under the charts ('' clears it). */
  summary(text) {
    $('summary').textContent = text;
  }

  /** The summary line after an epoch of the current run; `hidden`: a mystery's settings are hidden (the clean and
   * corrupted-label figures would say that its labels are noisy). */
  epochSummary(row, { hidden = false } = {}) {
    let text = `Epoch ${row.epoch}: train loss ${lossText(row.trainLoss)}, validation loss ${lossText(row.valLoss)}, validation accuracy ${pct(row.valAcc, 'not available')}`;
    if (!hidden && Number(this.lab.run.cfg.noise) > 0 && Number.isFinite(row.noisyAcc)) {
      text += `; training accuracy on clean labels ${pct(row.cleanAcc, 'not available')}, on corrupted labels ${pct(row.noisyAcc, 'not available')}`;
    }
    this.summary(text + '.');
  }

  /** The data badge: which digits the current run trains on, how many, and how many labels are corrupted. */
  dataBadge() {
    const b = $('data-badge');
    const r = this.lab.run;
    const built = r && r.built;
    if (!built) {
      b.textContent = r && r.scope === 'data' && r.status === 'error' ? 'real MNIST digits (not loaded)'
        : this.config().data === 'synthetic' ? 'synthetic digits' : 'real MNIST digits';
      return;
    }
    const kind = built.synthetic ? 'synthetic digits' : 'real MNIST';
    const noise = Number(r.cfg.noise) > 0 ? ` · ${fmtNum(r.cfg.noise)}% labels corrupted (${count(built.corruptedCount)})` : '';
    b.textContent = `${kind} · ${count(built.trainCount)} training · ${count(built.valCount)} validation images${noise}`;
  }

  /** Clears the progress bar and the speed line (a rebuild). */
  clearProgress() {
    this.progressWrites.cancel();
    this.lastProgress = null;
    $('epoch-progress').value = 0;
    $('epoch-label').textContent = 'Epoch —';
    $('speed').textContent = '';
  }

  /** The progress bar (from the latest progress message: m, if given) and the speed line: samples per second of
   * this run (and of the raced run), time left. While the run trains, at most every PROGRESS_EVERY_MS, the latest
   * state last; at once otherwise (a single step, a pause, the end). */
  progress(m) {
    if (m) this.lastProgress = m;
    this.progressWrites.request(this.lab.run.status === 'running');
  }

  #writeProgress(m) {
    const { run, race } = this.lab;
    if (m) {
      const done = m.epochDone ? m.stepsPerEpoch : m.stepInEpoch;
      const epochNo = m.epochDone ? m.epoch : m.epoch + 1;
      $('epoch-progress').value = done / (m.stepsPerEpoch || 1);
      $('epoch-label').textContent = `Epoch ${epochNo}: ${Math.round((100 * done) / (m.stepsPerEpoch || 1))}%`;
    }
    const s = run.secondsLeft;
    const left = s == null ? '' : ` · ${s < 1 ? '<1' : Math.round(s)} s left in this epoch`;
    const mine = run.speed.value, theirs = race ? race.speed.value : 0;
    const on = run.cores ? ` on ${coresText(run.cores)}` : '';
    if (race && (mine > 0 || theirs > 0)) {
      const other = race.status === 'diverged' || race.status === 'error' ? `pinned run ${race.status === 'error' ? 'failed' : 'diverged'}`
        : `pinned run ${theirs > 0 ? count(theirs) : '—'} samples/s`;
      $('speed').textContent = `this run ${mine > 0 ? count(mine) : '—'} samples/s · ${other}${left}`;
    } else if (mine > 0) {
      $('speed').textContent = `${count(mine)} samples/s${on}${left}`;
    }
  }

  /** With gradient clipping on, the share of the last epoch's steps that were clipped. */
  clipping() {
    const line = $('clip-status');
    const rec = this.lab.run.record;
    const row = rec.epochs[rec.epochs.length - 1];
    const on = Number(this.config().clip) > 0 && row && Number.isFinite(row.clipFrac);
    line.hidden = !on;
    if (!on) return;
    const warn = row.clipFrac > CLIP_WARN_SHARE;
    line.dataset.state = warn ? 'warn' : 'ok';
    line.textContent = `clipping: ${pct(row.clipFrac, 'not available')} of epoch ${row.epoch}'s steps were clipped`
      + (warn ? ' — more than half: the threshold is too low, or the learning rate too high' : '');
  }
}
