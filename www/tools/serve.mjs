// A tiny static server for the console (development, demo and tests; the console itself needs
// no server: any static host works once vendor/essnap/ holds the package, see tools/vendor.mjs).
// Serves www/, and /vendor/essnap/* from ESSNAP_PKG (default ../bindings/web/pkg) when
// www/vendor/essnap/ does not exist. Binds 127.0.0.1 only.
//
//   node tools/serve.mjs [--port 0]      prints the URL as the first stdout line
import http from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const wwwRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ts': 'text/plain; charset=utf-8', '.ico': 'image/x-icon',
};

export function packageDir() {
  const vendored = path.join(wwwRoot, 'vendor/essnap');
  if (existsSync(path.join(vendored, 'index.js'))) return vendored;
  return path.resolve(process.env.ESSNAP_PKG ?? path.join(wwwRoot, '../bindings/web/pkg'));
}

/** Starts the server; resolves to {url, close()}. */
export async function startServer({ port = 0, host = '127.0.0.1' } = {}) {
  const pkg = packageDir();
  if (!existsSync(path.join(pkg, 'index.js'))) throw new Error(`the essnap package is not built (${pkg}/index.js missing): run \`cargo xtask web build\``);
  const server = http.createServer(async (req, res) => {
    try {
      let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (p.endsWith('/')) p += 'index.html';
      let file;
      if (p.startsWith('/vendor/essnap/')) file = path.join(pkg, p.slice('/vendor/essnap/'.length));
      else file = path.join(wwwRoot, p);
      const base = p.startsWith('/vendor/essnap/') ? pkg : wwwRoot;
      if (!file.startsWith(base + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`) || file.includes(`${path.sep}test${path.sep}`)) {
        res.writeHead(404).end('not found');
        return;
      }
      const st = await stat(file).catch(() => null);
      if (!st?.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const s = await startServer({ port: i > 0 ? Number(process.argv[i + 1]) : 0 });
  console.log(s.url);
  console.error(`essnap console at ${s.url}/ (package from ${packageDir()}); Ctrl-C stops it`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => s.close().then(() => process.exit(0)));
}
