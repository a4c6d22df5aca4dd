// The diagnosis's report card, www/report-card.json: written by the detection test in tests/lessons.rs from the
// runs it judged (per broken condition its settings, causes, lessons, runs, how many named it and the card's
// answers; the healthy conditions and their false alarms; the pooled rate). "How reliable is this card?"
// (www/views/reliability.js) shows it, and the mystery drill (www/mystery/pool.js) draws its conditions as the
// milder forms of their lessons. A top-level await of fetch, as www/presets.js does: if the file cannot be read
// the lab still works, REPORT_CARD is null and REPORT_CARD_ERROR says why.

async function load() {
  try {
    const res = await fetch(new URL('./report-card.json', import.meta.url));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const card = await res.json();
    if (!Array.isArray(card?.conditions) || !card?.healthy || !card?.pooled) {
      throw new Error('it has no `conditions`, `healthy` and `pooled`');
    }
    return { card, error: null };
  } catch (e) {
    return { card: null, error: `The diagnosis's report card could not be loaded (www/report-card.json: ${e.message}). Reload the page to try again.` };
  }
}

const loaded = await load();

/** The report card, or null when it could not be read. */
export const REPORT_CARD = loaded.card;
/** Why the report card is missing (a sentence for the page), or null when it loaded. */
export const REPORT_CARD_ERROR = loaded.error;
