// Text on computed colours (www/ui/contrast.js): the confusion matrix's numbers stay readable on every shade of
// its two scales, this run's and the faded pinned one's (www/views/confusion.js cellColour), at WCAG 2.1 AA's
// 4.5:1 — checked on the whole scale, not on the cells one run happens to fill. tests/e2e/a11y.spec.mjs checks
// the page as drawn with axe-core.
//
// Run: node --test tests/contrast.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEXT_CONTRAST, contrast, hslToRgb, inkOn, luminance } from '../www/ui/contrast.js';
import { cellColour } from '../www/views/confusion.js';

const rgbOf = (ink) => (ink === '#000' ? [0, 0, 0] : [255, 255, 255]);

test('hslToRgb gives the sRGB a browser computes for hsl()', () => {
  assert.deepEqual(hslToRgb(0, 0, 100), [255, 255, 255]);
  assert.deepEqual(hslToRgb(0, 0, 0), [0, 0, 0]);
  assert.deepEqual(hslToRgb(0, 100, 50), [255, 0, 0]);
  assert.deepEqual(hslToRgb(120, 100, 25), [0, 128, 0]);
  assert.deepEqual(hslToRgb(205, 100, 50), [0, 149, 255]); // Chromium: getComputedStyle gives rgb(0, 149, 255)
  assert.deepEqual(hslToRgb(0, 0, 50), [128, 128, 128]);
});

test('luminance and contrast follow WCAG 2.1: black on white is 21:1, #767676 on white about 4.54:1', () => {
  assert.equal(luminance([0, 0, 0]), 0);
  assert.equal(luminance([255, 255, 255]), 1);
  assert.equal(contrast([0, 0, 0], [255, 255, 255]), 21);
  assert.equal(contrast([255, 255, 255], [0, 0, 0]), 21);
  assert.ok(Math.abs(contrast([0x76, 0x76, 0x76], [255, 255, 255]) - 4.54) < 0.01);
});

test('inkOn reaches 4.5:1 on every grey and on a sweep of hues and lightnesses', () => {
  let worst = Infinity;
  for (let v = 0; v <= 255; v++) worst = Math.min(worst, contrast([v, v, v], rgbOf(inkOn([v, v, v]))));
  for (let h = 0; h < 360; h += 15) {
    for (let l = 0; l <= 100; l += 0.5) {
      const bg = hslToRgb(h, 100, l);
      worst = Math.min(worst, contrast(bg, rgbOf(inkOn(bg))));
    }
  }
  console.log(`worst contrast of inkOn: ${worst.toFixed(3)}:1 (minimum ${TEXT_CONTRAST}:1)`);
  assert.ok(worst >= TEXT_CONTRAST, `worst ${worst}`);
});

test('every confusion-matrix cell, on- or off-diagonal, this run or pinned, keeps its number at 4.5:1 or more', () => {
  for (const keep of [1, 0.8]) {
    for (const diagonal of [false, true]) {
      let worst = { ratio: Infinity };
      for (let i = 0; i <= 2000; i++) {
        const share = i / 2000;
        const bg = cellColour(share, diagonal, keep);
        const ratio = contrast(bg, rgbOf(inkOn(bg)));
        if (ratio < worst.ratio) worst = { ratio, share, bg };
      }
      const what = `${diagonal ? 'diagonal' : 'off-diagonal'}, keep ${keep}`;
      console.log(`${what}: worst ${worst.ratio.toFixed(3)}:1 at share ${worst.share} (rgb ${worst.bg})`);
      assert.ok(worst.ratio >= TEXT_CONTRAST, `${what}: ${worst.ratio.toFixed(3)}:1 at share ${worst.share}`);
    }
  }
});

test('the two scales stay apart: an off-diagonal cell is blue, a diagonal one grey, at every share', () => {
  for (let i = 1; i <= 100; i++) {
    const [r, g, b] = cellColour(i / 100, false);
    assert.ok(b > r + 10, `off-diagonal at ${i}%: rgb ${[r, g, b]}`);
    const d = cellColour(i / 100, true);
    assert.ok(d[0] === d[1] && d[1] === d[2], `diagonal at ${i}%: rgb ${d}`);
  }
});
