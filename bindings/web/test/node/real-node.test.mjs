// The package's main flows against a real OpenSearch 2.19.1 node (issue 10): repository, snapshot
// with progress, listing, a restore over open indices (close + restore + progress, documents back as
// snapshotted), and a rollback after a failure injected by a proxy in front of the node.
// Runs when ESSNAP_REAL_NODES=1 (`cargo xtask test` sets it); the node comes from `xtask cluster`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect, EssnapError } from 'essnap';
import { startRealNode } from '../../../../www/test/support/processes.mjs';

const enabled = process.env.ESSNAP_REAL_NODES === '1';
const fast = { pollIntervalMs: 200, backoffMs: 50, maxRetries: 3 };

async function req(url, method, path, body) {
  const r = await fetch(url + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  return r.json();
}

/** Forwards to `upstream`, but answers the first restore POST with a 500 itself (nothing reaches the node). */
function failingProxy(upstream) {
  let failed = false;
  const server = http.createServer(async (inReq, out) => {
    const chunks = [];
    for await (const c of inReq) chunks.push(c);
    if (!failed && inReq.method === 'POST' && inReq.url.includes('/_restore')) {
      failed = true;
      out.writeHead(500, { 'content-type': 'application/json' });
      out.end(JSON.stringify({ error: { root_cause: [{ type: 'exception', reason: 'injected' }], type: 'exception', reason: 'injected' }, status: 500 }));
      return;
    }
    const r = await fetch(upstream + inReq.url, { method: inReq.method, headers: { 'content-type': 'application/json' }, body: chunks.length ? Buffer.concat(chunks) : undefined });
    out.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    out.end(Buffer.from(await r.arrayBuffer()));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

describe('real OpenSearch 2.19.1', { skip: !enabled && 'set ESSNAP_REAL_NODES=1 (cargo xtask test does)' }, () => {
  let node;
  let client;
  before(async () => {
    node = await startRealNode({ dist: 'opensearch', version: '2.19.1' });
    client = await connect({ url: node.url, timeoutMs: 60000, timing: fast });
    for (const idx of ['node-a', 'node-b']) {
      await req(node.url, 'PUT', `/${idx}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
      for (let n = 0; n < 3; n++) await req(node.url, 'POST', `/${idx}/_doc?refresh=true`, { n });
    }
  });
  after(async () => {
    client?.close();
    await node?.stop();
  });

  const count = async (idx) => (await req(node.url, 'GET', `/${idx}/_count`)).count;
  const status = async (idx) => (await req(node.url, 'GET', `/_cat/indices/${idx}?format=json&h=status`))[0].status;

  it('snapshots with progress, lists, restores over open indices and rolls back a failure', async () => {
    assert.equal(client.cluster.distribution, 'opensearch');
    await client.addRepository('node-repo', { type: 'fs', settings: { location: 'node-repo' } });
    const progress = [];
    const created = await client.createSnapshot('node-repo', 'snap-1', { indices: ['node-a', 'node-b'], onProgress: (p) => progress.push(p.percent) });
    assert.equal(created.status, 'success');
    assert.ok(progress.length >= 1 && progress.at(-1) === 100, `progress ${progress}`);
    const names = [];
    for await (const page of client.listSnapshots({ repository: 'node-repo' })) names.push(...page.snapshots.map((s) => s.snapshot));
    assert.deepEqual(names, ['snap-1']);

    await req(node.url, 'POST', '/node-a/_doc?refresh=true', { n: 99 });
    assert.equal(await count('node-a'), 4);

    // Injected failure: the closed indices come back open, nothing is restored.
    const proxy = await failingProxy(node.url);
    try {
      const viaProxy = await connect({ url: proxy.url, timeoutMs: 60000, timing: fast });
      const plan = await viaProxy.planRestore('node-repo', 'snap-1', { closeConflicting: true });
      assert.deepEqual([...plan.to_close].sort(), ['node-a', 'node-b']);
      await assert.rejects(viaProxy.executeRestore(plan), (e) => {
        assert.ok(e instanceof EssnapError);
        assert.deepEqual(e.outcome.indices.map((i) => i.state), ['reopened', 'reopened']);
        return true;
      });
      viaProxy.close();
    } finally {
      proxy.close();
    }
    assert.equal(await status('node-a'), 'open');
    assert.equal(await count('node-a'), 4);

    // The real restore.
    const plan = await client.planRestore('node-repo', 'snap-1', { closeConflicting: true });
    const seen = [];
    const out = await client.executeRestore(plan, { onProgress: (p) => seen.push(p.percent) });
    assert.equal(out.status, 'completed');
    assert.ok(seen.length >= 1 && seen.at(-1) === 100, `progress ${seen}`);
    for (const idx of ['node-a', 'node-b']) {
      assert.equal(await status(idx), 'open');
      assert.equal(await count(idx), 3);
    }
  });
});
