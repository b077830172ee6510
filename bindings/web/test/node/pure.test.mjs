// The functions that need no network, and the panic hook.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCompatibility, decode, explainError, errorCatalogue, decodableApis, EssnapError, _testPanic } from 'essnap';

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
