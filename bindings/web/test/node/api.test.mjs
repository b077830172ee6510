// The package against sandbox processes, in Node: every operation, each error path, abort,
// progress callbacks and pagination over ≥ 2,000 snapshots.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as essnap from 'essnap';
import { connect, EssnapError } from 'essnap';
import { startSandbox } from '../support/sandbox.mjs';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const fast = { pollIntervalMs: 100, backoffMs: 20, maxRetries: 3 };

async function rejects(promise, code, check) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof EssnapError, `expected an EssnapError, got ${e?.constructor?.name}: ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.code, code, `${e.code}: ${e.message}`);
    assert.equal(typeof e.hint, 'string');
    assert.ok(e.hint.length > 0);
    assert.equal(typeof e.retrySafe, 'boolean');
    check?.(e);
    return e;
  }
  assert.fail(`expected a rejection with code ${code}`);
}

describe('ECE 3.0+ (no clusters API)', () => {
  it('falls back to the deployment proxy and watches the snapshot there', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const seed = path.join(mkdtempSync(path.join(tmpdir(), 'essnap-ece-')), 'ece3.json');
    writeFileSync(seed, JSON.stringify({
      cluster: { distribution: 'elasticsearch', version: '8.12.2', name: 'ece3' },
      indices: [{ name: 'logs-a', docs: 5 }],
      repositories: [{ name: 'found-snapshots', type: 'fs', settings: { location: '/mnt/found' }, snapshots: [] }],
      ece: { api_keys: ['ZWNlLWRlbW8tYXBpLWtleQ=='], clusters_api: false, clusters: [{ id: 'a1b2c3', deployment_id: 'd4e5f6', repositories: ['found-snapshots'] }] },
    }));
    const sb = await startSandbox({ seed });
    try {
      const ece = essnap.connectEce({ url: sb.url, apiKey: 'ZWNlLWRlbW8tYXBpLWtleQ==', timing: fast });
      const events = [];
      const r = await ece.takeSnapshot('a1b2c3', { name: 'via-proxy', deploymentId: 'd4e5f6', onEvent: (e) => events.push(e) });
      assert.deepEqual([r.name, r.viaProxy, r.state], ['via-proxy', true, 'succeeded']);
      assert.ok(events.some((e) => e.stage === 'fallback' && /deployment proxy/.test(e.detail)), JSON.stringify(events));
      await rejects(ece.takeSnapshot('a1b2c3', { name: 'no-proxy' }), 'ece_endpoint_removed');
    } finally {
      await sb.stop();
    }
  });
});

describe('demo cluster', () => {
  let sb;
  let client;
  before(async () => {
    sb = await startSandbox();
    client = await connect({ url: sb.url, timeoutMs: 10000, timing: fast });
  });
  after(async () => {
    client?.close();
    await sb?.stop();
  });

  it('connect reads the cluster and info() answers', async () => {
    assert.deepEqual(client.cluster, { distribution: 'elasticsearch', version: '8.12.2' });
    assert.equal(client.url, sb.url);
    const info = await client.info();
    assert.equal(info.cluster_name, 'demo');
    assert.equal(info.version.number, '8.12.2');
  });

  it('health(): the cluster, some indices, and a wait that times out (408) returned, not thrown', async () => {
    const h = await client.health();
    assert.ok(['green', 'yellow', 'red'].includes(h.status), h.status);
    assert.equal(h.timed_out, false);
    assert.equal(typeof h.number_of_nodes, 'number');
    const missing = await client.health({ indices: ['no-such-index-x'], waitForStatus: 'green', timeout: '1s' });
    assert.deepEqual([missing.status, missing.timed_out], ['red', true]);
    await rejects(client.health({ waitForStatus: 'blue' }), 'invalid_input', (e) => assert.equal(e.field, 'wait_for_status'));
    await rejects(client.health({ indices: 'logs' }), 'invalid_input', (e) => assert.equal(e.field, 'indices'));
    await rejects(client.health({ indices: ['bad name'] }), 'invalid_input');
  });

  it('ECE: takes a snapshot through the clusters API and watches it; refusals carry ECE codes', async () => {
    const ece = essnap.connectEce({ url: sb.url, apiKey: 'ZWNlLWRlbW8tYXBpLWtleQ==', timing: fast });
    const events = [];
    const r = await ece.takeSnapshot('a1b2c3', { name: 'node-ece-1', repository: 'found-snapshots', onEvent: (e) => events.push(e) });
    assert.deepEqual([r.name, r.viaProxy, r.state], ['node-ece-1', false, 'succeeded']);
    assert.deepEqual(events.filter((e) => e.event === 'stage').map((e) => e.stage).filter((s, i, a) => a.indexOf(s) === i), ['requesting', 'accepted', 'pending', 'succeeded']);
    const quick = await ece.takeSnapshot('a1b2c3', { name: 'node-ece-2', wait: false });
    assert.deepEqual([quick.name, quick.state], ['node-ece-2', undefined]);
    await rejects(ece.takeSnapshot('a1b2c3', { name: 'already-taken' }), 'snapshot_already_exists', (e) => assert.ok(e.sourceCodes.includes('clusters.snapshot.name_conflict'), e.sourceCodes));
    await rejects(ece.takeSnapshot('ffffff', { name: 'x' }), 'ece_cluster_not_found');
    await rejects(ece.takeSnapshot('NOT-HEX'), 'invalid_input', (e) => assert.equal(e.field, 'cluster_id'));
    await rejects(ece.takeSnapshot('a1b2c3', { preferProxy: true }), 'invalid_input', (e) => assert.equal(e.field, 'deployment_id'));
    const wrong = essnap.connectEce({ url: sb.url, apiKey: 'bm90LWEta2V5', timing: fast });
    await rejects(wrong.takeSnapshot('a1b2c3', { name: 'x2' }), 'unauthorized');
    assert.throws(() => essnap.connectEce({ url: 'ftp://x' }), (e) => e.code === 'invalid_input' && e.field === 'url');
    assert.throws(() => essnap.connectEce({ url: sb.url, apiKey: 'two words' }), (e) => e.code === 'invalid_input' && e.field === 'api_key');
    ece.close();
  });

  it('lists, adds, verifies and removes repositories', async () => {
    const before = await client.listRepositories();
    assert.deepEqual(before.map((r) => r.name).sort(), ['backups', 'nightly']);
    assert.equal(before.find((r) => r.name === 'backups').type, 'fs');
    const added = await client.addRepository('scratch', { type: 'fs', settings: { location: '/mnt/scratch', compress: true } });
    assert.equal(added.acknowledged, true);
    assert.ok((await client.listRepositories()).some((r) => r.name === 'scratch' && r.settings.location === '/mnt/scratch'));
    const verified = await client.verifyRepository('scratch');
    assert.ok(Object.keys(verified.nodes).length >= 1);
    assert.equal((await client.removeRepository('scratch')).acknowledged, true);
    assert.ok(!(await client.listRepositories()).some((r) => r.name === 'scratch'));
  });

  it('repository errors: missing, bad name, bad settings', async () => {
    await rejects(client.removeRepository('nope'), 'repository_missing', (e) => {
      assert.equal(e.status, 404);
      assert.match(e.message, /nope/);
      assert.equal(e.serverType, 'repository_missing_exception');
    });
    await rejects(client.verifyRepository('nope'), 'repository_missing');
    await rejects(client.addRepository('Bad Name', { type: 'fs', settings: { location: '/x' } }), 'invalid_input', (e) => assert.equal(e.field, 'repository'));
    await rejects(client.addRepository('x', { type: 'fs', settings: {} }), 'invalid_input');
    await rejects(client.addRepository('x', { settings: {} }), 'invalid_input', (e) => assert.equal(e.field, 'type'));
    // Credentials belong in the keystore: refused for every type, never repeated.
    for (const type of ['s3', 'gcs']) {
      await rejects(client.addRepository('x', { type, settings: { bucket: 'b', secret_key: 'AKIA-never-shown' } }), 'invalid_input', (e) => {
        assert.equal(e.field, 'settings');
        assert.match(e.hint, /keystore/);
        assert.ok(!JSON.stringify(e).includes('never-shown') && !String(e).includes('never-shown'));
      });
    }
    await rejects(client.addRepository('x', { type: 'hdfs', settings: { uri: 'hdfs://nn:8020/' } }), 'invalid_input', (e) => assert.equal(e.field, 'path'));
  });

  it('pages through 2,000 snapshots with cursors, in order, and resumes after a cursor', async () => {
    const seen = [];
    let pages = 0;
    let firstNext;
    for await (const page of client.listSnapshots({ repository: 'nightly', size: 300, sort: 'name' })) {
      pages++;
      if (pages === 1) {
        firstNext = page.next;
        assert.equal(page.total, 2000);
        assert.equal(page.remaining, 1700);
      }
      assert.ok(page.snapshots.length <= 300);
      seen.push(...page.snapshots.map((s) => s.snapshot));
    }
    assert.equal(pages, 7);
    assert.equal(seen.length, 2000);
    assert.equal(new Set(seen).size, 2000);
    assert.deepEqual(seen, [...seen].sort());
    const resumed = [];
    for await (const page of client.listSnapshots({ repository: 'nightly', size: 500, sort: 'name', after: firstNext })) resumed.push(...page.snapshots.map((s) => s.snapshot));
    assert.deepEqual(resumed, seen.slice(300));
  });

  it('filters and sorts snapshot listings', async () => {
    const names = [];
    for await (const page of client.listSnapshots({ repository: 'backups', snapshots: ['snap-*', '-snap-failed'], sort: 'name', order: 'desc', size: 2 })) names.push(...page.snapshots.map((s) => s.snapshot));
    assert.ok(names.length >= 5 && !names.includes('snap-failed'), names.join());
    assert.deepEqual(names, [...names].sort().reverse());
  });

  it('listing errors: missing repository, bad size, bad sort', async () => {
    const it1 = client.listSnapshots({ repository: 'nope' });
    await rejects(it1.next(), 'repository_missing');
    await rejects(client.listSnapshots({ repository: 'nightly', size: 0 }).next(), 'invalid_input', (e) => assert.equal(e.field, 'size'));
    await rejects(client.listSnapshots({ repository: 'nightly', sort: 'colour' }).next(), 'invalid_input', (e) => assert.equal(e.field, 'sort'));
  });

  it('check() gives verdicts per snapshot and index', async () => {
    const ok = await client.check('backups', 'snap-compatible');
    assert.equal(ok.verdict.kind, 'ok');
    assert.equal(ok.restorable, true);
    assert.equal(ok.snapshotVersion, '8.10.0');
    assert.ok(ok.indices.some((i) => i.index === 'logs-a' && i.verdict.kind === 'ok'));
    const tooNew = await client.check('backups', 'snap-too-new');
    assert.equal(tooNew.verdict.kind, 'incompatible');
    assert.equal(tooNew.restorable, false);
    assert.match(tooNew.verdict.reason, /8\.15\.0/);
    const os = await client.check('backups', 'snap-from-opensearch');
    assert.equal(os.verdict.kind, 'incompatible');
    await rejects(client.check('backups', 'nope'), 'snapshot_missing');
    await rejects(client.check('nope', 'snap-compatible'), 'repository_missing');
  });

  it('deletes snapshots by name, and says how far it got', async () => {
    for (const n of ['del-1', 'del-2', 'del-3']) await client.createSnapshot('backups', n, { indices: ['logs-a'] });
    const out = await client.deleteSnapshots('backups', ['del-1', 'del-2']);
    assert.deepEqual(out, { deleted: ['del-1', 'del-2'], error: null });
    const gone = await client.deleteSnapshots('backups', ['del-1']);
    assert.deepEqual(gone.deleted, []);
    assert.equal(gone.error.code, 'snapshot_missing');
    await rejects(client.deleteSnapshots('backups', ['del-*']), 'invalid_input', (e) => assert.equal(e.field, 'snapshot'));
    await rejects(client.deleteSnapshots('backups', []), 'invalid_input', (e) => assert.equal(e.field, 'snapshots'));
    assert.deepEqual((await client.deleteSnapshots('backups', ['del-3'])).deleted, ['del-3']);
  });

  it('plans a restore: targets, closes, blockers, requests', async () => {
    const blocked = await client.planRestore('backups', 'snap-compatible');
    assert.ok(blocked instanceof essnap.RestorePlan);
    assert.equal(blocked.blocked, true);
    assert.ok(blocked.blockers.length >= 1);
    assert.deepEqual(blocked.remedies, ['close_conflicting', 'rename'], 'open conflicts: closing or renaming would help');
    assert.match(blocked.render(), /BLOCKED/);
    const renamed = await client.planRestore('backups', 'snap-compatible', { indices: ['logs-a'], rename: { prefix: 'restored-' } });
    assert.equal(renamed.blocked, false);
    assert.deepEqual(renamed.targets, ['restored-logs-a']);
    assert.deepEqual(renamed.to_close, []);
    assert.equal(renamed.restore_request.method, 'POST');
    assert.equal(renamed.restore_request.body.rename_replacement, 'restored-$1');
    await rejects(client.planRestore('backups', 'snap-compatible', { rename: { nope: 1 } }), 'invalid_input');
    await rejects(client.executeRestore({ ...renamed }), 'invalid_input', (e) => assert.equal(e.field, 'plan'));
  });

  it('executes a restore with progress callbacks and events', async () => {
    const plan = await client.planRestore('backups', 'snap-compatible', { indices: ['logs-a', 'logs-b', 'orders'], closeConflicting: true });
    assert.deepEqual(plan.to_close, ['logs-a', 'logs-b']);
    const progress = [];
    const events = [];
    const out = await client.executeRestore(plan, { onProgress: (p) => progress.push(p), onEvent: (e) => events.push(e.event) });
    assert.equal(out.status, 'completed');
    assert.deepEqual(out.indices.map((i) => [i.name, i.state]), [['logs-a', 'restored'], ['logs-b', 'restored'], ['orders', 'restored']]);
    assert.ok(progress.length >= 2, `progress callbacks: ${progress.length}`);
    assert.equal(progress.at(-1).percent, 100);
    assert.equal(progress[0].operation, 'restore');
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].percent >= progress[i - 1].percent);
    assert.ok(events.includes('closed') && events.includes('stage') && events.includes('progress'), events.join());
  });

  it('a blocked plan rejects without sending anything', async () => {
    const plan = await client.planRestore('backups', 'snap-compatible');
    const e = await rejects(client.executeRestore(plan), 'restore_failed');
    assert.equal(e.outcome.status, 'not_started');
    assert.equal(e.outcome.requests_sent, 0);
  });

  it('a refused restore reopens what the plan closed', async () => {
    const plan = await client.planRestore('backups', 'snap-compatible', { indices: ['logs-a'], closeConflicting: true });
    await sb.faults.add({ path: '/_snapshot/backups/snap-compatible/_restore', method: 'POST', action: 'status', status: 400, type: 'illegal_argument_exception', reason: 'refused by test', count: 1 });
    const e = await rejects(client.executeRestore(plan), 'bad_request');
    assert.match(e.message, /refused by test/);
    assert.equal(e.status, 400);
    assert.equal(e.outcome.status, 'failed');
    assert.deepEqual(e.outcome.indices, [{ name: 'logs-a', state: 'reopened' }]);
  });

  it('creates a snapshot with progress, and reports a duplicate name', async () => {
    const progress = [];
    const out = await client.createSnapshot('backups', 'node-test-1', { indices: ['logs-a'], metadata: { by: 'node-test' }, onProgress: (p) => progress.push(p.percent) });
    assert.equal(out.status, 'success');
    assert.equal(out.name, 'node-test-1');
    assert.equal(out.snapshot.state, 'SUCCESS');
    assert.deepEqual(out.snapshot.indices, ['logs-a']);
    assert.ok(progress.length >= 2 && progress.at(-1) === 100, progress.join());
    const e = await rejects(client.createSnapshot('backups', 'node-test-1'), 'snapshot_already_exists', (e) => {
      assert.equal(e.status, 400);
      assert.equal(e.retrySafe, false);
    });
    assert.equal(e.outcome.status, 'not_created');
  });

  it('creates a snapshot with a date-math name', async () => {
    const out = await client.createSnapshot('backups', '<dm-{now/d}>');
    assert.equal(out.status, 'success');
    assert.match(out.name, /^dm-\d{4}\.\d{2}\.\d{2}$/);
  });

  it('create errors: bad name, missing repository', async () => {
    await rejects(client.createSnapshot('backups', 'Bad Name'), 'invalid_input', (e) => assert.equal(e.field, 'snapshot'));
    await rejects(client.createSnapshot('nope', 'x1'), 'repository_missing');
  });

  it('abort: already aborted, during a request, during a run', async () => {
    await rejects(client.info({ signal: AbortSignal.abort() }), 'aborted');
    await rejects(client.listSnapshots({ repository: 'nightly', signal: AbortSignal.abort() }).next(), 'aborted');

    await sb.faults.add({ path: '/', method: 'GET', action: 'latency', ms: 5000, count: 1 });
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 100);
    await rejects(client.info({ signal: ac.signal }), 'aborted', (e) => assert.equal(e.retry, 'check_first'));
    assert.ok(Date.now() - t0 < 2000, 'the abort was immediate');
    await sb.faults.clear();

    const ac2 = new AbortController();
    const e = await rejects(
      client.createSnapshot('backups', 'aborted-1', {
        signal: ac2.signal,
        onProgress: () => ac2.abort(),
      }),
      'aborted',
    );
    assert.ok(e.outcome, 'the outcome so far comes with the error');
  });

  it('a client-wide signal cancels every call', async () => {
    const ac = new AbortController();
    const c = await connect({ url: sb.url, signal: ac.signal });
    await c.info();
    ac.abort();
    await rejects(c.listRepositories(), 'aborted');
    c.close();
  });

  it('timeouts, refusals, dropped connections and overload', async () => {
    const slow = await connect({ url: sb.url, timeoutMs: 300 });
    await sb.faults.add({ path: '/_snapshot', method: 'GET', action: 'latency', ms: 2000, count: 1 });
    await rejects(slow.listRepositories(), 'timeout', (e) => {
      assert.equal(e.transport, 'timeout');
      assert.match(e.message, /300 ms/);
    });
    slow.close();
    await sb.faults.add({ path: '/_snapshot', method: 'GET', action: 'status', status: 429, count: 1 });
    await rejects(client.listRepositories(), 'rate_limited', (e) => {
      assert.equal(e.status, 429);
      assert.equal(e.retrySafe, true);
    });
    await sb.faults.add({ path: '/_snapshot', method: 'GET', action: 'drop', count: 1 });
    await rejects(client.listRepositories(), 'connection_dropped', (e) => assert.equal(e.retry, 'check_first'));
    await sb.faults.add({ path: '/_snapshot', method: 'GET', action: 'status', status: 502, count: 1 });
    await rejects(client.listRepositories(), 'bad_gateway');
    await sb.faults.clear();
  });

  it('the gather step retries refused reads', async () => {
    await sb.faults.add({ path: '/_cat/indices', method: 'GET', action: 'status', status: 503, count: 2 });
    const r = await client.check('backups', 'snap-compatible');
    assert.equal(r.verdict.kind, 'ok');
    await sb.faults.clear();
  });
});

describe('connections and credentials', () => {
  let sb;
  before(async () => {
    sb = await startSandbox({ seed: path.join(fixtures, 'auth.json') });
  });
  after(async () => sb?.stop());

  it('credentials in the URL become an Authorization header', async () => {
    const u = new URL(sb.url);
    const c = await connect({ url: `http://admin:${encodeURIComponent('p@ss w0rd')}@${u.host}` });
    assert.equal(c.url, sb.url, 'the URL keeps no credentials');
    assert.ok(!JSON.stringify(c).includes('w0rd'));
    assert.equal((await c.info()).cluster_name, 'secured');
    c.close();
  });

  it('username/password and apiKey options', async () => {
    const c1 = await connect({ url: sb.url, username: 'admin', password: 'p@ss w0rd' });
    assert.equal(c1.cluster.version, '8.12.2');
    const c2 = await connect({ url: sb.url, apiKey: 'tester:t0ps3cret' });
    assert.equal((await c2.listRepositories())[0].name, 'backups');
    const c3 = await connect({ url: sb.url, apiKey: 'dGVzdGVyOnQwcHMzY3JldA==', headers: { 'x-opaque-id': 'node-test' } });
    assert.ok(c3);
  });

  it('missing or wrong credentials: unauthorized', async () => {
    await rejects(connect({ url: sb.url }), 'unauthorized', (e) => {
      assert.equal(e.status, 401);
      assert.match(e.message, /missing authentication credentials/);
    });
    await rejects(connect({ url: sb.url, username: 'admin', password: 'wrong' }), 'unauthorized');
  });

  it('bad options: invalid_input with the field', async () => {
    await rejects(connect({ url: 'ftp://x' }), 'invalid_input', (e) => assert.equal(e.field, 'url'));
    await rejects(connect({ url: 'http://h:99999' }), 'invalid_input', (e) => assert.equal(e.field, 'url'));
    await rejects(connect({ url: sb.url, apiKey: 'has space' }), 'invalid_input', (e) => assert.equal(e.field, 'api_key'));
    await rejects(connect({ url: sb.url, headers: { 'bad header': 'x' } }), 'invalid_input', (e) => assert.equal(e.field, 'headers'));
    await rejects(connect({ url: 42 }), 'invalid_input', (e) => assert.equal(e.field, 'url'));
    await rejects(connect(), 'invalid_input');
  });

  it('connection refused: connection_failed, safe to retry', async () => {
    const port = new URL(sb.url).port;
    const stopped = await startSandbox({ seed: path.join(fixtures, 'auth.json') });
    const deadUrl = stopped.url;
    await stopped.stop();
    await rejects(connect({ url: deadUrl }), 'connection_failed', (e) => {
      assert.equal(e.retrySafe, true);
      assert.equal(e.transport, 'connect');
      assert.match(e.message, /ECONNREFUSED/);
    });
    assert.ok(port);
  });
});

describe('OpenSearch: names-first paging', () => {
  let sb;
  before(async () => {
    sb = await startSandbox({ seed: path.join(fixtures, 'opensearch-small.json') });
  });
  after(async () => sb?.stop());

  it('pages through 2,100 snapshots without server cursors', async () => {
    const c = await connect({ url: sb.url });
    assert.equal(c.cluster.distribution, 'opensearch');
    let n = 0;
    let pages = 0;
    let last = '';
    for await (const page of c.listSnapshots({ repository: 'many', size: 1000, sort: 'name' })) {
      pages++;
      assert.equal(page.next, null);
      for (const s of page.snapshots) {
        assert.ok(s.snapshot > last);
        last = s.snapshot;
        n++;
      }
    }
    assert.equal(n, 2100);
    assert.ok(pages >= 3, `pages: ${pages}`); // name batches also fit the 4 KiB request line
  });
});
