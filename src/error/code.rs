//! The stable error codes and what each one means for the user.

use std::fmt;

use crate::json::{FromJson, JsonError, Reader, ToJson, Writer};

/// Whether a request *with side effects* may be sent again after an error.
/// (Reads — GET/HEAD — can always be repeated.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ToJson, FromJson)]
#[json(rename_all = "snake_case")]
pub enum RetryAdvice {
    /// The server refused before acting: resending is safe (after a pause).
    Safe,
    /// The server may have acted (timeout, dropped connection, 502/504): check what happened
    /// (running restore, snapshot by name) before resending.
    CheckFirst,
    /// Resending gives the same answer: fix the cause first.
    No,
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $retry:ident, $hint:literal; )*) => {
        /// A stable, documented error code. `as_str()` never changes once released.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( $variant, )* }

        impl ErrorCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $name, )* }
            }

            /// What the user should do.
            pub fn hint(self) -> &'static str {
                match self { $( ErrorCode::$variant => $hint, )* }
            }

            pub fn retry(self) -> RetryAdvice {
                match self { $( ErrorCode::$variant => RetryAdvice::$retry, )* }
            }

            pub fn from_code(s: &str) -> Option<Self> {
                match s { $( $name => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    SnapshotMissing = "snapshot_missing", No,
        "check the snapshot name with `essnap snapshots REPO`; names are case-sensitive";
    RepositoryMissing = "repository_missing", No,
        "list the registered repositories with `essnap repos`, or register it first";
    InvalidSnapshotName = "invalid_snapshot_name", No,
        "snapshot names must be lowercase, must not start with `_` or `-`, and must not contain spaces or any of \\ / * ? \" < > | , #";
    SnapshotAlreadyExists = "snapshot_already_exists", No,
        "a snapshot with this name already exists in the repository: pick another name (date math such as <nightly-{now/d}> helps), or delete the old one explicitly";
    ConcurrentSnapshotExecution = "concurrent_snapshot_execution", Safe,
        "another snapshot, delete or clone is running in this repository; wait for it to finish (`essnap snapshot status`) and try again";
    RestoreConflictOpenIndex = "restore_conflict_open_index", No,
        "an open index has the same name as one being restored: close it first (the restore planner does this with --close-conflicting) or restore under another name with a rename pattern or prefix";
    RestoreShardCountMismatch = "restore_shard_count_mismatch", No,
        "a closed index can only be restored over when it has the same number of primary shards as the snapshot's index; restore under another name instead";
    RestoreNameConflict = "restore_name_conflict", No,
        "a restored index would take the name of an existing alias or data stream, or an alias the snapshot brings along has the name of an existing index: restore under another name (a rename pattern or prefix), restore without the snapshot's aliases (--no-aliases, include_aliases false), or rename the clashing alias yourself";
    RestoreIncompatibleVersion = "restore_incompatible_version", No,
        "the snapshot or one of its indices is too new or too old for this cluster; run `essnap check REPO SNAPSHOT` to see which, then restore into a compatible cluster (and reindex) or upgrade";
    RestoreFailed = "restore_failed", No,
        "the cluster refused the restore; read the server's message, fix the cause, and plan the restore again";
    SnapshotFailed = "snapshot_failed", No,
        "the snapshot could not be written; check the repository with `essnap repo verify` and the failures listed in the snapshot";
    RepositoryVerificationFailed = "repository_verification_failed", No,
        "the nodes cannot read or write the repository location: check that `path.repo` lists it (fs, and url with file:), `repositories.url.allowed_urls` (other urls), or the bucket or container, the keystore credentials and the endpoint (s3, gcs, azure); the cluster keeps the registration until it is replaced or removed";
    RepositoryInUse = "repository_in_use", Safe,
        "the repository is busy (a snapshot, restore or cleanup is using it); wait and try again";
    RepositoryReadOnly = "repository_read_only", No,
        "this registration of the repository is read-only (url repositories always are, others with readonly: true): take or delete snapshots through a writable registration, from the cluster that owns the repository";
    RepositoryTypeUnknown = "repository_type_unknown", No,
        "no node has a plugin for this repository type: install it on every node and restart (e.g. `bin/opensearch-plugin install repository-s3`; Elasticsearch 8 has s3, gcs and azure built in), or pick a type the cluster has";
    InvalidRepository = "invalid_repository", No,
        "the repository definition was refused: check its type and settings (fs needs `location` inside `path.repo`, s3 and gcs need `bucket`, url needs `url`)";
    IndexClosed = "index_closed", No,
        "the index is closed: open it (`POST INDEX/_open`) to use it, or to snapshot it on Elasticsearch before 7.2; leave it closed for a restore over it";
    IndexNotFound = "index_not_found", No,
        "no index matches that name; check the name or pattern, or pass ignore_unavailable";
    IndexAlreadyExists = "index_already_exists", No,
        "an index with that name already exists; if a previous restore timed out it may have succeeded — check before retrying";
    InvalidIndexName = "invalid_index_name", No,
        "index names must be lowercase, must not start with `_`, `-` or `+`, and must not contain spaces or any of \\ / * ? \" < > | , # :";
    Unauthorized = "unauthorized", No,
        "the cluster did not accept the credentials: check the user and password or API key (URL, --user, --api-key)";
    Forbidden = "forbidden", No,
        "the user is authenticated but lacks a privilege: snapshot and restore need the `manage` / `snapshot` cluster privileges and index privileges on the restored indices";
    RateLimited = "rate_limited", Safe,
        "the cluster is overloaded (HTTP 429); wait a moment and try again";
    GatewayTimeout = "gateway_timeout", CheckFirst,
        "a proxy gave up waiting (HTTP 504), but the cluster may still have done the work: check its state before retrying";
    BadGateway = "bad_gateway", CheckFirst,
        "a proxy could not reach the cluster (HTTP 502); the request may or may not have arrived: check before retrying";
    ServiceUnavailable = "service_unavailable", Safe,
        "the cluster is not ready (no elected master, or shutting down); wait for `_cluster/health` to answer and try again";
    Timeout = "timeout", CheckFirst,
        "the cluster did not answer in time; the operation may still complete — check its state before retrying";
    BadRequest = "bad_request", No,
        "the cluster rejected the request as malformed; this may be a version mismatch — check the server's message";
    NotFound = "not_found", No,
        "the cluster does not know this endpoint or resource; check the URL path prefix and the cluster version";
    ServerError = "server_error", No,
        "the cluster failed with an internal error; read the server's message and the cluster logs";
    InvalidResponse = "invalid_response", No,
        "the answer was not what an Elasticsearch or OpenSearch cluster sends (a proxy page, a truncated body, another service at this URL?); check the URL and any proxy in between";
    ConnectionFailed = "connection_failed", Safe,
        "could not connect to the cluster (refused, unknown host or unreachable); the request was not sent — check the URL and that the cluster is up";
    ConnectionDropped = "connection_dropped", CheckFirst,
        "the connection closed before an answer arrived; the cluster may still have done the work — check its state before retrying";
    TlsError = "tls_error", No,
        "the TLS handshake failed: check https vs http, and pass the cluster's CA certificate (--ca-cert) if it is self-signed";
    CorsBlocked = "cors_blocked", No,
        "the browser blocked the request (CORS): set http.cors.enabled: true, http.cors.allow-origin to this page's origin and http.cors.allow-headers to include Authorization, Content-Type on the cluster";
    Aborted = "aborted", CheckFirst,
        "the operation was cancelled; a request already sent may still complete on the cluster — check its state";
    EceClusterNotFound = "ece_cluster_not_found", No,
        "ECE does not know this Elasticsearch cluster id: copy the cluster id (not the deployment id or its name) from the ECE UI or `GET /api/v1/clusters/elasticsearch`";
    EceDeploymentNotFound = "ece_deployment_not_found", No,
        "ECE does not know this deployment or resource: check the deployment id and the Elasticsearch ref_id (`main-elasticsearch`, or `_main` when there is only one)";
    EceInvalidCredentials = "ece_invalid_credentials", No,
        "the snapshot repository credentials in the request were refused: fix the repository username and password, or leave both out to use the repository's defaults";
    EceElevatedPermissionsRequired = "ece_elevated_permissions_required", No,
        "ECE wants elevated permissions (HTTP 449) for this call: elevate the session (`POST /api/v1/users/auth/_elevate`) or use an API key of a user with the needed role, then try again";
    EceSnapshotFailed = "ece_snapshot_failed", CheckFirst,
        "ECE failed to take the snapshot and may have started it anyway: list the repository's snapshots (through the deployment proxy) before trying again, and read the deployment's activity log in ECE";
    EceEndpointRemoved = "ece_endpoint_removed", No,
        "this ECE no longer has the deprecated clusters API (removed in ECE 3.0 / MS-68): give the deployment id (--deployment-id) so essnap takes the snapshot through the deployment proxy with the Elasticsearch snapshot API";
    InvalidInput = "invalid_input", No,
        "essnap refused the input before sending anything: the message names the field and what to give instead";
    Other = "other", No,
        "read the server's message; this error has no specific advice yet";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ToJson for ErrorCode {
    fn write_json(&self, w: &mut Writer) {
        w.str(self.as_str());
    }
}

/// Codes a newer essnap may add read as `Other`.
impl FromJson for ErrorCode {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        Ok(ErrorCode::from_code(&r.str()?).unwrap_or(ErrorCode::Other))
    }
}
