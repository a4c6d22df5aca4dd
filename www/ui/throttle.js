// Writes to the page at most every so often while a run trains. Progress arrives ~30 times a second, and every
// write of a line of text costs the page's thread a layout and a repaint (~4 ms, measured in headless Chromium):
// written at every message, the progress bar and the speed line alone took a third of a core, which on a two-core
// machine the second training worker needs (docs/ARCHITECTURE.md, "One run on two cores").

/** While a run trains, the progress bar, the speed line and projector mode's progress line are written at most this often. */
export const PROGRESS_EVERY_MS = 250;

export class Throttle {
  /** @param {number} ms the shortest time between two writes while busy  @param {() => void} write */
  constructor(ms, write) {
    this.ms = ms;
    this.write = write;
    this.at = -Infinity;
    this.timer = null;
  }

  /** Writes now; or, while `busy` (a run trains), at most every `ms`, the state of the last request last. */
  request(busy) {
    if (busy && this.at + this.ms > performance.now()) {
      this.timer ??= setTimeout(() => { this.timer = null; this.request(false); }, this.at + this.ms - performance.now());
      return;
    }
    this.cancel();
    this.at = performance.now();
    this.write();
  }

  /** Drops a write that is waiting (what it would write is gone: a rebuild). */
  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
  }
}
