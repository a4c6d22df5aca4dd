// One-click lessons. A lesson is the healthy baseline (every default, seed 1) plus the few settings in
// its `set`, applied as a reset. The lessons are data, www/presets.json, shared with the native tests:
// tests/lessons.rs trains every lesson on two seeds and checks each claim its text makes, so edit the
// text and its `claims` together (docs/ARCHITECTURE.md, "Lessons and their claims").
//
// A top-level await of fetch rather than `import … with { type: 'json' }`: JSON import attributes
// would raise the lowest Firefox the page runs on. If the file cannot be read the lab still works:
// the lists are empty and PRESETS_ERROR says why, for the page to show.

async function load() {
  try {
    const res = await fetch(new URL('./presets.json', import.meta.url));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const data = await res.json();
    if (!Array.isArray(data?.groups) || !Array.isArray(data?.presets)) {
      throw new Error('it has no `groups` and `presets` lists');
    }
    return { groups: data.groups, presets: data.presets, error: null };
  } catch (e) {
    return {
      groups: [],
      presets: [],
      error: `The lessons could not be loaded (www/presets.json: ${e.message}); everything else works. Reload the page to try again.`,
    };
  }
}

const lessons = await load();

/** [[groupId, title], …] in display order. */
export const GROUPS = lessons.groups;
/** [{id, group, title, set: {key: value}, epochs, text, claims: […]}, …] */
export const PRESETS = lessons.presets;
export const BY_ID = new Map(PRESETS.map((p) => [p.id, p]));
/** Why the lessons are missing (a sentence for the page), or null when they loaded. */
export const PRESETS_ERROR = lessons.error;
