//! Decoding error answers: the Elasticsearch/OpenSearch envelope
//! `{"error": {"type", "reason", "root_cause": [...], "caused_by": {...}}, "status": N}`,
//! older string errors (`{"error": "...", "status": N}`), the ECE envelope
//! `{"errors": [{"code", "message"}]}` with `x-cloud-error-codes`, and anything else a proxy
//! may send (HTML, plain text, nothing).

use crate::json::{FromJson, ToJson};
use serde_json::Value;

use super::{ApiError, ErrorCode, ece_code, excerpt};
use crate::request::Response;

/// One link of a `caused_by` chain or one `root_cause` entry.
#[derive(Clone, Debug, PartialEq, Eq, ToJson, FromJson)]
pub struct Cause {
    /// The server's error type (`i_o_exception`).
    pub kind: String,
    pub reason: String,
}

/// How deep a `caused_by` chain is followed (real chains are a handful deep; bodies are untrusted).
const MAX_CHAIN: usize = 16;

impl ApiError {
    /// Decodes any non-2xx answer. Never fails: what can't be read becomes the message.
    pub fn from_response(resp: &Response) -> ApiError {
        let status = resp.status;
        let header_codes = resp
            .header("x-cloud-error-codes")
            .map(|h| h.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect::<Vec<_>>())
            .unwrap_or_default();
        let json: Option<Value> = crate::json::from_slice(&resp.body).ok();
        let is_es_envelope = matches!(json, Some(Value::Object(ref o)) if o.contains_key("error"));
        let mut err = match json {
            Some(Value::Object(ref o)) if o.contains_key("error") => from_es_envelope(status, &o["error"]),
            Some(Value::Object(ref o)) if o.get("errors").is_some_and(Value::is_array) => {
                from_ece_envelope(status, &o["errors"])
            }
            _ => from_status_only(status, &resp.body, resp.header("content-type")),
        };
        // ECE sends the codes in a header as well; the header wins when they disagree.
        if !header_codes.is_empty() {
            let mut codes = header_codes;
            for c in err.source_codes.drain(..) {
                if !codes.contains(&c) {
                    codes.push(c);
                }
            }
            err.source_codes = codes;
            if err.server_type.is_none() || err.server_type.as_deref() != err.source_codes.first().map(String::as_str) {
                err.server_type = err.source_codes.first().cloned();
            }
        }
        // ECE codes decide the code: the first known one, header codes first (so the header
        // wins). Codes ECE documents nowhere we know are kept verbatim under `other`.
        if !err.source_codes.is_empty() && !is_es_envelope {
            err.code = err.source_codes.iter().find_map(|c| ece_code(c)).unwrap_or(ErrorCode::Other);
        }
        err
    }
}

fn cause_of(v: &Value) -> Option<Cause> {
    let o = v.as_object()?;
    Some(Cause {
        kind: o.get("type").and_then(Value::as_str).unwrap_or("unknown").to_string(),
        reason: o.get("reason").and_then(Value::as_str).unwrap_or("").to_string(),
    })
}

fn from_es_envelope(status: u16, error: &Value) -> ApiError {
    let (kind, reason) = match error {
        Value::String(s) => (None, s.clone()),
        Value::Object(o) => (
            o.get("type").and_then(Value::as_str).map(String::from),
            o.get("reason").and_then(Value::as_str).unwrap_or("").to_string(),
        ),
        other => (None, excerpt(crate::json::to_string(other).as_bytes())),
    };
    let root_causes: Vec<Cause> = error
        .get("root_cause")
        .and_then(Value::as_array)
        .map(|a| a.iter().take(MAX_CHAIN).filter_map(cause_of).collect())
        .unwrap_or_default();
    let mut caused_by = Vec::new();
    let mut cur = error.get("caused_by");
    while let Some(c) = cur {
        if caused_by.len() >= MAX_CHAIN {
            break;
        }
        match cause_of(c) {
            Some(cause) => caused_by.push(cause),
            None => break,
        }
        cur = c.get("caused_by");
    }
    // A wrapped error (remote_transport_exception, ...) is classified by its most specific part.
    let mut candidates: Vec<(&str, &str)> = Vec::new();
    if let Some(k) = kind.as_deref() {
        candidates.push((k, &reason));
    }
    candidates.extend(root_causes.iter().map(|c| (c.kind.as_str(), c.reason.as_str())));
    candidates.extend(caused_by.iter().map(|c| (c.kind.as_str(), c.reason.as_str())));
    let code = candidates
        .iter()
        .find_map(|(k, r)| classify(k, r, status))
        .or_else(|| unknown_endpoint(&reason))
        .unwrap_or_else(|| by_status(status));
    let message = if reason.is_empty() {
        kind.clone().unwrap_or_else(|| format!("HTTP {status} with an empty error"))
    } else {
        reason
    };
    ApiError {
        code,
        status: Some(status),
        server_type: kind,
        message,
        caused_by,
        root_causes,
        index: error.get("index").and_then(Value::as_str).map(String::from),
        source_codes: Vec::new(),
    }
}

fn from_ece_envelope(status: u16, errors: &Value) -> ApiError {
    let list = errors.as_array().map(Vec::as_slice).unwrap_or_default();
    let codes: Vec<String> = list
        .iter()
        .take(MAX_CHAIN)
        .filter_map(|e| e.get("code").and_then(Value::as_str).map(String::from))
        .collect();
    let message = list
        .iter()
        .filter_map(|e| e.get("message").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("; ");
    ApiError {
        code: by_status(status),
        status: Some(status),
        server_type: codes.first().cloned(),
        message: if message.is_empty() { format!("HTTP {status}") } else { message },
        caused_by: Vec::new(),
        root_causes: Vec::new(),
        index: None,
        source_codes: codes,
    }
}

fn from_status_only(status: u16, body: &[u8], content_type: Option<&str>) -> ApiError {
    let is_html = content_type.is_some_and(|c| c.contains("html"))
        || body.iter().take(512).map(u8::to_ascii_lowercase).collect::<Vec<_>>().windows(5).any(|w| w == b"<html" || w == b"<!doc");
    let message = if body.is_empty() {
        format!("HTTP {status} with an empty body")
    } else if is_html {
        let title = html_title(body).unwrap_or_else(|| excerpt(body));
        format!("HTTP {status} with an HTML page instead of a JSON error (a proxy or load balancer answered?): {title}")
    } else {
        format!("HTTP {status}: {}", excerpt(body))
    };
    let code = match by_status(status) {
        // A 2xx or 3xx here means a proxy redirected or answered in our place.
        ErrorCode::Other if status < 400 => ErrorCode::InvalidResponse,
        c => c,
    };
    ApiError::new(code, Some(status), message)
}

fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = lower[start..].find("</title>")? + start;
    let t = text[start..end].trim();
    (!t.is_empty()).then(|| t.chars().take(120).collect())
}

/// The code for a known server error type (and, for a few types, its message).
fn classify(kind: &str, reason: &str, status: u16) -> Option<ErrorCode> {
    use ErrorCode::*;
    let r = reason.to_ascii_lowercase();
    Some(match kind {
        "snapshot_missing_exception" => SnapshotMissing,
        "repository_missing_exception" => RepositoryMissing,
        // "... snapshot with the same name is already in-progress": the same conflict, still running.
        "invalid_snapshot_name_exception" if r.contains("already exists") || r.contains("already in-progress") => {
            SnapshotAlreadyExists
        }
        "invalid_snapshot_name_exception" => InvalidSnapshotName,
        "snapshot_name_already_in_use_exception" => SnapshotAlreadyExists,
        "concurrent_snapshot_execution_exception" => ConcurrentSnapshotExecution,
        "snapshot_restore_exception" => restore_code(&r),
        "illegal_state_exception" | "illegal_argument_exception" if is_version_refusal(&r) => RestoreIncompatibleVersion,
        "snapshot_exception" | "snapshot_creation_exception" if r.contains("already exists") => SnapshotAlreadyExists,
        "snapshot_exception" | "snapshot_creation_exception" => SnapshotFailed,
        "repository_verification_exception" => RepositoryVerificationFailed,
        "repository_conflict_exception" => RepositoryInUse,
        // Before "missing", which a repository's name may contain.
        // "cannot create snapshot in a readonly repository", "cannot delete snapshot from a readonly repository"
        "repository_exception" if r.contains("readonly repository") => RepositoryReadOnly,
        // "[r] repository type [azure] does not exist": the plugin is not installed
        "repository_exception" if r.contains("repository type [") => RepositoryTypeUnknown,
        "repository_exception" if r.contains("missing") => RepositoryMissing,
        "repository_exception" => InvalidRepository,
        "index_closed_exception" => IndexClosed,
        // A closed index's block (e.g. snapshotting it on Elasticsearch before 7.2: 403), not a
        // missing privilege.
        "cluster_block_exception" if r.contains("index closed") => IndexClosed,
        "index_not_found_exception" => IndexNotFound,
        "resource_already_exists_exception" => IndexAlreadyExists,
        // A restored (new) index named like an existing alias.
        "invalid_index_name_exception" if r.contains("already exists as alias") => RestoreNameConflict,
        "invalid_index_name_exception" => InvalidIndexName,
        // The new metadata would hold a name twice (index, alias, data stream).
        "illegal_state_exception" if r.contains("names need to be unique") => RestoreNameConflict,
        "security_exception" if status == 401 => Unauthorized,
        "security_exception" if status == 403 && r.contains("license is non-compliant for [archive]") => {
            RestoreIncompatibleVersion
        }
        "security_exception" if status == 403 => Forbidden,
        "es_rejected_execution_exception" | "opensearch_rejected_execution_exception" | "circuit_breaking_exception" => {
            RateLimited
        }
        "process_cluster_event_timeout_exception"
        | "receive_timeout_transport_exception"
        | "elasticsearch_timeout_exception"
        | "opensearch_timeout_exception" => Timeout,
        "master_not_discovered_exception" | "cluster_manager_not_discovered_exception" | "node_closed_exception" => {
            ServiceUnavailable
        }
        "illegal_argument_exception"
        | "parse_exception"
        | "x_content_parse_exception"
        | "json_parse_exception"
        | "action_request_validation_exception"
        | "mapper_parsing_exception" => BadRequest,
        _ => return None,
    })
}

/// Older clusters answer an endpoint they don't have (clone before 7.10, data streams before 7.9)
/// with a plain-string error.
fn unknown_endpoint(reason: &str) -> Option<ErrorCode> {
    (reason.starts_with("no handler found for uri") || reason.starts_with("Incorrect HTTP method for uri"))
        .then_some(ErrorCode::NotFound)
}

fn restore_code(reason: &str) -> ErrorCode {
    // Restoring a snapshot that is not there: a 500, not a 404 (real nodes).
    if reason.contains("snapshot does not exist") {
        ErrorCode::SnapshotMissing
    } else if reason.contains("open index with same name") {
        ErrorCode::RestoreConflictOpenIndex
    } else if reason.contains("shards from a snapshot of index") {
        ErrorCode::RestoreShardCountMismatch
    } else if is_version_refusal(reason) {
        ErrorCode::RestoreIncompatibleVersion
    } else {
        ErrorCode::RestoreFailed
    }
}

/// Phrases the servers use when a snapshot or index version is outside what they can read.
fn is_version_refusal(reason: &str) -> bool {
    [
        "which is higher than the version of this node",
        "minimum index compatibility version",
        "minimum compatible version",
        "is not compatible with",
        "cannot restore snapshot created",
        "is incompatible with",
        "was created with version",
        "created in version",
        // OpenSearch 2.x on an index created by Elasticsearch 6.x (seen on real nodes).
        "because it cannot be upgraded",
    ]
    .iter()
    .any(|p| reason.contains(p))
}

fn by_status(status: u16) -> ErrorCode {
    use ErrorCode::*;
    match status {
        400 => BadRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 | 405 | 410 => NotFound,
        408 => Timeout,
        429 => RateLimited,
        // Only ECE uses 449 ("retry with" elevated permissions), with or without a body.
        449 => EceElevatedPermissionsRequired,
        502 => BadGateway,
        503 => ServiceUnavailable,
        504 => GatewayTimeout,
        500..=599 => ServerError,
        _ => Other,
    }
}
