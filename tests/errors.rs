//! One test per error code: a body shaped as the servers send it (error-catalog.md gives the
//! type, status and reason format of each) maps to the code, keeps the server's message, and
//! carries a hint and retry advice.

mod common;

use std::collections::BTreeSet;

use essnap::{ApiError, ErrorCode, Response, RetryAdvice};
use serde_json::json;

fn es_error(status: u16, kind: &str, reason: &str) -> Response {
    let body = json!({
        "error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason},
        "status": status
    });
    Response::new(status, serde_json::to_vec(&body).unwrap())
}

/// (status, error type, reason, expected code)
const CASES: &[(u16, &str, &str, ErrorCode)] = &[
    (404, "snapshot_missing_exception", "[backups:snap-9] is missing", ErrorCode::SnapshotMissing),
    (404, "repository_missing_exception", "[nope] missing", ErrorCode::RepositoryMissing),
    (400, "invalid_snapshot_name_exception", "[backups:Snap] Invalid snapshot name [Snap], must be lowercase", ErrorCode::InvalidSnapshotName),
    (400, "invalid_snapshot_name_exception", "[backups:snap-1] Invalid snapshot name [snap-1], snapshot with the same name already exists", ErrorCode::SnapshotAlreadyExists),
    (400, "snapshot_name_already_in_use_exception", "[backups:snap-1] snapshot with the same name already exists", ErrorCode::SnapshotAlreadyExists),
    (503, "concurrent_snapshot_execution_exception", "[backups:snap-2] a snapshot is already running", ErrorCode::ConcurrentSnapshotExecution),
    (500, "snapshot_restore_exception", "[backups:snap-1/dKb54xw67gvdRctLCxSket] cannot restore index [logs-a] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name", ErrorCode::RestoreConflictOpenIndex),
    (500, "snapshot_restore_exception", "[backups:snap-1/uuid] cannot restore index [logs-a] with [2] shards from a snapshot of index [logs-a] with [1] shards", ErrorCode::RestoreShardCountMismatch),
    // Both as real 7.17.29 and 2.19.1 nodes send them.
    (400, "invalid_index_name_exception", "Invalid index name [d-taken], already exists as alias", ErrorCode::RestoreNameConflict),
    (500, "illegal_state_exception", "index, alias, and data stream names need to be unique, but the following duplicates were found [d-al (alias of [d-al-src/rIPtBmV3ThSrmBmBHHyROQ]) conflicts with index]", ErrorCode::RestoreNameConflict),
    (500, "illegal_state_exception", "index, alias, and data stream names need to be unique, but the following duplicates were found [data stream [logs-app] conflicts with index]", ErrorCode::RestoreNameConflict),
    (500, "snapshot_restore_exception", "[backups:snap-new] the snapshot was created with Elasticsearch version [8.15.0] which is higher than the version of this node [8.12.2]", ErrorCode::RestoreIncompatibleVersion),
    (500, "snapshot_restore_exception", "[backups:snap-os] the snapshot was created with OpenSearch version [2.19.1] which is higher than the version of this node [2.11.0]", ErrorCode::RestoreIncompatibleVersion),
    (500, "snapshot_restore_exception", "[backups:snap-1] cannot restore, restore is already running", ErrorCode::RestoreFailed),
    (500, "snapshot_restore_exception", "[backups:nope] snapshot does not exist", ErrorCode::SnapshotMissing),
    (403, "security_exception", "current license is non-compliant for [archive]", ErrorCode::RestoreIncompatibleVersion),
    (500, "snapshot_exception", "[snap-3] failed to create snapshot successfully, 1 out of 5 total shards failed", ErrorCode::SnapshotFailed),
    (500, "repository_verification_exception", "[backups] path [x] is not accessible on master node", ErrorCode::RepositoryVerificationFailed),
    (500, "repository_conflict_exception", "[backups] trying to modify or unregister repository that is currently used", ErrorCode::RepositoryInUse),
    (500, "repository_exception", "[missing-plugins] repository type [azure] does not exist", ErrorCode::RepositoryTypeUnknown),
    (500, "repository_exception", "[archive] cannot create snapshot in a readonly repository", ErrorCode::RepositoryReadOnly),
    (500, "repository_exception", "[archive] cannot delete snapshot from a readonly repository", ErrorCode::RepositoryReadOnly),
    (500, "repository_exception", "[backups] failed to create repository", ErrorCode::InvalidRepository),
    (400, "index_closed_exception", "closed", ErrorCode::IndexClosed),
    // Snapshotting a closed index on a real 6.8.23 node.
    (403, "cluster_block_exception", "blocked by: [FORBIDDEN/4/index closed];", ErrorCode::IndexClosed),
    (404, "index_not_found_exception", "no such index [logs-z]", ErrorCode::IndexNotFound),
    (400, "resource_already_exists_exception", "index [logs-a/abc] already exists", ErrorCode::IndexAlreadyExists),
    (400, "invalid_index_name_exception", "Invalid index name [Logs], must be lowercase", ErrorCode::InvalidIndexName),
    (401, "security_exception", "missing authentication credentials for REST request [/]", ErrorCode::Unauthorized),
    (403, "security_exception", "action [cluster:admin/snapshot/restore] is unauthorized for user [reader]", ErrorCode::Forbidden),
    (429, "es_rejected_execution_exception", "rejected execution of coordinating operation", ErrorCode::RateLimited),
    (503, "process_cluster_event_timeout_exception", "failed to process cluster event (restore_snapshot) within 30s", ErrorCode::Timeout),
    (503, "master_not_discovered_exception", "", ErrorCode::ServiceUnavailable),
    (400, "illegal_argument_exception", "No enum constant org.elasticsearch.snapshots.SnapshotState.FOO", ErrorCode::BadRequest),
    (500, "illegal_state_exception", "The index [[logs-2016/abc]] was created with version [5.6.16] but the minimum compatible version is [6.0.0-beta1]. It should be re-indexed in Elasticsearch 6.x before upgrading to 7.x.", ErrorCode::RestoreIncompatibleVersion),
    (500, "null_pointer_exception", "boom", ErrorCode::ServerError),
    (418, "teapot_exception", "short and stout", ErrorCode::Other),
];

#[test]
fn each_server_error_maps_to_its_code() {
    for &(status, kind, reason, code) in CASES {
        let e = ApiError::from_response(&es_error(status, kind, reason));
        assert_eq!(e.code, code, "{kind}: {reason}");
        assert_eq!(e.server_type.as_deref(), Some(kind));
        assert_eq!(e.status, Some(status));
        if !reason.is_empty() {
            assert_eq!(e.message, reason, "the server's message is kept verbatim");
        }
        assert!(!e.hint().is_empty());
        assert_eq!(e.root_causes.len(), 1);
    }
}

#[test]
fn status_only_answers_map_by_status() {
    let cases: &[(u16, &[u8], ErrorCode, &str)] = &[
        (502, b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", ErrorCode::BadGateway, "502 Bad Gateway"),
        (504, b"<!DOCTYPE html><html><title>Gateway Time-out</title></html>", ErrorCode::GatewayTimeout, "Gateway Time-out"),
        (503, b"", ErrorCode::ServiceUnavailable, "empty body"),
        (404, b"Not Found", ErrorCode::NotFound, "Not Found"),
        (401, b"", ErrorCode::Unauthorized, "empty body"),
        (403, b"Forbidden", ErrorCode::Forbidden, "Forbidden"),
        (408, b"", ErrorCode::Timeout, "empty"),
        (429, b"Too Many Requests", ErrorCode::RateLimited, "Too Many"),
        (400, b"{\"error\":\"no handler found for uri [/_snapshot/x/y/z] and method [GET]\",\"status\":400}", ErrorCode::NotFound, "no handler found"),
        (405, b"{\"error\":\"Incorrect HTTP method for uri [/_data_stream] and method [GET], allowed: [POST]\",\"status\":405}", ErrorCode::NotFound, "Incorrect HTTP method"),
        (500, b"{\"error\":{\"truncated", ErrorCode::ServerError, "truncated"),
        (302, b"<html>moved</html>", ErrorCode::InvalidResponse, "HTML"),
    ];
    for &(status, body, code, needle) in cases {
        let e = ApiError::from_response(&Response::new(status, body.to_vec()));
        assert_eq!(e.code, code, "HTTP {status}");
        assert!(e.message.contains(needle), "HTTP {status}: {}", e.message);
    }
}

#[test]
fn a_wrapped_error_is_classified_by_its_cause() {
    let body = json!({"error": {
        "root_cause": [{"type": "snapshot_restore_exception", "reason": "[r:s/u] cannot restore index [a] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name"}],
        "type": "remote_transport_exception", "reason": "[node-1][127.0.0.1:9300][cluster:admin/snapshot/restore]",
        "caused_by": {"type": "snapshot_restore_exception", "reason": "... open index with same name ...",
            "caused_by": {"type": "x", "reason": "deeper"}}
    }, "status": 500});
    let e = ApiError::from_response(&Response::new(500, serde_json::to_vec(&body).unwrap()));
    assert_eq!(e.code, ErrorCode::RestoreConflictOpenIndex);
    assert_eq!(e.caused_by.len(), 2);
    let shown = e.to_string();
    assert!(shown.contains("caused by: x: deeper"), "{shown}");
    assert!(shown.contains("hint:"), "{shown}");
}

#[test]
fn the_official_opensearch_error_body_keeps_its_chain() {
    let body = std::fs::read(common::spec_dir().join("examples/opensearch/error.snapshot.verify_repository.500.repository_verification_exception.json")).unwrap();
    let e = ApiError::from_response(&Response::new(500, body));
    assert_eq!(e.code, ErrorCode::RepositoryVerificationFailed);
    assert_eq!(e.caused_by.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["i_o_exception", "amazon_service_exception"]);
}

#[test]
fn ece_codes_come_from_body_and_header_and_the_header_wins() {
    let body = json!({"errors": [{"code": "clusters.snapshot.invalid_name", "message": "Snapshot name conflict"}]});
    let resp = Response::new(409, serde_json::to_vec(&body).unwrap()).with_header("X-Cloud-Error-Codes", "clusters.snapshot.name_conflict");
    let e = ApiError::from_response(&resp);
    assert_eq!(e.server_type.as_deref(), Some("clusters.snapshot.name_conflict"));
    assert_eq!(e.source_codes, ["clusters.snapshot.name_conflict", "clusters.snapshot.invalid_name"]);
    assert_eq!(e.message, "Snapshot name conflict");
}

#[test]
fn deep_cause_chains_are_bounded() {
    let mut inner = json!({"type": "leaf", "reason": "bottom"});
    for i in 0..500 {
        inner = json!({"type": format!("t{i}"), "reason": "r", "caused_by": inner});
    }
    let body = json!({"error": inner, "status": 500});
    // serde_json's recursion limit (128) makes this body undecodable as JSON: still no panic.
    let e = ApiError::from_response(&Response::new(500, serde_json::to_vec(&body).unwrap()));
    assert!(e.caused_by.len() <= 16);
}

#[test]
fn retry_advice_follows_what_the_server_did() {
    assert_eq!(ErrorCode::RateLimited.retry(), RetryAdvice::Safe);
    assert_eq!(ErrorCode::ConcurrentSnapshotExecution.retry(), RetryAdvice::Safe);
    assert_eq!(ErrorCode::GatewayTimeout.retry(), RetryAdvice::CheckFirst);
    assert_eq!(ErrorCode::BadGateway.retry(), RetryAdvice::CheckFirst);
    assert_eq!(ErrorCode::Timeout.retry(), RetryAdvice::CheckFirst);
    assert_eq!(ErrorCode::RestoreConflictOpenIndex.retry(), RetryAdvice::No);
    assert!(!ApiError::new(ErrorCode::GatewayTimeout, Some(504), "x").is_retryable());
}

/// (status, ECE code, expected code): both generations (tests/ece.rs covers header/body combinations).
const ECE_CASES: &[(u16, &str, ErrorCode)] = &[
    (404, "clusters.cluster_not_found", ErrorCode::EceClusterNotFound),
    (404, "deployments.deployment_not_found", ErrorCode::EceDeploymentNotFound),
    (401, "clusters.snapshot.invalid_credentials", ErrorCode::EceInvalidCredentials),
    (449, "root.unauthorized.rbac.elevated_permissions_required", ErrorCode::EceElevatedPermissionsRequired),
    (449, "root.needs_elevated_permissions", ErrorCode::EceElevatedPermissionsRequired),
    (500, "clusters.snapshot.failed", ErrorCode::EceSnapshotFailed),
    (409, "clusters.snapshot.name_conflict", ErrorCode::SnapshotAlreadyExists),
    (404, "clusters.snapshot.repository_not_found", ErrorCode::RepositoryMissing),
    (500, "clusters.some.future_code", ErrorCode::Other),
];

#[test]
fn each_ece_code_maps_to_its_code() {
    for &(status, ece, code) in ECE_CASES {
        let body = json!({"errors": [{"code": ece, "message": "m"}]});
        let e = ApiError::from_response(&Response::new(status, serde_json::to_vec(&body).unwrap()));
        assert_eq!(e.code, code, "{ece}");
        assert_eq!(e.source_codes, [ece]);
    }
}

#[test]
fn every_code_is_exercised_and_documented() {
    let mut seen: BTreeSet<&str> = CASES.iter().map(|c| c.3.as_str()).collect();
    seen.extend(ECE_CASES.iter().map(|c| c.2.as_str()));
    seen.extend(["bad_gateway", "gateway_timeout", "not_found", "invalid_response"]);
    // Set by essnap itself (tests/ece.rs: the fallback decision) or by the host when no answer
    // arrived (transport failures); tests/catalogue.rs checks they are catalogued.
    seen.extend(["ece_endpoint_removed", "connection_failed", "connection_dropped", "tls_error", "cors_blocked", "aborted"]);
    // A machine's own inputs (tests/restore_machine.rs: a bad name given to the gather step).
    seen.insert("invalid_input");
    for code in ErrorCode::ALL {
        assert!(seen.contains(code.as_str()), "no test for {code}");
        assert_eq!(ErrorCode::from_code(code.as_str()), Some(*code));
        assert!(code.hint().len() > 20, "{code} needs a real hint");
    }
}
