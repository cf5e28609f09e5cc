// A small static server for the keystamp page, Node built-ins only.
//
//   node www/serve.mjs [--port N]
//
// Serves `www/` at `/` and the package folder `pkg/` at `/pkg/`, on 127.0.0.1 only. Only GET and
// HEAD, only files with a known type (so this script and the tests are never served), never a
// path outside those two roots (no `..`, no encoded slashes, no symlinks out), and every response
// carries the same strict Content-Security-Policy as the page's <meta> tag.
import { createServer } from 'node:http';
import { open, realpath } from 'node:fs/promises';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const wwwRoot = dirname(fileURLToPath(import.meta.url));
const pkgRoot = join(wwwRoot, '..', 'pkg');

/** The policy sent on every response. `frame-ancestors` only works as a header, which is one
 * reason to send it as a header and not only in the page's <meta> tag. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'Cache-Control': 'no-store',
};

/** Only these extensions are served; anything else is a 404. */
const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** Maps a request path to a file inside one of the two roots, or null. */
async function resolveFile(urlPath) {
  let root = wwwRoot;
  let rest = urlPath;
  if (rest === '/pkg' || rest.startsWith('/pkg/')) {
    root = pkgRoot;
    rest = rest.slice('/pkg'.length);
  }
  if (rest === '' || rest.endsWith('/')) rest += 'index.html';

  let segments;
  try {
    segments = rest.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return null; // malformed percent-encoding
  }
  const unsafe = (s) => s === '' || s.startsWith('.') || /[\\/\0:]/.test(s);
  if (segments.some(unsafe)) return null;
  if (!(extname(segments.at(-1)) in MIME_TYPES)) return null;

  try {
    const realRoot = await realpath(root);
    const realFile = await realpath(join(root, ...segments));
    if (!realFile.startsWith(realRoot + sep)) return null; // a symlink pointing out
    return realFile;
  } catch {
    return null; // missing file
  }
}

function sendText(res, status, text, extra = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
  res.end(text);
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendText(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
  }
  const path = (req.url ?? '/').split('?')[0].split('#')[0];
  if (!path.startsWith('/')) return sendText(res, 400, 'Bad request\n');

  const file = await resolveFile(path);
  if (file === null) return sendText(res, 404, 'Not found\n');

  let fileHandle;
  try {
    fileHandle = await open(file, 'r');
    const info = await fileHandle.stat();
    if (!info.isFile()) return sendText(res, 404, 'Not found\n');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': MIME_TYPES[extname(file)],
      'Content-Length': info.size,
    });
    if (req.method === 'HEAD') return res.end();
    res.end(await fileHandle.readFile());
  } catch {
    if (!res.headersSent) sendText(res, 404, 'Not found\n');
    else res.destroy();
  } finally {
    await fileHandle?.close();
  }
}

/**
 * Starts the server on 127.0.0.1. Resolves to `{ url, port, close }`; `close()` stops it and
 * drops open connections. `port: 0` picks a free port.
 */
export function startServer({ port = 8000, host = '127.0.0.1' } = {}) {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = server.address().port;
      resolve({
        url: `http://${host}:${actual}/`,
        port: actual,
        close: () => new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

function parsePort(argv) {
  const inline = argv.find((a) => a.startsWith('--port='));
  const i = argv.indexOf('--port');
  if (inline === undefined && i === -1) return 8000;
  const port = Number(inline ? inline.slice('--port='.length) : argv[i + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node www/serve.mjs [--port N]   (N: 0-65535)');
    process.exit(2);
  }
  return port;
}

const runDirectly = process.argv[1] !== undefined
  && import.meta.url === pathToFileURL(await realpath(process.argv[1]).catch(() => process.argv[1])).href;

if (runDirectly) {
  const port = parsePort(process.argv.slice(2));
  const { url } = await startServer({ port }).catch((error) => {
    console.error(error.code === 'EADDRINUSE' ? `port ${port} is in use: try --port 0 (any free port)` : error.message);
    process.exit(1);
  });
  console.log(`keystamp page: ${url}`);
  console.log('Serving www/ at / and pkg/ at /pkg/ on 127.0.0.1 only. Ctrl-C to stop.');
}
