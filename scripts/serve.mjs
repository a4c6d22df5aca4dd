// A small static file server for Loss Lab, node built-ins only.
//
//   node scripts/serve.mjs [port]        (or PORT=8080; default 8080, next free port if busy)
//
// Serves the repository root on 127.0.0.1: `/` is index.html (with scripts/preload.mjs's modulepreload tags), the
// front end is under /www/.
// Never lists directories, never serves a path outside the root, and sends `Cache-Control: no-store`
// so a rebuilt www/pkg is always picked up on reload.
//
// For tests: `startServer({ root, port }) -> Promise<{ url, port, close }>`; port 0 picks a free one.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withModulePreloads } from './preload.mjs';

const HOST = '127.0.0.1';
const DEFAULT_PORT = 8080;
const PORT_ATTEMPTS = 20;

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  // The MNIST files are served as the gzip bytes themselves; the page gunzips them. A
  // Content-Encoding header would make the browser inflate them first and break that.
  '.gz': 'application/gzip',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

export function mimeType(file) {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function send(res, status, text) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

function inside(root, p) {
  return p === root || p.startsWith(root + path.sep);
}

// Maps a request path to a file below `root`, or returns an HTTP status to send instead.
async function resolveFile(root, rawUrl) {
  // Take the raw path (no query or fragment) and decode it once ourselves: `new URL` would quietly
  // normalise `..` segments, while `%2e%2e%2f` would only appear after decoding.
  const rawPath = rawUrl.split(/[?#]/, 1)[0];
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400 };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0')) return { status: 400 };
  let file = path.resolve(root, '.' + decoded);
  if (!inside(root, file)) return { status: 403 };

  let info;
  try {
    info = await stat(file);
    if (info.isDirectory()) {
      file = path.join(file, 'index.html');
      info = await stat(file);
    }
    if (!info.isFile()) return { status: 404 };
    // A symlink inside the root must not lead outside it.
    if (!inside(root, await realpath(file))) return { status: 403 };
  } catch {
    return { status: 404 };
  }
  return { file, size: info.size };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address().port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HOST);
  });
}

export async function startServer({ root, port = DEFAULT_PORT } = {}) {
  if (root === undefined) root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  root = await realpath(path.resolve(root));
  const pageFile = path.join(root, 'index.html');

  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'method not allowed\n');
      return;
    }
    const found = await resolveFile(root, req.url ?? '/');
    if (found.status) {
      const text = { 400: 'bad request\n', 403: 'forbidden\n', 404: 'not found\n' }[found.status];
      send(res, found.status, text);
      return;
    }
    // the page itself, with a modulepreload tag for every module of its graph (scripts/preload.mjs)
    const body = found.file === pageFile ? Buffer.from(withModulePreloads(await readFile(pageFile, 'utf8'), root)) : null;
    res.writeHead(200, {
      'Content-Type': mimeType(found.file),
      'Content-Length': body ? body.length : found.size,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    if (body) {
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });

  // A busy port moves on to the next one; port 0 lets the system choose.
  let bound;
  const attempts = port === 0 ? 1 : PORT_ATTEMPTS;
  for (let i = 0; i < attempts; i++) {
    try {
      bound = await listen(server, port + i);
      break;
    } catch (err) {
      if (err.code !== 'EADDRINUSE' || i === attempts - 1) throw err;
    }
  }

  const close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://${HOST}:${bound}/`, port: bound, close };
}

function portFromCli() {
  const raw = process.argv[2] ?? process.env.PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: port must be an integer from 0 to 65535, got "${raw}"`);
    process.exit(2);
  }
  return port;
}

const runDirectly =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (runDirectly) {
  try {
    const { url, close } = await startServer({ port: portFromCli() });
    console.log(`Loss Lab is running at ${url}  (Ctrl+C to stop)`);
    const stop = () => close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (err) {
    console.error(`serve: ${err.message}`);
    process.exit(1);
  }
}
