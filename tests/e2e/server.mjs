// A tiny static file server for the page tests: serves www/ on a free 127.0.0.1 port with
// the MIME types the page needs (wasm must be application/wasm for streaming compilation),
// and the test-only pages of tests/e2e/pages/ under /e2e/. Like the project's serve
// command (scripts/serve.py) and GitHub Pages, it sends Access-Control-Allow-Origin: *, so
// a sandboxed iframe (an opaque origin) can load the modules and the wasm. A request with
// ?csp=1 gets the strict Content-Security-Policy a course platform may impose.

import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
const TEST_PAGES = fileURLToPath(new URL('./pages/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

/** The policy of the strict-CSP tests: no inline scripts or styles, wasm allowed. */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/** Starts the server; resolves to { url, close() }. */
export async function startServer(root = WWW) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith('/')) rel += 'index.html';
      const testPage = rel.startsWith('/e2e/');
      const base = testPage ? TEST_PAGES : root;
      const file = path.join(base, path.normalize(testPage ? rel.slice('/e2e'.length) : rel).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(base)) throw Object.assign(new Error('outside root'), { code: 'ENOENT' });
      const body = await fs.readFile(file);
      const headers = {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        'access-control-allow-origin': '*',
      };
      if (url.searchParams.get('csp') === '1') headers['content-security-policy'] = STRICT_CSP;
      res.writeHead(200, headers);
      res.end(body);
    } catch (e) {
      res.writeHead(e.code === 'ENOENT' || e.code === 'EISDIR' ? 404 : 500, { 'content-type': 'text/plain' });
      res.end(String(e.code ?? e.message));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

