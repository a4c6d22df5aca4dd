// Before any test: the page needs the built engine and the MNIST files. Without them every test would fail
// with a message about the page; this says what is missing and how to get it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const NEEDED = [
  ['www/pkg/losslab_bg.wasm', 'npm run build'],
  ['www/pkg/losslab.js', 'npm run build'],
  ['www/generated/settings.js', 'npm run build'], // the engine's settings table, imported by www/state.js
  ['www/data/train10k-images.idx.gz', 'npm run prepare-data'],
  ['www/data/train10k-labels.idx.gz', 'npm run prepare-data'],
  ['www/data/val10k-images.idx.gz', 'npm run prepare-data'],
  ['www/data/val10k-labels.idx.gz', 'npm run prepare-data'],
  ['www/data/test10k-images.idx.gz', 'npm run prepare-data'],
  ['www/data/test10k-labels.idx.gz', 'npm run prepare-data'],
];

export default function globalSetup() {
  const missing = NEEDED.filter(([file]) => !existsSync(path.join(ROOT, file)));
  if (missing.length) {
    const fixes = [...new Set(missing.map(([, fix]) => fix))].join(' and ');
    throw new Error(`e2e: ${missing.map(([f]) => f).join(', ')} missing — run ${fixes} first (npm test does both)`);
  }
}
