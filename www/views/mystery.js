// The mystery drill ("What's wrong with this run?"): the page trains a run whose settings stay hidden, the student
// spends a few experiments, commits a cause from the diagnosis's taxonomy (and a fix, optionally), and the page
// scores it and reveals the truth. The rules (the draw, the score, the experiments) are www/mystery/drill.js; the
// pool and where each magnitude comes from, www/mystery/pool.js; the result code, www/mystery/code.js. This view
// only shows them: every sentence it states about a fault is a lesson's claim (www/presets.json, quoted with its
// lesson) or the diagnosis catalogue's (www/generated/catalogue.js, the card's own findings). www/page/drill.js does what
// touches the runs (load, race, probe) through the hooks it passes in.
//
// The section's data-state is the page signal scripts and tests wait on: 'open' (a mystery to solve), 'revealed'
// (answered), 'done' (the sequence's summary), with data-index for the mystery shown.
import { el } from '../ui/dom.js';
import { BY_KEY, fmtNum } from '../state.js';
import { PROBES } from './pipeline.js';
import { ANSWERS, FIXES, HEALTHY, answerName, fixLabel } from '../mystery/answers.js';
import { CAUSES } from '../generated/catalogue.js';
import { LEVELS } from '../mystery/pool.js';
import { REPORT_CARD } from '../reportcard.js';
import { EXPERIMENTS, EXPERIMENT_BY_ID, MAX_POINTS, drawSequence, query, score } from '../mystery/drill.js';
import { encodeResult } from '../mystery/code.js';

const catalogueEntry = (id) => CAUSES.find((c) => c.id === id);

/** An evidence figure to three significant digits (the card's own small print has as many). */
const figure = (v) => (Number.isFinite(v) ? fmtNum(Number(v.toPrecision(3))) : String(v));

/** "Learning rate (lr) = 5": a hidden setting as the reveal shows it. */
function settingText(key, value) {
  const s = BY_KEY.get(key);
  const v = typeof value === 'number' ? fmtNum(value) : String(value);
  return s ? `${s.label} (${key}) = ${s.options ? (s.options.find(([o]) => o === v)?.[1] ?? v) : v}` : `${key} = ${v}`;
}

/** A lesson's claims read on its own run, alone or against another (not those read only on another lesson's run or
 * on a control's, such as "where the baseline's is above 93%"). */
const ownClaims = (lesson) => (lesson.claims ?? []).filter((c) => !c.preset && !c.with);

/** Whether a diagnosis names `cause` as the tests count it: a warn or alarm finding ranks it first or second. */
export function cardNames(d, cause) {
  return !!d && d.findings.some((f) => f.severity !== 'info' && f.causes.slice(0, 2).includes(cause));
}

export class MysteryView {
  /**
   * root: the #mystery section. o: {presets (the lessons), load(mystery) (train the hidden configuration),
   * race(partial) -> Promise (pin the mystery run and race it against a copy with `partial`), probe(name) ->
   * Promise (one of the pipeline probes on the mystery run), card() -> the mystery run's latest diagnosis (or
   * null), post(type, detail) (events for an embedding page), changed() (the hidden state or the URL changed)}.
   */
  constructor(root, o) {
    this.root = root;
    this.o = o;
    this.active = false;
    this.byLesson = new Map(o.presets.map((p) => [p.id, p]));
  }

  /** Starts a drill from readQuery's {code, pools, level}. */
  start({ code, pools, level }) {
    this.code = code;
    this.pools = pools;
    this.level = level;
    this.sequence = drawSequence({ code, pools, level, presets: this.o.presets, card: REPORT_CARD });
    this.results = [];
    this.active = true;
    this.#build();
    this.root.hidden = false;
    this.#open(0);
  }

  /** The query of the drill ('' when none is running): the code, pool and level; never a setting. */
  query() {
    return this.active ? query(this) : '';
  }

  /** True while a mystery is open and unanswered: its settings, lesson and card stay hidden. */
  hidden() {
    return this.active && this.state === 'open';
  }

  /** The mystery shown now. */
  current() {
    return this.active ? this.sequence[this.index] : null;
  }

  /** lossLab.mystery(). */
  status() {
    if (!this.active) return null;
    return { code: this.code, index: this.index, of: this.sequence.length, budgetLeft: this.budgetLeft, answered: this.state !== 'open' };
  }

  // ------------------------------------------------------------ the panel
  #build() {
    const r = this.root;
    r.textContent = '';
    const L = LEVELS[this.level];
    this.title = el('h2', { id: 'mystery-title', tabindex: '-1' });
    this.scoreLine = el('p', { class: 'mystery-score', id: 'mystery-score', 'aria-live': 'polite' });
    this.how = el('p', {
      class: 'mystery-how',
      text: 'Press Start and read the charts and the inside views: the settings, the lesson and the diagnosis card stay hidden until you answer. '
        + 'A point for the cause, one more for a right fix given with it.',
    });
    // experiments
    this.expSelect = el('select', { id: 'mystery-exp' });
    for (const e of EXPERIMENTS) this.expSelect.append(el('option', { value: e.id, text: e.label }));
    this.expWhat = el('p', { id: 'mystery-exp-what', class: 'mystery-exp-what', 'aria-live': 'polite' });
    this.spendBtn = el('button', { type: 'button', id: 'btn-mystery-spend' });
    this.log = el('ol', { id: 'mystery-log', class: 'mystery-log', 'aria-label': 'Experiments spent' });
    this.expLegend = el('legend');
    this.expSelect.addEventListener('change', () => this.#describe());
    this.spendBtn.addEventListener('click', () => {
      if (!this.busy) this.spend(this.expSelect.value).catch(() => {});
    });
    const exp = el('fieldset', 'mystery-exp', this.expLegend,
      el('label', { for: 'mystery-exp', text: 'Experiment' }), el('div', 'mystery-row', this.expSelect, this.spendBtn), this.expWhat, this.log);
    // the answer
    this.causeSelect = el('select', { id: 'mystery-cause', required: '' });
    this.causeSelect.append(el('option', { value: '', text: 'choose a cause…' }));
    for (const a of ANSWERS) this.causeSelect.append(el('option', { value: a.id, text: a.name }));
    this.fixSelect = el('select', { id: 'mystery-fix' });
    for (const f of FIXES) this.fixSelect.append(el('option', { value: f.id, text: f.label }));
    this.commitBtn = el('button', { type: 'button', id: 'btn-mystery-commit', class: 'primary', text: 'Commit answer' });
    this.answerNote = el('p', { id: 'mystery-answer-note', class: 'mystery-answer-note', 'aria-live': 'polite' });
    this.commitBtn.addEventListener('click', () => {
      if (!this.causeSelect.value) {
        this.answerNote.textContent = 'Choose a cause first.';
        this.causeSelect.focus();
        return;
      }
      this.answer({ cause: this.causeSelect.value, fix: this.fixSelect.value });
    });
    const ans = el('fieldset', 'mystery-answer', el('legend', { text: 'Your answer' }),
      el('label', { for: 'mystery-cause', text: 'Cause' }), this.causeSelect,
      el('label', { for: 'mystery-fix', text: 'Fix (optional)' }), el('div', 'mystery-row', this.fixSelect, this.commitBtn),
      this.answerNote);
    this.work = el('div', 'mystery-work', exp, ans);
    this.reveal = el('div', { id: 'mystery-reveal', class: 'mystery-reveal', tabindex: '-1' });
    this.nextBtn = el('button', { type: 'button', id: 'btn-mystery-next', class: 'primary' });
    this.nextBtn.addEventListener('click', () => this.next());
    this.summary = el('div', { id: 'mystery-summary', class: 'mystery-summary', tabindex: '-1' });
    this.meta = `class code ${this.code} · level ${this.level} (${L.name}) · groups: ${this.pools.join(', ')}`;
    r.append(el('div', 'mystery-head', this.title, this.scoreLine), this.how, this.work, this.reveal, this.nextBtn, this.summary);
  }

  #open(index) {
    this.index = index;
    this.state = 'open';
    this.budgetLeft = LEVELS[this.level].budget;
    this.spent = [];
    this.card = null;
    const m = this.sequence[index];
    this.root.dataset.state = 'open';
    this.root.dataset.index = String(index);
    this.title.textContent = `Mystery ${index + 1} of ${this.sequence.length}: what is wrong with this run?`;
    this.log.textContent = '';
    this.causeSelect.value = '';
    this.fixSelect.value = 'none';
    this.answerNote.textContent = '';
    this.work.hidden = false;
    this.how.hidden = false;
    this.reveal.hidden = true;
    this.reveal.textContent = '';
    this.nextBtn.hidden = true;
    this.summary.hidden = true;
    this.#scoreLine();
    this.#budget();
    this.o.load(m);
    this.o.changed();
    this.o.post('mystery', { phase: 'start', code: this.code, index, of: this.sequence.length, level: this.level, pools: [...this.pools] });
  }

  #scoreLine() {
    const total = this.results.reduce((s, r) => s + r.points, 0);
    this.scoreLine.textContent = `Score ${total} of ${this.results.length * MAX_POINTS} · ${this.meta}`;
  }

  #budget() {
    const n = this.budgetLeft;
    this.expLegend.textContent = `Experiments: ${n} of ${LEVELS[this.level].budget} left`;
    this.spendBtn.textContent = n ? 'Spend one' : 'None left';
    // while one is under way the button keeps its focus (aria-disabled; spend() refuses a second); with none left
    // it is disabled, and a keyboard user who was on it goes on to the answer
    if (!n && document.activeElement === this.spendBtn) this.causeSelect.focus();
    this.spendBtn.disabled = !n;
    this.spendBtn.setAttribute('aria-disabled', String(!!this.busy));
    this.expSelect.disabled = !n;
    this.#describe();
  }

  /** What the chosen experiment changes, said before it is spent. */
  #describe() {
    const e = EXPERIMENT_BY_ID.get(this.expSelect.value);
    if (!e) return;
    this.expWhat.textContent = e.kind === 'race'
      ? 'Pins the mystery run and trains it again (faded) beside a copy with this one change, both from epoch 0 on the same seed; the values stay hidden.'
      : `Runs on the mystery run (which is not touched). ${PROBES[e.probe].expected}`;
  }

  /** Spends one experiment: resolves with its log entry's text, or rejects (nothing spent) with the reason. */
  async spend(id) {
    const e = EXPERIMENT_BY_ID.get(id);
    if (!this.hidden()) throw new Error('no mystery is open: experiments are spent before the answer');
    if (!e) throw new Error(`"${id}" is not an experiment (experiments: ${EXPERIMENTS.map((x) => x.id).join(', ')})`);
    if (!this.budgetLeft) throw new Error('no experiments left: commit an answer');
    if (this.busy) throw new Error('an experiment is under way');
    this.budgetLeft--;
    this.busy = true;
    this.#budget();
    const item = el('li', { text: `${e.label}: under way…` });
    this.log.append(item);
    this.o.post('mystery-experiment', { index: this.index, experiment: e.id, budgetLeft: this.budgetLeft });
    const mine = this.index;
    try {
      let text;
      if (e.kind === 'race') {
        await this.o.race(e.change(this.o.config()));
        text = `${e.label}: racing. The faded curves are the mystery run, the bright ones the copy with the change.`;
      } else {
        const r = await this.o.probe(e.probe);
        text = `${e.label}: ${r.verdict}. ${r.evidence}`;
      }
      if (mine === this.index) item.textContent = text;
      this.spent.push(e.id);
      return text;
    } catch (err) {
      if (mine === this.index) {
        this.budgetLeft++;
        item.textContent = `${e.label}: not run (${err.message}); nothing spent.`;
      }
      throw err;
    } finally {
      this.busy = false;
      if (mine === this.index) this.#budget();
    }
  }

  /** Commits {cause, fix}: lossLab.answerMystery(). Throws, in words, for a wrong answer id or no open mystery. */
  answer({ cause, fix = 'none' } = {}) {
    if (!this.hidden()) throw new Error(this.active ? 'this mystery is answered already: go on to the next one' : 'no mystery drill is running (open the page with mystery=1)');
    const m = this.sequence[this.index];
    const s = score(m, { cause, fix });
    this.card = this.o.card();
    const result = { index: this.index, causes: m.causes, cause, fix: fix || 'none', ...s };
    this.results.push(result);
    this.state = 'revealed';
    this.root.dataset.state = 'revealed';
    this.#showReveal(m, result);
    this.#scoreLine();
    const total = this.results.reduce((a, r) => a + r.points, 0);
    const out = {
      correct: s.correct, fixRight: s.fixRight,
      truth: { causes: [...m.causes], settings: { ...m.set } },
      score: { points: s.points, total, max: this.sequence.length * MAX_POINTS },
    };
    this.o.changed();
    this.o.post('mystery-answer', { index: this.index, cause, fix: result.fix, correct: s.correct, fixRight: s.fixRight, points: s.points, truth: out.truth });
    return out;
  }

  #showReveal(m, r) {
    this.work.hidden = true;
    this.how.hidden = true;
    const R = this.reveal;
    R.textContent = '';
    const verdict = r.correct
      ? `Right: ${r.points} ${r.points === 1 ? 'point' : 'points'}.${r.fixRight === false ? ' The fix would not have undone it.' : ''}`
      : 'Not this time: 0 points.';
    R.append(el('h3', { class: r.correct ? 'mystery-right' : 'mystery-wrong', text: verdict }));
    const truth = m.causes.length ? m.causes.map(answerName).join(' and ') : answerName(HEALTHY);
    R.append(el('p', {}, el('strong', { text: m.causes.length > 1 ? 'The hidden causes: ' : 'The hidden cause: ' }), truth + (m.causes.length ? '.' : ' (a decoy).')));
    R.append(el('p', {}, el('strong', { text: 'Your answer: ' }),
      `${answerName(r.cause)}${r.fix !== 'none' ? `; fix: ${fixLabel(r.fix)} — ${r.fixRight ? 'the right one' : 'not the one'}` : '; no fix given'}.`));
    // the settings
    const keys = Object.keys(m.set).filter((k) => k !== 'seed');
    const settings = el('p', {}, el('strong', { text: 'The settings: ' }));
    for (const [i, k] of keys.entries()) settings.append(...(i ? [', '] : []), el('span', { class: 'mystery-setting', text: settingText(k, m.set[k]) }));
    settings.append(`${keys.length ? '' : 'the lab’s defaults'}; seed ${m.set.seed}; every other setting at the lab’s default.`);
    R.append(settings);
    // what the card said
    const d = this.card;
    const cardP = el('div', 'mystery-card');
    cardP.append(el('strong', { text: 'What the diagnosis card said: ' }));
    if (!d) cardP.append('nothing yet: it reads a run after its first 20 steps.');
    else {
      const loud = d.findings.filter((f) => f.severity !== 'info');
      if (!loud.length) cardP.append('healthy: nothing at warn or alarm.');
      else {
        const ul = el('ul');
        for (const f of loud) ul.append(el('li', { text: `${f.severity}: ${f.title} Likely causes: ${f.names.slice(0, 2).join('; ')}.` }));
        cardP.append(ul);
      }
      const named = m.causes.filter((c) => cardNames(d, c));
      if (m.causes.length) cardP.append(el('p', { text: named.length ? 'It named the hidden cause among its first two.' : 'It did not name the hidden cause among its first two.' }));
    }
    // how the card does on these very settings in its own test (www/report-card.json), when it tested them
    const tested = m.source === 'detection' && REPORT_CARD?.conditions.find((c) => c.name === m.id);
    if (tested) {
      cardP.append(el('p', { text: `In the card's own test these settings were trained on ${tested.runs} seeds, and it named the cause among its first two on ${tested.named} of them (“How reliable is this card?” under the card has the whole table).` }));
    }
    R.append(cardP);
    // the deciding evidence: the card's figures for the hidden cause, and the lesson's checked claims
    const ev = el('div', 'mystery-evidence');
    ev.append(el('h4', { text: 'The evidence that decides it' }));
    if (d) {
      for (const f of d.findings.filter((x) => x.severity !== 'info' && m.causes.some((c) => x.causes.slice(0, 2).includes(c)))) {
        const ul = el('ul');
        for (const e of f.evidence) {
          const th = e.threshold === null || e.threshold === undefined ? '' : ` (threshold ${figure(e.threshold)})`;
          ul.append(el('li', { text: `${e.words}${e.layer ? ` (${e.layer})` : ''}: ${figure(e.value)}${th}` }));
        }
        ev.append(el('p', { text: `The card’s figures for its ${f.severity} finding that named it:` }), ul);
      }
    }
    for (const id of m.lessons) {
      const p = this.byLesson.get(id);
      if (!p) continue;
      const where = m.source === 'detection'
        ? ` (the same fault at the lesson’s own magnitude: ${Object.keys(p.set).map((k) => settingText(k, p.set[k])).join(', ')})`
        : '';
      ev.append(el('p', { text: `The lesson “${p.title}”${where}, checked on real MNIST:` }));
      const ul = el('ul');
      for (const c of ownClaims(p)) ul.append(el('li', { text: `“${c.say}”` }));
      ev.append(ul);
      const more = el('details', {}, el('summary', { text: `The lesson’s note: ${p.title}` }), el('p', { text: p.text }));
      ev.append(more);
    }
    if (!m.lessons.length) {
      ev.append(el('p', { text: 'No lesson describes these settings: they are one of the healthy conditions of the lab’s detection test (tests/lessons.rs), on which the card must stay quiet.' }));
    }
    for (const c of m.causes) {
      const entry = catalogueEntry(c);
      if (entry) ev.append(el('p', {}, el('strong', { text: 'The experiment that tests it: ' }), entry.experiment));
    }
    R.append(ev);
    R.hidden = false;
    const last = this.index === this.sequence.length - 1;
    this.nextBtn.textContent = last ? 'See the summary' : `Next mystery (${this.index + 2} of ${this.sequence.length})`;
    this.nextBtn.hidden = false;
    R.focus();
  }

  /** The next mystery, or the summary after the last. */
  next() {
    if (!this.active || this.state === 'open') return;
    if (this.state === 'revealed' && this.index < this.sequence.length - 1) {
      this.#open(this.index + 1);
      this.title.focus();
      return;
    }
    this.#done();
  }

  /** The result code of what was answered so far. */
  resultCode() {
    return encodeResult({
      code: this.code, level: this.level, pools: this.pools,
      items: this.sequence.map((m, i) => {
        const r = this.results.find((x) => x.index === i);
        return { causes: m.causes, cause: r ? r.cause : null, fix: r ? r.fix : 'none' };
      }),
    });
  }

  #done() {
    this.state = 'done';
    this.root.dataset.state = 'done';
    this.work.hidden = true;
    this.reveal.hidden = true;
    this.nextBtn.hidden = true;
    const S = this.summary;
    S.textContent = '';
    const total = this.results.reduce((a, r) => a + r.points, 0);
    const max = this.sequence.length * MAX_POINTS;
    this.title.textContent = `The drill is over: ${total} of ${max} points`;
    const table = el('table', 'mystery-table');
    table.append(el('caption', { text: 'Your mysteries' }));
    table.append(el('tr', {}, ...['#', 'hidden cause', 'your answer', 'fix', 'points'].map((h) => el('th', { scope: 'col', text: h }))));
    for (const r of this.results) {
      table.append(el('tr', { class: r.correct ? 'right' : 'wrong' },
        el('td', { text: String(r.index + 1) }),
        el('td', { text: r.causes.length ? r.causes.map(answerName).join(' and ') : answerName(HEALTHY) }),
        el('td', { text: answerName(r.cause) }),
        el('td', { text: r.fix === 'none' ? '—' : `${fixLabel(r.fix)}${r.fixRight ? ' ✓' : ''}` }),
        el('td', { text: String(r.points) })));
    }
    const code = this.resultCode();
    const codeBox = el('input', { id: 'mystery-result', class: 'mystery-result', readonly: '', value: code, 'aria-describedby': 'mystery-result-help' });
    const copy = el('button', { type: 'button', id: 'btn-mystery-copy', text: 'Copy the code' });
    const said = el('span', { class: 'help', 'aria-live': 'polite' });
    copy.addEventListener('click', () => {
      codeBox.select();
      navigator.clipboard?.writeText(code).then(() => { said.textContent = 'copied'; }, () => { said.textContent = 'select the code and copy it'; });
    });
    S.append(table,
      el('p', {}, el('label', { for: 'mystery-result', text: 'Your result code: ' }), codeBox, ' ', copy, ' ', said),
      el('p', { id: 'mystery-result-help', class: 'help', text: 'Hand this code to your teacher: the class page (docs/class.html) turns the codes of a class into one table. It holds the hidden causes and your answers, not your name.' }),
      el('p', {}, el('a', { href: `?mystery=1${this.pools.length < 4 ? `&pool=${this.pools.join(',')}` : ''}${this.level !== 1 ? `&level=${this.level}` : ''}`, text: 'A new drill with a fresh code' })));
    S.hidden = false;
    this.#scoreLine();
    this.o.changed();
    this.o.post('mystery-end', { code: this.code, total, max, result: code });
    this.title.focus();
  }
}
