// The one module that talks to the `essnap` npm package. Every other module of the console uses
// only what this file exports, so a change of the package's API touches this file alone.
//
// One stopgap lives here until the package grows the calls (see www/README.md, "Waiting on the
// package"): the ECE calls (sent with fetch, errors explained with the package's `explainError`,
// which knows the ECE error codes).

import * as essnap from 'essnap';

export const EssnapError = essnap.EssnapError;

/** A plain view of any error: what the console shows. */
export function errorView(e) {
  if (e && typeof e === 'object' && 'code' in e) {
    return {
      code: e.code ?? 'other',
      message: e.message ?? String(e),
      hint: e.hint ?? '',
      status: e.status,
      retrySafe: Boolean(e.retrySafe),
      transport: e.transport,
      serverType: e.serverType,
      outcome: e.outcome,
    };
  }
  return { code: 'internal', message: e?.message ?? String(e), hint: 'unexpected error in the console', retrySafe: false };
}

/** Whether the browser refused the cross-origin request (CORS), as the package reports it. */
export function isCors(e) {
  return e?.transport === 'cors';
}

/** A fetch failure as an EssnapError-like object (CORS is all a browser can tell apart). */
function fetchFailure(url, err, what, extraHeaders = []) {
  const origin = new URL(url).origin;
  const cross = typeof location !== 'undefined' && location.origin !== origin;
  if (err?.name === 'AbortError') {
    return new EssnapError({ code: 'aborted', message: `${what} was cancelled`, hint: 'a request already sent may still complete', retry: 'check_first' });
  }
  return new EssnapError({
    code: cross ? 'cors_blocked' : 'connection_failed',
    message: cross
      ? `the browser blocked the request from ${location.origin} to ${origin} (CORS), or the server is unreachable: ${err?.message ?? err}`
      : `could not reach ${origin}: ${err?.message ?? err}`,
    hint: cross ? corsHint(extraHeaders) : 'check the URL and that the server is running',
    retrySafe: true,
    transport: cross ? 'cors' : 'connect',
  });
}

export function corsHint(extraHeaders = []) {
  const page = typeof location !== 'undefined' ? location.origin : 'this page';
  const headers = ['Authorization', 'Content-Type', 'X-Requested-With', ...extraHeaders].join(', ');
  return `allow this page's origin (CORS): http.cors.enabled: true, http.cors.allow-origin: "${page}", http.cors.allow-headers: "${headers}"${extraHeaders.length ? ` (this call sends ${extraHeaders.join(', ')})` : ''}`;
}

async function rawCall(url, { method = 'GET', headers = {}, body, signal, timeoutMs = 30000, what, extraHeaders }) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const onAbort = () => ctl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await fetch(url, { method, headers, body, signal: ctl.signal, credentials: 'omit' });
    const bytes = new Uint8Array(await r.arrayBuffer());
    const hdrs = [...r.headers.entries()];
    return { status: r.status, body: bytes, headers: hdrs };
  } catch (e) {
    throw fetchFailure(url, e, what, extraHeaders);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Base64 of `id:key`, or the key as given. */
function normaliseAuth(auth) {
  if (!auth || auth.kind === 'none') return {};
  if (auth.kind === 'basic') return { username: auth.username || undefined, password: auth.password ?? '' };
  if (auth.kind === 'apikey') return { apiKey: auth.apiKey || undefined };
  return {};
}

/**
 * Opens a session: `{url, auth: {kind: 'none'|'basic'|'apikey', username, password, apiKey}, timeoutMs}`.
 * Resolves to a Session; rejects with an EssnapError.
 */
export async function connect({ url, auth, timeoutMs = 30000, signal } = {}) {
  const client = await essnap.connect({ url: url?.trim(), ...normaliseAuth(auth), timeoutMs, signal });
  return new Session(client);
}

/** A page cursor over a repository's snapshots; `next()` resolves to a page or null at the end. */
class SnapshotPager {
  #it;
  #done = false;
  constructor(it) {
    this.#it = it;
  }
  async next() {
    if (this.#done) return null;
    const r = await this.#it.next();
    if (r.done) {
      this.#done = true;
      return null;
    }
    return r.value;
  }
  get done() {
    return this.#done;
  }
  async close() {
    this.#done = true;
    await this.#it.return?.();
  }
}

export class Session {
  #client;
  constructor(client) {
    this.#client = client;
  }

  get url() {
    return this.#client.url;
  }
  /** `{distribution, version}` */
  get cluster() {
    return this.#client.cluster;
  }
  /** The answer to `GET /`. */
  get info() {
    return this.#client.clusterInfo;
  }

  /** Cluster health. */
  health(opts) {
    return this.#client.health(opts);
  }

  listRepositories(opts) {
    return this.#client.listRepositories(opts);
  }
  addRepository(name, type, settings, opts) {
    return this.#client.addRepository(name, { type, settings }, opts);
  }
  verifyRepository(name, opts) {
    return this.#client.verifyRepository(name, opts);
  }
  removeRepository(name, opts) {
    return this.#client.removeRepository(name, opts);
  }

  /** `{repository, size, sort, order, filter}`: filter is a name substring or a pattern with `*`. */
  snapshotPager({ repository, size = 100, sort, order, filter, after, signal } = {}) {
    let snapshots;
    const f = filter?.trim();
    if (f) snapshots = f.split(',').map((p) => p.trim()).filter(Boolean).map((p) => (p.includes('*') || p.startsWith('-') ? p : `*${p}*`));
    return new SnapshotPager(this.#client.listSnapshots({ repository, size, sort: sort || undefined, order: order || undefined, snapshots, after, signal }));
  }

  /** One snapshot's full entry (indices, data streams, feature states), or null. */
  async snapshot(repository, name, { signal } = {}) {
    for await (const page of this.#client.listSnapshots({ repository, snapshots: [name], size: 1, signal })) {
      const s = page.snapshots.find((x) => x.snapshot === name);
      if (s) return s;
    }
    return null;
  }

  /** The compatibility verdict of a listed snapshot for this cluster (pure, no request). */
  compatibility(snapshot) {
    // version_id is exact and tells OpenSearch snapshots apart (masked ids); `version` may be garbled.
    const version = snapshot?.version_id ?? snapshot?.version;
    if (version == null) return { kind: 'unknown', reason: 'the snapshot does not report its version' };
    try {
      return essnap.checkCompatibility({ cluster: this.cluster, snapshot: { distribution: this.cluster.distribution, version } });
    } catch (e) {
      return { kind: 'unknown', reason: errorView(e).message };
    }
  }

  /** Per-index verdicts (reads the snapshot and the cluster). */
  check(repository, snapshot, opts) {
    return this.#client.check(repository, snapshot, opts);
  }

  /**
   * `selection`: {indices, rename: null | {prefix} | {pattern, replacement}, closeConflicting,
   * includeGlobalState, includeAliases, partial}. Resolves to the package's RestorePlan.
   */
  planRestore(repository, snapshot, selection, opts) {
    const sel = { ...selection };
    if (!sel.rename) delete sel.rename;
    return this.#client.planRestore(repository, snapshot, sel, opts);
  }

  executeRestore(plan, { onProgress, onEvent, signal } = {}) {
    return this.#client.executeRestore(plan, { onProgress, onEvent, signal });
  }

  createSnapshot(repository, name, { indices, includeGlobalState, partial, onProgress, onEvent, signal } = {}) {
    return this.#client.createSnapshot(repository, name, { indices: indices?.length ? indices : undefined, includeGlobalState, partial, onProgress, onEvent, signal });
  }

  close() {
    try {
      this.#client.close();
    } catch {}
  }
}

/** The snapshot's plan as text (the package's own rendering). */
export function renderPlan(plan) {
  try {
    return plan.render();
  } catch {
    return '';
  }
}

/**
 * Target names of a rename, for the live preview: the package computes them as the planner and
 * the server do (Java replaceAll semantics). Returns {targets, error}.
 */
export function previewRename(names, rename) {
  try {
    return { targets: essnap.previewRename(names, rename ?? null), error: null };
  } catch (e) {
    return { targets: names.slice(), error: e.message };
  }
}

// ---------------------------------------------------------------------------------------------
// ECE (stopgap: the package does not expose the core's essnap::ece yet)

function eceHeaders(apiKey, json = true) {
  const h = { authorization: `ApiKey ${apiKey}` };
  if (json) h['content-type'] = 'application/json';
  return h;
}

function eceError(r) {
  return essnap.explainError(r);
}

function parseJson(bytes) {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

/** Whether ECE answered like a route that is gone (ECE 3.0+ removed the clusters API). */
function routeGone(r) {
  if (r.status !== 404) return false;
  const hasCode = r.headers.some(([k]) => k.toLowerCase() === 'x-cloud-error-codes');
  const body = parseJson(r.body);
  return !hasCode && !(body && Array.isArray(body.errors) && body.errors.length);
}

/**
 * Takes a snapshot through ECE: `{url, apiKey, clusterId, repository, name, deploymentId,
 * onStage, signal}`. Uses the clusters API; when that route is gone and a deployment id is given,
 * falls back to the Elasticsearch snapshot API through the deployment proxy. Then watches the
 * cluster's plan until it settles. Resolves to {name, via, progress, info}.
 */
export async function eceTakeSnapshot({ url, apiKey, clusterId, repository, name, deploymentId, onStage, signal, pollMs = 500, maxWaitMs = 60000 }) {
  const base = String(url ?? '').trim().replace(/\/+$/, '');
  const check = (field, ok, hint) => {
    if (!ok) throw new EssnapError({ code: 'invalid_input', message: `invalid ${field}`, hint, field });
  };
  check('url', /^https?:\/\/[^/]+/.test(base), 'the ECE coordinator URL, e.g. https://ece.example:12443');
  check('api_key', Boolean(apiKey?.trim()), 'an ECE API key (sent as Authorization: ApiKey <key>)');
  check('cluster_id', /^[0-9a-f]{1,64}$/.test(clusterId ?? ''), 'the Elasticsearch cluster id: lowercase hex, from the ECE UI');
  const body = {};
  if (name) body.name = name;
  if (repository) body.repository_name = repository;
  onStage?.('requesting', `POST /api/v1/clusters/elasticsearch/${clusterId}/_snapshot`);
  let r = await rawCall(`${base}/api/v1/clusters/elasticsearch/${clusterId}/_snapshot`, { method: 'POST', headers: eceHeaders(apiKey), body: JSON.stringify(body), signal, what: 'the ECE take-snapshot call' });
  let via = 'clusters API';
  let taken;
  if (routeGone(r) && deploymentId) {
    via = 'deployment proxy';
    const snap = name || `scheduled-${Math.floor(Date.now() / 1000)}`;
    onStage?.('fallback', 'the clusters API is gone on this ECE: taking it through the deployment proxy');
    r = await rawCall(`${base}/api/v1/deployments/${deploymentId}/elasticsearch/_main/proxy/_snapshot/${encodeURIComponent(repository || 'found-snapshots')}/${encodeURIComponent(snap)}?wait_for_completion=false`, {
      method: 'PUT',
      headers: { ...eceHeaders(apiKey), 'x-management-request': 'true' },
      body: '{}',
      signal,
      what: 'the ECE proxy snapshot call',
      extraHeaders: ['X-Management-Request'],
    });
    if (r.status < 200 || r.status > 299) throw eceError(r);
    taken = snap;
  } else {
    if (r.status < 200 || r.status > 299) throw eceError(r);
    taken = parseJson(r.body)?.name ?? name;
  }
  onStage?.('accepted', `ECE accepted snapshot ${taken}`);
  // Watch the plan: pending while the snapshot command is applied.
  const t0 = Date.now();
  let info;
  let progress = 'unknown';
  while (via === 'clusters API' && Date.now() - t0 < maxWaitMs) {
    if (signal?.aborted) break;
    const g = await rawCall(`${base}/api/v1/clusters/elasticsearch/${clusterId}`, { headers: eceHeaders(apiKey, false), signal, what: 'the ECE cluster info call' });
    if (g.status < 200 || g.status > 299) throw eceError(g);
    info = parseJson(g.body) ?? {};
    const pending = Boolean(info.plan_info?.pending);
    const s = info.snapshots ?? {};
    if (pending) progress = 'pending';
    else if (info.plan_info?.healthy === false || s.latest_successful === false) progress = 'failed';
    else if (s.latest_successful === true) progress = 'succeeded';
    else progress = 'unknown';
    onStage?.(progress, `cluster ${info.status ?? '?'}; latest snapshot ${s.latest_status ?? '?'}`);
    if (!pending) break;
    await new Promise((res) => setTimeout(res, pollMs));
  }
  return { name: taken, via, progress, info };
}

/** Every essnap error code with its hint (for the help panel). */
export function errorCatalogue() {
  return essnap.errorCatalogue();
}
