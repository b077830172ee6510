//! ECE mode: every code path of the take-snapshot call, the monitoring call, ECE auth and the
//! deployment proxy; the bodies checked against the official swagger definitions; and the core's
//! `EceSnapshot` flow run end to end (including the fallback when the clusters API is gone).

mod support;

use std::collections::BTreeSet;

use essnap::ece::{EceSnapshot, GetCluster, Next, ProxyTarget, TakeSnapshot, decode_cluster_info, decode_take_snapshot};
use essnap::{ApiError, ErrorCode, Secret};
use serde_json::{Value, json};
use support::*;

const KEY: &str = "ZWNlLWRlbW8tYXBpLWtleQ==";

fn auth() -> (&'static str, String) {
    ("authorization", format!("ApiKey {KEY}"))
}

fn ece(h: &essnap_sandbox::Handle, method: &str, path: &str, body: Option<&str>) -> Resp {
    let (k, v) = auth();
    call(method, &format!("{}{}", h.url, path), body, &[(k, v.as_str())])
}

fn proxied(h: &essnap_sandbox::Handle, method: &str, path: &str, body: Option<&str>) -> Resp {
    let (k, v) = auth();
    call(method, &format!("{}/api/v1/deployments/d4e5f6/elasticsearch/_main/proxy{path}", h.url), body, &[(k, v.as_str()), ("x-management-request", "true")])
}

/// An ECE error: status, the body's code, the header's code.
fn codes(r: &Resp) -> (u16, String, String) {
    let v = r.json();
    let e = &v["errors"][0];
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.text);
    (r.status, e["code"].as_str().unwrap_or("").to_string(), r.header("x-cloud-error-codes").unwrap_or("").to_string())
}

fn assert_code(r: &Resp, status: u16, code: &str) {
    assert_eq!(codes(r), (status, code.to_string(), code.to_string()), "{}", r.text);
}

fn to_core(r: &Resp) -> essnap::Response {
    let mut resp = essnap::Response::new(r.status, r.text.clone().into_bytes());
    resp.headers = r.headers.clone();
    resp
}

fn seed_with(ece: Value) -> String {
    json!({"cluster": {"distribution": "elasticsearch", "version": "8.12.2"}, "repositories": [{"name": "found-snapshots", "type": "fs", "settings": {"location": "/x"}}], "ece": ece}).to_string()
}

const SNAP: &str = "/api/v1/clusters/elasticsearch/a1b2c3/_snapshot";

#[test]
fn a_snapshot_is_taken_and_monitored() {
    let h = demo();
    let r = ece(&h, "POST", SNAP, Some(r#"{"name":"before-upgrade","repository_name":"backups"}"#));
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.json(), json!({"name": "before-upgrade"}));
    assert_eq!(decode_take_snapshot(&to_core(&r)).unwrap().name, "before-upgrade");

    // A pending plan change while the command is applied...
    let info = ece(&h, "GET", "/api/v1/clusters/elasticsearch/a1b2c3", None);
    let v = info.json();
    assert_eq!(v["status"], "reconfiguring");
    assert!(v["plan_info"]["pending"].is_object());
    assert_eq!(v["snapshots"]["count"], 2);
    let core = decode_cluster_info(&to_core(&info)).unwrap();
    assert!(core.has_pending_plan());
    assert_eq!(core.progress(), essnap::ece::EceProgress::Pending);

    // ...and the snapshot is in the sandbox's repository of that name.
    let s = proxied(&h, "GET", "/_snapshot/backups/before-upgrade", None);
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.json()["snapshots"][0]["snapshot"], "before-upgrade");

    std::thread::sleep(std::time::Duration::from_millis(essnap_sandbox::ece::PENDING_MS as u64 + 200));
    let info = ece(&h, "GET", "/api/v1/clusters/elasticsearch/a1b2c3", None);
    let core = decode_cluster_info(&to_core(&info)).unwrap();
    assert!(!core.has_pending_plan());
    assert_eq!(core.progress(), essnap::ece::EceProgress::Succeeded);
    assert_eq!(core.status.as_deref(), Some("started"));

    // The same name again: a conflict.
    assert_code(&ece(&h, "POST", SNAP, Some(r#"{"name":"before-upgrade"}"#)), 409, "clusters.snapshot.name_conflict");
}

#[test]
fn an_empty_body_uses_the_defaults() {
    let h = demo();
    let r = ece(&h, "POST", SNAP, None);
    assert_eq!(r.status, 202, "{}", r.text);
    assert!(r.json()["name"].as_str().unwrap().starts_with("scheduled-"));
    let r = ece(&h, "POST", SNAP, Some("{}"));
    assert_eq!(r.status, 202, "{}", r.text);
}

#[test]
fn every_error_of_the_take_snapshot_call() {
    let h = demo();
    let cases: &[(&str, Option<&str>, u16, &str, ErrorCode)] = &[
        ("/api/v1/clusters/elasticsearch/ffffff/_snapshot", None, 404, "clusters.cluster_not_found", ErrorCode::EceClusterNotFound),
        (SNAP, Some(r#"{"repository_name":"elsewhere"}"#), 404, "clusters.snapshot.repository_not_found", ErrorCode::RepositoryMissing),
        (SNAP, Some(r#"{"name":"already-taken"}"#), 409, "clusters.snapshot.name_conflict", ErrorCode::SnapshotAlreadyExists),
        (SNAP, Some(r#"{"username":"elastic","password":"wrong"}"#), 401, "clusters.snapshot.invalid_credentials", ErrorCode::EceInvalidCredentials),
        (SNAP, Some(r#"{"password":"repo-demo-pw"}"#), 401, "clusters.snapshot.invalid_credentials", ErrorCode::EceInvalidCredentials),
        (SNAP, Some(r#"{"name":"Not Valid"}"#), 500, "clusters.snapshot.failed", ErrorCode::EceSnapshotFailed),
        (SNAP, Some("[1,2]"), 400, "root.invalid_data", ErrorCode::BadRequest),
    ];
    for &(path, body, status, code, essnap_code) in cases {
        let r = ece(&h, "POST", path, body);
        assert_code(&r, status, code);
        let e = ApiError::from_response(&to_core(&r));
        assert_eq!(e.code, essnap_code, "{code}");
        assert!(!r.text.contains("repo-demo-pw") && !r.text.contains("wrong"), "errors never echo passwords");
    }
    let ok = ece(&h, "POST", SNAP, Some(r#"{"name":"with-creds","username":"elastic","password":"repo-demo-pw"}"#));
    assert_eq!(ok.status, 202, "{}", ok.text);
}

#[test]
fn without_elevated_permissions_449() {
    let h = sandbox(&seed_with(json!({"elevated_permissions": false, "clusters": [{"id": "a1b2c3", "repositories": ["found-snapshots"]}]})));
    let r = call("POST", &format!("{}{SNAP}", h.url), Some("{}"), &[]);
    assert_code(&r, 449, "root.unauthorized.rbac.elevated_permissions_required");
    assert_eq!(ApiError::from_response(&to_core(&r)).code, ErrorCode::EceElevatedPermissionsRequired);
}

#[test]
fn no_configured_repository_is_a_500() {
    let h = sandbox(&seed_with(json!({"clusters": [{"id": "a1b2c3"}]})));
    assert_code(&call("POST", &format!("{}{SNAP}", h.url), None, &[]), 500, "clusters.snapshot.repository_not_found");
}

#[test]
fn ece_authentication() {
    let h = demo();
    let url = format!("{}/api/v1/clusters/elasticsearch/a1b2c3", h.url);
    for headers in [vec![], vec![("authorization", "ApiKey wrong")], vec![("authorization", "Basic YWRtaW46bm9wZQ==")], vec![("authorization", "Bearer x")]] {
        let r = call("GET", &url, None, &headers);
        assert_code(&r, 401, "root.unauthenticated");
        assert_eq!(ApiError::from_response(&to_core(&r)).code, ErrorCode::Unauthorized);
    }
    // admin:ece-demo-admin
    let r = call("GET", &url, None, &[("authorization", "Basic YWRtaW46ZWNlLWRlbW8tYWRtaW4=")]);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ece(&h, "GET", "/api/v1/clusters/elasticsearch/a1b2c3", None).status, 200);
    // The Elasticsearch routes are untouched by the ECE section.
    assert_eq!(get(&h, "/").status, 200);
}

#[test]
fn the_deployment_proxy() {
    let h = demo();
    let (k, v) = auth();
    let base = format!("{}/api/v1/deployments/d4e5f6/elasticsearch/_main/proxy", h.url);
    let r = call("GET", &format!("{base}/_snapshot/backups"), None, &[(k, v.as_str())]);
    assert_code(&r, 400, "root.invalid_data");
    assert!(r.text.contains("X-Management-Request"));

    let r = proxied(&h, "GET", "/_snapshot/backups", None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["backups"]["type"], "fs");
    let r = call("GET", &format!("{}/api/v1/deployments/d4e5f6/elasticsearch/main-elasticsearch/proxy/_cat/repositories?format=json", h.url), None, &[(k, v.as_str()), ("X-Management-Request", "TRUE")]);
    assert_eq!(r.status, 200, "{}", r.text);
    // The cluster's own errors come through as they are.
    let r = proxied(&h, "GET", "/_snapshot/backups/nope", None);
    assert_eq!((r.status, r.json()["error"]["type"].as_str()), (404, Some("snapshot_missing_exception")));
    // The cluster id is accepted as deployment id too.
    let r = call("GET", &format!("{}/api/v1/deployments/a1b2c3/elasticsearch/_main/proxy/", h.url), None, &[(k, v.as_str()), ("x-management-request", "true")]);
    assert_eq!(r.status, 200);

    let r = call("GET", &format!("{}/api/v1/deployments/ffffff/elasticsearch/_main/proxy/", h.url), None, &[(k, v.as_str()), ("x-management-request", "true")]);
    assert_code(&r, 404, "deployments.deployment_not_found");
    assert_eq!(ApiError::from_response(&to_core(&r)).code, ErrorCode::EceDeploymentNotFound);
    for path in ["d4e5f6/elasticsearch/other", "d4e5f6/kibana/_main"] {
        let r = call("GET", &format!("{}/api/v1/deployments/{path}/proxy/", h.url), None, &[(k, v.as_str()), ("x-management-request", "true")]);
        assert_code(&r, 404, "deployments.deployment_resource_not_found");
    }
    let r = call("GET", &format!("{base}/"), None, &[("x-management-request", "true")]);
    assert_code(&r, 401, "root.unauthenticated");
}

#[test]
fn unknown_ece_routes_and_a_removed_clusters_api_answer_a_plain_404() {
    let h = demo();
    let r = ece(&h, "GET", "/api/v1/nothing/here", None);
    assert_eq!(r.status, 404);
    assert!(r.header("x-cloud-error-codes").is_none());
    let h = sandbox(&seed_with(json!({"clusters_api": false, "clusters": [{"id": "a1b2c3", "repositories": ["found-snapshots"]}]})));
    for (method, path) in [("POST", SNAP), ("GET", "/api/v1/clusters/elasticsearch/a1b2c3")] {
        let r = call(method, &format!("{}{path}", h.url), Some("{}"), &[]);
        assert_eq!(r.status, 404);
        assert!(essnap::ece::route_is_gone(&to_core(&r)));
    }
}

/// The core's flow against the sandbox: the deprecated call where it exists, the proxy fallback
/// where it is gone.
fn run_flow(h: &essnap_sandbox::Handle, mut flow: EceSnapshot) -> (Vec<String>, Next) {
    let conn = essnap::ece::EceConnection::parse(&h.url).unwrap().with_api_key(KEY).unwrap();
    let mut req = flow.first_request().unwrap();
    let mut paths = Vec::new();
    loop {
        paths.push(req.path.clone());
        let p = conn.prepare(&req);
        let body = p.body.as_deref().map(|b| String::from_utf8_lossy(b).into_owned());
        let headers: Vec<(&str, &str)> = p.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = call(p.method.as_str(), &p.url, body.as_deref(), &headers);
        match flow.on_response(&to_core(&r)) {
            Next::Fallback(next) => req = next,
            done => return (paths, done),
        }
    }
}

#[test]
fn the_core_flow_end_to_end() {
    let h = demo();
    let take = TakeSnapshot { name: Some("via-ece".into()), repository_name: Some("backups".into()), ..TakeSnapshot::new("a1b2c3") };
    let (paths, next) = run_flow(&h, EceSnapshot::new(take).with_proxy(ProxyTarget::new("d4e5f6")));
    assert_eq!(next, Next::Done("via-ece".into()));
    assert_eq!(paths, [SNAP]);

    let take = TakeSnapshot { username: Some("elastic".into()), password: Some(Secret::new("bad")), ..TakeSnapshot::new("a1b2c3") };
    let (_, next) = run_flow(&h, EceSnapshot::new(take));
    let Next::Failed(e) = next else { panic!("{next:?}") };
    assert_eq!(e.code, ErrorCode::EceInvalidCredentials);

    let monitor = GetCluster::new("a1b2c3").build().unwrap();
    let r = ece(&h, "GET", &monitor.path, None);
    assert!(decode_cluster_info(&to_core(&r)).unwrap().has_pending_plan());

    // ECE 3.0+: the clusters API is gone, the proxy takes over.
    let gone = sandbox(&seed_with(json!({"api_keys": [KEY], "clusters_api": false, "clusters": [{"id": "a1b2c3", "deployment_id": "d4e5f6", "repositories": ["found-snapshots"]}]})));
    let take = TakeSnapshot { name: Some("after-removal".into()), ..TakeSnapshot::new("a1b2c3") };
    let (paths, next) = run_flow(&gone, EceSnapshot::new(take.clone()).with_proxy(ProxyTarget::new("d4e5f6")));
    assert_eq!(next, Next::Done("after-removal".into()));
    assert_eq!(paths.len(), 2);
    assert!(paths[1].starts_with("/api/v1/deployments/d4e5f6/elasticsearch/_main/proxy/_snapshot/found-snapshots/after-removal"));
    let s = proxied(&gone, "GET", "/_snapshot/found-snapshots/after-removal", None);
    assert_eq!(s.status, 200, "{}", s.text);
    // Again: the cluster's own "already exists" comes back through the proxy.
    let (_, next) = run_flow(&gone, EceSnapshot::new(take.clone()).with_proxy(ProxyTarget::new("d4e5f6")));
    let Next::Failed(e) = next else { panic!("{next:?}") };
    assert_eq!(e.code, ErrorCode::SnapshotAlreadyExists);
    // No deployment id: a clear error.
    let (_, next) = run_flow(&gone, EceSnapshot::new(take));
    let Next::Failed(e) = next else { panic!("{next:?}") };
    assert_eq!(e.code, ErrorCode::EceEndpointRemoved);
    // Default name (date math) through the proxy.
    let (_, next) = run_flow(&gone, EceSnapshot::new(TakeSnapshot::new("a1b2c3")).with_proxy(ProxyTarget::new("d4e5f6")).prefer_proxy());
    assert!(matches!(next, Next::Done(_)), "{next:?}");
}

// ---------------------------------------------------------------------------------------------
// Shapes: the sandbox's bodies carry every field the swagger requires.

fn required(defs: &Value, name: &str) -> BTreeSet<String> {
    defs[name]["required"].as_array().unwrap().iter().filter_map(Value::as_str).map(String::from).collect()
}

#[test]
fn bodies_have_the_swagger_required_fields() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/es-spec/ece/apidocs-ece-pre-ms68-with-clusters-api.json")).unwrap();
    let spec: Value = serde_json::from_str(&text).unwrap();
    let defs = &spec["definitions"];
    let h = demo();
    assert_eq!(ece(&h, "POST", SNAP, Some(r#"{"name":"shape"}"#)).status, 202);
    let info = ece(&h, "GET", "/api/v1/clusters/elasticsearch/a1b2c3", None).json();
    let has = |v: &Value, def: &str| {
        for f in required(defs, def) {
            assert!(v.get(&f).is_some(), "{def}.{f} missing in {v}");
        }
    };
    has(&info, "ElasticsearchClusterInfo");
    has(&info["plan_info"], "ElasticsearchClusterPlansInfo");
    has(&info["plan_info"]["pending"], "ElasticsearchClusterPlanInfo");
    has(&info["plan_info"]["pending"]["plan_attempt_log"][0], "ClusterPlanStepInfo");
    has(&info["snapshots"], "SnapshotStatusInfo");
    has(&info["metadata"], "ClusterMetadataInfo");
    has(&info["topology"], "ClusterTopologyInfo");
    has(&info["elasticsearch"], "ElasticsearchInfo");
    let statuses: Vec<&str> = defs["ElasticsearchClusterInfo"]["properties"]["status"]["enum"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(statuses.contains(&info["status"].as_str().unwrap()));
    let err = ece(&h, "POST", SNAP, Some(r#"{"name":"shape"}"#)).json();
    has(&err, "BasicFailedReply");
    has(&err["errors"][0], "BasicFailedReplyElement");
    let ok = ece(&h, "POST", SNAP, Some(r#"{"name":"shape-2"}"#)).json();
    has(&ok, "ClusterSnapshotResponse");
}

#[test]
fn ece_seed_validation() {
    let base = r#"{"cluster":{"distribution":"elasticsearch","version":"8.1.0"},"ece":"#;
    let cases = [
        (r#"{}}"#, "ece.clusters"),
        (r#"{"clusters":[{"id":"NOT-HEX"}]}}"#, "ece.clusters[0].id"),
        (r#"{"clusters":[{"id":"a1"},{"id":"a1"}]}}"#, "duplicate"),
        (r#"{"clusters":[{"id":"a1","snapshots":["Bad"]}]}}"#, "ece.clusters[0].snapshots[0]"),
        (r#"{"clusters":[{"id":"a1","deployment_id":"x y"}]}}"#, "deployment_id"),
        (r#"{"users":[{"username":"a:b","password":"p"}],"clusters":[{"id":"a1"}]}}"#, "ece.users[0]"),
        (r#"{"clusters":[{"id":"a1","bogus":1}]}}"#, "unknown field `bogus`"),
    ];
    for (tail, needle) in cases {
        let e = essnap_sandbox::seed::Seed::from_json(&format!("{base}{tail}")).unwrap_err();
        assert!(e.contains(needle), "{needle} not in: {e}");
    }
    essnap_sandbox::seed::Seed::from_json(&format!("{base}null}}")).unwrap();
}
