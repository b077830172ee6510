//! Elastic Cloud Enterprise: the take-snapshot call, its monitoring call, the proxy fallback and
//! the ECE error codes, driven by the official swagger files in `es-spec/ece/` (read in place).
//!
//! The swagger documents have no example bodies for these operations, so response bodies are
//! built from the definitions themselves: once with only the `required` fields, once with every
//! field (nested definitions followed through `$ref`, depth-limited).

mod common;

use std::collections::BTreeSet;

use essnap::api::snapshot::{CreateSnapshot, GetSnapshots};
use essnap::ece::*;
use essnap::error::ece_code;
use essnap::{ApiError, Credentials, Dialect, ErrorCode, Method, Response, Secret};
use serde_json::{Map, Value, json};

fn read_json(rel: &str) -> Value {
    let text = std::fs::read_to_string(common::spec_dir().join(rel)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pre_ms68() -> Value {
    read_json("ece/apidocs-ece-pre-ms68-with-clusters-api.json")
}

/// A JSON value for a swagger schema: `required` fields only, or every field.
fn instance(schema: &Value, defs: &Value, all: bool, depth: usize) -> Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        return instance(&defs[name], defs, all, depth + 1);
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        return e[0].clone();
    }
    match schema.get("type").and_then(Value::as_str).unwrap_or("object") {
        "string" => json!("x-value"),
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "array" if all && depth < 6 => json!([instance(&schema["items"], defs, all, depth + 1)]),
        "array" => json!([]),
        _ => {
            let required: BTreeSet<&str> =
                schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let mut o = Map::new();
            for (k, v) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
                if required.contains(k.as_str()) || (all && depth < 6) {
                    o.insert(k.clone(), instance(v, defs, all, depth + 1));
                }
            }
            Value::Object(o)
        }
    }
}

fn ece_body(codes: &[&str]) -> Vec<u8> {
    let errors: Vec<Value> = codes.iter().map(|c| json!({"code": c, "message": format!("message for {c}"), "fields": ["name"]})).collect();
    serde_json::to_vec(&json!({ "errors": errors })).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Every documented response of the three operations, built from the swagger definitions.

#[test]
fn every_documented_take_snapshot_response_decodes() {
    let spec = pre_ms68();
    let defs = &spec["definitions"];
    let fragment = read_json("ece/fragments/ece-clusters-snapshot-endpoint.json");
    let op = &fragment["paths"]["/clusters/elasticsearch/{cluster_id}/_snapshot"]["post"];
    assert_eq!(op["operationId"], "snapshot-es-cluster");
    assert!(op["description"].as_str().unwrap().contains("deprecated"));
    let mut statuses = Vec::new();
    for (status, r) in op["responses"].as_object().unwrap() {
        let status: u16 = status.parse().unwrap();
        statuses.push(status);
        for all in [false, true] {
            let body = serde_json::to_vec(&instance(&r["schema"], defs, all, 0)).unwrap();
            if status == 202 {
                let got = decode_take_snapshot(&Response::new(202, body)).unwrap();
                assert_eq!(got.name, "x-value");
                continue;
            }
            // The body as the definition allows it (codes "x-value"), with each documented code
            // in the header: the header decides.
            for code in r["headers"]["x-cloud-error-codes"]["enum"].as_array().unwrap().iter().filter_map(Value::as_str) {
                let e = ApiError::from_response(&Response::new(status, body.clone()).with_header("x-cloud-error-codes", code));
                assert_eq!(Some(e.code), ece_code(code), "{status} {code}");
                assert_eq!(e.status, Some(status));
                assert_eq!(e.source_codes[0], code);
                assert!(!e.hint().is_empty());
            }
        }
    }
    statuses.sort();
    assert_eq!(statuses, [202, 401, 404, 409, 449, 500]);
}

#[test]
fn the_request_body_is_a_cluster_snapshot_request() {
    let defs = read_json("ece/fragments/ece-snapshot-definitions.json");
    let props: BTreeSet<String> = defs["definitions"]["ClusterSnapshotRequest"]["properties"].as_object().unwrap().keys().cloned().collect();
    let take = TakeSnapshot {
        name: Some("before-upgrade".into()),
        repository_name: Some("found-snapshots".into()),
        username: Some("elastic".into()),
        password: Some(Secret::new("hunter2")),
        ..TakeSnapshot::new("a1b2c3")
    };
    let req = take.build().unwrap();
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.path, "/api/v1/clusters/elasticsearch/a1b2c3/_snapshot");
    let body = req.body_json().unwrap();
    let keys: BTreeSet<String> = body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, props);
    assert_eq!(body["password"], "hunter2", "the password is sent (only) in the body");
    // Every field is optional: an empty object.
    assert_eq!(TakeSnapshot::new("a1b2c3").build().unwrap().body_json().unwrap(), json!({}));
}

#[test]
fn every_documented_get_cluster_response_decodes() {
    let spec = pre_ms68();
    let defs = &spec["definitions"];
    let op = &spec["paths"]["/clusters/elasticsearch/{cluster_id}"]["get"];
    for (status, r) in op["responses"].as_object().unwrap() {
        let status: u16 = status.parse().unwrap();
        for all in [false, true] {
            let body = serde_json::to_vec(&instance(&r["schema"], defs, all, 0)).unwrap();
            if status == 200 {
                let info = decode_cluster_info(&Response::new(200, body)).unwrap();
                assert_eq!(info.cluster_id.as_deref(), Some("x-value"));
                assert_eq!(info.status.as_deref(), Some("initializing"), "first enum value");
                let snaps = info.snapshots.as_ref().unwrap();
                assert_eq!(snaps.count, Some(1));
                assert_eq!(info.plan_info.as_ref().unwrap().healthy, Some(true));
                // Only with every field is there a pending plan.
                assert_eq!(info.has_pending_plan(), all);
                assert_eq!(info.progress(), if all { EceProgress::Pending } else { EceProgress::Unknown });
            } else {
                let e = decode_cluster_info(&Response::new(status, body).with_header("x-cloud-error-codes", "clusters.cluster_not_found")).unwrap_err();
                assert_eq!(e.code, ErrorCode::EceClusterNotFound);
            }
        }
    }
}

#[test]
fn every_documented_proxy_response_decodes() {
    let fragment = read_json("ece/fragments/ece-deployments-proxy-endpoint-current.json");
    let defs = &fragment["definitions"];
    let path = &fragment["paths"]["/deployments/{deployment_id}/{resource_kind}/{ref_id}/proxy/{proxy_path}"];
    for method in ["get", "post", "put", "delete"] {
        let op = &path[method];
        let header = op["parameters"].as_array().unwrap().iter().find(|p| p["in"] == "header").unwrap();
        assert_eq!(header["name"].as_str().unwrap().to_ascii_lowercase(), MANAGEMENT_HEADER);
        assert_eq!(header["required"], true);
        for (status, r) in op["responses"].as_object().unwrap() {
            let status: u16 = status.parse().unwrap();
            if status == 200 {
                continue; // GenericResponse: the cluster's own answer, decoded by the usual decoders
            }
            let body = serde_json::to_vec(&instance(&r["schema"], defs, true, 0)).unwrap();
            for code in r["headers"]["x-cloud-error-codes"]["enum"].as_array().unwrap().iter().filter_map(Value::as_str) {
                let e = ApiError::from_response(&Response::new(status, body.clone()).with_header("x-cloud-error-codes", code));
                assert!(matches!(e.code, ErrorCode::EceDeploymentNotFound | ErrorCode::EceClusterNotFound), "{code}: {}", e.code);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One test per ECE code (both generations): header only, body only, both agreeing, and both
// disagreeing (the header wins).

fn check_code(status: u16, code: &str, expected: ErrorCode) {
    // A code of another meaning, for the disagreeing case.
    let other = if expected == ErrorCode::EceSnapshotFailed { "clusters.cluster_not_found" } else { "clusters.snapshot.failed" };
    let other_code = ece_code(other).unwrap();

    let header_only = ApiError::from_response(&Response::new(status, Vec::new()).with_header("x-cloud-error-codes", code));
    let body_only = ApiError::from_response(&Response::new(status, ece_body(&[code])));
    let agreeing = ApiError::from_response(&Response::new(status, ece_body(&[code])).with_header("X-Cloud-Error-Codes", code));
    let header_wins = ApiError::from_response(&Response::new(status, ece_body(&[other])).with_header("x-cloud-error-codes", code));
    let body_loses = ApiError::from_response(&Response::new(status, ece_body(&[code])).with_header("x-cloud-error-codes", other));

    for (case, e) in [("header only", &header_only), ("body only", &body_only), ("agreeing", &agreeing), ("header wins", &header_wins)] {
        assert_eq!(e.code, expected, "{code} ({case})");
        assert_eq!(e.status, Some(status));
        assert_eq!(e.server_type.as_deref(), Some(code), "{case}");
        assert_eq!(e.source_codes[0], code, "{case}");
    }
    assert_eq!(agreeing.source_codes, [code], "the same code is kept once");
    assert_eq!(header_wins.source_codes, [code, other]);
    assert_eq!(body_only.message, format!("message for {code}"));
    assert_eq!(body_loses.code, other_code, "{code}: the header wins over the body");
    assert!(!expected.hint().is_empty());
}

macro_rules! ece_code_tests {
    ($( $name:ident: $status:literal $code:literal => $expected:ident; )*) => {
        $( #[test] fn $name() { check_code($status, $code, ErrorCode::$expected); } )*

        #[test]
        fn every_catalogued_ece_code_has_its_test() {
            let tested: BTreeSet<&str> = [$( $code, )*].into_iter().collect();
            for e in essnap::error::catalogue() {
                for s in e.sources.iter().filter(|s| matches!(s.origin, essnap::error::Origin::Ece | essnap::error::Origin::EceLegacy) && s.status.is_some()) {
                    assert!(tested.contains(s.code), "no test for {}", s.code);
                }
            }
        }
    };
}

ece_code_tests! {
    // ECE ≥ 2.3 (the take-snapshot operation of the pre-MS-68 swagger)
    code_invalid_credentials: 401 "clusters.snapshot.invalid_credentials" => EceInvalidCredentials;
    code_cluster_not_found: 404 "clusters.cluster_not_found" => EceClusterNotFound;
    code_repository_not_found_404: 404 "clusters.snapshot.repository_not_found" => RepositoryMissing;
    code_repository_not_found_500: 500 "clusters.snapshot.repository_not_found" => RepositoryMissing;
    code_name_conflict: 409 "clusters.snapshot.name_conflict" => SnapshotAlreadyExists;
    code_elevated_permissions_required: 449 "root.unauthorized.rbac.elevated_permissions_required" => EceElevatedPermissionsRequired;
    code_snapshot_failed: 500 "clusters.snapshot.failed" => EceSnapshotFailed;
    // the deployment proxy (current swagger)
    code_deployment_not_found: 404 "deployments.deployment_not_found" => EceDeploymentNotFound;
    code_deployment_resource_not_found: 404 "deployments.deployment_resource_not_found" => EceDeploymentNotFound;
    // authentication and authorization of any call
    code_unauthenticated: 401 "root.unauthenticated" => Unauthorized;
    code_unauthorized: 401 "root.unauthorized" => Unauthorized;
    code_invalid_authentication: 401 "root.invalid_authentication" => Unauthorized;
    code_rbac: 403 "root.unauthorized.rbac" => Forbidden;
    code_invalid_data: 400 "root.invalid_data" => BadRequest;
    // ECE 2.1/2.2 (ece/README.md; `root.needs_elevated_permissions` is still named in the pre-MS-68 swagger)
    legacy_invalid_name: 409 "clusters.snapshot.invalid_name" => SnapshotAlreadyExists;
    legacy_needs_elevated_permissions: 449 "root.needs_elevated_permissions" => EceElevatedPermissionsRequired;
    legacy_endpoint_not_found: 500 "clusters.endpoint_not_found" => EceSnapshotFailed;
}

#[test]
fn unknown_ece_codes_are_kept_verbatim_as_other() {
    let e = ApiError::from_response(&Response::new(500, ece_body(&["clusters.brand_new_failure"])));
    assert_eq!(e.code, ErrorCode::Other);
    assert_eq!(e.source_codes, ["clusters.brand_new_failure"]);
    // A known code anywhere in the list decides, header codes first.
    let e = ApiError::from_response(
        &Response::new(404, ece_body(&["clusters.cluster_not_found"])).with_header("x-cloud-error-codes", "clusters.brand_new_failure"),
    );
    assert_eq!(e.code, ErrorCode::EceClusterNotFound);
    assert_eq!(e.source_codes, ["clusters.brand_new_failure", "clusters.cluster_not_found"]);
    // Several codes in one header.
    let e = ApiError::from_response(&Response::new(404, Vec::new()).with_header("x-cloud-error-codes", " clusters.cluster_not_found , deployments.deployment_not_found"));
    assert_eq!(e.source_codes, ["clusters.cluster_not_found", "deployments.deployment_not_found"]);
    assert_eq!(e.code, ErrorCode::EceClusterNotFound);
}

// ---------------------------------------------------------------------------------------------
// Bad answers: clear errors, never a panic.

#[test]
fn bad_answers_map_to_clear_errors() {
    let html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>".to_vec();
    let e = decode_take_snapshot(&Response::new(502, html.clone()).with_header("content-type", "text/html")).unwrap_err();
    assert_eq!(e.code, ErrorCode::BadGateway);
    assert!(e.message.contains("HTML") && e.message.contains("502 Bad Gateway"), "{}", e.message);

    let e = decode_take_snapshot(&Response::new(202, html)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse);

    let e = decode_take_snapshot(&Response::new(202, "{}")).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse, "name is required");

    let e = decode_take_snapshot(&Response::new(500, Vec::new())).unwrap_err();
    assert_eq!(e.code, ErrorCode::ServerError);
    assert!(e.message.contains("empty body"), "{}", e.message);

    let e = decode_take_snapshot(&Response::new(449, Vec::new())).unwrap_err();
    assert_eq!(e.code, ErrorCode::EceElevatedPermissionsRequired, "449 means elevation even without a body");
    assert!(e.message.contains("449"), "{}", e.message);

    let e = decode_take_snapshot(&Response::new(409, r#"{"errors": "not a list"}"#)).unwrap_err();
    assert_eq!(e.code, ErrorCode::Other);

    let e = decode_cluster_info(&Response::new(200, "[1,2]")).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse);
    let e = decode_cluster_info(&Response::new(200, "<html>login</html>")).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse);
}

#[test]
fn the_cluster_info_is_read_leniently() {
    let body = json!({
        "cluster_id": "a1b2c3", "healthy": "true", "status": 7, "brand_new_field": {"x": 1},
        "plan_info": {"healthy": true, "pending": {"plan_attempt_id": "p1", "plan_attempt_log": [{"step_id": "snapshot", "status": "pending", "stage": "in_progress"}, 5]}},
        "snapshots": {"count": "3", "latest_successful": "maybe", "latest_status": "SUCCESS"}
    });
    let info = decode_cluster_info(&Response::new(200, serde_json::to_vec(&body).unwrap())).unwrap();
    assert_eq!(info.healthy, Some(true));
    assert_eq!(info.status, None, "a wrong type drops the field, not the answer");
    assert!(info.has_pending_plan());
    assert_eq!(info.plan_info.as_ref().unwrap().pending.as_ref().unwrap().plan_attempt_log.len(), 1);
    assert_eq!(info.progress(), EceProgress::Pending);
    assert_eq!(info.snapshots.as_ref().unwrap().count, Some(3));

    let done = json!({"plan_info": {"healthy": true, "current": {"healthy": true}}, "snapshots": {"latest_status": "SUCCESS"}});
    let info = decode_cluster_info(&Response::new(200, serde_json::to_vec(&done).unwrap())).unwrap();
    assert_eq!(info.progress(), EceProgress::Succeeded);
    let failed = json!({"plan_info": {"healthy": false}, "snapshots": {"latest_successful": true}});
    let info = decode_cluster_info(&Response::new(200, serde_json::to_vec(&failed).unwrap())).unwrap();
    assert_eq!(info.progress(), EceProgress::Failed);
}

#[test]
fn arbitrary_bytes_never_panic() {
    let samples: Vec<Vec<u8>> = vec![
        vec![],
        b"\xff\xfe\x00".to_vec(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"{\"errors\":[{\"code\":5},{\"message\":[]},null]}".to_vec(),
        b"{\"name\": 5}".to_vec(),
        b"{\"plan_info\": [], \"snapshots\": \"x\"}".to_vec(),
        "{\"errors\":[".repeat(300).into_bytes(),
    ];
    for status in [200, 202, 400, 401, 404, 409, 410, 449, 500, 502] {
        for body in &samples {
            let resp = Response::new(status, body.clone()).with_header("x-cloud-error-codes", ",,\u{0}");
            let _ = decode_take_snapshot(&resp);
            let _ = decode_cluster_info(&resp);
            let _ = route_is_gone(&resp);
            let mut flow = EceSnapshot::new(TakeSnapshot::new("a1b2c3")).with_proxy(ProxyTarget::new("d4e5f6"));
            flow.first_request().unwrap();
            let _ = flow.on_response(&resp);
            let _ = flow.on_response(&resp);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The fallback decision.

fn flow() -> EceSnapshot {
    let take = TakeSnapshot { name: Some("before-upgrade".into()), ..TakeSnapshot::new("a1b2c3") };
    EceSnapshot::new(take).with_proxy(ProxyTarget::new("d4e5f6"))
}

#[test]
fn a_202_is_done() {
    let mut f = flow();
    let req = f.first_request().unwrap();
    assert_eq!(req.path, "/api/v1/clusters/elasticsearch/a1b2c3/_snapshot");
    assert_eq!(f.on_response(&Response::new(202, r#"{"name":"before-upgrade"}"#)), Next::Done("before-upgrade".into()));
}

#[test]
fn a_route_404_or_410_falls_back_to_the_proxy() {
    for (status, body) in [(404, &b""[..]), (410, b"Gone"), (404, b"The requested resource could not be found."), (404, br#"{"errors":[{"code":"root.resource_not_found","message":"no route"}]}"#)] {
        let mut f = flow();
        f.first_request().unwrap();
        let Next::Fallback(req) = f.on_response(&Response::new(status, body.to_vec())) else { panic!("{status}: no fallback") };
        assert_eq!(req.method, Method::Put);
        assert_eq!(req.api, "snapshot.create");
        assert_eq!(req.path, "/api/v1/deployments/d4e5f6/elasticsearch/_main/proxy/_snapshot/found-snapshots/before-upgrade?wait_for_completion=false");
        assert!(req.headers.contains(&("x-management-request".to_string(), "true".to_string())));
        assert_eq!(f.on_response(&Response::new(200, r#"{"accepted":true}"#)), Next::Done("before-upgrade".into()));
    }
}

#[test]
fn a_documented_404_does_not_fall_back() {
    let mut f = flow();
    f.first_request().unwrap();
    let resp = Response::new(404, ece_body(&["clusters.cluster_not_found"])).with_header("x-cloud-error-codes", "clusters.cluster_not_found");
    let Next::Failed(e) = f.on_response(&resp) else { panic!() };
    assert_eq!(e.code, ErrorCode::EceClusterNotFound);

    let mut f = flow();
    f.first_request().unwrap();
    let Next::Failed(e) = f.on_response(&Response::new(404, ece_body(&["clusters.snapshot.repository_not_found"]))) else { panic!() };
    assert_eq!(e.code, ErrorCode::RepositoryMissing);
}

#[test]
fn other_errors_fail_with_their_code() {
    for (status, code, expected) in [
        (409, "clusters.snapshot.name_conflict", ErrorCode::SnapshotAlreadyExists),
        (449, "root.unauthorized.rbac.elevated_permissions_required", ErrorCode::EceElevatedPermissionsRequired),
        (401, "clusters.snapshot.invalid_credentials", ErrorCode::EceInvalidCredentials),
        (500, "clusters.snapshot.failed", ErrorCode::EceSnapshotFailed),
    ] {
        let mut f = flow();
        f.first_request().unwrap();
        assert_eq!(f.on_response(&Response::new(status, ece_body(&[code]))), Next::Failed(ApiError::from_response(&Response::new(status, ece_body(&[code])))));
        let mut f = flow();
        f.first_request().unwrap();
        let Next::Failed(e) = f.on_response(&Response::new(status, ece_body(&[code]))) else { panic!() };
        assert_eq!(e.code, expected);
    }
}

#[test]
fn without_a_deployment_the_removed_route_is_a_clear_error() {
    let mut f = EceSnapshot::new(TakeSnapshot::new("a1b2c3"));
    f.first_request().unwrap();
    let Next::Failed(e) = f.on_response(&Response::new(404, "404 page not found")) else { panic!() };
    assert_eq!(e.code, ErrorCode::EceEndpointRemoved);
    assert_eq!(e.status, Some(404));
    assert!(e.message.contains("clusters API is gone"), "{}", e.message);
    assert!(e.hint().contains("deployment"));
}

#[test]
fn the_caller_can_go_straight_to_the_proxy() {
    let take = TakeSnapshot { repository_name: Some("backups".into()), ..TakeSnapshot::new("a1b2c3") };
    let mut f = EceSnapshot::new(take.clone()).with_proxy(ProxyTarget::new("d4e5f6").with_ref_id("main-elasticsearch")).prefer_proxy();
    let req = f.first_request().unwrap();
    // No name given: date math, as ECE would pick one itself.
    assert_eq!(
        req.path,
        format!("/api/v1/deployments/d4e5f6/elasticsearch/main-elasticsearch/proxy/_snapshot/backups/{}?wait_for_completion=false", essnap::request::encode_segment(DEFAULT_FALLBACK_NAME))
    );
    // The cluster resolved the name: that one is reported.
    let body = json!({"snapshot": {"snapshot": "essnap-2026.01.02-03.04.05", "uuid": "u", "state": "IN_PROGRESS", "indices": []}});
    assert_eq!(f.on_response(&Response::new(200, serde_json::to_vec(&body).unwrap())), Next::Done("essnap-2026.01.02-03.04.05".into()));

    let err = EceSnapshot::new(take).prefer_proxy().first_request().unwrap_err();
    assert_eq!(err.field, "deployment_id");
}

#[test]
fn the_fallback_request_can_be_customised() {
    let create = CreateSnapshot { indices: vec!["logs-*".into()], wait_for_completion: Some(false), ..CreateSnapshot::new("found-snapshots", "custom") };
    let mut f = flow().with_create(create).with_dialect(Dialect::default());
    f.first_request().unwrap();
    let Next::Fallback(req) = f.on_response(&Response::new(410, "")) else { panic!() };
    assert_eq!(req.body_json().unwrap(), json!({"indices": "logs-*"}));
    assert_eq!(f.on_response(&Response::new(200, r#"{"accepted":true}"#)), Next::Done("custom".into()));
}

#[test]
fn proxy_errors_decode_as_the_cluster_or_ece_sent_them() {
    let mut f = flow().prefer_proxy();
    f.first_request().unwrap();
    let es = json!({"error": {"type": "invalid_snapshot_name_exception", "reason": "[found-snapshots:before-upgrade] Invalid snapshot name [before-upgrade], snapshot with the same name already exists"}, "status": 400});
    let Next::Failed(e) = f.on_response(&Response::new(400, serde_json::to_vec(&es).unwrap())) else { panic!() };
    assert_eq!(e.code, ErrorCode::SnapshotAlreadyExists);

    let mut f = flow().prefer_proxy();
    f.first_request().unwrap();
    let resp = Response::new(404, ece_body(&["deployments.deployment_not_found"])).with_header("x-cloud-error-codes", "deployments.deployment_not_found");
    let Next::Failed(e) = f.on_response(&resp) else { panic!() };
    assert_eq!(e.code, ErrorCode::EceDeploymentNotFound);
}

#[test]
fn responses_out_of_turn_fail_without_panicking() {
    let mut f = flow();
    assert!(matches!(f.on_response(&Response::new(202, r#"{"name":"x"}"#)), Next::Failed(_)), "before first_request");
    f.first_request().unwrap();
    assert_eq!(f.on_response(&Response::new(202, r#"{"name":"x"}"#)), Next::Done("x".into()));
    assert!(matches!(f.on_response(&Response::new(202, r#"{"name":"x"}"#)), Next::Failed(_)), "after Done");
}

#[test]
fn bad_input_is_caught_before_anything_is_sent() {
    for (id, needle) in [("", "empty"), ("A1B2C3", "uppercase"), ("a1b2/../x", "0-9 and a-f"), ("prod", "0-9 and a-f"), (&"a".repeat(65), "longer")] {
        let e = TakeSnapshot::new(id).build().unwrap_err();
        assert_eq!(e.field, "cluster_id");
        assert!(e.problem.contains(needle), "{id}: {}", e.problem);
        assert!(GetCluster::new(id).build().is_err());
    }
    assert_eq!(TakeSnapshot { name: Some("Bad Name".into()), ..TakeSnapshot::new("a1b2c3") }.build().unwrap_err().field, "snapshot");
    assert_eq!(TakeSnapshot { repository_name: Some("_x".into()), ..TakeSnapshot::new("a1b2c3") }.build().unwrap_err().field, "repository");
    let mut f = EceSnapshot::new(TakeSnapshot::new("a1b2c3")).with_proxy(ProxyTarget::new("not-hex"));
    assert_eq!(f.first_request().unwrap_err().field, "deployment_id");
    let mut f = EceSnapshot::new(TakeSnapshot::new("a1b2c3")).with_proxy(ProxyTarget::new("d4e5f6").with_ref_id("a/b"));
    assert_eq!(f.first_request().unwrap_err().field, "ref_id");
}

// ---------------------------------------------------------------------------------------------
// Connection, proxy wrapping, monitoring request, secrets.

#[test]
fn ece_urls_parse_with_ece_defaults() {
    let c = EceConnection::parse("https://ece.example:12443").unwrap();
    assert_eq!(c.base_url(), "https://ece.example:12443");
    assert_eq!(EceConnection::parse("https://ece.example").unwrap().base_url(), "https://ece.example:443");
    assert_eq!(EceConnection::parse("http://10.0.0.1").unwrap().base_url(), "http://10.0.0.1:80");
    assert_eq!(EceConnection::parse("https://ece.example:12443/api/v1").unwrap().base_url(), "https://ece.example:12443");
    assert_eq!(EceConnection::parse("https://gw.example/ece/api/v1/").unwrap().base_url(), "https://gw.example:443/ece");
    assert_eq!(EceConnection::parse("https://[::1]:12443").unwrap().base_url(), "https://[::1]:12443");
    let e = EceConnection::parse("ftp://ece.example").unwrap_err();
    assert!(e.hint.contains("12443"), "{e}");
    assert!(EceConnection::parse("").is_err());
}

#[test]
fn ece_credentials_become_authorization_headers() {
    let take = TakeSnapshot::new("a1b2c3").build().unwrap();
    let c = EceConnection::parse("https://ece.example:12443").unwrap().with_api_key("ApiKey b3BhcXVlLWtleQ==").unwrap();
    let p = c.prepare(&take);
    assert_eq!(p.url, "https://ece.example:12443/api/v1/clusters/elasticsearch/a1b2c3/_snapshot");
    assert!(p.headers.contains(&("authorization".into(), "ApiKey b3BhcXVlLWtleQ==".into())));
    let c = EceConnection::parse("https://admin:pa%40ss@ece.example:12443").unwrap();
    let p = c.prepare(&take);
    assert!(p.headers.contains(&("authorization".into(), "Basic YWRtaW46cGFAc3M=".into())));
    let c = EceConnection::parse("https://ece.example:12443").unwrap().with_user("admin", Secret::new("pa@ss")).unwrap();
    assert_eq!(c.connection().credentials, Some(Credentials::Basic { username: "admin".into(), password: Secret::new("pa@ss") }));
    assert_eq!(EceConnection::parse("https://e:1").unwrap().with_api_key("  ").unwrap_err().field, "api_key");
    assert!(EceConnection::parse("https://e:1").unwrap().with_user("a:b", Secret::new("x")).is_err());
}

#[test]
fn any_request_can_go_through_the_proxy() {
    let get = GetSnapshots { size: Some(5), ..GetSnapshots::new("found-snapshots", ["*"]) }.build(&Dialect::default()).unwrap();
    let proxied = ProxyTarget::new("d4e5f6").wrap(&get).unwrap();
    assert_eq!(proxied.path, "/api/v1/deployments/d4e5f6/elasticsearch/_main/proxy/_snapshot/found-snapshots/*?size=5");
    assert_eq!((proxied.method, proxied.api), (get.method, get.api));
    assert_eq!(proxied.headers.iter().filter(|(k, _)| k == MANAGEMENT_HEADER).count(), 1);
    let twice = ProxyTarget::new("d4e5f6").wrap(&proxied).unwrap();
    assert_eq!(twice.headers.iter().filter(|(k, _)| k == MANAGEMENT_HEADER).count(), 1);
}

#[test]
fn the_monitoring_request() {
    let req = GetCluster::new("a1b2c3").build().unwrap();
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.path, "/api/v1/clusters/elasticsearch/a1b2c3?show_plans=true");
    let req = GetCluster { show_plan_logs: Some(true), ..GetCluster::new("a1b2c3") }.build().unwrap();
    assert_eq!(req.query_pairs(), [("show_plans".to_string(), "true".to_string()), ("show_plan_logs".to_string(), "true".to_string())]);
    // Every parameter we send is one the swagger lists.
    let spec = pre_ms68();
    let params: BTreeSet<&str> =
        spec["paths"]["/clusters/elasticsearch/{cluster_id}"]["get"]["parameters"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    for (k, _) in req.query_pairs() {
        assert!(params.contains(k.as_str()), "{k}");
    }
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let take = TakeSnapshot { username: Some("elastic".into()), password: Some(Secret::new("hunter2-secret")), ..TakeSnapshot::new("a1b2c3") };
    let flow = EceSnapshot::new(take.clone()).with_proxy(ProxyTarget::new("d4e5f6"));
    let conn = EceConnection::parse("https://admin:url-secret@ece.example:12443").unwrap();
    let keyed = EceConnection::parse("https://ece.example:12443").unwrap().with_api_key("key-secret").unwrap();
    let prepared = keyed.prepare(&take.build().unwrap());
    let built = take.build().unwrap();
    let shown = format!("{take:?} {flow:?} {conn:?} {keyed:?} {prepared:?} {built:?}");
    assert!(String::from_utf8_lossy(built.body.as_deref().unwrap()).contains("hunter2-secret"), "sent, only not shown");
    for secret in ["hunter2-secret", "url-secret", "key-secret"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("elastic"), "non-secret fields stay visible");
    // A 401 that echoes nothing secret stays free of the password too.
    let e = ApiError::from_response(&Response::new(401, ece_body(&["clusters.snapshot.invalid_credentials"])));
    assert!(!format!("{e} {e:?}").contains("hunter2-secret"));
}

// ---------------------------------------------------------------------------------------------
// The whole run (take, fallback, watch) as the hosts drive it.

use essnap::machine::{Event, Timing, TransportError, TransportErrorKind, drive};

fn quick() -> Timing {
    Timing { poll_interval_ms: 10, max_wait_ms: 1_000, backoff_ms: 1, max_retries: 2 }
}

/// Drives a run against scripted answers (one per request, in order); returns the outcome, the
/// requests sent and the events.
fn run_script(run: &mut EceSnapshotRun, answers: Vec<Result<Response, TransportError>>) -> (EceSnapshotOutcome, Vec<(Method, String)>, Vec<Event>) {
    let mut answers = answers.into_iter();
    let mut sent = Vec::new();
    let mut events = Vec::new();
    let out = drive(
        run,
        |r| {
            sent.push((r.method, r.path.clone()));
            answers.next().unwrap_or_else(|| panic!("no scripted answer for {} {}", r.method.as_str(), r.path))
        },
        |_| {},
        |e| events.push(e),
    );
    (out, sent, events)
}

fn ok(status: u16, body: Value) -> Result<Response, TransportError> {
    Ok(Response::new(status, serde_json::to_vec(&body).unwrap()))
}

fn stages(events: &[Event]) -> Vec<String> {
    events.iter().filter_map(|e| if let Event::Stage { stage, .. } = e { Some(stage.clone()) } else { None }).collect()
}

#[test]
fn the_run_takes_the_snapshot_and_watches_the_plan_until_it_settles() {
    let mut run = EceSnapshotRun::new(flow(), true, Dialect::default(), quick()).unwrap();
    let pending = json!({"plan_info": {"healthy": true, "pending": {"plan_attempt_id": "p1"}}});
    let settled = json!({"plan_info": {"healthy": true, "current": {"healthy": true}}, "snapshots": {"latest_successful": true, "latest_status": "SUCCESS"}});
    let (out, sent, events) = run_script(&mut run, vec![ok(202, json!({"name": "before-upgrade"})), ok(200, pending.clone()), ok(200, pending), ok(200, settled)]);
    assert_eq!((out.name.as_deref(), out.via_proxy, out.state, out.error.as_ref().map(|e| e.code)), (Some("before-upgrade"), false, Some(EceProgress::Succeeded), None));
    assert_eq!(out.requests_sent, 4);
    assert_eq!(sent[0], (Method::Post, "/api/v1/clusters/elasticsearch/a1b2c3/_snapshot".into()));
    assert!(sent[1..].iter().all(|(m, p)| *m == Method::Get && p.starts_with("/api/v1/clusters/elasticsearch/a1b2c3?")), "{sent:?}");
    assert_eq!(stages(&events), ["requesting", "accepted", "pending", "pending", "succeeded"]);
}

#[test]
fn the_run_falls_back_to_the_proxy_and_watches_the_snapshot_there() {
    let mut run = EceSnapshotRun::new(flow(), true, Dialect::default(), quick()).unwrap();
    let snap = |state: &str| json!({"snapshots": [{"snapshot": "before-upgrade", "state": state, "indices": []}]});
    let (out, sent, events) =
        run_script(&mut run, vec![ok(404, json!("no route")), ok(200, json!({"accepted": true})), ok(200, snap("IN_PROGRESS")), ok(200, snap("SUCCESS"))]);
    assert_eq!((out.name.as_deref(), out.via_proxy, out.state), (Some("before-upgrade"), true, Some(EceProgress::Succeeded)));
    assert_eq!(sent[1], (Method::Put, "/api/v1/deployments/d4e5f6/elasticsearch/_main/proxy/_snapshot/found-snapshots/before-upgrade?wait_for_completion=false".into()));
    assert!(sent[2].1.starts_with("/api/v1/deployments/d4e5f6/elasticsearch/_main/proxy/_snapshot/found-snapshots/before-upgrade"), "{sent:?}");
    assert_eq!(stages(&events), ["requesting", "fallback", "accepted", "pending", "succeeded"]);
    let failed = {
        let mut run = EceSnapshotRun::new(flow(), true, Dialect::default(), quick()).unwrap();
        run_script(&mut run, vec![ok(410, json!("gone")), ok(200, json!({"accepted": true})), ok(200, snap("PARTIAL"))]).0
    };
    assert_eq!(failed.state, Some(EceProgress::Failed));
}

#[test]
fn an_unanswered_take_call_is_never_sent_again() {
    for kind in [TransportErrorKind::Timeout, TransportErrorKind::Dropped, TransportErrorKind::Connect] {
        let mut run = EceSnapshotRun::new(flow(), true, Dialect::default(), quick()).unwrap();
        let (out, sent, _) = run_script(&mut run, vec![Err(TransportError::new(kind, "injected"))]);
        assert_eq!(sent.len(), 1, "{kind:?}");
        assert_eq!(out.name, None);
        let e = out.error.expect("an error");
        assert_eq!(e.message.contains("may have started"), kind != TransportErrorKind::Connect, "{kind:?}: {e}");
    }
    // a refusal with an ECE code: that code, nothing else sent
    let mut run = EceSnapshotRun::new(flow(), true, Dialect::default(), quick()).unwrap();
    let (out, sent, _) = run_script(&mut run, vec![Ok(Response::new(409, ece_body(&["clusters.snapshot.name_conflict"])))]);
    assert_eq!((sent.len(), out.error.map(|e| e.code)), (1, Some(ErrorCode::SnapshotAlreadyExists)));
}

#[test]
fn a_watch_that_cannot_read_ends_with_the_snapshot_named_and_the_reason() {
    let mut run = EceSnapshotRun::new(flow(), true, Dialect::default(), quick()).unwrap();
    let unavailable = || Ok(Response::new(503, br#"{"errors":[{"code":"root.unavailable","message":"busy"}]}"#.to_vec()));
    let (out, sent, events) = run_script(&mut run, vec![ok(202, json!({"name": "before-upgrade"})), unavailable(), unavailable(), unavailable()]);
    assert_eq!(sent.len(), 4, "the take call once, the read three times (max_retries 2)");
    assert_eq!((out.name.as_deref(), out.state), (Some("before-upgrade"), Some(EceProgress::Unknown)));
    assert!(out.error.is_some());
    assert!(events.iter().any(|e| matches!(e, Event::Warning { .. })), "{events:?}");
    // without waiting: one request
    let mut run = EceSnapshotRun::new(flow(), false, Dialect::default(), quick()).unwrap();
    let (out, sent, _) = run_script(&mut run, vec![ok(202, json!({"name": "before-upgrade"}))]);
    assert_eq!((sent.len(), out.state), (1, None));
    // a plan that stays pending: stops at max_wait with `pending`
    let mut run = EceSnapshotRun::new(flow(), true, Dialect::default(), Timing { max_wait_ms: 35, ..quick() }).unwrap();
    let pending = || ok(200, json!({"plan_info": {"pending": {}}}));
    let (out, _, _) = run_script(&mut run, vec![ok(202, json!({"name": "x"})), pending(), pending(), pending(), pending(), pending()]);
    assert_eq!(out.state, Some(EceProgress::Pending));
    // bad inputs are refused before anything is sent
    let bad = EceSnapshot::new(TakeSnapshot::new("NOT-HEX"));
    assert_eq!(EceSnapshotRun::new(bad, true, Dialect::default(), quick()).err().map(|e| e.field), Some("cluster_id".to_string()));
}
