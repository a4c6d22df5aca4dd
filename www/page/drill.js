// The mystery drill's side of the page (the drill itself: www/views/mystery.js, www/mystery/). While a mystery is open
// its configuration is `drill.cfg`; the page hides what would tell it (the settings column and the main settings, the
// lesson note, the diagnosis card, the curves and badges that settings switch on) and the controls hold the defaults,
// so nothing in the page's DOM carries a hidden value. The experiments race it against a copy with one change (it is
// pinned and trained again, faded) or probe it; `drill.isCurrent` says whether the current run is the mystery's own
// (its card is the one the reveal quotes) or a race's changed copy.
import * as lessons from '../presets.js';
import { defaults, merge } from '../state.js';
import { showPresetNote } from '../views/lessons.js';
import { MysteryView } from '../views/mystery.js';

const $ = (id) => document.getElementById(id);

/** What the layer table says while an open mystery hides the network's design. */
export const LAYERS_HIDDEN = 'The layers stay hidden until you answer the mystery.';

export class DrillControl {
  /** `page`: www/main.js's (cfg, lab, run, the views `v` and the actions). */
  constructor(page) {
    this.page = page;
    this.cfg = null; // the open mystery's configuration
    this.isCurrent = false; // the current run is the mystery's own, not a race's changed copy
    this.card = null; // the mystery run's last diagnosis, for the reveal
    this.lastBuilt = null; // the last 'built' message: the layers shown once the mystery is answered
    const { lab, run } = page;
    this.view = new MysteryView($('mystery'), {
      presets: lessons.PRESETS,
      config: () => ({ ...this.cfg }),
      load: (m) => {
        if (lab.run) { // at start-up the lab is not open yet
          page.stopRace();
          lab.unpin();
        }
        showPresetNote(null);
        page.cfg = merge(defaults(), m.set).config;
        this.cfg = { ...page.cfg };
        this.isCurrent = true;
        this.card = null;
        page.v.status.summary('');
        if (lab.run) page.configure(); // at start-up the lab opens with this configuration
      },
      race: async (partial) => {
        if (!run().engineReady) throw new Error('the network is not built yet: wait until the page says it is ready');
        page.cfg = { ...this.cfg };
        this.isCurrent = false;
        if (lab.race) page.stopRace();
        lab.pinRun(page.cfg, 'the mystery run');
        page.cfg = merge(page.cfg, partial).config;
        page.startRace();
        await lab.ready();
        await lab.start();
      },
      probe: async (name) => {
        if (!this.isCurrent) { // back to the mystery's own run: the probe reads it, not a changed copy
          page.stopRace();
          lab.unpin();
          page.cfg = { ...this.cfg };
          this.isCurrent = true;
          page.configure();
        }
        await lab.ready();
        return page.v.pipelineCheck.probe(name);
      },
      card: () => (this.isCurrent ? run().diagnosis : lab.race?.diagnosis) ?? this.card,
      post: (type, detail) => page.v.embed.post(type, detail),
      changed: () => {
        this.shown();
        page.writeUrl();
      },
    });
  }

  /** A drill is running (answered or not). */
  get active() {
    return this.view.active;
  }

  /** A mystery is open and unanswered: its settings stay hidden. */
  hidden() {
    return this.view.hidden();
  }

  /** A diagnosis of the current run arrived: the mystery's own is kept for the reveal. */
  diagnosed(d) {
    if (this.isCurrent) this.card = d;
  }

  /** The page's look for the drill: `mystery` on <html> while a drill runs, `mystery-hidden` while a mystery is
   * unanswered (www/style.css hides the settings column and the rest there), the controls and the card refilled. */
  shown() {
    const { v, run } = this.page;
    const root = document.documentElement;
    root.classList.toggle('mystery', this.active);
    root.classList.toggle('mystery-hidden', this.hidden());
    for (const id of ['all-settings', 'headline', 'preset-note']) $(id).inert = this.hidden();
    this.page.showControls();
    this.page.dataBadge();
    v.acts.relabel(); // activation layers named by their place while hidden (www/views/layernames.js), else their own
    v.actHist.relabel();
    if (this.hidden()) {
      v.diagnosis.reset();
      if (this.lastBuilt) v.arch.pending(LAYERS_HIDDEN);
    } else if (this.active) {
      v.diagnosis.show(this.view.card ?? run().diagnosis ?? null);
      if (this.lastBuilt && run().built) v.arch.show(this.lastBuilt.layers, this.lastBuilt.params);
    }
    this.page.queueDraw();
  }

  /** What the drill refuses while it runs: the settings, lessons and free experiments of the lab, with the reason. */
  refusal(what) {
    if (!this.active) return null;
    return new Error(`${what} is off during a mystery drill: ${this.hidden() ? 'the settings stay hidden until you answer (lossLab.answerMystery), and experiments are spent from the drill\u2019s panel' : 'each mystery draws its own settings'}`);
  }
}
