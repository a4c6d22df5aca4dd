// The architecture read-out: per-layer output shape, receptive field and parameter count from the
// engine's describe(cfg), or the engine's message when the design is impossible.

import { count } from '../ui/format.js';

export class ArchView {
  constructor() {
    this.body = document.querySelector('#arch-layers tbody');
    this.table = document.getElementById('arch-layers');
    this.error = document.getElementById('arch-error');
    this.total = document.getElementById('arch-total');
  }

  pending(text) {
    this.error.hidden = true;
    this.total.textContent = text;
  }

  show(layers, params) {
    this.error.hidden = true;
    this.table.hidden = false;
    this.body.textContent = '';
    for (const l of layers) {
      const tr = document.createElement('tr');
      const shape = Array.isArray(l.outShape) || ArrayBuffer.isView(l.outShape) ? Array.from(l.outShape).join('×') : String(l.outShape);
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = l.name;
      if (l.kind && !l.name.startsWith(l.kind)) {
        const kind = document.createElement('span');
        kind.className = 'kind';
        kind.textContent = l.kind;
        name.append(kind);
      }
      tr.append(name);
      for (const text of [shape, `${l.rf}×${l.rf}`, l.params ? count(l.params) : '—']) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      this.body.append(tr);
    }
    this.total.textContent = `${count(params)} trainable parameters in total`;
  }

  fail(message) {
    this.error.textContent = `This network cannot be built: ${message}`;
    this.error.hidden = false;
    this.table.hidden = true;
    this.total.textContent = 'Fix the architecture to enable Start.';
  }
}
