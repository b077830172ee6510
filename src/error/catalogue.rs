//! One error catalogue for every source: which Elasticsearch/OpenSearch error types, ECE codes
//! (both generations), HTTP statuses and transport failures end up as which [`ErrorCode`].
//!
//! The ECE rows are also the mapping itself ([`ece_code`]); the Elasticsearch/OpenSearch and HTTP
//! rows describe what `decode.rs` does and are checked against it by the tests, so the catalogue
//! (and `docs/errors.md`, generated from it) cannot drift from the decoder.

use crate::json::ToJson;

use super::{ErrorCode, RetryAdvice};

/// Where a source code comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ToJson)]
#[json(rename_all = "snake_case")]
pub enum Origin {
    /// `error.type` sent by both Elasticsearch and OpenSearch.
    Cluster,
    /// `error.type` only Elasticsearch sends.
    Elasticsearch,
    /// `error.type` only OpenSearch sends.
    Opensearch,
    /// A plain-string `error` (older clusters, unknown endpoints); `code` is its beginning.
    ClusterMessage,
    /// ECE code (`x-cloud-error-codes` / `errors[].code`) of ECE 2.3 and later.
    Ece,
    /// ECE code of the ECE 2.1/2.2 reference, replaced later.
    EceLegacy,
    /// Only the HTTP status (any body, or none).
    Http,
    /// Reported by the host: no HTTP answer at all.
    Transport,
    /// Decided by essnap itself from the exchange (not a server code).
    Essnap,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Cluster => "cluster",
            Origin::Elasticsearch => "elasticsearch",
            Origin::Opensearch => "opensearch",
            Origin::ClusterMessage => "cluster_message",
            Origin::Ece => "ece",
            Origin::EceLegacy => "ece_legacy",
            Origin::Http => "http",
            Origin::Transport => "transport",
            Origin::Essnap => "essnap",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Origin::Cluster => "ES + OpenSearch",
            Origin::Elasticsearch => "Elasticsearch",
            Origin::Opensearch => "OpenSearch",
            Origin::ClusterMessage => "ES/OpenSearch message",
            Origin::Ece => "ECE ≥ 2.3",
            Origin::EceLegacy => "ECE 2.1–2.2",
            Origin::Http => "HTTP",
            Origin::Transport => "transport",
            Origin::Essnap => "essnap",
        }
    }
}

/// One source code that maps to an essnap code.
#[derive(Clone, Debug, PartialEq, Eq, ToJson)]
pub struct SourceCode {
    pub origin: Origin,
    /// The server's code or error type verbatim (`snapshot_missing_exception`,
    /// `clusters.snapshot.name_conflict`), a status class, or a transport failure.
    pub code: &'static str,
    /// The HTTP status it comes with, when there is one.
    #[json(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Only when the message contains this text.
    #[json(skip_serializing_if = "Option::is_none")]
    pub when: Option<&'static str>,
}

/// Everything about one essnap code.
#[derive(Clone, Debug, PartialEq, Eq, ToJson)]
pub struct CatalogueEntry {
    pub code: ErrorCode,
    pub hint: &'static str,
    pub retry: RetryAdvice,
    /// HTTP statuses this code usually comes with (sorted; empty for transport failures).
    pub typical_status: Vec<u16>,
    pub sources: Vec<SourceCode>,
}

use ErrorCode as C;
use Origin as O;

/// (essnap code, origin, source code, status, message condition). Order: catalogue order of
/// the codes, most specific source first.
type Row = (ErrorCode, Origin, &'static str, Option<u16>, Option<&'static str>);

const ROWS: &[Row] = &[
    (C::SnapshotMissing, O::Cluster, "snapshot_missing_exception", Some(404), None),
    (C::SnapshotMissing, O::Cluster, "snapshot_restore_exception", Some(500), Some("snapshot does not exist")),
    (C::RepositoryMissing, O::Cluster, "repository_missing_exception", Some(404), None),
    (C::RepositoryMissing, O::Cluster, "repository_exception", Some(500), Some("missing")),
    (C::RepositoryMissing, O::Ece, "clusters.snapshot.repository_not_found", Some(404), None),
    (C::RepositoryMissing, O::Ece, "clusters.snapshot.repository_not_found", Some(500), None),
    (C::InvalidSnapshotName, O::Cluster, "invalid_snapshot_name_exception", Some(400), None),
    (C::SnapshotAlreadyExists, O::Cluster, "invalid_snapshot_name_exception", Some(400), Some("already exists")),
    (C::SnapshotAlreadyExists, O::Cluster, "invalid_snapshot_name_exception", Some(400), Some("already in-progress")),
    (C::SnapshotAlreadyExists, O::Cluster, "snapshot_name_already_in_use_exception", Some(400), None),
    (C::SnapshotAlreadyExists, O::Cluster, "snapshot_creation_exception", Some(500), Some("already exists")),
    (C::SnapshotAlreadyExists, O::Ece, "clusters.snapshot.name_conflict", Some(409), None),
    (C::SnapshotAlreadyExists, O::EceLegacy, "clusters.snapshot.invalid_name", Some(409), None),
    (C::ConcurrentSnapshotExecution, O::Cluster, "concurrent_snapshot_execution_exception", Some(503), None),
    (C::RestoreConflictOpenIndex, O::Cluster, "snapshot_restore_exception", Some(500), Some("open index with same name")),
    (C::RestoreShardCountMismatch, O::Cluster, "snapshot_restore_exception", Some(500), Some("shards from a snapshot of index")),
    (C::RestoreNameConflict, O::Cluster, "invalid_index_name_exception", Some(400), Some("already exists as alias")),
    (C::RestoreNameConflict, O::Cluster, "illegal_state_exception", Some(500), Some("names need to be unique")),
    (C::RestoreIncompatibleVersion, O::Cluster, "snapshot_restore_exception", Some(500), Some("which is higher than the version of this node")),
    (C::RestoreIncompatibleVersion, O::Elasticsearch, "snapshot_restore_exception", Some(500), Some("minimum index compatibility version")),
    (C::RestoreIncompatibleVersion, O::Cluster, "illegal_state_exception", Some(500), Some("minimum compatible version")),
    (C::RestoreIncompatibleVersion, O::Opensearch, "snapshot_restore_exception", Some(500), Some("because it cannot be upgraded")),
    (C::RestoreIncompatibleVersion, O::Elasticsearch, "security_exception", Some(403), Some("license is non-compliant for [archive]")),
    (C::RestoreFailed, O::Cluster, "snapshot_restore_exception", Some(500), None),
    (C::SnapshotFailed, O::Cluster, "snapshot_exception", Some(500), None),
    (C::SnapshotFailed, O::Cluster, "snapshot_creation_exception", Some(500), None),
    (C::RepositoryVerificationFailed, O::Cluster, "repository_verification_exception", Some(500), None),
    (C::RepositoryInUse, O::Cluster, "repository_conflict_exception", Some(500), None),
    (C::RepositoryReadOnly, O::Cluster, "repository_exception", Some(500), Some("readonly repository")),
    (C::RepositoryTypeUnknown, O::Cluster, "repository_exception", Some(500), Some("repository type [")),
    (C::InvalidRepository, O::Cluster, "repository_exception", Some(500), None),
    (C::IndexClosed, O::Cluster, "index_closed_exception", Some(400), None),
    (C::IndexClosed, O::Elasticsearch, "cluster_block_exception", Some(403), Some("index closed")),
    (C::IndexNotFound, O::Cluster, "index_not_found_exception", Some(404), None),
    (C::IndexAlreadyExists, O::Cluster, "resource_already_exists_exception", Some(400), None),
    (C::InvalidIndexName, O::Cluster, "invalid_index_name_exception", Some(400), None),
    (C::Unauthorized, O::Cluster, "security_exception", Some(401), None),
    (C::Unauthorized, O::Ece, "root.unauthenticated", Some(401), None),
    (C::Unauthorized, O::Ece, "root.unauthorized", Some(401), None),
    (C::Unauthorized, O::Ece, "root.invalid_authentication", Some(401), None),
    (C::Unauthorized, O::Http, "401", Some(401), None),
    (C::Forbidden, O::Cluster, "security_exception", Some(403), None),
    (C::Forbidden, O::Ece, "root.unauthorized.rbac", Some(403), None),
    (C::Forbidden, O::Http, "403", Some(403), None),
    (C::RateLimited, O::Elasticsearch, "es_rejected_execution_exception", Some(429), None),
    (C::RateLimited, O::Opensearch, "opensearch_rejected_execution_exception", Some(429), None),
    (C::RateLimited, O::Cluster, "circuit_breaking_exception", Some(429), None),
    (C::RateLimited, O::Http, "429", Some(429), None),
    (C::GatewayTimeout, O::Http, "504", Some(504), None),
    (C::BadGateway, O::Http, "502", Some(502), None),
    (C::ServiceUnavailable, O::Elasticsearch, "master_not_discovered_exception", Some(503), None),
    (C::ServiceUnavailable, O::Opensearch, "cluster_manager_not_discovered_exception", Some(503), None),
    (C::ServiceUnavailable, O::Cluster, "node_closed_exception", Some(503), None),
    (C::ServiceUnavailable, O::Http, "503", Some(503), None),
    (C::Timeout, O::Cluster, "process_cluster_event_timeout_exception", Some(503), None),
    (C::Timeout, O::Cluster, "receive_timeout_transport_exception", Some(500), None),
    (C::Timeout, O::Elasticsearch, "elasticsearch_timeout_exception", Some(500), None),
    (C::Timeout, O::Opensearch, "opensearch_timeout_exception", Some(500), None),
    (C::Timeout, O::Http, "408", Some(408), None),
    (C::Timeout, O::Transport, "no answer within the host's timeout", None, None),
    (C::BadRequest, O::Cluster, "illegal_argument_exception", Some(400), None),
    (C::BadRequest, O::Cluster, "parse_exception", Some(400), None),
    (C::BadRequest, O::Elasticsearch, "x_content_parse_exception", Some(400), None),
    (C::BadRequest, O::Cluster, "json_parse_exception", Some(400), None),
    (C::BadRequest, O::Cluster, "action_request_validation_exception", Some(400), None),
    (C::BadRequest, O::Cluster, "mapper_parsing_exception", Some(400), None),
    (C::BadRequest, O::Ece, "root.invalid_data", Some(400), None),
    (C::BadRequest, O::Http, "400", Some(400), None),
    (C::NotFound, O::ClusterMessage, "no handler found for uri", Some(400), None),
    (C::NotFound, O::ClusterMessage, "Incorrect HTTP method for uri", Some(405), None),
    (C::NotFound, O::Http, "404", Some(404), None),
    (C::NotFound, O::Http, "405", Some(405), None),
    (C::NotFound, O::Http, "410", Some(410), None),
    (C::ServerError, O::Http, "500", Some(500), None),
    (C::ServerError, O::Http, "other 5xx", None, None),
    (C::InvalidResponse, O::Http, "2xx/3xx that is not the expected JSON", None, None),
    (C::ConnectionFailed, O::Transport, "connection refused, unknown host, unreachable network", None, None),
    (C::ConnectionDropped, O::Transport, "connection closed or reset before the answer", None, None),
    (C::TlsError, O::Transport, "TLS handshake or certificate failure", None, None),
    (C::CorsBlocked, O::Transport, "browser blocked the request (CORS)", None, None),
    (C::Aborted, O::Transport, "cancelled by the caller", None, None),
    (C::EceClusterNotFound, O::Ece, "clusters.cluster_not_found", Some(404), None),
    (C::EceDeploymentNotFound, O::Ece, "deployments.deployment_not_found", Some(404), None),
    (C::EceDeploymentNotFound, O::Ece, "deployments.deployment_resource_not_found", Some(404), None),
    (C::EceInvalidCredentials, O::Ece, "clusters.snapshot.invalid_credentials", Some(401), None),
    (C::EceElevatedPermissionsRequired, O::Ece, "root.unauthorized.rbac.elevated_permissions_required", Some(449), None),
    (C::EceElevatedPermissionsRequired, O::EceLegacy, "root.needs_elevated_permissions", Some(449), None),
    (C::EceElevatedPermissionsRequired, O::Http, "449", Some(449), None),
    (C::EceSnapshotFailed, O::Ece, "clusters.snapshot.failed", Some(500), None),
    (C::EceSnapshotFailed, O::EceLegacy, "clusters.endpoint_not_found", Some(500), None),
    (C::EceEndpointRemoved, O::Essnap, "HTTP 404/410 from the ECE clusters API without one of its documented codes", None, None),
    (C::InvalidInput, O::Essnap, "a name, URL or option essnap checks before sending (a machine's own inputs)", None, None),
    (C::Other, O::Ece, "any ECE code not listed here (kept verbatim in source_codes)", None, None),
    (C::Other, O::Http, "1xx and unassigned 4xx", None, None),
];

/// The catalogue: every essnap code, in [`ErrorCode::ALL`] order, with its sources.
pub fn catalogue() -> Vec<CatalogueEntry> {
    ErrorCode::ALL
        .iter()
        .map(|&code| {
            let sources: Vec<SourceCode> = ROWS
                .iter()
                .filter(|r| r.0 == code)
                .map(|&(_, origin, c, status, when)| SourceCode { origin, code: c, status, when })
                .collect();
            let mut typical_status: Vec<u16> = sources.iter().filter_map(|s| s.status).collect();
            crate::sort::sort_dedup(&mut typical_status);
            CatalogueEntry { code, hint: code.hint(), retry: code.retry(), typical_status, sources }
        })
        .collect()
}

/// The essnap code for an ECE code of either generation (`None` for a code ECE documents
/// nowhere we know of: the caller keeps it verbatim and uses `other`).
pub fn ece_code(code: &str) -> Option<ErrorCode> {
    ROWS.iter().find(|r| matches!(r.1, O::Ece | O::EceLegacy) && r.2 == code && r.0 != C::Other).map(|r| r.0)
}

/// `docs/errors.md`, generated from [`catalogue`].
pub fn catalogue_markdown() -> String {
    let mut out = String::new();
    out.push_str("# essnap error codes\n\n");
    out.push_str("<!-- Generated from essnap::error::catalogue() by tests/catalogue.rs; do not edit. ");
    out.push_str("Refresh with `ESSNAP_BLESS=1 cargo test -p essnap --test catalogue`. -->\n\n");
    out.push_str("Every error essnap reports carries one of these stable codes, whatever answered: Elasticsearch, OpenSearch, ");
    out.push_str("Elastic Cloud Enterprise (ECE) or a proxy in between. The server's own type or code is kept verbatim beside it ");
    out.push_str("(`server_type`, `source_codes`). For ECE, the `x-cloud-error-codes` header wins over the body's `errors[].code` ");
    out.push_str("when they disagree.\n\n");
    out.push_str("Retry: `safe` = the server refused before acting, resend after a pause; `check_first` = the server may have ");
    out.push_str("acted, check its state before resending; `no` = resending gives the same answer.\n\n");
    out.push_str("| code | retry | typical HTTP status | hint |\n|---|---|---|---|\n");
    for e in catalogue() {
        let statuses = e.typical_status.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        out.push_str(&format!("| `{}` | {} | {} | {} |\n", e.code, retry_str(e.retry), or_dash(&statuses), cell(e.hint)));
    }
    out.push_str("\n## Sources\n");
    for e in catalogue() {
        out.push_str(&format!("\n### `{}`\n\n", e.code));
        if e.sources.is_empty() {
            out.push_str("No server code maps here: essnap sets it itself.\n");
            continue;
        }
        out.push_str("| origin | source code | status | when the message contains |\n|---|---|---|---|\n");
        for s in &e.sources {
            let status = s.status.map(|s| s.to_string()).unwrap_or_default();
            let code = match s.origin {
                O::Http | O::Transport | O::Essnap => cell(s.code),
                _ => format!("`{}`", s.code),
            };
            let when = s.when.map(|w| format!("`{}`", w)).unwrap_or_default();
            out.push_str(&format!("| {} | {} | {} | {} |\n", s.origin.label(), code, or_dash(&status), or_dash(&when)));
        }
    }
    out
}

fn retry_str(r: RetryAdvice) -> &'static str {
    match r {
        RetryAdvice::Safe => "safe",
        RetryAdvice::CheckFirst => "check_first",
        RetryAdvice::No => "no",
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() { "–".to_string() } else { s.to_string() }
}

/// A table cell: pipes escaped, so hints with `|` don't break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}
