// The page's URL registry (www/url.js reads and writes the sections in this order): which parameters each part of the
// page owns, how it reads them at start-up, and what it writes back to the address bar.
import { fromQuery, toQuery } from '../state.js';
import { QUERY_PARAMS as LESSON_PARAMS, readQuery as readLessonQuery, lessonQuery, lessonFromLink, showPresetNote } from '../views/lessons.js';
import { QUERY_PARAMS as LRFIND_PARAMS, readQuery as readLrFindQuery } from '../views/lrfind.js';
import * as sweepUrl from '../lab/sweep.js';
import { QUERY_PARAMS as EMBED_PARAMS } from '../embed.js';
import { QUERY_PARAMS as PREDICT_PARAMS, readQuery as readPredictQuery } from '../views/predict.js';
import { QUERY_PARAMS as PROJECTOR_PARAMS, readQuery as readProjectorQuery } from '../projector.js';
import { QUERY_PARAMS as CORES_PARAMS, readQuery as readCoresQuery, query as coresQuery } from '../lab/cores.js';
import { queryParams as mysteryParams, readQuery as readMysteryQuery } from '../mystery/drill.js';

/** The sections for www/url.js's PageUrl; `page` is www/main.js's (cfg, lab, the views `v`, the drill). */
export function urlSections(page) {
  const { lab, v, drill } = page;
  /** `lesson=ID` loads that lesson as its button does (www/views/lessons.js); returns the notices. */
  const openLesson = (p, search) => {
    const refused = v.embed.lessonRefusal(p, page.cfg); // it needs a setting the embedding page fixed at another value
    if (refused) return [refused];
    const { config, notices } = lessonFromLink(p, page.cfg, search);
    page.cfg = config;
    showPresetNote(p);
    return notices;
  };
  return [
    { // the settings (www/state.js): every key no other section claims; a mystery drill writes none of them
      params: null,
      read: (search, others) => { const r = fromQuery(search, others); page.cfg = r.config; return r; },
      write: () => (drill.active ? '' : toQuery(page.cfg).replace(/^\?/, '')),
    },
    { // mystery=, pool=, level= (www/mystery/drill.js): the drill draws its own settings, so the link's are ignored;
      // without mystery=, pool= is the pooling setting's
      params: mysteryParams(location.search),
      read: (search, others) => {
        const r = readMysteryQuery(search);
        if (!r.on) return r;
        const mine = mysteryParams(search);
        const given = [...new URLSearchParams(search).keys()].filter((k) => !others.has(k) && !mine.has(k));
        if (given.length) r.notices.push(`a mystery draws its own settings: ${[...new Set(given)].join(', ')} from the link ${given.length > 1 ? 'are' : 'is'} ignored`);
        return { notices: r.notices, then: () => { drill.view.start(r); return []; } };
      },
      write: () => drill.view.query(),
    },
    { // lesson=ID (www/views/lessons.js), opened once the settings, the locks and the question's state are read
      params: LESSON_PARAMS,
      read: (search) => {
        const r = readLessonQuery(search);
        if (r.preset && new URLSearchParams(search).has('mystery')) return { notices: [`lesson = ${r.preset.id} is not opened: a mystery drill hides its lesson until you answer`] };
        return { notices: [], then: () => [...r.notices, ...(r.preset ? openLesson(r.preset, search) : [])] };
      },
      write: () => (drill.active ? '' : lessonQuery(page.cfg)),
    },
    { params: sweepUrl.QUERY_PARAMS, read: (search) => { const r = sweepUrl.readQuery(search); v.sweepView.load(r); return r; }, write: () => v.sweepView.query() },
    { params: LRFIND_PARAMS, read: (search) => { const r = readLrFindQuery(search); v.lrFind.load(r); return r; }, write: () => v.lrFind.query() },
    { params: PREDICT_PARAMS, read: (search) => { const r = readPredictQuery(search); v.predictView.load(r); return r; }, write: () => v.predictView.query() },
    { params: EMBED_PARAMS, read: () => v.embedParsed, write: () => v.embed.query() }, // read before the page was built (www/embed.js)
    { params: PROJECTOR_PARAMS, read: (search) => { const r = readProjectorQuery(search); v.projector.set(r.value); return r; }, write: () => v.projector.query() },
    {
      params: CORES_PARAMS,
      read: (search) => { const r = readCoresQuery(search); lab.setCores(r.value); page.showCores(); return r; },
      write: () => coresQuery(lab.coresChosen),
    },
  ];
}
