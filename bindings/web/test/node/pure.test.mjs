// The functions that need no network, and the panic hook.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { checkCompatibility, decode, decodeSnapshotList, previewRename, explainError, errorCatalogue, decodableApis, EssnapError, _testPanic } from 'essnap';

describe('pure functions', () => {
  it('checkCompatibility: snapshots and indices', () => {
    const ok = checkCompatibility({ cluster: { distribution: 'elasticsearch', version: '8.12.2' }, snapshot: { distribution: 'elasticsearch', version: '7.17.20' } });
    assert.ok(['ok', 'ok_with_warnings'].includes(ok.kind), ok.kind);
    assert.equal(typeof ok.reason, 'string');
    assert.equal(typeof ok.rule.id, 'string');
    const newer = checkCompatibility({ cluster: { distribution: 'elasticsearch', version: '8.12.2' }, snapshot: { distribution: 'elasticsearch', version: '8.15.0' } });
    assert.equal(newer.kind, 'incompatible');
    const os = checkCompatibility({ cluster: { distribution: 'opensearch', version: '2.19.1' }, snapshot: { distribution: 'elasticsearch', version: '7.10.2' } });
    assert.notEqual(os.kind, 'incompatible');
    const idx = checkCompatibility({
      cluster: { distribution: 'elasticsearch', version: '8.12.2' },
      snapshot: { distribution: 'elasticsearch', version: '7.17.20' },
      index: 'old',
      created: { distribution: 'elasticsearch', version: '6.8.23' },
    });
    assert.notEqual(idx.kind, 'ok');
    assert.throws(() => checkCompatibility({ cluster: {} }), (e) => e instanceof EssnapError && e.code === 'invalid_input');
  });

  it('decode: bytes, strings, every listed API', () => {
    const body = JSON.stringify({ name: 'n', cluster_name: 'c', version: { number: '8.12.2' }, tagline: 'You Know, for Search' });
    assert.equal(decode('info', { body }).cluster_name, 'c');
    assert.equal(decode('info', { body: new TextEncoder().encode(body) }).version.number, '8.12.2');
    assert.deepEqual(decode('snapshot.delete_repository', { body: '{"acknowledged":true}' }), { acknowledged: true });
    assert.ok(decodableApis().includes('snapshot.get'));
    const e = (() => {
      try {
        decode('snapshot.get', { status: 404, body: '{"error":{"type":"repository_missing_exception","reason":"[r] missing"},"status":404}' });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(e instanceof EssnapError);
    assert.equal(e.code, 'repository_missing');
    assert.equal(e.status, 404);
    assert.equal(e.message, '[r] missing');
    assert.throws(() => decode('info', { body: '<html>proxy</html>' }), (e) => e.code === 'invalid_response');
    assert.throws(() => decode('nope.api', { body: '{}' }), (e) => e.code === 'invalid_input' && e.field === 'api');
  });

  it('decodeSnapshotList: the listed fields of every real get-snapshots body, as decode gives them', () => {
    const real = new URL('../../../../tests/fixtures/real/', import.meta.url);
    let bodies = 0;
    for (const version of readdirSync(real, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const dir = new URL(`${version.name}/`, real);
      for (const f of readdirSync(dir).filter((f) => /^snapshot\.get\.200.*(?<!\.meta)\.json$/.test(f))) {
        const body = readFileSync(new URL(f, dir));
        let full;
        try {
          full = decode('snapshot.get', { body });
        } catch {
          continue;
        }
        const snaps = [...(full.snapshots ?? []), ...(full.responses ?? []).flatMap((r) => r.snapshots ?? [])];
        if (snaps.length === 0 && full.failures) {
          assert.throws(() => decodeSnapshotList({ body }), (e) => e instanceof EssnapError && e.code === 'repository_missing', f);
          continue;
        }
        const list = decodeSnapshotList({ body });
        assert.equal(list.snapshots.length, snaps.length, f);
        assert.deepEqual([list.total, list.remaining, list.next], [full.total, full.remaining, full.next], f);
        snaps.forEach((s, i) => {
          const r = list.snapshots[i];
          const ctx = `${version.name}/${f} #${i}`;
          assert.deepEqual(
            [r.snapshot, r.uuid, r.state, r.version, r.version_id, r.start_time_in_millis, r.end_time_in_millis, r.duration_in_millis],
            [s.snapshot, s.uuid, s.state, s.version, s.version_id, s.start_time_in_millis, s.end_time_in_millis, s.duration_in_millis],
            ctx,
          );
          assert.deepEqual([r.index_count, r.data_stream_count, r.failure_count], [s.indices.length, s.data_streams?.length ?? 0, s.failures?.length ?? 0], ctx);
          assert.deepEqual(r.shards, s.shards, ctx);
        });
        bodies++;
      }
    }
    assert.ok(bodies >= 15, `only ${bodies} bodies`);
    // non-ASCII names slice right; errors are the same EssnapError as decode's
    const names = ['caf\u00e9', 'emoji-\u{1F600}', '\u65e5\u672c', 'plain'];
    const body = JSON.stringify({ snapshots: names.map((snapshot) => ({ snapshot, state: 'SUCCESS', version_id: '7172999' })) });
    const list = decodeSnapshotList({ body });
    assert.deepEqual(list.snapshots.map((s) => s.snapshot), names);
    assert.deepEqual(list.snapshots.map((s) => [s.state, s.version_id]), names.map(() => ['SUCCESS', 7172999]));
    const missing = '{"error":{"type":"repository_missing_exception","reason":"[r] missing"},"status":404}';
    assert.throws(() => decodeSnapshotList({ status: 404, body: missing }), (e) => e instanceof EssnapError && e.code === 'repository_missing');
    assert.throws(() => decodeSnapshotList({ body: '<html>proxy</html>' }), (e) => e.code === 'invalid_response');
    assert.throws(() => decodeSnapshotList({ status: -1, body: '{}' }), (e) => e.code === 'invalid_input');
  });

  it('previewRename: Java replaceAll semantics, as the planner computes targets', () => {
    const names = ['logs-2024', 'logs-2025', 'metrics'];
    assert.deepEqual(previewRename(names), names);
    assert.deepEqual(previewRename(names, { prefix: 'r-' }), ['r-logs-2024', 'r-logs-2025', 'r-metrics']);
    assert.deepEqual(previewRename(names, { prefix: 'a$1\\' }), ['a$1\\logs-2024', 'a$1\\logs-2025', 'a$1\\metrics'], 'a prefix is literal');
    // every match replaced; $1 followed by a letter is group 1 (Java), a literal \$ stays
    assert.deepEqual(previewRename(['a-a'], { pattern: 'a', replacement: 'b' }), ['b-b']);
    assert.deepEqual(previewRename(['logs-x'], { pattern: 'logs-(.+)', replacement: '$1a' }), ['xa']);
    assert.deepEqual(previewRename(['logs-x'], { pattern: 'logs-(.+)', replacement: '\\$$1' }), ['$x']);
    // Java's engine: look-arounds, and an empty match right after a match
    assert.deepEqual(previewRename(['logs-123', 'x-123'], { pattern: '(?<=logs-)\\d+', replacement: 'N' }), ['logs-N', 'x-123']);
    assert.deepEqual(previewRename(['baaa'], { pattern: 'a*', replacement: 'X' }), ['XbXX']);
    assert.throws(() => previewRename(['x'], { pattern: '(.+)', replacement: '$2' }), (e) => e.code === 'invalid_input' && e.field === 'rename_replacement' && /No group 2/.test(e.message));
    assert.throws(() => previewRename(['x'], { pattern: '(', replacement: '' }), (e) => e instanceof EssnapError && e.code === 'invalid_input' && e.field === 'rename_pattern');
    assert.throws(() => previewRename(['x'], { pattern: '(.+)', replacement: '$' }), (e) => e.code === 'invalid_input' && e.field === 'rename_replacement');
    assert.throws(() => previewRename('x', { prefix: 'r-' }), (e) => e.code === 'invalid_input');
    assert.throws(() => previewRename(['x'], { nope: 1 }), (e) => e.code === 'invalid_input');
  });

  it('explainError returns (not throws) an EssnapError', () => {
    const e = explainError({ status: 503, body: '{"error":{"type":"master_not_discovered_exception","reason":"no master"},"status":503}' });
    assert.ok(e instanceof EssnapError && e instanceof Error);
    assert.equal(e.code, 'service_unavailable');
    assert.equal(e.retrySafe, true);
    assert.equal(e.serverType, 'master_not_discovered_exception');
    const proxy = explainError({ status: 504, body: '<html>Gateway Timeout</html>' });
    assert.equal(proxy.code, 'gateway_timeout');
    assert.equal(proxy.retry, 'check_first');
    assert.equal(JSON.parse(JSON.stringify(proxy)).code, 'gateway_timeout');
  });

  it('errorCatalogue lists every code with hint and retry advice', () => {
    const cat = errorCatalogue();
    assert.ok(cat.length >= 30);
    const codes = cat.map((c) => c.code);
    for (const c of ['snapshot_missing', 'cors_blocked', 'aborted', 'timeout', 'connection_failed']) assert.ok(codes.includes(c), c);
    const cors = cat.find((c) => c.code === 'cors_blocked');
    assert.match(cors.hint, /http\.cors\.enabled/);
    assert.ok(['safe', 'check_first', 'no'].includes(cors.retry));
  });

  it('a panic becomes an EssnapError with code internal, and the module keeps working', () => {
    assert.throws(
      () => _testPanic('deliberate'),
      (e) => e instanceof EssnapError && e.code === 'internal' && /deliberate/.test(e.message) && !/unreachable/.test(e.message),
    );
    assert.equal(decode('info', { body: '{"version":{"number":"8.0.0"}}' }).version.number, '8.0.0');
  });
});
