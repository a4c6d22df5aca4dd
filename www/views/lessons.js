// The preset buttons, grouped, and the "what to expect" note shown above the charts.
import { GROUPS, PRESETS } from '../presets.js';

export function renderPresets(root, onPick) {
  for (const [group, title] of GROUPS) {
    const items = PRESETS.filter((p) => p.group === group);
    if (!items.length) continue;
    const h = document.createElement('h3');
    h.textContent = title;
    const box = document.createElement('div');
    box.className = 'preset-buttons';
    for (const p of items) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'preset';
      b.id = `preset-${p.id}`;
      b.dataset.preset = p.id;
      b.setAttribute('aria-pressed', 'false');
      b.textContent = p.title;
      b.addEventListener('click', () => onPick(p));
      box.append(b);
    }
    root.append(h, box);
  }
}

export function showPresetNote(preset) {
  for (const b of document.querySelectorAll('button.preset')) b.setAttribute('aria-pressed', String(!!preset && b.dataset.preset === preset.id));
  const box = document.getElementById('preset-note');
  if (!preset) { box.hidden = true; return; }
  document.getElementById('preset-note-title').textContent = `Lesson: ${preset.title}`;
  document.getElementById('preset-note-text').textContent = preset.text;
  box.hidden = false;
}
