// Building elements: the one `el` of the page's views (www/controls.js and www/views/diagnosis.js keep their
// own for now).

/**
 * A new element. `attrs`: an object of attributes, where `text` sets the text and `class` the class name, or a
 * string, the class name. `kids`: nodes or strings appended in order (null and undefined are left out).
 */
export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  if (typeof attrs === 'string') e.className = attrs;
  else {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v);
    }
  }
  for (const k of kids) if (k !== undefined && k !== null) e.append(typeof k === 'number' ? String(k) : k);
  return e;
}
