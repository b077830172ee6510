//! The error catalogue: complete, true to the decoder, covering the ECE codes the official
//! swagger lists, and in sync with the committed `docs/errors.md`
//! (refresh with `ESSNAP_BLESS=1 cargo test -p essnap --test catalogue`).

mod common;

use std::collections::BTreeSet;

use essnap::error::{Origin, catalogue, catalogue_markdown, ece_code};
use essnap::{ApiError, ErrorCode, Response};
use serde_json::{Value, json};

#[test]
fn docs_errors_md_is_generated_from_the_catalogue() {
    let path = common::repo_dir().join("docs/errors.md");
    let generated = catalogue_markdown();
    if std::env::var_os("ESSNAP_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/errors.md is stale: run `ESSNAP_BLESS=1 cargo test -p essnap --test catalogue` and commit the result"
    );
}

#[test]
fn every_code_is_catalogued_once_in_order_with_a_source() {
    let cat = catalogue();
    assert_eq!(cat.iter().map(|e| e.code).collect::<Vec<_>>(), ErrorCode::ALL);
    for e in &cat {
        assert!(!e.sources.is_empty(), "{} has no source", e.code);
        assert_eq!(e.hint, e.code.hint());
        assert_eq!(e.retry, e.code.retry());
    }
    let json = essnap::json::to_value(&cat);
    let first = &json[0];
    assert_eq!(first["code"], "snapshot_missing");
    assert_eq!(first["retry"], "no");
    assert_eq!(first["typical_status"], json!([404, 500]));
    assert_eq!(first["sources"][0], json!({"origin": "cluster", "code": "snapshot_missing_exception", "status": 404}));
}

fn es_error(status: u16, kind: &str, reason: &str) -> Response {
    let body = json!({"error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason}, "status": status});
    Response::new(status, serde_json::to_vec(&body).unwrap())
}

/// The catalogue describes what the decoder does, row by row.
#[test]
fn every_server_and_http_row_decodes_to_its_code() {
    for e in catalogue() {
        for s in &e.sources {
            let resp = match (s.origin, s.status) {
                (Origin::Cluster | Origin::Elasticsearch | Origin::Opensearch, Some(status)) => {
                    es_error(status, s.code, s.when.unwrap_or("something else went wrong"))
                }
                (Origin::ClusterMessage, Some(status)) => {
                    let body = json!({"error": format!("{} [/x] and method [GET]", s.code), "status": status});
                    Response::new(status, serde_json::to_vec(&body).unwrap())
                }
                (Origin::Http, Some(status)) => Response::new(status, Vec::new()),
                (Origin::Ece | Origin::EceLegacy, Some(status)) => {
                    Response::new(status, Vec::new()).with_header("x-cloud-error-codes", s.code)
                }
                _ => continue,
            };
            let got = ApiError::from_response(&resp);
            assert_eq!(got.code, e.code, "{:?} {} {:?} {:?}", s.origin, s.code, s.status, s.when);
        }
    }
}

#[test]
fn ece_rows_are_the_mapping() {
    for e in catalogue() {
        for s in e.sources.iter().filter(|s| matches!(s.origin, Origin::Ece | Origin::EceLegacy) && s.status.is_some()) {
            assert_eq!(ece_code(s.code), Some(e.code), "{}", s.code);
        }
    }
    assert_eq!(ece_code("clusters.some.future_code"), None);
}

/// Every `x-cloud-error-codes` value the official swagger lists for the take-snapshot and the
/// deployment proxy operations (the collector's index of both revisions) is catalogued.
#[test]
fn every_documented_ece_code_of_these_operations_is_catalogued() {
    let text = std::fs::read_to_string(common::spec_dir().join("ece/fragments/ece-snapshot-related-error-codes-index.json")).unwrap();
    let index: Value = serde_json::from_str(&text).unwrap();
    let mut checked = BTreeSet::new();
    for revision in ["pre-ms68", "current"] {
        for (code, ops) in index[revision].as_object().unwrap() {
            let ours = ops.as_array().unwrap().iter().filter_map(Value::as_str).any(|op| op.contains("/_snapshot ") || op.contains("/proxy/"));
            if ours {
                assert!(ece_code(code).is_some(), "{revision}: {code} is not catalogued");
                checked.insert(code.clone());
            }
        }
    }
    assert!(checked.len() >= 8, "{checked:?}");
    // And the statuses the endpoint fragment documents are the ones catalogued.
    let text = std::fs::read_to_string(common::spec_dir().join("ece/fragments/ece-clusters-snapshot-endpoint.json")).unwrap();
    let spec: Value = serde_json::from_str(&text).unwrap();
    let responses = spec["paths"]["/clusters/elasticsearch/{cluster_id}/_snapshot"]["post"]["responses"].as_object().unwrap();
    let cat = catalogue();
    for (status, r) in responses {
        let status: u16 = status.parse().unwrap();
        for code in r["headers"]["x-cloud-error-codes"]["enum"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let found = cat.iter().flat_map(|e| &e.sources).any(|s| s.code == code && s.status == Some(status));
            assert!(found, "{code} at {status} is not catalogued");
        }
    }
}

/// Older codes the pre-MS-68 swagger still names in descriptions (no header enum there) are known.
#[test]
fn legacy_codes_named_in_the_swagger_are_known() {
    let text = std::fs::read_to_string(common::spec_dir().join("ece/apidocs-ece-pre-ms68-with-clusters-api.json")).unwrap();
    assert!(text.contains("root.needs_elevated_permissions"));
    assert_eq!(ece_code("root.needs_elevated_permissions"), Some(ErrorCode::EceElevatedPermissionsRequired));
    // From the ECE 2.1/2.2 reference pages (ece/README.md), not in any stored swagger.
    assert_eq!(ece_code("clusters.snapshot.invalid_name"), Some(ErrorCode::SnapshotAlreadyExists));
    assert_eq!(ece_code("clusters.endpoint_not_found"), Some(ErrorCode::EceSnapshotFailed));
}
