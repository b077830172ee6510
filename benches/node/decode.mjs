// Row 2 of `cargo xtask bench`: the web package's `decode('snapshot.get', …)` vs what a JS user
// writes without it (JSON.parse + a plain mapping to the same fields). One process, warm-up first,
// median of RUNS. Prints one JSON object.
// usage: node decode.mjs PKG_DIR BODY_FILE [RUNS]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [pkgDir, file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 15);
const { decode, decodeSnapshotList } = await import(pathToFileURL(join(pkgDir, 'index.js')).href);
const bytes = new Uint8Array(readFileSync(file));
const text = new TextDecoder().decode(bytes);

// The same keys, in the same order, that essnap's decode returns (absent optional fields left out).
const opt = (o, k, v) => { if (v !== undefined && v !== null) o[k] = v; };
function mapSnapshot(s) {
  const o = { snapshot: s.snapshot };
  opt(o, 'uuid', s.uuid); opt(o, 'repository', s.repository); opt(o, 'version_id', s.version_id);
  opt(o, 'version', s.version);
  o.indices = s.indices ?? [];
  opt(o, 'data_streams', s.data_streams); opt(o, 'feature_states', s.feature_states);
  opt(o, 'include_global_state', s.include_global_state); opt(o, 'metadata', s.metadata);
  opt(o, 'state', s.state); opt(o, 'reason', s.reason);
  opt(o, 'start_time', s.start_time); opt(o, 'start_time_in_millis', s.start_time_in_millis);
  opt(o, 'end_time', s.end_time); opt(o, 'end_time_in_millis', s.end_time_in_millis);
  opt(o, 'duration_in_millis', s.duration_in_millis); opt(o, 'failures', s.failures);
  opt(o, 'shards', s.shards ? { total: s.shards.total, failed: s.shards.failed, successful: s.shards.successful } : undefined);
  opt(o, 'index_details', s.index_details);
  return o;
}
function mapBody(b) {
  const o = { snapshots: b.snapshots.map(mapSnapshot) };
  opt(o, 'total', b.total); opt(o, 'remaining', b.remaining); opt(o, 'next', b.next);
  return o;
}

// The listing fields (what decodeSnapshotList returns), mapped the way a JS user would.
const n = (x) => (x === undefined || x === null || x === '' ? undefined : Number(x));
function listRow(s) {
  return {
    snapshot: s.snapshot,
    uuid: s.uuid,
    state: s.state,
    version: s.version,
    version_id: n(s.version_id),
    start_time_in_millis: n(s.start_time_in_millis),
    end_time_in_millis: n(s.end_time_in_millis),
    duration_in_millis: n(s.duration_in_millis),
    index_count: s.indices?.length ?? 0,
    data_stream_count: s.data_streams?.length ?? 0,
    failure_count: s.failures?.length ?? 0,
    shards: s.shards ? { total: n(s.shards.total) ?? 0, failed: n(s.shards.failed) ?? 0, successful: n(s.shards.successful) ?? 0 } : undefined,
  };
}
function listBody(b) {
  return { snapshots: b.snapshots.map(listRow), total: b.total, remaining: b.remaining, next: b.next };
}

const paths = {
  // listing fields: the peer maps the same 12 fields from JSON.parse
  js_parse_list: () => listBody(JSON.parse(text)),
  js_bytes_parse_list: () => listBody(JSON.parse(new TextDecoder().decode(bytes))),
  essnap_list_bytes: () => decodeSnapshotList({ status: 200, body: bytes }),
  // the peer: the body already a JS string (what `await res.text()` gives)
  js_parse_map: () => mapBody(JSON.parse(text)),
  // the same from bytes (what `await res.json()` does: UTF-8 decode, then parse)
  js_bytes_parse_map: () => mapBody(JSON.parse(new TextDecoder().decode(bytes))),
  js_parse_only: () => JSON.parse(text),
  essnap_decode_bytes: () => decode('snapshot.get', { status: 200, body: bytes }),
  essnap_decode_string: () => decode('snapshot.get', { status: 200, body: text }),
};

// sanity: both sides produce the same snapshot count (and, for a sample, the same fields)
const a = paths.essnap_decode_bytes(), b = paths.js_parse_map();
if (a.snapshots.length !== b.snapshots.length) throw new Error('count mismatch');
const sameSample = JSON.stringify(a.snapshots[7]) === JSON.stringify(b.snapshots[7]);
const la = paths.essnap_list_bytes(), lb = paths.js_parse_list();
if (la.snapshots.length !== lb.snapshots.length) throw new Error('list count mismatch');
const sameList = la.snapshots.every((r, i) => JSON.stringify(r) === JSON.stringify(lb.snapshots[i]));

const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const result = { node: process.version, bytes: bytes.length, snapshots: a.snapshots.length, runs, same_fields: sameSample, same_list_fields: sameList, median_ms: {} };
for (const [name, f] of Object.entries(paths)) {
  for (let i = 0; i < 3; i++) f(); // warm-up
}
// interleave the paths so drift (GC, frequency) hits all of them alike
const times = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
for (let r = 0; r < runs; r++) {
  for (const [name, f] of Object.entries(paths)) {
    const t = performance.now();
    const out = f();
    times[name].push(performance.now() - t);
    if (out === undefined) throw new Error('no output');
  }
}
for (const k of Object.keys(times)) result.median_ms[k] = +median(times[k]).toFixed(3);
console.log(JSON.stringify(result));
