// The step loop's two-core half (src/train/parallel.rs), as the training worker (www/engine/worker.js) runs it
// and as the benchmark's Loss Lab worker (bench/workers/losslab.js) measures it: one module, so the bench times
// the loop students run. With a peer, every step hands the second half of its batch to the helper worker
// (www/engine/helper.js) and validation hands over the second half of each chunk; the weights, the optimizer and
// every figure stay with the trainer. If the helper fails, its share is computed here by a local LabHelper, the
// step completes with the same numbers, and training goes on on one core.
// Port protocol (www/engine/helper.js): -> {type:'build', config}, {type:'gradient'|'logits', req, weights, x,
// y, scale}; <- {req, answer} or {req, error, fatal}.

/** A chunk of training steps takes ~16-50 ms, so pause and live settings land within ~100 ms. */
export const CHUNK_TARGET_MS = 30;

export class Peer {
  /**
   * @param {object} o
   * @param {(config: object) => object} o.makeHelper  a LabHelper of this wasm instance, for the shares the
   *                                                   helper worker cannot answer
   * @param {(why: string) => void} [o.onFallback]     the helper failed, with why: training goes on on one core
   */
  constructor({ makeHelper, onFallback = () => {} }) {
    this.makeHelper = makeHelper;
    this.onFallback = onFallback;
    this.port = null;
    this.req = 0;
    this.waiting = new Map(); // req -> {resolve, reject}
    this.local = null; // this worker's own LabHelper, made when the helper worker failed
    this.config = null; // the configuration of the trainer being served
  }

  /** True while a helper worker is attached. */
  get attached() {
    return !!this.port;
  }

  /** Attaches the helper worker at the other end of `port` (null: back to one core). */
  attach(port) {
    this.detach('');
    if (!port) return;
    this.port = port;
    port.onmessage = (e) => {
      const m = e.data;
      const w = this.waiting.get(m.req);
      if (!w) return;
      this.waiting.delete(m.req);
      if (m.error) w.reject(new Error(m.error));
      else w.resolve(m.answer);
    };
    if (this.config) port.postMessage({ type: 'build', config: this.config });
  }

  /** Back to one core: waiting steps finish their share here. `why` non-empty calls onFallback with it. */
  detach(why) {
    if (!this.port) return;
    this.port.onmessage = null;
    this.port.close();
    this.port = null;
    for (const w of this.waiting.values()) w.reject(new Error(why || 'the second worker was released'));
    this.waiting.clear();
    if (why) this.onFallback(why);
  }

  /** A new trainer of `config` was built: the helper builds the same network; the local helper is dropped. */
  build(config) {
    this.config = config;
    this.local?.free();
    this.local = null;
    this.port?.postMessage({ type: 'build', config });
  }

  /** The trainer was freed (a new configuration is being built): nothing to serve until build() is called. */
  forget() {
    this.config = null;
  }

  /** This worker's own answer to a share. */
  #mine(type, share) {
    if (!this.local) this.local = this.makeHelper(this.config);
    return type === 'gradient'
      ? this.local.gradient(share.weights, share.x, share.y, share.scale)
      : this.local.logits(share.weights, share.x);
  }

  /** The helper's answer to a share, or this worker's own when there is no helper. */
  async #shareAnswer(type, share) {
    if (!this.port) return this.#mine(type, share);
    const req = ++this.req;
    // Copied, not transferred: if the helper fails, this worker still has the share to compute itself.
    const pending = new Promise((resolve, reject) => this.waiting.set(req, { resolve, reject }));
    this.port.postMessage({ type, req, weights: share.weights, x: share.x, y: share.y, scale: share.scale });
    return pending;
  }

  /** Sends a share to the helper (none for an empty share); the promise is handed to answerOf. */
  ask(type, share) {
    return share.rows > 0 ? this.#shareAnswer(type, share) : null;
  }

  /**
   * The answer to a share asked with ask(): empty for an empty share; if the helper failed, this worker computes
   * it and training goes on on one core. Null when `gone()` says the trainer was replaced meanwhile (the caller
   * checks that after every await anyway).
   */
  async answerOf(type, share, asked, gone) {
    if (!asked) return new Float32Array(0);
    try {
      return await asked;
    } catch (e) {
      if (gone()) return null;
      this.detach(`the second worker failed (${e.message}) — training goes on on one core`);
      return this.#shareAnswer(type, share);
    }
  }

  /**
   * Trains up to k steps of `trainer` on two cores; the caller takes them with trainer.takeSteps(). Each step:
   * the batch is split, the helper gets its half, this worker computes its own half meanwhile, then adds the
   * helper's gradient and updates. False if `gone()` says the trainer was replaced meanwhile.
   */
  async trainSteps(trainer, k, gone) {
    for (let i = 0; i < k; i++) {
      const share = trainer.splitStep();
      if (!share) break;
      const asked = this.ask('gradient', share);
      trainer.localStep();
      const got = await this.answerOf('gradient', share, asked, gone);
      if (gone()) return false;
      if (trainer.joinStep(got)) break;
    }
    return true;
  }

  /** One chunk of the validation pass on two cores (each worker evaluates 256 of the 512, about as long as a
   * one-core chunk); true once the pass is complete, false if the trainer was replaced meanwhile. */
  async evalChunk(trainer, gone) {
    const share = trainer.splitEval(512);
    const asked = this.ask('logits', share);
    trainer.localEval();
    const got = await this.answerOf('logits', share, asked, gone);
    return gone() ? false : trainer.joinEval(got);
  }
}
