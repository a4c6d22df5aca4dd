// Writes dist/: a self-contained copy of Loss Lab that any static host serves as it is. Node built-ins only.
//
//   node scripts/dist.mjs [--out DIR]        (npm run dist: setup, build, then this; default DIR: dist)
//
// dist/ holds index.html, www/ (the front end, www/pkg: the built engine, two .wasm builds and their one glue
// file, www/generated: the engine's settings table and the diagnosis's causes, www/data: MNIST and its notice),
// docs/embed.html and docs/class.html when the repository has them, and sw.js at the root: the service worker (from www/sw.js)
// with this build's file list and content hashes written in, so that a browser keeps a copy for offline use
// (README.md, "Offline and static hosting"). index.html gets one tag, <meta name="loss-lab-sw">, which tells
// www/offline.js to register it; the repository's own page, served by the dev server, never does.
//
// Before it finishes, the script checks that every file a page or module of dist/ refers to by a literal
// path (imports, new URL(…, import.meta.url), src= and href=) is in dist/, and fails naming what is missing.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticImports, withModulePreloads } from './preload.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The MNIST files the page loads by computed names (www/engine/worker.js); all but train50k are stored at install:
 * the default training set, the validation split and the test set of the final check, which offline needs too. */
export const DATA_FILES = [
  ['train10k-images.idx.gz', true],
  ['train10k-labels.idx.gz', true],
  ['val10k-images.idx.gz', true],
  ['val10k-labels.idx.gz', true],
  ['test10k-images.idx.gz', true],
  ['test10k-labels.idx.gz', true],
  ['train50k-images.idx.gz', false],
  ['train50k-labels.idx.gz', false],
];

/** The line of www/sw.js that receives the build (the whole line: its comments quote it too). */
const SW_MARK = /^const BUILD = null;$/m;
const META = (version) => `<meta name="loss-lab-sw" content="sw.js" data-version="${version}">`;

/** Stops the build with a message a person can act on (the command line prints it and exits with 1). */
function fail(message) {
  throw new Error(`dist: ${message}`);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Every file below dir (relative paths with '/'), dot files left out. */
function walk(dir, base = dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else if (e.isFile()) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

/** Which files of the repository at root go to dist/ (same relative path), except sw.js (written apart). */
function selectFiles(root) {
  const need = [
    ['www/pkg/losslab.js', 'npm run build'],
    ['www/pkg/losslab_bg.wasm', 'npm run build'],
    ['www/pkg/losslab_relaxed_bg.wasm', 'npm run build'], // the relaxed-SIMD build (www/engine/engine.js)
    ['www/generated/settings.js', 'npm run build'], // the engine's settings table (scripts/gen-settings.mjs)
    ['www/generated/catalogue.js', 'npm run build'], // the diagnosis's causes (scripts/gen-settings.mjs)
    ...DATA_FILES.map(([f]) => [`www/data/${f}`, 'npm run prepare-data']),
  ];
  const missing = need.filter(([f]) => !existsSync(path.join(root, f)));
  if (missing.length) {
    const fixes = [...new Set(missing.map(([, fix]) => fix))].join(' and ');
    fail(`${missing.map(([f]) => f).join(', ')} missing — run ${fixes} first (npm run dist does both)`);
  }
  const files = ['index.html'];
  for (const f of walk(path.join(root, 'www'))) {
    const rel = `www/${f}`;
    if (rel === 'www/sw.js') continue; // the template: dist/sw.js is the configured copy
    if (rel.startsWith('www/pkg/')) {
      // the engine and its glue; wasm-bindgen's package.json and TypeScript declarations are for bundlers
      if (/\.(js|wasm)$/.test(f)) files.push(rel);
      continue;
    }
    if (rel.startsWith('www/data/')) {
      if (/\.(gz|md|json)$/.test(f)) files.push(rel);
      continue;
    }
    files.push(rel);
  }
  // the sample embedding page: an iframe of ../index.html, opened from dist/ by the e2e suite
  if (existsSync(path.join(root, 'docs/embed.html'))) files.push('docs/embed.html');
  // the teacher's page of the mystery drill: decodes a class's result codes (it imports www/mystery/)
  if (existsSync(path.join(root, 'docs/class.html'))) files.push('docs/class.html');
  return files;
}

/**
 * Literal relative paths a file refers to: in HTML src= and href=; in JavaScript static and dynamic imports,
 * `export … from` and new URL('…', import.meta.url). Links to other sites, data: URLs, fragments and
 * template strings (the data files' computed names) are not literal paths and are left out.
 */
export function references(file, text) {
  const found = [];
  if (file.endsWith('.html')) {
    for (const m of text.matchAll(/\s(?:src|href)\s*=\s*["']([^"']+)["']/g)) found.push(m[1]);
  } else if (file.endsWith('.js')) {
    found.push(...staticImports(text));
    for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]);
    for (const m of text.matchAll(/new\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)) found.push(m[1]);
  }
  return found.filter((r) => !/^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(r));
}

/** Every literal reference of the .html and .js files in dir that names no file there: ["from -> to", …]. */
export function unresolved(dir) {
  const out = [];
  for (const file of walk(dir)) {
    if (!/\.(html|js)$/.test(file)) continue;
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const ref of references(file, text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.split(/[?#]/, 1)[0]));
      if (target.startsWith('..')) { out.push(`${file} -> ${ref} (outside the folder)`); continue; }
      const abs = path.join(dir, target);
      // './data/' (worker.js's base for the data files) names a folder
      const ok = ref.endsWith('/') ? existsSync(abs) && statSync(abs).isDirectory() : existsSync(abs) && statSync(abs).isFile();
      if (!ok) out.push(`${file} -> ${ref}`);
    }
  }
  return out;
}

/**
 * Writes the dist folder `out` from the repository at `root` (a test builds a changed copy of it to play a
 * new deployment); returns {out, files, version, bytes}.
 */
export function makeDist(out, root = ROOT) {
  out = path.resolve(out);
  if (out === root || root.startsWith(out + path.sep)) fail(`refusing to write into ${out}: it holds the repository`);
  if (existsSync(out)) {
    // Only a folder this script made before (or an empty one) is replaced: never someone's other files.
    const entries = readdirSync(out);
    if (entries.length && !(entries.includes('sw.js') && entries.includes('index.html'))) {
      fail(`${out} exists and does not look like an earlier dist folder (no index.html and sw.js); remove it or choose another --out`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  const files = selectFiles(root);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    cpSync(path.join(root, f), path.join(out, f));
  }
  // every module of the page's graph asked for at once (scripts/preload.mjs)
  const page = path.join(out, 'index.html');
  writeFileSync(page, withModulePreloads(readFileSync(page, 'utf8'), out));

  // The version: one hash over every file's path and content (index.html before its tag, which names it).
  const hashes = Object.fromEntries(files.map((f) => [f, sha256(readFileSync(path.join(out, f)))]));
  const template = readFileSync(path.join(root, 'www/sw.js'), 'utf8');
  const version = sha256(files.map((f) => `${f}\0${hashes[f]}\n`).join('') + sha256(template)).slice(0, 16);

  const htmlPath = path.join(out, 'index.html');
  const html = readFileSync(htmlPath, 'utf8');
  if (!html.includes('</head>')) fail('index.html has no </head>: cannot add the service worker tag');
  writeFileSync(htmlPath, html.replace('</head>', `  ${META(version)}\n</head>`));
  hashes['index.html'] = sha256(readFileSync(htmlPath));

  const dataNames = new Map(DATA_FILES.map(([f, pre]) => [`www/data/${f}`, pre]));
  const build = {
    version,
    code: files.filter((f) => !dataNames.has(f)),
    codeHashes: Object.fromEntries(files.filter((f) => !dataNames.has(f)).map((f) => [f, hashes[f]])),
    data: files.filter((f) => dataNames.has(f)).map((f) => ({ path: f, sha256: hashes[f], precache: dataNames.get(f) })),
  };
  if (!SW_MARK.test(template)) fail("www/sw.js has no line `const BUILD = null;` for the build's file list");
  writeFileSync(path.join(out, 'sw.js'), template.replace(SW_MARK, () => `const BUILD = ${JSON.stringify(build)};`));

  const broken = unresolved(out);
  if (broken.length) fail(`files in ${out} refer to files that are not there:\n  ${broken.join('\n  ')}`);
  const bytes = [...files, 'sw.js'].reduce((n, f) => n + statSync(path.join(out, f)).size, 0);
  return { out, files: [...files, 'sw.js'], version, bytes };
}

const runDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (runDirectly) {
  const args = process.argv.slice(2);
  let out = path.join(ROOT, 'dist');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = args[++i];
    else {
      console.error(`dist: unknown argument "${args[i]}" (usage: node scripts/dist.mjs [--out DIR])`);
      process.exit(2);
    }
  }
  let r;
  try {
    r = makeDist(out);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
  const rel = path.relative(process.cwd(), r.out) || '.';
  console.log(`dist: ${r.files.length} files, ${(r.bytes / 1e6).toFixed(1)} MB in ${rel}/ (version ${r.version}); ` +
    `serve that folder with any static server, e.g. npx http-server ${rel}`);
}
