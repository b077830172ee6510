// essnap — snapshot & restore for Elasticsearch and OpenSearch (browser and Node ≥ 18).
// The typed wrapper around the wasm-bindgen exports of `essnap-web` (bindings/web/src).
// Rust builds and decodes every request and sends it with gloo-net; this file drives the
// sans-IO machines (each step is a synchronous call, so a panic surfaces right here) and turns
// every failure into an `EssnapError`.

import init, * as raw from './essnap_web.js';

// ---------------------------------------------------------------------------------------------
// Loading: top-level await, so every export is ready (and the pure functions are synchronous)
// once `import` resolves.

const wasmUrl = new URL('./essnap_web_bg.wasm', import.meta.url);
if (wasmUrl.protocol === 'file:') {
  const { readFile } = await import('node:fs/promises');
  await init({ module_or_path: await readFile(wasmUrl) });
} else {
  await init({ module_or_path: wasmUrl });
}

const SEND = -1;
const DONE = -2;

// ---------------------------------------------------------------------------------------------
// Errors

/** Every error essnap reports: a stable `code`, the server's `message`, a `hint`, `retrySafe`. */
export class EssnapError extends Error {
  constructor(fields = {}) {
    super(fields.message ?? 'unknown error', fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'EssnapError';
    this.code = fields.code ?? 'other';
    this.hint = fields.hint ?? '';
    this.retry = fields.retry ?? (fields.retrySafe ? 'safe' : 'no');
    this.retrySafe = Boolean(fields.retrySafe);
    this.status = fields.status ?? undefined;
    this.serverType = fields.serverType ?? undefined;
    this.causedBy = fields.causedBy ?? [];
    this.rootCauses = fields.rootCauses ?? [];
    this.index = fields.index ?? undefined;
    this.sourceCodes = fields.sourceCodes ?? [];
    if (fields.field !== undefined) this.field = fields.field;
    if (fields.transport !== undefined) this.transport = fields.transport;
    if (fields.outcome !== undefined) this.outcome = fields.outcome;
  }

  toJSON() {
    const { name, code, message, hint, retry, retrySafe, status, serverType, causedBy, rootCauses, index, sourceCodes, field, transport } = this;
    return { name, code, message, hint, retry, retrySafe, status, serverType, causedBy, rootCauses, index, sourceCodes, field, transport };
  }
}

let lastPanic;
const inFlight = new Set();

function internal(detail) {
  return new EssnapError({
    code: 'internal',
    message: `essnap hit an internal error (a bug): ${detail}`,
    hint: 'report it with the steps that led to it; the operation stopped where it was (check the cluster before retrying)',
    retry: 'check_first',
    retrySafe: false,
  });
}

// A panic runs this hook just before the wasm instance traps: fail whatever was waiting.
raw.setPanicHandler((message) => {
  lastPanic = message;
  const err = internal(message);
  for (const reject of inFlight) reject(err);
  inFlight.clear();
});

function convert(e) {
  if (e instanceof EssnapError) return e;
  if (e && e.name === 'EssnapRawError') {
    try {
      return new EssnapError(JSON.parse(e.message));
    } catch {
      return internal(e.message);
    }
  }
  if (e instanceof WebAssembly.RuntimeError) {
    const detail = lastPanic ?? e.message;
    lastPanic = undefined;
    return internal(detail);
  }
  return internal(e?.message ?? String(e));
}

/** Calls into wasm; every exception becomes an EssnapError. */
function call(fn) {
  try {
    return fn();
  } catch (e) {
    throw convert(e);
  }
}

function invalid(field, problem, hint) {
  return new EssnapError({ code: 'invalid_input', message: `invalid ${field}: ${problem}`, hint, retry: 'no', field });
}

function str(field, v, optional = false) {
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw invalid(field, 'missing', `pass ${field} as a string`);
  }
  if (typeof v !== 'string') throw invalid(field, `expected a string, got ${typeof v}`, `pass ${field} as a string`);
  return v;
}

function uint(field, v, dflt) {
  if (v === undefined || v === null) return dflt;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw invalid(field, `${v} is not a whole number ≥ 0`, `pass ${field} as a whole number`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Transport and driving

function send(conn, req, signal) {
  return new Promise((resolve, reject) => {
    inFlight.add(reject);
    let p;
    try {
      p = conn.send(req, signal);
    } catch (e) {
      inFlight.delete(reject);
      reject(convert(e));
      return;
    }
    p.then(
      (r) => {
        inFlight.delete(reject);
        resolve(r);
      },
      (e) => {
        inFlight.delete(reject);
        reject(convert(e));
      },
    );
  });
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** One signal that fires when either does. */
function anySignal(a, b) {
  if (!a) return b;
  if (!b) return a;
  const c = new AbortController();
  const fire = () => c.abort();
  if (a.aborted || b.aborted) fire();
  a.addEventListener('abort', fire, { once: true });
  b.addEventListener('abort', fire, { once: true });
  return c.signal;
}

function deliver(runner, onEvent, onProgress) {
  const json = call(() => runner.events());
  if (json === undefined) return;
  for (const ev of JSON.parse(json)) {
    try {
      onEvent?.(ev);
      if (ev.event === 'progress' && onProgress) {
        const { event: _, ...progress } = ev;
        onProgress(progress);
      }
    } catch {
      // A throwing callback must not stop a restore half-way (indices may be closed).
    }
  }
}

/** Runs a machine to completion: send, wait, feed back, report events. */
async function drive(conn, runner, { signal, onEvent, onProgress, unsignalled }) {
  let s = call(() => runner.start());
  for (;;) {
    deliver(runner, onEvent, onProgress);
    if (s === DONE) return;
    if (s === SEND) {
      const req = call(() => runner.request());
      // Rollback requests (reopening indices) still go out after a cancel.
      const free = unsignalled?.(req.api) ?? false;
      const reply = signal?.aborted && !free ? raw.Reply.aborted() : await send(conn, req, free ? undefined : signal);
      req.free();
      s = call(() => runner.feed(reply));
    } else {
      await sleep(s, signal);
      s = call(() => runner.waited());
    }
  }
}

function timingJson(t) {
  if (t === undefined || t === null) return undefined;
  for (const k of ['pollIntervalMs', 'maxWaitMs', 'backoffMs', 'maxRetries']) uint(`timing.${k}`, t[k], 0);
  return JSON.stringify(t);
}

function outcomeOf(json) {
  const o = JSON.parse(json);
  if (o.error) o.error = new EssnapError(o.error);
  return o;
}

function abortedError(outcome) {
  return new EssnapError({
    code: 'aborted',
    message: 'the operation was cancelled (AbortSignal)',
    hint: 'a request already sent may still complete on the cluster — check its state (see `outcome`)',
    retry: 'check_first',
    outcome,
  });
}

function failedError(outcome, fallbackCode, fallbackMessage) {
  const e = outcome.error ?? new EssnapError({ code: fallbackCode, message: fallbackMessage });
  const err = new EssnapError({ ...e.toJSON(), outcome });
  return err;
}

// ---------------------------------------------------------------------------------------------
// The client

const planHandles = new WeakMap();

/** A restore plan: nothing has been sent yet. Data fields mirror essnap's `RestorePlan`. */
export class RestorePlan {
  constructor(handle, data) {
    Object.assign(this, data);
    planHandles.set(this, handle);
  }
  /** A table a user can read before confirming. */
  render() {
    const h = planHandles.get(this);
    return call(() => h.render());
  }
}

/** `{prefix}` or `{pattern, replacement}` (or nothing) in the core's shape. */
function renameJson(r) {
  if (r === undefined || r === null) return null;
  if (typeof r.prefix === 'string') return { prefix: r.prefix };
  if (typeof r.pattern === 'string' && typeof r.replacement === 'string') return { pattern: { pattern: r.pattern, replacement: r.replacement } };
  throw invalid('rename', 'expected {prefix} or {pattern, replacement}', 'pass {prefix: "restored-"} or {pattern: "(.+)", replacement: "r-$1"}');
}

function selectionJson(sel = {}) {
  if (typeof sel !== 'object' || sel === null) throw invalid('selection', 'expected an object', 'pass {indices, rename, closeConflicting, ...}');
  return JSON.stringify({
    indices: sel.indices ?? [],
    rename: renameJson(sel.rename),
    include_global_state: sel.includeGlobalState ?? false,
    feature_states: sel.featureStates ?? null,
    include_aliases: sel.includeAliases ?? null,
    partial: sel.partial ?? false,
    close_conflicting: sel.closeConflicting ?? false,
    index_settings: sel.indexSettings ?? null,
    ignore_index_settings: sel.ignoreIndexSettings ?? [],
    created_versions: sel.createdVersions ?? {},
  });
}

export class Client {
  #conn;
  #dialect;
  #signal;
  #timing;

  /** @internal use connect() */
  constructor(conn, options) {
    this.#conn = conn;
    this.#signal = options.signal ?? undefined;
    this.#timing = options.timing;
    this.url = conn.baseUrl;
    this.cluster = undefined;
    this.clusterInfo = undefined;
  }

  #sig(signal) {
    return anySignal(this.#signal, signal ?? undefined);
  }

  #d() {
    return this.#dialect ?? '{"distribution":"elasticsearch","version":null}';
  }

  async #one(build, decode, signal) {
    const req = call(build);
    const reply = await send(this.#conn, req, this.#sig(signal));
    req.free();
    try {
      return JSON.parse(call(() => decode(reply)));
    } finally {
      reply.free();
    }
  }

  /** `GET /`: name, cluster name, version. Also refreshes `client.cluster`. */
  async info({ signal } = {}) {
    const r = await this.#one(() => raw.reqInfo(), (reply) => raw.decodeInfo(reply), signal);
    this.#dialect = JSON.stringify(r.dialect);
    this.cluster = r.dialect;
    this.clusterInfo = r.info;
    return r.info;
  }

  /**
   * Cluster health (`GET /_cluster/health`), optionally of some indices and waiting for a status:
   * `{indices, waitForStatus: 'green', timeout: '30s'}`. A wait that times out answers 408 with
   * the health (`timed_out: true`), which is returned, not thrown.
   */
  async health({ indices, waitForStatus, timeout, signal } = {}) {
    if (indices !== undefined && !(Array.isArray(indices) && indices.every((i) => typeof i === 'string'))) {
      throw invalid('indices', 'expected an array of strings', 'pass index names');
    }
    if (waitForStatus !== undefined) str('waitForStatus', waitForStatus);
    if (timeout !== undefined) str('timeout', timeout);
    const build = () => raw.reqHealth(indices ? JSON.stringify(indices) : undefined, waitForStatus, timeout, this.#d());
    return this.#one(build, (reply) => raw.decodeHealth(reply), signal);
  }

  /** Registered repositories, by name. */
  async listRepositories({ signal } = {}) {
    const m = await this.#one(() => raw.reqRepositories(this.#d()), (r) => raw.decodeReply('snapshot.get_repository', r), signal);
    return Object.entries(m).map(([name, repo]) => ({ name, ...repo }));
  }

  /** Registers (or updates) a repository. */
  async addRepository(name, { type, settings = {}, verify } = {}, { signal } = {}) {
    str('name', name);
    str('type', type);
    const body = JSON.stringify(settings);
    return this.#one(() => raw.reqAddRepository(name, type, body, verify ?? undefined, this.#d()), (r) => raw.decodeReply('snapshot.create_repository', r), signal);
  }

  /** Asks every node to check that it can use the repository. */
  async verifyRepository(name, { signal } = {}) {
    str('name', name);
    return this.#one(() => raw.reqVerifyRepository(name, this.#d()), (r) => raw.decodeReply('snapshot.verify_repository', r), signal);
  }

  /** Unregisters a repository (its data stays where it is). */
  async removeRepository(name, { signal } = {}) {
    str('name', name);
    return this.#one(() => raw.reqRemoveRepository(name, this.#d()), (r) => raw.decodeReply('snapshot.delete_repository', r), signal);
  }

  /**
   * Deletes snapshots named exactly (resolve patterns with `listSnapshots` first, so that the
   * names confirmed are the names deleted), in as few requests as the cluster takes. Never
   * throws for a cluster's refusal: `{deleted, error}` says what happened; nothing is sent after
   * a failed request.
   */
  async deleteSnapshots(repository, snapshots, { signal } = {}) {
    str('repository', repository);
    if (!Array.isArray(snapshots) || !snapshots.length || snapshots.some((s) => typeof s !== 'string')) {
      throw invalid('snapshots', 'not a non-empty array of names', 'pass the names to delete, e.g. ["nightly-2025.01.01"]');
    }
    const batches = JSON.parse(call(() => raw.deleteBatches(repository, JSON.stringify(snapshots), this.#d())));
    const deleted = [];
    for (const batch of batches) {
      try {
        await this.#one(() => raw.reqDeleteSnapshots(repository, JSON.stringify(batch), this.#d()), (r) => raw.decodeReply('snapshot.delete', r), signal);
      } catch (error) {
        if (!(error instanceof EssnapError)) throw error;
        return { deleted, error };
      }
      deleted.push(...batch);
    }
    return { deleted, error: null };
  }

  /** Pages of a repository's snapshots, with bounded memory. */
  async *listSnapshots({ repository, snapshots, size = 500, after, sort, order, verbose = true, signal } = {}) {
    str('repository', repository);
    str('after', after, true);
    str('sort', sort, true);
    str('order', order, true);
    if (snapshots !== undefined && !(Array.isArray(snapshots) && snapshots.every((s) => typeof s === 'string'))) {
      throw invalid('snapshots', 'expected an array of strings', 'pass names or patterns');
    }
    const sig = this.#sig(signal);
    const pager = call(() => new raw.Pager(repository, this.#d(), uint('size', size, 500), sort, order, Boolean(verbose), after, snapshots ? JSON.stringify(snapshots) : undefined));
    try {
      for (;;) {
        const req = call(() => pager.nextRequest());
        if (!req) return;
        const reply = await send(this.#conn, req, sig);
        req.free();
        let page;
        try {
          page = JSON.parse(call(() => pager.onReply(reply)));
        } finally {
          reply.free();
        }
        if (page.snapshots.length > 0) yield page;
      }
    } finally {
      pager.free();
    }
  }

  async #gather(repository, snapshot, signal) {
    str('repository', repository);
    str('snapshot', snapshot);
    const runner = call(() => raw.Runner.gather(repository, snapshot, timingJson(this.#timing)));
    await drive(this.#conn, runner, { signal: this.#sig(signal) });
    return runner;
  }

  /** Can this cluster restore the snapshot, and each index in it? */
  async check(repository, snapshot, { createdVersions, signal } = {}) {
    const runner = await this.#gather(repository, snapshot, signal);
    try {
      return JSON.parse(call(() => runner.check(createdVersions ? JSON.stringify(createdVersions) : undefined)));
    } finally {
      runner.free();
    }
  }

  /** Reads the snapshot and the cluster and plans the restore; sends nothing that changes anything. */
  async planRestore(repository, snapshot, selection = {}, { signal } = {}) {
    const sel = selectionJson(selection);
    const runner = await this.#gather(repository, snapshot, signal);
    try {
      const handle = call(() => runner.plan(sel));
      return new RestorePlan(handle, JSON.parse(call(() => handle.json())));
    } finally {
      runner.free();
    }
  }

  /** Executes a plan: close → restore → watch progress; rolls back what it closed on failure. */
  async executeRestore(plan, { onProgress, onEvent, signal, timing } = {}) {
    const handle = plan instanceof RestorePlan ? planHandles.get(plan) : undefined;
    if (!handle) throw invalid('plan', 'not a plan from planRestore()', 'pass the RestorePlan returned by client.planRestore()');
    const sig = this.#sig(signal);
    const runner = call(() => raw.Runner.restore(handle, timingJson(timing ?? this.#timing)));
    let outcome;
    try {
      await drive(this.#conn, runner, { signal: sig, onEvent, onProgress, unsignalled: (api) => api === 'indices.open' });
      outcome = outcomeOf(call(() => runner.result()));
    } finally {
      runner.free();
    }
    if (sig?.aborted) throw abortedError(outcome);
    if (outcome.status === 'failed' || outcome.status === 'not_started') throw failedError(outcome, 'restore_failed', `the restore did not happen (${outcome.status})`);
    return outcome;
  }

  /** Takes a snapshot and watches it finish. */
  async createSnapshot(repository, snapshot, { indices, includeGlobalState, partial, metadata, featureStates, ignoreUnavailable, expandWildcards, onProgress, onEvent, signal, timing } = {}) {
    str('repository', repository);
    str('snapshot', snapshot);
    const opts = JSON.stringify({ indices, includeGlobalState, partial, metadata, featureStates, ignoreUnavailable, expandWildcards });
    const sig = this.#sig(signal);
    const runner = call(() => raw.Runner.create(repository, snapshot, opts, this.#d(), timingJson(timing ?? this.#timing)));
    let outcome;
    try {
      await drive(this.#conn, runner, { signal: sig, onEvent, onProgress });
      outcome = outcomeOf(call(() => runner.result()));
    } finally {
      runner.free();
    }
    if (sig?.aborted) throw abortedError(outcome);
    if (outcome.status === 'not_created') throw failedError(outcome, 'snapshot_failed', 'the snapshot was not created');
    if (outcome.status === 'failed') throw failedError(outcome, 'snapshot_failed', `snapshot ${outcome.name ?? snapshot} failed: ${outcome.snapshot?.reason ?? outcome.failures.join('; ')}`);
    return outcome;
  }

  /** Frees the connection's wasm memory (optional; garbage collection does it too). */
  close() {
    this.#conn.free();
  }
}

/** Opens a client: checks the URL and options, reads `GET /` to learn the cluster's version. */
export async function connect(options) {
  if (typeof options === 'string') options = { url: options };
  if (typeof options !== 'object' || options === null) throw invalid('options', 'expected {url, ...}', 'pass connect({url: "https://host:9200"})');
  const { url, username, password, apiKey, headers, timeoutMs, signal } = options;
  str('url', url);
  str('username', username, true);
  str('password', password, true);
  str('apiKey', apiKey, true);
  let headersJson;
  if (headers !== undefined && headers !== null) {
    const entries = headers instanceof Map ? [...headers] : Object.entries(headers);
    for (const [k, v] of entries) str(`headers.${k}`, v);
    headersJson = JSON.stringify(entries);
  }
  const conn = call(() => new raw.Conn(url, username, password, apiKey, headersJson, uint('timeoutMs', timeoutMs, 30000)));
  const client = new Client(conn, options);
  try {
    await client.info({ signal });
  } catch (e) {
    conn.free();
    throw e;
  }
  return client;
}

// ---------------------------------------------------------------------------------------------
// Elastic Cloud Enterprise

/** An ECE API endpoint (`connectEce`): takes snapshots through ECE, with the core's fallback. */
export class EceClient {
  #conn;
  #timing;

  constructor(conn, options = {}) {
    this.#conn = conn;
    this.#timing = options.timing;
    /** `scheme://host:port[/prefix]`, without credentials. */
    this.url = conn.baseUrl;
  }

  /**
   * Takes a snapshot of an ECE cluster: the clusters API, or, when this ECE no longer has it
   * and `deploymentId` is given, the Elasticsearch snapshot API through the deployment proxy.
   * With `wait` (default) it then watches until ECE settles. Resolves to
   * `{name, viaProxy, state: 'succeeded'|'failed'|'pending'|'unknown'|undefined, warning?}`;
   * throws the EssnapError when ECE refuses (ECE's codes in `sourceCodes`). The take call is
   * never sent twice.
   */
  async takeSnapshot(clusterId, { name, repository, esUsername, esPassword, deploymentId, refId, preferProxy, wait = true, timing, onEvent, signal } = {}) {
    str('clusterId', clusterId);
    for (const [k, v] of Object.entries({ name, repository, esUsername, esPassword, deploymentId, refId })) str(k, v, true);
    const opts = JSON.stringify({ clusterId, name, repository, esUsername, esPassword, deploymentId, refId, preferProxy: Boolean(preferProxy), wait: Boolean(wait) });
    const runner = call(() => raw.Runner.eceSnapshot(opts, timingJson(timing ?? this.#timing)));
    let outcome;
    try {
      await drive(this.#conn, runner, { signal, onEvent });
      outcome = outcomeOf(call(() => runner.result()));
    } finally {
      runner.free();
    }
    if (outcome.name === null || outcome.name === undefined) {
      if (signal?.aborted) throw abortedError(outcome);
      throw failedError(outcome, 'other', 'ECE did not take the snapshot');
    }
    const r = { name: outcome.name, viaProxy: outcome.via_proxy, state: outcome.state ?? undefined };
    if (outcome.error) r.warning = outcome.error;
    return r;
  }

  /** Frees the connection's wasm memory (optional). */
  close() {
    this.#conn.free();
  }
}

/**
 * An ECE client: `{url, apiKey}` or `{url, username, password}`; `timeoutMs`, `timing`. ECE's
 * own port (12443) must be in the URL; nothing is sent until a call.
 */
export function connectEce(options) {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'expected {url, apiKey}', 'pass connectEce({url: "https://ece.example:12443", apiKey})');
  const { url, username, password, apiKey, timeoutMs } = options;
  str('url', url);
  str('username', username, true);
  str('password', password, true);
  str('apiKey', apiKey, true);
  const conn = call(() => raw.Conn.ece(url, username, password, apiKey, uint('timeoutMs', timeoutMs, 30000)));
  return new EceClient(conn, options);
}

// ---------------------------------------------------------------------------------------------
// Pure functions: no network

function bytes(body) {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body === undefined || body === null) return new Uint8Array();
  return new TextEncoder().encode(JSON.stringify(body));
}

function headersJson(h) {
  if (h === undefined || h === null) return undefined;
  const entries = typeof h.entries === 'function' && !Array.isArray(h) ? [...h.entries()] : Array.isArray(h) ? h : Object.entries(h);
  return JSON.stringify(entries.map(([k, v]) => [String(k), String(v)]));
}

/** The verdict for restoring a snapshot (or one index of it) into a cluster. */
export function checkCompatibility(query) {
  return JSON.parse(call(() => raw.checkCompatibility(JSON.stringify(query ?? {}))));
}

/** Decodes a response of `api` (rest-api-spec name) into essnap's model; throws its error. */
export function decode(api, { status = 200, body, headers } = {}) {
  str('api', api);
  return JSON.parse(call(() => raw.decodeResponse(api, uint('status', status, 200), bytes(body), headersJson(headers))));
}

const num = (x) => (Number.isNaN(x) ? undefined : x);

/**
 * The listed fields of a get-snapshots answer (any version's shape), one plain object per
 * snapshot: decoded in wasm into columns, then built here, so it costs less than `JSON.parse`
 * of the whole body. Absent fields are `undefined`. Throws the same EssnapError as `decode`.
 */
export function decodeSnapshotList({ status = 200, body, headers } = {}) {
  const c = call(() => raw.decodeSnapshotColumns(uint('status', status, 200), bytes(body), headersJson(headers)));
  const { snapshot: names, snapshotEnds, uuid: uuids, uuidEnds, state, version, version_id: vid } = c;
  const { start_time_in_millis: start, end_time_in_millis: end, duration_in_millis: dur } = c;
  const { index_count: ic, data_stream_count: dc, failure_count: fc, shards_total: st, shards_failed: sf, shards_successful: ss } = c;
  const states = [undefined, ...c.states];
  const versions = [undefined, ...c.versions];
  const snapshots = new Array(c.len);
  let n0 = 0;
  let u0 = 0;
  for (let i = 0; i < c.len; i++) {
    const n1 = snapshotEnds[i];
    const u1 = uuidEnds[i];
    snapshots[i] = {
      snapshot: names.slice(n0, n1),
      uuid: u1 > u0 ? uuids.slice(u0, u1) : undefined,
      state: states[state[i]],
      version: versions[version[i]],
      version_id: num(vid[i]),
      start_time_in_millis: num(start[i]),
      end_time_in_millis: num(end[i]),
      duration_in_millis: num(dur[i]),
      index_count: ic[i],
      data_stream_count: dc[i],
      failure_count: fc[i],
      shards: Number.isNaN(st[i]) ? undefined : { total: st[i], failed: sf[i], successful: ss[i] },
    };
    n0 = n1;
    u0 = u1;
  }
  return { snapshots, total: c.total, remaining: c.remaining, next: c.next };
}

/**
 * The names a restore with `rename` ({prefix} or {pattern, replacement}) gives `names`, exactly
 * as the planner and the server compute them (Java replaceAll semantics). Throws EssnapError
 * `invalid_input` for a pattern or replacement that can't be used.
 */
export function previewRename(names, rename) {
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw invalid('names', 'expected an array of strings', 'pass the index names');
  return JSON.parse(call(() => raw.previewRename(JSON.stringify({ names, rename: renameJson(rename) }))));
}

/** The EssnapError for an error answer (returned, not thrown). */
export function explainError({ status, body, headers } = {}) {
  return new EssnapError(JSON.parse(call(() => raw.explainError(uint('status', status, 500), bytes(body), headersJson(headers)))));
}

/** Every error code with hint, retry advice and the server codes behind it. */
export function errorCatalogue() {
  return JSON.parse(call(() => raw.errorCatalogue()));
}

/** The API names `decode` understands. */
export function decodableApis() {
  return JSON.parse(call(() => raw.decodableApis()));
}

/** @internal proves in tests that a panic becomes an EssnapError with code `internal`. */
export function _testPanic(message = 'test panic') {
  call(() => raw.testPanic(message));
}
