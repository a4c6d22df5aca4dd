// The request cycle of a panel that asks the training worker for something while it is open (the stability meter,
// the activation histograms): an answer to a request made before the run was replaced or rebuilt is dropped, and a
// panel that refreshes while training asks at most every so often.

export class Asker {
  constructor() {
    this.generation = 0;
    this.last = -Infinity; // performance.now() of the latest request
  }

  /** A new run or a rebuild: answers to the requests made so far are dropped. */
  drop() {
    this.generation++;
  }

  /** Whether `ms` milliseconds have passed since the latest request. */
  due(ms) {
    return performance.now() - this.last > ms;
  }

  /** Calls `request()` (a Promise) and passes its answer to `use` unless `drop()` came first; a refusal is ignored
   * (the run was replaced, or the worker restarts: the next epoch asks again). */
  ask(request, use) {
    const my = this.generation;
    this.last = performance.now();
    request().then((v) => { if (my === this.generation) use(v); }, () => {});
  }
}
