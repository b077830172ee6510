// Types of the `essnap` package (hand-written: the wrapper in index.js, not the raw wasm-bindgen
// layer). Data objects keep essnap's / the cluster's snake_case field names; options are camelCase.

// ---------------------------------------------------------------------------------------------
// Errors

/** Stable error codes (see `errorCatalogue()`), plus `invalid_input` and `internal` from this package. */
export type ErrorCode =
  | 'snapshot_missing' | 'repository_missing' | 'invalid_snapshot_name' | 'snapshot_already_exists'
  | 'concurrent_snapshot_execution' | 'restore_conflict_open_index' | 'restore_shard_count_mismatch'
  | 'restore_name_conflict'
  | 'restore_incompatible_version' | 'restore_failed' | 'snapshot_failed' | 'repository_verification_failed'
  | 'repository_in_use' | 'repository_read_only' | 'repository_type_unknown' | 'invalid_repository' | 'index_closed' | 'index_not_found' | 'index_already_exists'
  | 'invalid_index_name' | 'unauthorized' | 'forbidden' | 'rate_limited' | 'gateway_timeout' | 'bad_gateway'
  | 'service_unavailable' | 'timeout' | 'bad_request' | 'not_found' | 'server_error' | 'invalid_response'
  | 'connection_failed' | 'connection_dropped' | 'tls_error' | 'cors_blocked' | 'aborted'
  | 'ece_cluster_not_found' | 'ece_deployment_not_found' | 'ece_invalid_credentials'
  | 'ece_elevated_permissions_required' | 'ece_snapshot_failed' | 'ece_endpoint_removed' | 'other'
  | 'invalid_input' | 'internal'
  | (string & {});

/** `safe`: resend after a pause; `check_first`: the server may have acted; `no`: fix the cause first. */
export type RetryAdvice = 'safe' | 'check_first' | 'no';

/** Why a request got no HTTP answer. */
export type TransportKind = 'connect' | 'timeout' | 'dropped' | 'tls' | 'cors' | 'aborted' | 'other';

export interface Cause {
  kind: string;
  reason: string;
}

export interface EssnapErrorFields {
  code: ErrorCode;
  message: string;
  hint: string;
  retry: RetryAdvice;
  retrySafe: boolean;
  status?: number;
  serverType?: string;
  causedBy: Cause[];
  rootCauses: Cause[];
  index?: string;
  sourceCodes: string[];
  /** For `invalid_input`: which option or argument was wrong. */
  field?: string;
  /** For failures below HTTP. */
  transport?: TransportKind;
}

/** Every error essnap throws. `message` is the server's own message when there was one. */
export class EssnapError extends Error implements EssnapErrorFields {
  constructor(fields?: Partial<EssnapErrorFields> & { outcome?: RestoreOutcome | CreateOutcome });
  readonly name: 'EssnapError';
  code: ErrorCode;
  hint: string;
  retry: RetryAdvice;
  retrySafe: boolean;
  status?: number;
  serverType?: string;
  causedBy: Cause[];
  rootCauses: Cause[];
  index?: string;
  sourceCodes: string[];
  field?: string;
  transport?: TransportKind;
  /** For a failed, refused or cancelled `executeRestore` / `createSnapshot`: where things ended up. */
  outcome?: RestoreOutcome | CreateOutcome;
  toJSON(): EssnapErrorFields & { name: 'EssnapError' };
}

// ---------------------------------------------------------------------------------------------
// Connecting

export type Distribution = 'elasticsearch' | 'opensearch';

export interface Dialect {
  distribution: Distribution;
  /** `null` when the cluster did not say. */
  version: string | null;
}

/** Knobs of the long-running operations (milliseconds). */
export interface Timing {
  /** Between progress polls (default 1000). */
  pollIntervalMs?: number;
  /** Stop watching after this long; the operation keeps running on the server (default 6 h). */
  maxWaitMs?: number;
  /** Base pause before retrying a refused (429/503) or failed read (default 1000). */
  backoffMs?: number;
  /** Retries of refused or failed reads (default 5). */
  maxRetries?: number;
}

export interface ConnectOptions {
  /** `[http[s]://][user:password@]host[:port][/path-prefix]`; credentials become a Basic header. */
  url: string;
  username?: string;
  password?: string;
  /** The `encoded` value of the create-API-key answer, or `id:key`. */
  apiKey?: string;
  /** Sent with every request. */
  headers?: Record<string, string> | Map<string, string>;
  /** Per request (default 30000; 0 = none). */
  timeoutMs?: number;
  /** Cancels `connect()` and, later, every call of the client. */
  signal?: AbortSignal;
  /** Defaults for `executeRestore`, `createSnapshot` and the reads of `check`/`planRestore`. */
  timing?: Timing;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface VersionInfo {
  number: string;
  distribution?: string;
  build_flavor?: string;
  build_type?: string;
  build_hash?: string;
  build_date?: string;
  build_snapshot?: boolean;
  lucene_version?: string;
  minimum_wire_compatibility_version?: string;
  minimum_index_compatibility_version?: string;
  [key: string]: unknown;
}

/** `GET /`. */
export interface Info {
  name?: string;
  cluster_name?: string;
  cluster_uuid?: string;
  version: VersionInfo;
  tagline?: string;
}

export interface Repository {
  name: string;
  type: string;
  uuid?: string;
  settings: Record<string, unknown>;
}

export interface AddRepositoryOptions {
  /** `fs`, `s3`, `url`, or any other type (`azure`, `gcs`, `hdfs`, `source`, ...). */
  type: string;
  settings?: Record<string, unknown>;
  /** `false` skips the verification the cluster does on registration. */
  verify?: boolean;
}

export interface Acknowledged {
  acknowledged: boolean;
  [key: string]: unknown;
}

export interface VerifyResult {
  nodes: Record<string, { name: string }>;
}

// ---------------------------------------------------------------------------------------------
// Snapshots

export type SnapshotState = 'IN_PROGRESS' | 'SUCCESS' | 'FAILED' | 'PARTIAL' | 'INCOMPATIBLE' | (string & {});
export type SnapshotSort = 'start_time' | 'duration' | 'name' | 'repository' | 'index_count' | 'shard_count' | 'failed_shard_count';

export interface ShardFailure {
  index?: string;
  index_uuid?: string;
  shard_id?: number;
  reason?: string;
  node_id?: string;
  status?: string;
}

export interface SnapshotInfo {
  snapshot: string;
  uuid?: string;
  repository?: string;
  version_id?: number;
  version?: string;
  indices: string[];
  data_streams?: string[];
  feature_states?: { feature_name: string; indices: string[] }[];
  include_global_state?: boolean;
  metadata?: Record<string, unknown>;
  state?: SnapshotState;
  reason?: string;
  start_time?: string;
  start_time_in_millis?: number;
  end_time?: string;
  end_time_in_millis?: number;
  duration_in_millis?: number;
  failures?: ShardFailure[];
  shards?: { total: number; failed: number; successful: number };
  index_details?: Record<string, { shard_count?: number; size_in_bytes?: number; max_segments_per_shard?: number }>;
  [key: string]: unknown;
}

export interface ListSnapshotsOptions extends CallOptions {
  repository: string;
  /** Names or patterns (`-name` excludes); default all. */
  snapshots?: string[];
  /** Per page, 1 to 10000 (default 500). */
  size?: number;
  /** Resume after the `next` cursor of an earlier page (Elasticsearch 7.14+). */
  after?: string;
  sort?: SnapshotSort;
  order?: 'asc' | 'desc';
  /** `false`: names, indices and state only (cheap). Default true. */
  verbose?: boolean;
}

export interface SnapshotPage {
  snapshots: SnapshotInfo[];
  /** All snapshots that match, when known. */
  total: number | null;
  /** Snapshots after this page, when known. */
  remaining: number | null;
  /** Cursor to resume after this page (cursor paging only). */
  next: string | null;
}

// ---------------------------------------------------------------------------------------------
// Compatibility

export type VerdictKind = 'ok' | 'ok_with_warnings' | 'read_only_archive' | 'incompatible';

export interface Rule {
  id: string;
  says: string;
  source: string;
  [key: string]: unknown;
}

export interface Verdict {
  kind: VerdictKind;
  /** One sentence: what happens and what to do. */
  reason: string;
  rule: Rule;
  /** False when the verdict depends on index versions the snapshot does not report. */
  certain: boolean;
  warnings: string[];
}

export interface Side {
  distribution: Distribution;
  version: string;
}

export interface CompatibilityQuery {
  cluster: Side;
  snapshot: Side;
  /** Check one index of the snapshot... */
  index?: string;
  /** ...created by this version (exact verdict), when known. */
  created?: Side;
}

export interface CheckResult {
  repository: string;
  snapshot: string;
  state: SnapshotState;
  snapshotVersion: string | null;
  snapshotDistribution: Distribution | null;
  cluster: Dialect;
  verdict: Verdict;
  restorable: boolean;
  indices: { index: string; dataStream: string | null; verdict: Verdict }[];
}

// ---------------------------------------------------------------------------------------------
// Restore

export interface RestoreSelection {
  /** Index and data stream names or patterns (`-x` excludes); empty = the whole snapshot. */
  indices?: string[];
  rename?: { prefix: string } | { pattern: string; replacement: string };
  includeGlobalState?: boolean;
  /** Feature states to restore (`['none']` for none); default the server's. */
  featureStates?: string[];
  includeAliases?: boolean;
  /** Restore indices whose shards are partly missing from a PARTIAL snapshot. */
  partial?: boolean;
  /** Allow the plan to close open indices the restore would overwrite. */
  closeConflicting?: boolean;
  indexSettings?: Record<string, unknown>;
  ignoreIndexSettings?: string[];
  /** `index.version.created` per index, read from the source cluster: makes verdicts exact. */
  createdVersions?: Record<string, string>;
}

export type ItemAction = 'create' | 'close_and_restore_over' | 'restore_over_closed' | 'blocked';

export interface PlanItem {
  source: string;
  target: string;
  data_stream: string | null;
  verdict: Verdict;
  action: ItemAction;
  note: string | null;
}

export interface PlannedRequest {
  api: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Path and query, relative to the cluster URL. */
  path: string;
  /** Headers besides authentication (`content-type` with a body). */
  headers: [string, string][];
  /** The JSON body, or null. */
  body: unknown | null;
}

export type Remedy = 'close_conflicting' | 'rename' | 'partial';

/** A restore plan from `planRestore()`: nothing has been sent yet. */
export class RestorePlan {
  private constructor();
  repository: string;
  snapshot: string;
  snapshot_version: string | null;
  cluster: Dialect;
  whole_snapshot: boolean;
  verdict: Verdict;
  items: PlanItem[];
  data_streams: { source: string; target: string; exists_in_cluster: boolean }[];
  /** Open indices closed before the restore, in order. */
  to_close: string[];
  /** Cluster-wide state the restore replaces. */
  overwrites: string[];
  warnings: string[];
  /** Why the plan can't be executed; empty when it can. */
  blockers: string[];
  /** Selection changes that would lift blockers (not necessarily all): `closeConflicting: true`,
   *  a `rename`, `partial: true`. Empty when no option helps (e.g. a snapshot too new). */
  remedies: Remedy[];
  blocked: boolean;
  /** Names the restore writes to. */
  targets: string[];
  close_requests: PlannedRequest[];
  restore_request: PlannedRequest;
  /** A table a user can read before confirming. */
  render(): string;
}

export interface IndexProgress {
  name: string;
  percent: number;
  shards_done: number;
  shards_total: number;
}

export interface Progress {
  operation: 'restore' | 'snapshot';
  /** 0 to 100; 100 only once every shard is done. */
  percent: number;
  bytes_done: number;
  bytes_total: number;
  files_done: number;
  files_total: number;
  shards_done: number;
  shards_total: number;
  indices: IndexProgress[];
}

export type EssnapEvent =
  | { event: 'stage'; stage: string; detail: string }
  | { event: 'closed'; indices: string[] }
  | { event: 'reopened'; indices: string[] }
  | ({ event: 'progress' } & Progress)
  | { event: 'retry'; attempt: number; reason: string }
  | { event: 'warning'; message: string };

export interface RunOptions extends CallOptions {
  /** Each progress figure (only when it changed). */
  onProgress?: (progress: Progress) => void;
  /** Every event (stages, closes, reopens, retries, warnings, progress). */
  onEvent?: (event: EssnapEvent) => void;
  timing?: Timing;
}

export type RestoreStatus = 'completed' | 'still_running' | 'failed' | 'not_started';

export type IndexOutcome =
  | { name: string; state: 'restored' | 'restoring' | 'unchanged' | 'reopened' }
  | { name: string; state: 'left_closed'; error: string };

export interface RestoreOutcome {
  status: RestoreStatus;
  error: EssnapError | null;
  /** The compatibility rule behind a server's refusal, when there is one. */
  rule: Rule | null;
  indices: IndexOutcome[];
  requests_sent: number;
  progress: Progress | null;
}

// ---------------------------------------------------------------------------------------------
// Create

export interface CreateSnapshotOptions extends RunOptions {
  /** Indices and data streams (patterns allowed); default all. */
  indices?: string[];
  includeGlobalState?: boolean;
  partial?: boolean;
  metadata?: Record<string, unknown>;
  /** Feature states (`geoip`, `security`, ... or `none`), Elasticsearch 7.12+. */
  featureStates?: string[];
  ignoreUnavailable?: boolean;
  expandWildcards?: string;
}

export type CreateStatus = 'success' | 'partial' | 'failed' | 'still_running' | 'not_created';

export interface CreateOutcome {
  status: CreateStatus;
  /** The snapshot's real name (date math resolved). */
  name: string | null;
  snapshot: SnapshotInfo | null;
  /** Shard failures, one sentence each. */
  failures: string[];
  error: EssnapError | null;
  progress: Progress | null;
  requests_sent: number;
}

// ---------------------------------------------------------------------------------------------
// The client

/** `GET /_cluster/health` (numbers sent as strings by some versions are numbers here). */
export interface ClusterHealth {
  cluster_name?: string;
  status: 'green' | 'yellow' | 'red';
  timed_out: boolean;
  number_of_nodes?: number;
  number_of_data_nodes?: number;
  active_primary_shards?: number;
  active_shards?: number;
  relocating_shards?: number;
  initializing_shards?: number;
  unassigned_shards?: number;
  delayed_unassigned_shards?: number;
  number_of_pending_tasks?: number;
  number_of_in_flight_fetch?: number;
  task_max_waiting_in_queue_millis?: number;
  active_shards_percent_as_number?: number;
}

export class Client {
  private constructor();
  /** `scheme://host:port/prefix`, never with credentials. */
  readonly url: string;
  /**
   * Cluster health (`GET /_cluster/health`), optionally of some indices and waiting for a status.
   * A wait that times out is returned with `timed_out: true`, not thrown.
   */
  health(options?: { indices?: string[]; waitForStatus?: 'green' | 'yellow' | 'red'; timeout?: string; signal?: AbortSignal }): Promise<ClusterHealth>;
  /** Learned from `GET /` (refreshed by `info()`). */
  cluster: Dialect;
  clusterInfo: Info;

  info(options?: CallOptions): Promise<Info>;
  listRepositories(options?: CallOptions): Promise<Repository[]>;
  addRepository(name: string, repository: AddRepositoryOptions, options?: CallOptions): Promise<Acknowledged>;
  verifyRepository(name: string, options?: CallOptions): Promise<VerifyResult>;
  removeRepository(name: string, options?: CallOptions): Promise<Acknowledged>;
  /** Deletes snapshots named exactly, in as few requests as the cluster takes; `error` says why
   *  it stopped (nothing is sent after a failed request). Resolve patterns with `listSnapshots`. */
  deleteSnapshots(repository: string, snapshots: string[], options?: CallOptions): Promise<{ deleted: string[]; error: EssnapError | null }>;
  /** Pages (never empty ones) with bounded memory: cursors on ES 7.14+, names first elsewhere. */
  listSnapshots(options: ListSnapshotsOptions): AsyncGenerator<SnapshotPage, void, undefined>;
  /** Compatibility verdicts of a snapshot for this cluster. */
  check(repository: string, snapshot: string, options?: CallOptions & { createdVersions?: Record<string, string> }): Promise<CheckResult>;
  /** Reads the snapshot and the cluster and plans; changes nothing. */
  planRestore(repository: string, snapshot: string, selection?: RestoreSelection, options?: CallOptions): Promise<RestorePlan>;
  /**
   * Close → restore → watch progress. Resolves when `completed` or `still_running`; rejects with
   * the cause (and `outcome`) when `failed` / `not_started`, and with `aborted` when cancelled
   * (indices the plan closed are still reopened after a cancel).
   */
  executeRestore(plan: RestorePlan, options?: RunOptions): Promise<RestoreOutcome>;
  /**
   * Takes a snapshot and watches it. Resolves when `success`, `partial` or `still_running`;
   * rejects (with `outcome`) when `not_created` or `failed`, and with `aborted` when cancelled.
   */
  createSnapshot(repository: string, snapshot: string, options?: CreateSnapshotOptions): Promise<CreateOutcome>;
  /** Frees the connection's wasm memory (garbage collection does it too). */
  close(): void;
}

/** Checks the options, reads `GET /` and returns a client. */
export function connect(options: ConnectOptions | string): Promise<Client>;

// ---------------------------------------------------------------------------------------------
// Pure functions (no network)

export function checkCompatibility(query: CompatibilityQuery): Verdict;

export interface RawResponse {
  /** Default 200. */
  status?: number;
  body?: Uint8Array | ArrayBuffer | ArrayBufferView | string | null;
  headers?: Record<string, string> | [string, string][] | Headers | Map<string, string>;
}

/** Decodes a response of `api` (a rest-api-spec name, see `decodableApis()`); throws its EssnapError. */
export function decode(api: string, response: RawResponse): unknown;
/** One snapshot as `decodeSnapshotList` lists it; absent fields are `undefined`. */
export interface SnapshotListRow {
  snapshot: string;
  uuid?: string;
  /** `SUCCESS`, `IN_PROGRESS`, `PARTIAL`, `FAILED`, `INCOMPATIBLE`, or a newer server's state. */
  state?: string;
  version?: string;
  /** Exact; OpenSearch snapshots carry a masked id. */
  version_id?: number;
  start_time_in_millis?: number;
  end_time_in_millis?: number;
  duration_in_millis?: number;
  index_count: number;
  data_stream_count: number;
  failure_count: number;
  shards?: { total: number; failed: number; successful: number };
}

export interface SnapshotList {
  snapshots: SnapshotListRow[];
  /** Matching snapshots in all pages (Elasticsearch 7.14+). */
  total?: number;
  /** Snapshots after this page (Elasticsearch 7.14+). */
  remaining?: number;
  /** Cursor for the next page (`after`). */
  next?: string;
}

/**
 * The listed fields of a get-snapshots answer (every version's shape), cheaper than `JSON.parse`
 * of the body; throws the same EssnapError as `decode('snapshot.get', ...)`.
 */
export function decodeSnapshotList(response: RawResponse): SnapshotList;
/**
 * The names a restore with `rename` gives `names`, as the planner and the server compute them
 * (Java replaceAll: every match, `$1` groups, `\\$` a literal `$`); throws EssnapError `invalid_input`.
 */
export function previewRename(names: string[], rename?: { prefix: string } | { pattern: string; replacement: string } | null): string[];
/** The EssnapError for an error answer (returned, not thrown). */
export function explainError(response: RawResponse): EssnapError;

export interface CatalogueEntry {
  code: ErrorCode;
  hint: string;
  retry: RetryAdvice;
  typical_status: number[];
  sources: { origin: string; code: string; status?: number; /** The server's message contains this. */ when?: string }[];
}

export function errorCatalogue(): CatalogueEntry[];
export function decodableApis(): string[];

/** @internal Panics inside wasm on purpose (tests of the panic hook). */
export function _testPanic(message?: string): never;

export interface EceSnapshotOptions {
  /** The snapshot name (ECE picks one if not given). */
  name?: string;
  /** The repository (ECE's configured one, or `found-snapshots` through the proxy). */
  repository?: string;
  /** Repository credentials for the request body (not the ECE user). */
  esUsername?: string;
  esPassword?: string;
  /** Lets the snapshot go through the deployment proxy when the clusters API is gone (ECE 3.0+). */
  deploymentId?: string;
  /** The Elasticsearch resource of the deployment (default `_main`). */
  refId?: string;
  /** Skip the clusters API and use the proxy (needs `deploymentId`). */
  preferProxy?: boolean;
  /** Watch until ECE settles (default true). */
  wait?: boolean;
  timing?: Timing;
  onEvent?: (event: EssnapEvent) => void;
  signal?: AbortSignal;
}

export interface EceSnapshotResult {
  name: string;
  /** Whether the deployment proxy took it. */
  viaProxy: boolean;
  /** With `wait`: what ECE said last (`pending` when the watch gave up waiting). */
  state?: 'succeeded' | 'failed' | 'pending' | 'unknown';
  /** Why the watch stopped early (the snapshot was requested all the same). */
  warning?: EssnapError;
}

/** An ECE API endpoint; see `connectEce`. */
export class EceClient {
  /** `scheme://host:port[/prefix]`, without credentials. */
  readonly url: string;
  /** Takes a snapshot of an ECE cluster; throws the EssnapError when ECE refuses. */
  takeSnapshot(clusterId: string, options?: EceSnapshotOptions): Promise<EceSnapshotResult>;
  close(): void;
}

/** An ECE client (`{url, apiKey}` or `{url, username, password}`); nothing is sent until a call. */
export function connectEce(options: { url: string; apiKey?: string; username?: string; password?: string; timeoutMs?: number; timing?: Timing }): EceClient;
