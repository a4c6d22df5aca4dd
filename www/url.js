// The page's URL: one registry of sections, each owning some query keys — the settings (www/state.js), the
// mystery drill, the lesson, the sweep, the range test panel, the prediction questions, embedding, projector mode and the cores.
// A section is {params, read, write}:
//   params  the Set of keys it owns; null for the settings, which own every key no other section claims
//   read(search, others)  reads its keys at start-up (others: every key the other sections own) and applies
//           them; returns {notices, then?}: `then` runs once every section was read (a lesson, which needs the
//           settings, the embedding's locks and the question's state in place)
//   write() its part of the query, 'k=v&…' without '?', or '' when it has nothing to keep
// The URL is read once, looping the registry in order, and written by looping it again in the same order.

/** Browsers throttle (and complain about) floods of history calls, e.g. while a slider is dragged. */
const URL_EVERY_MS = 250;

export class PageUrl {
  /** @param {Array<{params: Set<string>|null, read: Function, write: Function}>} sections in URL order */
  constructor(sections) {
    this.sections = sections;
    this.writtenAt = 0;
    this.timer = null;
  }

  /** Reads every section from `search` (location.search); returns the notices, in section order. */
  read(search) {
    const notices = [];
    const then = [];
    for (const s of this.sections) {
      const others = new Set(this.sections.filter((o) => o !== s && o.params).flatMap((o) => [...o.params]));
      const r = s.read(search, others);
      notices.push(...(r.notices || []));
      if (r.then) then.push(r.then);
    }
    for (const f of then) notices.push(...(f() || []));
    return notices;
  }

  /** The query string of the page's state: every section's part, in order ('' when all are empty). */
  query() {
    const parts = this.sections.map((s) => s.write()).filter(Boolean);
    return parts.length ? `?${parts.join('&')}` : '';
  }

  /** Writes the query into the address bar at once, then at most every URL_EVERY_MS, always ending with the
   * latest state. */
  write() {
    const wait = this.writtenAt + URL_EVERY_MS - performance.now();
    if (wait > 0) {
      if (!this.timer) this.timer = setTimeout(() => { this.timer = null; this.write(); }, wait);
      return;
    }
    this.writtenAt = performance.now();
    const url = new URL(location.href);
    url.search = this.query();
    if (url.href !== location.href) history.replaceState(null, '', url.href);
  }
}
