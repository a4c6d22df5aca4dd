// Colours that stay readable: text drawn on a colour the page computes (a heat-map cell, say) takes its ink from
// that colour's luminance, so every shade of a scale meets WCAG 2.1's contrast minimum (1.4.3: 4.5:1 for normal
// text), not just the shades someone checked by eye.

/** WCAG's contrast minimum for normal-size text (success criterion 1.4.3, level AA). */
export const TEXT_CONTRAST = 4.5;

/** sRGB [r, g, b] (0…255 each) of hsl(h s% l%), as CSS computes it (CSS Color 4, "HSL to RGB"). */
export function hslToRgb(h, s, l) {
  s /= 100;
  l /= 100;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [f(0), f(8), f(4)].map((v) => Math.round(v * 255));
}

/** `rgb` mixed with white, keeping `keep` (0…1) of it: what the colour looks like faded on a white page. */
export function fadeToWhite(rgb, keep) {
  return rgb.map((v) => Math.round(keep * v + (1 - keep) * 255));
}

/** The relative luminance of an sRGB colour [r, g, b] (0…255), WCAG 2.1's definition (0 black … 1 white). */
export function luminance([r, g, b]) {
  const lin = (v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG's contrast ratio of two sRGB colours: 1 (the same) … 21 (black on white). */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const BLACK = [0, 0, 0];
const WHITE = [255, 255, 255];

/**
 * The ink for text on background `rgb`: black or white, whichever contrasts more. One of the two always reaches
 * 4.58:1 (the worst background, luminance 0.179, is as far from both), so every background passes 4.5:1; a dark
 * grey instead of black would leave mid-tones below it.
 */
export function inkOn(rgb) {
  return contrast(rgb, BLACK) >= contrast(rgb, WHITE) ? '#000' : '#fff';
}

/** 'rgb(r g b)' for CSS. */
export const cssRgb = ([r, g, b]) => `rgb(${r} ${g} ${b})`;
