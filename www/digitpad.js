// The drawing pad's maths, without the DOM (tests/digitpad.test.mjs runs it in node): pen strokes -> the 28×28
// image the network is shown, prepared the way MNIST's digits were (LeCun, Bottou, Bengio & Haffner 1998,
// "Gradient-based learning applied to document recognition", §III.A, and the MNIST page: "the images were
// size normalized to fit in a 20x20 pixel box while preserving their aspect ratio. The resulting images contain
// grey levels as a result of the anti-aliasing technique used by the normalization algorithm. the images were
// centered in a 28x28 image by computing the center of mass of the pixels, and translating the image so as to
// position this point at the center of the 28x28 field"); and the words that go with the network's answer.

/** Side of the network's image, and of the box the digit's larger side is scaled to. */
export const SIDE = 28;
export const BOX = 20;
/** Where the centre of mass goes, in pixel indices (0 … 27): measured on MNIST's test digits, whose mean centre
 * of mass is (14.01, 13.98) (tests/fixtures, 500 images). */
export const CENTRE = 14;
/** Pen width of an MNIST digit in its 28×28 image, in pixels: the test set's "1"s carry 2.58 pixels of ink per
 * row they cross (tests/fixtures, 500 images), about one pen width. */
export const STROKE = 2.5;
/** The square raster the strokes are drawn on before scaling (view: an offscreen canvas), and the larger side
 * of the ink there: ten raster pixels per pixel of the 20-pixel box, so anti-aliasing has detail to average. */
export const RASTER = 280;
export const RASTER_INK = 200;

/**
 * Strokes as drawn (lists of {x, y} in any unit; the pad's pixels) moved and scaled onto the RASTER square, with
 * the pen width to draw them with: the points' larger extent L and the pen width w are chosen so that the ink's
 * larger side is RASTER_INK and the pen, once that side is scaled to BOX, is STROKE pixels wide — the width of an
 * MNIST pen whatever the size the student drew at (w = RASTER_INK·STROKE/BOX, L·k + w = RASTER_INK). A single
 * tap (no extent) becomes a dot of that pen, which the 20-pixel scaling then blows up, as it would on MNIST.
 * Returns {strokes, width} or null when there is no point at all.
 */
export function normaliseStrokes(strokes) {
  const pts = strokes.flat();
  if (!pts.length) return null;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of pts) {
    x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
  }
  const width = (RASTER_INK * STROKE) / BOX;
  const extent = Math.max(x1 - x0, y1 - y0);
  const k = extent > 0 ? (RASTER_INK - width) / extent : 1;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const mid = RASTER / 2;
  return {
    width,
    strokes: strokes.filter((s) => s.length).map((s) => s.map((p) => ({ x: mid + (p.x - cx) * k, y: mid + (p.y - cy) * k }))),
  };
}

/** Bounding box {x0, y0, x1, y1} (x1, y1 exclusive) of the pixels of `ink` (w×h, row-major) above `threshold`;
 * null when there are none. */
export function inkBox(ink, w, h, threshold = 0) {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (ink[row + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Centre of mass {x, y} of a side×side image in pixel indices (null for an image without ink). */
export function centreOfMass(img, side = SIDE) {
  let s = 0, sx = 0, sy = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = img[y * side + x];
      s += v; sx += v * x; sy += v * y;
    }
  }
  return s > 0 ? { x: sx / s, y: sy / s } : null;
}

/**
 * For each of the n output pixels k along one axis, the source pixels it covers and how much of it each one
 * fills: output k spans [from + (k − off)/s, from + (k + 1 − off)/s) in source coordinates (pixel i spans
 * [i, i + 1)), clipped to [from, to). Weights are overlaps × s, so a fully inked span averages to 1: area
 * averaging, the anti-aliasing of a shrinking box filter.
 */
function spans(from, to, s, off, n) {
  const out = [];
  for (let k = 0; k < n; k++) {
    const a = Math.max(from, from + (k - off) / s);
    const b = Math.min(to, from + (k + 1 - off) / s);
    const list = [];
    for (let i = Math.floor(a); i < b; i++) {
      const w = Math.min(b, i + 1) - Math.max(a, i);
      if (w > 0) list.push([i, w * s]);
    }
    out.push(list);
  }
  return out;
}

/**
 * The 28×28 image the network is given for `ink` (w×h values 0 … 1, row-major; the drawn raster): the ink's
 * bounding box scaled so that its larger side fills the 20-pixel box and the other keeps the aspect ratio, with
 * grey levels from area averaging, then moved by whole pixels so that its centre of mass lands on CENTRE (within
 * half a pixel; a shape whose mass sits at one edge may lose a little ink past the border, as on MNIST).
 * Returns a Float32Array of 784 grey levels 0 … 1 (0 = background), or null when nothing is drawn.
 */
export function mnistImage(ink, w, h) {
  const box = inkBox(ink, w, h);
  if (!box) return null;
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const s = BOX / Math.max(bw, bh);
  // The smaller side is centred in the box on a whole pixel: a digit that is already 20 pixels tall keeps its
  // pixel grid (the centre of mass then moves it by whole pixels only).
  const ox = Math.floor((BOX - bw * s) / 2), oy = Math.floor((BOX - bh * s) / 2);
  const cols = spans(box.x0, box.x1, s, ox, BOX);
  const rows = spans(box.y0, box.y1, s, oy, BOX);
  const small = new Float32Array(BOX * BOX);
  for (let by = 0; by < BOX; by++) {
    for (let bx = 0; bx < BOX; bx++) {
      let v = 0;
      for (const [y, wy] of rows[by]) {
        let r = 0;
        for (const [x, wx] of cols[bx]) r += wx * ink[y * w + x];
        v += wy * r;
      }
      small[by * BOX + bx] = Math.min(1, v);
    }
  }
  const c = centreOfMass(small, BOX);
  const dx = Math.round(CENTRE - c.x), dy = Math.round(CENTRE - c.y);
  const out = new Float32Array(SIDE * SIDE);
  for (let by = 0; by < BOX; by++) {
    const y = by + dy;
    if (y < 0 || y >= SIDE) continue;
    for (let bx = 0; bx < BOX; bx++) {
      const x = bx + dx;
      if (x >= 0 && x < SIDE) out[y * SIDE + x] = small[by * BOX + bx];
    }
  }
  return out;
}

// ---------------------------------------------------------------- the answer, in words

/** A probability in percent: whole percents between 10% and 90%, one decimal near the ends (where 98.5% and the
 * 1.5% left for the rest should add up, and 0.4% should not read as 0%); a softmax output is never exactly 0 or
 * 1, so what would round to 100.0% or 0.0% reads >99.9% or <0.1%. */
export function percent(p) {
  if (p >= 0.9995 && p < 1) return '>99.9%';
  if (p > 0 && p < 0.0005) return '<0.1%';
  return `${(100 * p).toFixed(p >= 0.1 && p < 0.9 ? 0 : 1)}%`;
}
const pct = percent;

/** The digits ranked by probability, most likely first: [{digit, p}]. */
export function ranked(probs) {
  return Array.from(probs, (p, digit) => ({ digit, p })).sort((a, b) => b.p - a.p || a.digit - b.digit);
}

/** exp(entropy): how many digits the belief is spread over, as if it chose evenly among that many (1 … 10). */
export function perplexity(probs) {
  let h = 0;
  for (const p of probs) if (p > 0) h -= p * Math.log(p);
  return Math.exp(h);
}

/**
 * What the page says about an answer, every figure read from `probs` (10 probabilities, or null when nothing is
 * drawn): {state: 'blank'|'nan'|'answer', headline, detail}. `step` is how many steps the net has trained (0 =
 * untrained: its answer comes from random weights).
 */
export function describe(probs, { step = 0 } = {}) {
  if (!probs) {
    return {
      state: 'blank',
      headline: 'Nothing is drawn yet.',
      detail: 'Draw a digit in the black box with the mouse, a finger or a pen; the network answers when you lift it.',
    };
  }
  if (Array.from(probs).some((p) => !Number.isFinite(p))) {
    return {
      state: 'nan',
      headline: 'The network has no answer: its weights are no longer finite numbers.',
      detail: 'This run diverged, so every probability came out as NaN. Lower the learning rate (or undo what you broke) and press Reset.',
    };
  }
  const r = ranked(probs);
  const [a, b, c] = r;
  const spread = perplexity(probs);
  const who = step > 0 ? `After ${step} training step${step === 1 ? '' : 's'}, the network` : 'The untrained network';
  const headline = `${who} answers ${a.digit}, with ${pct(a.p)}.`;
  let detail;
  if (a.p >= 0.9) {
    detail = `It is sure: ${pct(a.p)} on ${a.digit}, ${pct(1 - a.p)} left for the other nine. `
      + `Softmax always answers: the ten probabilities add up to 100% and there is no "none of these", so if your drawing is no digit at all, these ${pct(a.p)} are confidence in a wrong answer.`;
  } else if (a.p >= 0.5) {
    detail = `${pct(a.p)} on ${a.digit}, then ${pct(b.p)} on ${b.digit} and ${pct(c.p)} on ${c.digit}. `
      + `Softmax always answers: the network has to spread its belief over the ten digits, 100% in all, and cannot say "none of these" — if your drawing is no digit at all, these ${pct(a.p)} on ${a.digit} are confidence in a wrong answer.`;
  } else {
    detail = `No digit gets half of its belief: ${pct(a.p)} on ${a.digit}, ${pct(b.p)} on ${b.digit}, ${pct(c.p)} on ${c.digit} — `
      + `spread like an even choice among ${spread.toFixed(1)} of the ten digits. Softmax always answers, so it still names ${a.digit}, `
      + 'even for a drawing that is no digit at all; here its answer is little better than a guess.';
  }
  if (step === 0) {
    detail += ` Its weights are still random (no training step yet), so these ${pct(a.p)} on ${a.digit} are no knowledge: press Start and watch the bars change as it learns.`;
  }
  return { state: 'answer', headline, detail, top: a.digit, p: a.p, spread };
}
