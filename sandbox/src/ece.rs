//! ECE mode: with an `ece` section in the seed, `/api/v1/...` answers like an Elastic Cloud
//! Enterprise coordinator for the calls a snapshot tool makes — the deprecated take-snapshot call,
//! the cluster info that monitors it, and the deployment proxy to this sandbox's own
//! Elasticsearch routes. Errors are `BasicFailedReply` bodies plus the `x-cloud-error-codes`
//! header, as ECE sends them.

use crate::http::{Request, Response};
use crate::seed::{SeedEce, check_snapshot_name};
use crate::util::{iso, pct_decode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::sync::Mutex;

/// How long a take-snapshot keeps a pending plan change in the cluster info.
pub const PENDING_MS: i64 = 3000;

/// ref_ids the proxy accepts for a deployment's (only) Elasticsearch resource.
const REF_IDS: &[&str] = &["_main", "main-elasticsearch"];

#[derive(Debug, Clone)]
struct Cluster {
    id: String,
    name: String,
    deployment_id: String,
    repositories: Vec<String>,
    snapshots: Vec<String>,
    credentials: Option<(String, String)>,
    /// Until when a plan change is pending (ms since the epoch).
    pending_until: i64,
    plan_started: i64,
    attempts: u64,
    last_end: Option<i64>,
}

pub struct Ece {
    api_keys: Vec<String>,
    users: Vec<(String, String)>,
    elevated: bool,
    clusters_api: bool,
    clusters: Mutex<Vec<Cluster>>,
}

/// Answers an Elasticsearch request (the sandbox's own routes), for the proxy.
pub type EsDispatch<'a> = &'a dyn Fn(&Request) -> Response;

pub fn is_ece_path(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/")
}

/// `{"errors": [...]}` with the codes in `x-cloud-error-codes` too.
fn failed(status: u16, code: &str, message: impl Into<String>, fields: &[&str]) -> Response {
    let mut e = json!({"code": code, "message": message.into()});
    if !fields.is_empty() {
        e["fields"] = json!(fields);
    }
    Response::new(status, "application/json; charset=UTF-8", json!({ "errors": [e] }).to_string().into_bytes())
        .header("x-cloud-error-codes", code)
}

fn ok(status: u16, v: Value) -> Response {
    Response::new(status, "application/json; charset=UTF-8", v.to_string().into_bytes())
}

/// What an unknown route gets (no ECE code: the HTTP layer's default answer).
fn no_route() -> Response {
    Response::new(404, "text/plain; charset=UTF-8", b"The requested resource could not be found.".to_vec())
}

/// Percent-encodes one path segment.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Constant-time-ish comparison.
fn eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Ece {
    pub fn new(seed: &SeedEce) -> Ece {
        let clusters = seed
            .clusters
            .iter()
            .map(|c| Cluster {
                id: c.id.clone(),
                name: c.name.clone().unwrap_or_else(|| c.id.clone()),
                deployment_id: c.deployment_id.clone().unwrap_or_else(|| c.id.clone()),
                repositories: c.repositories.clone(),
                snapshots: c.snapshots.clone(),
                credentials: c.credentials.as_ref().map(|u| (u.username.clone(), u.password.clone())),
                pending_until: 0,
                plan_started: 0,
                attempts: 0,
                last_end: None,
            })
            .collect();
        Ece {
            api_keys: seed.api_keys.clone(),
            users: seed.users.iter().map(|u| (u.username.clone(), u.password.clone())).collect(),
            elevated: seed.elevated_permissions,
            clusters_api: seed.clusters_api,
            clusters: Mutex::new(clusters),
        }
    }

    /// ECE authentication: `ApiKey <key>` or basic with an ECE user (none configured = open).
    pub fn check_auth(&self, req: &Request) -> Result<(), Response> {
        if self.api_keys.is_empty() && self.users.is_empty() {
            return Ok(());
        }
        let fail = || failed(401, "root.unauthenticated", "The supplied authentication is invalid", &[]);
        let Some(h) = req.header("authorization") else { return Err(fail()) };
        let (scheme, value) = h.split_once(' ').unwrap_or((h, ""));
        let value = value.trim();
        let good = if scheme.eq_ignore_ascii_case("apikey") {
            self.api_keys.iter().any(|k| eq(k, value))
        } else if scheme.eq_ignore_ascii_case("basic") {
            let decoded = STANDARD.decode(value).ok().and_then(|b| String::from_utf8(b).ok());
            decoded.as_deref().and_then(|d| d.split_once(':')).is_some_and(|(u, p)| self.users.iter().any(|(su, sp)| eq(su, u) && eq(sp, p)))
        } else {
            false
        };
        if good { Ok(()) } else { Err(fail()) }
    }

    pub fn handle(&self, req: &Request, now: i64, es: EsDispatch) -> Response {
        let raw: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
        let segs: Vec<String> = raw.iter().map(|s| pct_decode(s, false)).collect();
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        match (req.method.as_str(), &s[2.min(s.len())..]) {
            ("POST", ["clusters", "elasticsearch", id, "_snapshot"]) if self.clusters_api => self.take_snapshot(id, req, now, es),
            ("GET", ["clusters", "elasticsearch", id]) if self.clusters_api => self.cluster_info(id, now),
            (_, ["deployments", dep, kind, ref_id, "proxy", ..]) => {
                // Everything after `proxy`, still percent-encoded, is the Elasticsearch path.
                let rest = raw[7..].join("/");
                self.proxy(dep, kind, ref_id, &rest, req, es)
            }
            _ => no_route(),
        }
    }

    fn take_snapshot(&self, id: &str, req: &Request, now: i64, es: EsDispatch) -> Response {
        let mut clusters = self.clusters.lock().unwrap_or_else(|p| p.into_inner());
        let Some(c) = clusters.iter_mut().find(|c| c.id == id) else {
            return failed(404, "clusters.cluster_not_found", format!("Cluster [{id}] could not be found"), &[]);
        };
        if !self.elevated {
            return failed(449, "root.unauthorized.rbac.elevated_permissions_required", "Elevated permissions are required", &[]);
        }
        let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            match serde_json::from_slice(&req.body) {
                Ok(v @ Value::Object(_)) => v,
                _ => return failed(400, "root.invalid_data", "The request body is not a valid ClusterSnapshotRequest", &[]),
            }
        };
        let field = |k: &str| body.get(k).and_then(Value::as_str).map(String::from);
        let repo = match field("repository_name") {
            Some(r) if !c.repositories.contains(&r) => {
                return failed(404, "clusters.snapshot.repository_not_found", format!("Snapshot repository [{r}] was not found"), &["repository_name"]);
            }
            Some(r) => r,
            None => match c.repositories.first() {
                Some(r) => r.clone(),
                // Nothing configured: the snapshot request fails (documented 500 variant).
                None => return failed(500, "clusters.snapshot.repository_not_found", "No snapshot repository is configured for this cluster", &[]),
            },
        };
        if let Some((cu, cp)) = &c.credentials {
            let (u, p) = (field("username"), field("password"));
            let given = u.is_some() || p.is_some();
            if given && !(u.as_deref().is_some_and(|u| eq(u, cu)) && p.as_deref().is_some_and(|p| eq(p, cp))) {
                return failed(401, "clusters.snapshot.invalid_credentials", "The supplied credentials for the snapshot repository are invalid", &["username", "password"]);
            }
        }
        c.attempts += 1;
        let name = field("name").unwrap_or_else(|| format!("scheduled-{}-{}", now / 1000, c.attempts));
        if c.snapshots.contains(&name) {
            return failed(409, "clusters.snapshot.name_conflict", format!("A snapshot named [{name}] already exists"), &["name"]);
        }
        if let Err(why) = check_snapshot_name(&name) {
            return failed(500, "clusters.snapshot.failed", format!("The snapshot request failed: invalid snapshot name [{name}], {why}"), &["name"]);
        }
        // The sandbox's own repository of that name gets the snapshot too, so the proxy sees it.
        let inner = Request {
            method: "PUT".into(),
            path: format!("/_snapshot/{}/{}", enc(&repo), enc(&name)),
            query_string: "wait_for_completion=false".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Vec::new(),
            peer: req.peer,
        };
        let exists = es(&Request { method: "GET".into(), path: format!("/_snapshot/{}", enc(&repo)), query_string: String::new(), headers: vec![], body: vec![], peer: req.peer });
        if exists.status == 200 {
            let r = es(&inner);
            if r.status == 400 && String::from_utf8_lossy(&r.body).contains("already") {
                return failed(409, "clusters.snapshot.name_conflict", format!("A snapshot named [{name}] already exists"), &["name"]);
            }
            if !(200..300).contains(&r.status) {
                return failed(500, "clusters.snapshot.failed", format!("The snapshot request failed: {}", String::from_utf8_lossy(&r.body)), &[]);
            }
        }
        c.snapshots.push(name.clone());
        c.plan_started = now;
        c.pending_until = now + PENDING_MS;
        c.last_end = Some(now + PENDING_MS);
        ok(202, json!({ "name": name }))
    }

    /// `ElasticsearchClusterInfo` with every required field (pre-MS-68 swagger), a pending plan
    /// while a snapshot command is applied, and the snapshot status.
    fn cluster_info(&self, id: &str, now: i64) -> Response {
        let clusters = self.clusters.lock().unwrap_or_else(|p| p.into_inner());
        let Some(c) = clusters.iter().find(|c| c.id == id) else {
            return failed(404, "clusters.cluster_not_found", format!("Cluster [{id}] could not be found"), &[]);
        };
        let pending = now < c.pending_until;
        let plan = |attempt: u64, start: i64, end: Option<i64>, stage: &str, status: &str| {
            let mut p = json!({
                "plan_attempt_id": format!("{}-attempt-{attempt}", c.id),
                "healthy": true,
                "attempt_start_time": iso(start),
                "plan_attempt_log": [{"step_id": "snapshot", "started": iso(start), "status": status, "stage": stage, "info_log": []}],
                "warnings": [],
                "source": {"facilitator": "adminconsole", "action": "elasticsearch.snapshot", "date": iso(start)}
            });
            if let Some(e) = end {
                p["attempt_end_time"] = json!(iso(e));
            }
            p
        };
        let mut plan_info = json!({"healthy": true, "history": []});
        if pending {
            plan_info["pending"] = plan(c.attempts, c.plan_started, None, "in_progress", "pending");
        } else if c.attempts > 0 {
            plan_info["current"] = plan(c.attempts, c.plan_started, Some(c.pending_until), "completed", "success");
        }
        let mut snapshots = json!({
            "healthy": true,
            "count": c.snapshots.len(),
            "recent_success": !pending && c.last_end.is_some(),
        });
        if pending {
            snapshots["latest_status"] = json!("IN_PROGRESS");
        } else if let Some(end) = c.last_end {
            snapshots["latest_status"] = json!("SUCCESS");
            snapshots["latest_successful"] = json!(true);
            snapshots["latest_end_time"] = json!(iso(end));
            snapshots["latest_successful_end_time"] = json!(iso(end));
        }
        ok(200, json!({
            "cluster_id": c.id,
            "cluster_name": c.name,
            "deployment_id": c.deployment_id,
            "healthy": true,
            "status": if pending { "reconfiguring" } else { "started" },
            "plan_info": plan_info,
            "snapshots": snapshots,
            "elasticsearch": {"healthy": true, "shard_info": {"healthy": true, "available_shards": [], "unavailable_shards": [], "unavailable_replicas": []}, "master_info": {"healthy": true, "masters": [], "instances_with_no_master": []}, "blocking_issues": {"healthy": true, "cluster_level": [], "index_level": []}},
            "metadata": {"version": c.attempts + 1, "last_modified": iso(if c.attempts > 0 { c.plan_started } else { 0 })},
            "topology": {"healthy": true, "instances": []},
            "associated_apm_clusters": [],
            "associated_appsearch_clusters": [],
            "associated_enterprise_search_clusters": [],
            "associated_kibana_clusters": [],
            "external_links": []
        }))
    }

    fn proxy(&self, dep: &str, kind: &str, ref_id: &str, rest: &str, req: &Request, es: EsDispatch) -> Response {
        let clusters = self.clusters.lock().unwrap_or_else(|p| p.into_inner());
        if !clusters.iter().any(|c| c.deployment_id == dep || c.id == dep) {
            return failed(404, "deployments.deployment_not_found", format!("Deployment [{dep}] could not be found"), &[]);
        }
        drop(clusters);
        if kind != "elasticsearch" || !REF_IDS.contains(&ref_id) {
            return failed(404, "deployments.deployment_resource_not_found", format!("Resource [{kind}/{ref_id}] of deployment [{dep}] could not be found"), &[]);
        }
        if !req.header("x-management-request").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return failed(
                400,
                "root.invalid_data",
                "The X-Management-Request header with value [true] is required to proxy requests to a deployment resource",
                &["X-Management-Request"],
            );
        }
        if !matches!(req.method.as_str(), "GET" | "POST" | "PUT" | "DELETE") {
            return no_route();
        }
        // ECE authenticated the caller; the cluster sees the proxy's own (trusted) request.
        let inner = Request {
            method: req.method.clone(),
            path: format!("/{rest}"),
            query_string: req.query_string.clone(),
            headers: req.headers.iter().filter(|(k, _)| k != "authorization" && k != "x-management-request").cloned().collect(),
            body: req.body.clone(),
            peer: req.peer,
        };
        es(&inner)
    }
}
