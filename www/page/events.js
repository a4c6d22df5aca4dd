// The Lab's events (www/lab/lab.js: the current run, the race, the pin, the cores) to the views that show them.
import { currentLesson } from '../views/lessons.js';
import { LAYERS_HIDDEN } from './drill.js';

const $ = (id) => document.getElementById(id);

/** `page`: www/main.js's (lab, run, the views `v`, the drill and the actions). */
export function wireRunEvents(page) {
  const { lab, run, v, drill } = page;
  lab.on('cores', (m) => {
    if (m.message) page.showNotices([m.message]);
    v.status.progress();
  });
  lab.on('change', () => { v.status.render(); v.finalTest.refresh(); v.pipelineCheck.refresh(); });
  lab.on('built', (m) => {
    const r = run();
    v.finalTest.reset();
    v.pipelineCheck.reset();
    if (!drill.hidden()) v.diagnosis.show(r.diagnosis); // null: a run rebuilt after an engine crash starts unread
    v.lrFind.stale();
    drill.lastBuilt = m;
    if (drill.hidden()) v.arch.pending(LAYERS_HIDDEN);
    else v.arch.show(m.layers, m.params);
    v.startView.show(m.start);
    v.filters.show(r);
    v.acts.show(r);
    v.actHist.show(r);
    v.stability.show(r);
    v.classCounts.show(m.classCounts);
    v.drawPad.built();
    page.dataBadge();
    page.queueDraw();
    v.embed.built(drill.hidden() ? null : r.cfg, currentLesson());
  });
  // A mystery's run lasts as long as its lesson's story (www/mystery/pool.js), and so does the race beside it: each
  // is paused once the last step of that epoch is trained, as a sweep's runs are (its validation pass still
  // finishes), so that no step of the next epoch is trained before the pause reaches the worker.
  const mysteryEpochs = () => drill.view.current()?.epochs ?? null;
  const endMystery = (r, m) => {
    if (r && m.epochDone && m.epoch >= (mysteryEpochs() ?? Infinity) && r.status === 'running') r.pause();
  };
  lab.on('race:progress', (m) => endMystery(lab.race, m));
  lab.on('progress', (m) => {
    const r = run();
    endMystery(r, m);
    const paused = r.status !== 'running';
    v.status.progress(m);
    v.projector.progress(m, r.record, !paused);
    page.queueDraw();
    if (paused) { v.filters.refresh(); v.acts.refresh(); } // a single step while paused
    v.stability.tick(paused);
    v.actHist.tick(paused);
    v.batchView.tick(paused);
    v.drawPad.tick();
  });
  // the validation pass under way: its first estimate drawn at once (the epoch's first point), the later ones with
  // the next frame
  lab.on('estimate', (m) => {
    if (m.first) page.draw();
    else page.queueDraw();
    v.projector.estimate(m);
  });
  lab.on('diagnosis', (d) => {
    drill.diagnosed(d);
    if (drill.hidden()) return; // the card stays hidden until the student commits
    v.diagnosis.show(d);
    v.embed.diagnosis(d, currentLesson());
  });
  lab.on('epoch', (row) => {
    const r = run();
    page.draw();
    v.projector.epoch(row);
    v.filters.refresh();
    v.acts.refresh();
    v.actHist.refresh();
    v.stability.refresh();
    v.batchView.refresh();
    v.highLoss.epoch();
    v.pipelineCheck.epoch();
    v.drawPad.epoch();
    v.status.epochSummary(row, { hidden: drill.hidden() });
    v.predictView.epoch(row.epoch);
    if (row.epoch >= (mysteryEpochs() ?? Infinity)) {
      v.status.summary(`${$('summary').textContent} The mystery's run ends here, after epoch ${row.epoch}.`);
    }
    // the clean and corrupted-label figures would tell an open mystery's label noise
    const told = drill.hidden() ? { ...row, cleanLoss: undefined, cleanAcc: undefined, noisyLoss: undefined, noisyAcc: undefined } : row;
    v.embed.epoch(told, r.record.steps, currentLesson());
  });
  lab.on('diverged', (m) => {
    page.draw();
    v.status.summary(`Training diverged at step ${m.step}: ${m.message}.`);
    v.embed.diverged(m, currentLesson());
    v.predictView.ended();
  });
  lab.on('stopped', (m) => {
    page.draw();
    v.status.summary(`Training ${m.message}.`);
    v.predictView.ended();
  });
  lab.on('error', ({ scope, message, part }) => {
    if (scope === 'set') {
      page.showNotices([`The engine refused the value: ${message}`]);
      return;
    }
    if (scope === 'config') {
      // A refused value or combination of settings is said in the status line; a design describe() refused (a layer,
      // or the parameter and buffer caps) belongs in the Layers box.
      if (part !== 'design') v.arch.pending('');
      else {
        v.arch.fail(message);
        revealInControls($('arch-error'));
      }
    } else if (scope === 'data') {
      $('data-missing-text').textContent = message;
      $('data-missing').hidden = false;
      v.arch.pending('');
    }
    page.dataBadge();
  });

  // the pin and the race
  lab.on('race:change', () => { v.status.race(); v.status.render(); });
  lab.on('race:built', () => page.queueDraw());
  lab.on('race:progress', () => { v.status.race(); v.status.progress(); page.queueDraw(); });
  lab.on('race:epoch', () => { v.status.race(); page.queueDraw(); });
  for (const type of ['race:diverged', 'race:stopped', 'race:error']) lab.on(type, () => page.queueDraw());
  lab.on('racing', () => {
    $('opt-race').checked = !!lab.race;
    page.showCores();
    v.status.race();
    v.status.progress();
    page.queueDraw();
    v.status.render();
  });
  lab.on('pin', () => {
    $('btn-unpin').disabled = !lab.pin;
    $('opt-race').disabled = !lab.pin;
    page.draw();
  });
}

/** Scrolls the settings column (not the page) so that `el` is in view. */
function revealInControls(el) {
  const box = document.querySelector('.controls');
  if (box.scrollHeight <= box.clientHeight) return; // the column does not scroll on its own (narrow layout)
  const top = el.getBoundingClientRect().top - box.getBoundingClientRect().top;
  if (top < 0 || top > box.clientHeight - 80) box.scrollTop += top - 60;
}
