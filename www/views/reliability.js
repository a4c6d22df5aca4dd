// "How reliable is this card?": the diagnosis's own report card, folded under the Diagnosis card. Its figures
// are the detection test's (tests/lessons.rs, diagnosis_detects_faults_on_five_seeds_in_both_orders), written
// to www/report-card.json from the runs it judged: faults at magnitudes and in combinations no
// lesson uses, each on five seeds and both summation orders, and healthy settings that must stay quiet. The
// card's reliability is itself something to teach: two causes can leave the same symptoms, and a reading is
// evidence to test, not a verdict.
import { REPORT_CARD, REPORT_CARD_ERROR } from '../reportcard.js';

/**
 * The report card summarised for the page: the pooled rate, the healthy runs' false alarms, and one row per
 * cause (conditions with the same causes pooled), with what the card said first when it missed.
 * @param {object} card  www/report-card.json
 */
export function summarise(card) {
  const name = (id) => (id === 'none' ? 'no warning' : card.causeNames[id] ?? id.replace(/_/g, ' '));
  const rows = new Map();
  for (const c of card.conditions) {
    const key = c.causes.join('|');
    const row = rows.get(key) ?? {
      causes: c.causes,
      title: c.causes.map(name).join(' or '),
      conditions: [],
      runs: 0,
      named: 0,
      said: new Map(),
      knownMiss: [],
    };
    row.conditions.push(c.name);
    row.runs += c.runs;
    row.named += c.named;
    if (c.knownMiss) row.knownMiss.push(`${c.name}: ${c.knownMiss}`);
    for (const [id, n] of Object.entries(c.answers)) {
      if (c.causes.includes(id)) continue;
      row.said.set(id, (row.said.get(id) ?? 0) + n);
    }
    rows.set(key, row);
  }
  const byCause = [...rows.values()].map((r) => ({
    ...r,
    said: [...r.said].sort((a, b) => b[1] - a[1]).map(([id, n]) => ({ cause: id, name: name(id), count: n })),
  }));
  return {
    runs: card.pooled.runs,
    named: card.pooled.named,
    lower: card.pooled.wilsonLower,
    seeds: card.seeds.length,
    rank: card.rank,
    healthy: card.healthy,
    byCause,
  };
}

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const pct = (x) => `${Math.round(100 * x)}%`;

export class ReliabilityView {
  /** @param {HTMLDetailsElement} details  #diagnosis-reliability; its body is filled the first time it opens */
  constructor(details) {
    this.details = details;
    this.body = details.querySelector('.reliability-body');
    this.summary = null;
    details.addEventListener('toggle', () => { if (details.open) this.load(); });
  }

  /** Renders the report card once; resolves to its summary (null when it could not be read). */
  load() {
    if (!REPORT_CARD) {
      this.body.textContent = REPORT_CARD_ERROR;
      this.details.dataset.ready = 'error';
      return Promise.resolve(null);
    }
    if (!this.summary) {
      this.summary = summarise(REPORT_CARD);
      this.#render(this.summary);
      this.details.dataset.ready = '1';
    }
    return Promise.resolve(this.summary);
  }

  #render(s) {
    this.body.textContent = '';
    this.body.append(
      el('p', '', `This card was tested on training runs with a fault switched on at a strength or in a combination that no lesson uses, each fault on ${s.seeds} seeds. Leaving out the known misses in the table, it named the true cause among its first ${s.rank} on ${s.named} of ${s.runs} (${pct(s.named / s.runs)}; counting each run as an independent trial, the Wilson 95% lower bound of that rate is ${pct(s.lower)}). On ${s.healthy.runs} healthy runs it raised ${s.healthy.falseAlarms === 0 ? 'no warning' : `a warning ${s.healthy.falseAlarms} ${s.healthy.falseAlarms === 1 ? 'time' : 'times'}`}.`),
    );
    const table = el('table', 'reliability-table');
    const head = el('tr');
    for (const h of ['Fault', 'Named', 'What it said instead']) head.append(el('th', '', h));
    table.append(el('thead'), el('tbody'));
    table.tHead.append(head);
    for (const r of s.byCause) {
      const tr = el('tr');
      tr.dataset.causes = r.causes.join('|');
      const fault = el('td');
      fault.append(el('span', '', r.title), el('span', 'reliability-conds', ` (${r.conditions.join('; ')})`));
      tr.append(fault, el('td', 'num', `${r.named} of ${r.runs}`));
      const missed = r.said.map((x) => `${x.name} (${x.count})`).join(', ');
      tr.append(el('td', '', r.knownMiss.length ? `${missed || '—'} (a known miss, below)` : missed || '—'));
      table.tBodies[0].append(tr);
    }
    this.body.append(table);
    for (const r of s.byCause) {
      for (const why of r.knownMiss) this.body.append(el('p', 'diag-label', `Known miss, left out of the count above — ${why}.`));
    }
    this.body.append(
      el('p', 'diag-label', `"What it said instead" is the card's first cause when the run stopped, on runs where that was not the true cause (it may still have named the true one second). Two causes can leave the same symptoms: a reading is evidence to test with the experiment it suggests, not a verdict.`),
    );
  }
}
