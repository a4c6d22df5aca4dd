// The page's module graph, as <link rel="modulepreload"> tags for index.html. Node built-ins only.
//
// index.html names two module scripts (www/boot.js, www/main.js); www/main.js imports about 65 more, a few levels
// deep, and a browser discovers each level only when the one above it has arrived: on a school network every level
// is another round trip. With a modulepreload tag for every module of the graph the browser asks for all of them at
// once. The repository's index.html stays as written: the dev server (scripts/serve.mjs) and the built folder
// (scripts/dist.mjs) both send it with the tags added here, so the list is never out of date.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The literal specifiers of a module's static imports (`import … from`, `import '…'`, `export … from`). */
export function staticImports(text) {
  const found = [];
  for (const m of text.matchAll(/(?:\bimport|\bexport)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) found.push(m[1]);
  for (const m of text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) found.push(m[1]);
  return found;
}

/** Every module the module scripts of `html` load statically, relative to `root`, each once, the scripts first. */
export function moduleGraph(html, root) {
  const order = [];
  const seen = new Set();
  const visit = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    order.push(rel);
    const text = readFileSync(path.join(root, rel), 'utf8');
    for (const spec of staticImports(text)) {
      if (!spec.startsWith('.')) continue; // a bare or absolute specifier is not a file of the page
      visit(path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)));
    }
  };
  for (const m of html.matchAll(/<script\b[^>]*\btype=["']module["'][^>]*\bsrc=["']([^"']+)["']/g)) visit(path.posix.normalize(m[1]));
  return order;
}

/** `html` (index.html, at `root`) with a modulepreload tag for every module its scripts import, before </head>. */
export function withModulePreloads(html, root) {
  const scripts = new Set([...html.matchAll(/<script\b[^>]*\bsrc=["']([^"']+)["']/g)].map((m) => path.posix.normalize(m[1])));
  const tags = moduleGraph(html, root).filter((m) => !scripts.has(m)).map((m) => `  <link rel="modulepreload" href="${m}">\n`);
  if (!html.includes('</head>')) throw new Error('index.html has no </head>: cannot add the modulepreload tags');
  return html.replace('</head>', `${tags.join('')}</head>`);
}
