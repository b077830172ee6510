// The one module that talks to the `essnap` npm package. Every other module of the console uses
// only what this file exports, so a change of the package's API touches this file alone.
//

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
  /** `{deleted, error}`: never throws for the cluster's refusal. */
  deleteSnapshots(repository, names, opts) {
    return this.#client.deleteSnapshots(repository, names, opts);
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
// ECE

/**
 * Takes a snapshot through ECE: `{url, apiKey, clusterId, repository, name, deploymentId,
 * onStage, signal}`. The package's ECE client uses the clusters API, falls back to the
 * Elasticsearch snapshot API through the deployment proxy when that route is gone (with a
 * deployment id), then watches until ECE settles. Resolves to {name, via, progress}.
 */
export async function eceTakeSnapshot({ url, apiKey, clusterId, repository, name, deploymentId, onStage, signal, pollMs = 500, maxWaitMs = 60000 }) {
  const ece = essnap.connectEce({ url: String(url ?? '').trim(), apiKey: apiKey?.trim() || undefined, timing: { pollIntervalMs: pollMs, maxWaitMs } });
  try {
    const onEvent = (e) => {
      if (e.event === 'stage') onStage?.(e.stage, e.detail);
      else if (e.event === 'warning') onStage?.('warning', e.message);
      else if (e.event === 'retry') onStage?.('retry', e.reason);
    };
    const r = await ece.takeSnapshot(clusterId, { name: name || undefined, repository: repository || undefined, deploymentId: deploymentId || undefined, onEvent, signal });
    return { name: r.name, via: r.viaProxy ? 'deployment proxy' : 'clusters API', progress: r.state ?? 'requested' };
  } finally {
    ece.close();
  }
}

/** Every essnap error code with its hint (for the help panel). */
export function errorCatalogue() {
  return essnap.errorCatalogue();
}
