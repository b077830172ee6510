// The package in real headless Chromium (Debian's /usr/bin/chromium through playwright-core),
// calling the sandbox cross-origin: the page is served from another port than the sandbox.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startSandbox } from '../support/sandbox.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../pkg');
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

function staticServer() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><title>essnap test</title>');
    }
    const file = path.join(pkg, path.normalize(url.pathname.replace(/^\/pkg\//, '/')));
    if (!url.pathname.startsWith('/pkg/') || !file.startsWith(pkg)) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('headless Chromium, cross-origin', () => {
  let sb;
  let noCors;
  let server;
  let origin;
  let browser;
  let page;

  before(async () => {
    [sb, noCors, server] = await Promise.all([startSandbox(), startSandbox({ args: ['--no-cors'] }), staticServer()]);
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({ executablePath: process.env.ESSNAP_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${origin}/`);
    await page.evaluate(async () => {
      window.essnap = await import('/pkg/index.js');
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    server?.close();
    server?.closeAllConnections?.();
    await Promise.all([sb?.stop(), noCors?.stop()]);
  });

  it('the page and the cluster are on different origins', () => {
    assert.notEqual(new URL(sb.url).origin, origin);
  });

  it('connects, lists repositories and pages through 2,000 snapshots', async () => {
    const r = await page.evaluate(async (url) => {
      const c = await essnap.connect({ url });
      const repos = (await c.listRepositories()).map((r) => r.name).sort();
      let n = 0;
      let pages = 0;
      for await (const p of c.listSnapshots({ repository: 'nightly', size: 1000 })) {
        n += p.snapshots.length;
        pages++;
      }
      return { cluster: c.cluster, repos, n, pages };
    }, sb.url);
    assert.deepEqual(r.cluster, { distribution: 'elasticsearch', version: '8.12.2' });
    assert.deepEqual(r.repos, ['backups', 'nightly']);
    assert.equal(r.n, 2000);
    assert.equal(r.pages, 2);
  });

  it('checks, plans and executes a restore with progress', async () => {
    const r = await page.evaluate(async (url) => {
      const c = await essnap.connect({ url, timing: { pollIntervalMs: 100 } });
      const check = await c.check('backups', 'snap-too-new');
      const plan = await c.planRestore('backups', 'snap-compatible', { indices: ['logs-a'], closeConflicting: true });
      const progress = [];
      const out = await c.executeRestore(plan, { onProgress: (p) => progress.push(p.percent) });
      return { verdict: check.verdict.kind, status: out.status, progress, rendered: plan.render() };
    }, sb.url);
    assert.equal(r.verdict, 'incompatible');
    assert.equal(r.status, 'completed');
    assert.ok(r.progress.length >= 2 && r.progress.at(-1) === 100, r.progress.join());
    assert.match(r.rendered, /Will close 1 open index/);
  });

  it('creates a snapshot with progress; errors are EssnapError instances', async () => {
    const r = await page.evaluate(async (url) => {
      const c = await essnap.connect({ url, timing: { pollIntervalMs: 100 } });
      const progress = [];
      const out = await c.createSnapshot('backups', 'from-browser', { onProgress: (p) => progress.push(p.percent) });
      let err;
      try {
        await c.createSnapshot('backups', 'from-browser');
      } catch (e) {
        err = { isEssnap: e instanceof essnap.EssnapError, isError: e instanceof Error, code: e.code, status: e.status, message: e.message };
      }
      return { status: out.status, progress, err };
    }, sb.url);
    assert.equal(r.status, 'success');
    assert.ok(r.progress.length >= 2);
    assert.deepEqual({ ...r.err, message: undefined }, { isEssnap: true, isError: true, code: 'snapshot_already_exists', status: 400, message: undefined });
    assert.match(r.err.message, /already exists/);
  });

  it('abort cancels a run', async () => {
    const r = await page.evaluate(async (url) => {
      const c = await essnap.connect({ url, timing: { pollIntervalMs: 100 } });
      const ac = new AbortController();
      try {
        await c.createSnapshot('backups', 'aborted-in-browser', { signal: ac.signal, onProgress: () => ac.abort() });
        return 'not aborted';
      } catch (e) {
        return e.code;
      }
    }, sb.url);
    assert.equal(r, 'aborted');
  });

  it('a cluster without CORS: cors_blocked, with a hint naming the page origin', async () => {
    const r = await page.evaluate(async (url) => {
      try {
        await essnap.connect({ url });
        return 'connected';
      } catch (e) {
        return { isEssnap: e instanceof essnap.EssnapError, code: e.code, hint: e.hint, message: e.message, transport: e.transport };
      }
    }, noCors.url);
    assert.equal(r.isEssnap, true);
    assert.equal(r.code, 'cors_blocked');
    assert.equal(r.transport, 'cors');
    assert.match(r.hint, /http\.cors\.enabled: true/);
    assert.ok(r.hint.includes(`http.cors.allow-origin: "${origin}"`), r.hint);
    assert.match(r.hint, /http\.cors\.allow-headers: "Authorization/);
    assert.ok(r.message.includes(origin), r.message);
  });

  it('pure functions and the panic hook work in the browser', async () => {
    const r = await page.evaluate(() => {
      const v = essnap.checkCompatibility({ cluster: { distribution: 'opensearch', version: '2.19.1' }, snapshot: { distribution: 'elasticsearch', version: '7.17.20' } });
      let panic;
      try {
        essnap._testPanic('in the browser');
      } catch (e) {
        panic = { code: e.code, isEssnap: e instanceof essnap.EssnapError, message: e.message };
      }
      return { kind: v.kind, codes: essnap.errorCatalogue().length, panic };
    });
    assert.equal(r.kind, 'incompatible');
    assert.ok(r.codes >= 30);
    assert.equal(r.panic.code, 'internal');
    assert.equal(r.panic.isEssnap, true);
    assert.match(r.panic.message, /in the browser/);
  });
});
