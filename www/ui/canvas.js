// What every canvas drawing of the page shares: the font stack and the step between axis ticks.

/** The font stack of the charts and figures drawn on canvas. */
export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** A canvas font of the page's stack: font(13) is '13px …', font(13, 'bold') 'bold 13px …'. */
export const font = (px, weight = '') => `${weight ? `${weight} ` : ''}${px}px ${FONT_FAMILY}`;

/** A round step (1, 2 or 5 × 10^k) that cuts `span` into about `target` intervals. */
export function niceStep(span, target) {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}
