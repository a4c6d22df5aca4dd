// The preset buttons, grouped, and the "what to expect" note shown above the charts.
import { GROUPS, PRESETS, BY_ID, PRESETS_ERROR } from '../presets.js';
import { lastParam, shown, merge, defaults, toQuery, fmtNum } from '../state.js';

let noteListener = null;

export function renderPresets(root, onPick) {
  for (const [group, title] of GROUPS) {
    const items = PRESETS.filter((p) => p.group === group);
    if (!items.length) continue;
    const h = document.createElement('h3');
    h.textContent = title;
    const box = document.createElement('div');
    box.className = 'preset-buttons';
    for (const p of items) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'preset';
      b.id = `preset-${p.id}`;
      b.dataset.preset = p.id;
      b.setAttribute('aria-pressed', 'false');
      b.textContent = p.title;
      b.addEventListener('click', () => onPick(p));
      box.append(b);
    }
    root.append(h, box);
  }
}

/** fn(preset or null) hears every note shown or cleared: the prediction question (www/views/predict.js) hides the text. */
export function onPresetNote(fn) {
  noteListener = fn;
}

export function showPresetNote(preset) {
  for (const b of document.querySelectorAll('button.preset')) b.setAttribute('aria-pressed', String(!!preset && b.dataset.preset === preset.id));
  const box = document.getElementById('preset-note');
  if (!preset) {
    box.hidden = true;
    noteListener?.(null);
    return;
  }
  document.getElementById('preset-note-title').textContent = `Lesson: ${preset.title}`;
  document.getElementById('preset-note-text').textContent = preset.text;
  noteListener?.(preset);
  box.hidden = false;
}

/** The id of the lesson whose note is showing (its button is pressed), or null. */
export function currentLesson() {
  return document.querySelector('button.preset[aria-pressed="true"]')?.dataset.preset ?? null;
}

/**
 * Marks the buttons of the lessons that `refusal(preset)` refuses (a sentence: why), e.g. a lesson that needs a
 * setting the embedding page fixed (www/embed.js): the lesson's claims hold only for its own settings, so it is
 * not loaded with another value. aria-disabled rather than disabled: the button keeps its tooltip in every
 * browser, and a click still reaches the page, which refuses it with that sentence as a notice.
 */
export function refuseLessons(refusal) {
  for (const p of PRESETS) {
    const why = refusal(p);
    const b = document.getElementById(`preset-${p.id}`);
    if (!b || !why) continue;
    b.setAttribute('aria-disabled', 'true');
    b.classList.add('locked');
    b.title = why;
  }
}

/** The URL key that opens a lesson: `lesson=lr-high` (a link to one lesson, or a course page embedding it). */
export const QUERY_PARAMS = new Set(['lesson']);

/** Reads `lesson=ID`: {preset (or null), notices}. An unknown id opens the page without a lesson, with a notice. */
export function readQuery(search) {
  const { last: id, notices } = lastParam(new URLSearchParams(search), 'lesson');
  if (id === null) return { preset: null, notices: [] };
  const preset = BY_ID.get(id) ?? null;
  if (!preset) {
    notices.push(PRESETS_ERROR ? `lesson = "${shown(id)}" could not be opened: ${PRESETS_ERROR}`
      : `lesson = "${shown(id)}" is not a lesson — the page opens without one (lessons: ${PRESETS.map((p) => p.id).join(', ')})`);
  }
  return { preset, notices };
}

/** The configuration a lesson trains: the healthy baseline plus the lesson's own settings. */
export function lessonConfig(p) {
  return merge(defaults(), p.set).config;
}

/**
 * `lesson=ID` while the lesson's note shows and the settings `cfg` are exactly the lesson's: a reload or a shared
 * link opens the same lesson, question included. Any change of a setting drops it (the lesson's claims are about
 * its own settings), and changing it back brings it back.
 */
export function lessonQuery(cfg) {
  const p = BY_ID.get(currentLesson());
  return p && toQuery(lessonConfig(p)) === toQuery(cfg) ? `lesson=${encodeURIComponent(p.id)}` : '';
}

/**
 * At start-up, `lesson=ID` loads that lesson as its button does; the lesson's settings win over the link's
 * (`search`; `cfg` as read from it). Returns {config (null: the lesson was refused), notices}; the caller shows
 * the lesson's note once its configuration is the page's.
 */
export function lessonFromLink(p, cfg, search) {
  const mine = lessonConfig(p);
  const given = new URLSearchParams(search); // the settings the link names, not the defaults it implies
  const differ = Object.keys(mine).filter((k) => given.has(k) && String(mine[k]) !== String(cfg[k]));
  const notices = [];
  if (differ.length) {
    notices.push(`lesson=${p.id} trains its own settings, so the link's ${differ.map((k) => `${k} = ${typeof cfg[k] === 'number' ? fmtNum(cfg[k]) : cfg[k]}`).join(', ')}`
      + ` ${differ.length > 1 ? 'were' : 'was'} not used — change ${differ.length > 1 ? 'them' : 'it'} after the lesson has run`);
  }
  return { config: mine, notices };
}
