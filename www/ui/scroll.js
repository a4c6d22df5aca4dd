// A box whose content may be wider than the screen (a table on a phone) scrolls sideways; a mouse or a finger can
// scroll it, a keyboard only if the box can take focus (WCAG 2.1.1: then ←/→ scroll it). While its content
// overflows, the box is a named region in the tab order; while everything fits, it is a plain box again, so a
// keyboard user on a wide screen does not stop on something with nothing to scroll.

/**
 * Keeps `box` reachable by keyboard whenever it scrolls: tabindex 0, role region and `label` (what a screen reader
 * announces on focus) while its content is wider or taller than it, none of them otherwise. Watches the box and
 * its children for changes of size (a table filled at an epoch's end, a phone turned).
 */
export function keyboardScrollable(box, label) {
  const check = () => {
    const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    if (scrolls === (box.getAttribute('tabindex') === '0')) return;
    if (scrolls) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', label);
    } else {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
    }
  };
  const sizes = new ResizeObserver(check);
  const watch = () => { for (const c of box.children) sizes.observe(c); };
  sizes.observe(box);
  watch();
  new MutationObserver(() => { watch(); check(); }).observe(box, { childList: true });
  check();
}
