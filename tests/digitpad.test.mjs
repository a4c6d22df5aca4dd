// The drawing pad's preprocessing (www/digitpad.js) against MNIST's: the ink's bounding box scaled to 20 pixels
// with its aspect ratio kept, the centre of mass moved to the middle of 28×28; a real MNIST digit comes through
// (nearly) unchanged; a blank pad gives no image; and the words under the bars are read from the probabilities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  SIDE, BOX, CENTRE, STROKE, RASTER, mnistImage, inkBox, centreOfMass, normaliseStrokes, describe, perplexity, percent,
} from '../www/digitpad.js';

const here = (p) => new URL(p, import.meta.url);

/** Images of an IDX3 file as Uint8Array views of 784 bytes. */
function idxImages(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(view.getUint32(0), 0x803, 'IDX3 magic');
  const n = view.getUint32(4);
  assert.equal(view.getUint32(8), 28);
  assert.equal(view.getUint32(12), 28);
  return Array.from({ length: n }, (_, i) => bytes.subarray(16 + i * 784, 16 + (i + 1) * 784));
}

/** A w×h raster with the rectangles [x0, y0, x1, y1) inked at 1. */
function raster(w, h, rects) {
  const ink = new Float32Array(w * h);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ink[y * w + x] = 1;
  return ink;
}

/** A 28×28 MNIST image (grey levels 0…255) blown up `k` times (each pixel a k×k block of grey/255). */
function upscale(img, k) {
  const n = SIDE * k;
  const ink = new Float32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) ink[y * n + x] = img[Math.floor(y / k) * SIDE + Math.floor(x / k)] / 255;
  return ink;
}

/** Strokes drawn with a round pen of `width` on a RASTER×RASTER grid, 4×4 samples per pixel (a canvas's job on
 * the page; here so that the pen width can be checked without one). */
function rasterise({ strokes, width }) {
  const ink = new Float32Array(RASTER * RASTER);
  const r2 = (width / 2) ** 2;
  const segs = strokes.flatMap((s) => (s.length === 1 ? [[s[0], s[0]]] : s.slice(1).map((p, i) => [s[i], p])));
  const d2 = (px, py, [a, b]) => {
    const vx = b.x - a.x, vy = b.y - a.y;
    const len = vx * vx + vy * vy;
    const t = len > 0 ? Math.max(0, Math.min(1, ((px - a.x) * vx + (py - a.y) * vy) / len)) : 0;
    return (px - a.x - t * vx) ** 2 + (py - a.y - t * vy) ** 2;
  };
  for (let y = 0; y < RASTER; y++) {
    for (let x = 0; x < RASTER; x++) {
      let hit = 0;
      for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) {
        const px = x + (i + 0.5) / 4, py = y + (j + 0.5) / 4;
        if (segs.some((s) => d2(px, py, s) <= r2)) hit++;
      }
      ink[y * RASTER + x] = hit / 16;
    }
  }
  return ink;
}

function checkMnistShape(img, what) {
  assert.equal(img.length, SIDE * SIDE, what);
  assert.ok(img.every((v) => v >= 0 && v <= 1), `${what}: grey levels within 0…1`);
  const c = centreOfMass(img);
  assert.ok(Math.abs(c.x - CENTRE) <= 0.5 && Math.abs(c.y - CENTRE) <= 0.5, `${what}: centre of mass (${c.x.toFixed(3)}, ${c.y.toFixed(3)})`);
  return c;
}

test('a blank pad gives no image', () => {
  assert.equal(mnistImage(new Float32Array(RASTER * RASTER), RASTER, RASTER), null);
  assert.equal(normaliseStrokes([]), null);
  assert.equal(normaliseStrokes([[], []]), null);
  assert.equal(inkBox(new Float32Array(9), 3, 3), null);
});

test('a tall box: its height becomes 20 pixels, its width keeps the aspect ratio, its centre of mass lands on (14, 14)', () => {
  // 60 × 150 at the top left of the raster: 8 × 20 once scaled
  const img = mnistImage(raster(RASTER, RASTER, [[10, 5, 70, 155]]), RASTER, RASTER);
  checkMnistShape(img, 'tall box');
  const b = inkBox(img, SIDE, SIDE);
  assert.equal(b.y1 - b.y0, BOX);
  assert.equal(b.x1 - b.x0, 8);
  // a full box stays full: area averaging of solid ink is 1
  assert.equal(img[14 * SIDE + 14], 1);
});

test('a wide, lopsided shape: the larger side is 20 pixels, the ratio is kept, the mass is centred', () => {
  // an "L", 200 × 120: a bar 200 × 30 with a post 30 × 90 on its left end, in the lower right of the raster
  const ink = raster(RASTER, RASTER, [[70, 240, 270, 270], [70, 150, 100, 240]]);
  const img = mnistImage(ink, RASTER, RASTER);
  const c = checkMnistShape(img, 'L shape');
  const b = inkBox(img, SIDE, SIDE);
  assert.equal(b.x1 - b.x0, BOX);
  // 120 / 200 · 20 = 12 pixels tall (one more where the scaled edge falls inside a pixel)
  assert.ok(b.y1 - b.y0 >= 12 && b.y1 - b.y0 <= 13, `height ${b.y1 - b.y0}`);
  // the mass sits low (the bar), so the box is moved up: its top is above the middle's 14 - 6
  assert.ok(b.y0 < 8, `box top ${b.y0}, centre ${c.y}`);
  // ink is kept: (200·30 + 30·90) raster pixels at 1/10 × 1/10 each
  const sum = img.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum - (200 * 30 + 30 * 90) / 100) < 1e-3, `ink ${sum}`);
});

test('a small drawing is scaled up to 20 pixels too', () => {
  const img = mnistImage(raster(RASTER, RASTER, [[100, 100, 105, 115]]), RASTER, RASTER);
  checkMnistShape(img, 'small box');
  const b = inkBox(img, SIDE, SIDE);
  assert.equal(b.y1 - b.y0, BOX);
  assert.ok(Math.abs((b.x1 - b.x0) - (5 / 15) * BOX) <= 1, `width ${b.x1 - b.x0}`);
});

test('a real MNIST training digit, blown up ten times, comes back as it was', () => {
  const file = here('../www/data/train10k-images.idx.gz');
  assert.ok(existsSync(file), 'www/data/train10k-images.idx.gz is missing: run `npm run prepare-data`');
  const [img] = idxImages(gunzipSync(readFileSync(file)));
  const back = mnistImage(upscale(img, 10), 280, 280);
  checkMnistShape(back, 'training image 0');
  let d = 0;
  for (let i = 0; i < 784; i++) d = Math.max(d, Math.abs(back[i] - img[i] / 255));
  assert.ok(d < 1e-5, `a pixel differs by ${d}`);
});

test('100 MNIST test digits, blown up ten times, come back exactly: MNIST was made this way', () => {
  const images = idxImages(readFileSync(here('./fixtures/mnist-test500-images.idx')));
  for (const [k, img] of images.slice(0, 100).entries()) {
    const back = mnistImage(upscale(img, 10), 280, 280);
    checkMnistShape(back, `test image ${k}`);
    let d = 0;
    for (let i = 0; i < 784; i++) d = Math.max(d, Math.abs(back[i] - img[i] / 255));
    assert.ok(d < 1e-5, `test image ${k}: a pixel differs by ${d}`);
  }
});

test('strokes get an MNIST pen: a drawn "1" has about 2.5 pixels of ink per row, whatever size it was drawn at', () => {
  for (const [h, x] of [[40, 20], [250, 140]]) {
    const one = [[{ x, y: 10 }, { x: x + h * 0.05, y: 10 + h * 0.5 }, { x: x + h * 0.1, y: 10 + h }]];
    const img = mnistImage(rasterise(normaliseStrokes(one)), RASTER, RASTER);
    checkMnistShape(img, `a 1 drawn ${h} px tall`);
    let rows = 0, ink = 0;
    for (let y = 0; y < SIDE; y++) {
      let r = 0;
      for (let x2 = 0; x2 < SIDE; x2++) r += img[y * SIDE + x2];
      if (r > 0.5) { rows++; ink += r; }
    }
    assert.ok(Math.abs(ink / rows - STROKE) < 0.3, `${h} px tall: ${(ink / rows).toFixed(2)} pixels of ink per row`);
    assert.equal(inkBox(img, SIDE, SIDE).y1 - inkBox(img, SIDE, SIDE).y0, BOX);
  }
});

test('the words are read from the probabilities', () => {
  assert.equal(describe(null).state, 'blank');
  assert.match(describe(null).headline, /Nothing is drawn/);
  const nan = describe(new Float32Array(10).fill(NaN), { step: 40 });
  assert.equal(nan.state, 'nan');
  const sure = [0.002, 0.97, 0.004, 0.004, 0.004, 0.004, 0.004, 0.004, 0.004, 0.004];
  const d = describe(sure, { step: 313 });
  assert.equal(d.top, 1);
  assert.match(d.headline, /After 313 training steps, the network answers 1, with 97\.0%/);
  assert.match(d.detail, /97\.0% on 1, 3\.0% left for the other nine/);
  assert.match(d.detail, /Softmax always answers/);
  assert.match(d.detail, /no digit at all, these 97\.0% are confidence in a wrong answer/);
  assert.doesNotMatch(d.detail, /random/);
  const even = Array(10).fill(0.1);
  assert.ok(Math.abs(perplexity(even) - 10) < 1e-9);
  const u = describe(even, { step: 0 });
  assert.match(u.headline, /^The untrained network answers 0, with 10%/);
  assert.match(u.detail, /No digit gets half of its belief/);
  assert.match(u.detail, /even choice among 10\.0 of the ten digits/);
  assert.match(u.detail, /weights are still random \(no training step yet\), so these 10% on 0 are no knowledge/);
  // near the ends one decimal, so that the top and the rest add up
  const close = describe([0.985, 0.015, 0, 0, 0, 0, 0, 0, 0, 0], { step: 9 });
  assert.match(close.detail, /^It is sure: 98\.5% on 0, 1\.5% left for the other nine/);
  assert.equal(percent(0.99996), '>99.9%');
  assert.equal(percent(0.00004), '<0.1%');
  assert.equal(percent(0), '0.0%');
  assert.equal(percent(1), '100.0%');
  assert.equal(percent(0.5), '50%');
  const mid = describe([0.05, 0.6, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.02, 0.03], { step: 1 });
  assert.match(mid.headline, /After 1 training step, /);
  assert.match(mid.detail, /^60% on 1, then 5\.0% on 0 and 5\.0% on 2/);
  assert.match(mid.detail, /no digit at all, these 60% on 1 are confidence in a wrong answer/);
});
