//! The CLI's main flows against a real OpenSearch 2.19.1 node (issue 10): register an fs
//! repository, take a snapshot with progress, list it, check it, plan and execute a restore over
//! open indices (close + restore + progress, documents back as snapshotted), and a rollback after
//! a failure injected by a proxy. Runs only with `ESSNAP_REAL_NODES=1` (`cargo xtask test`).

#[path = "../../../tests/common/fault_proxy.rs"]
mod fault_proxy;
#[path = "../../../tests/common/real_node.rs"]
mod real_node;

use std::process::Command;
use std::time::Duration;

use fault_proxy::{Action, FaultProxy, Rule};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn essnap(url: &str, args: &[&str]) -> Run {
    let cache = std::env::temp_dir().join(format!("essnap-cli-real-cache-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_essnap"))
        .args(["--url", url, "--poll-interval", "200"])
        .args(args)
        .env("ESSNAP_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .env_remove("ESSNAP_URL")
        .output()
        .expect("essnap runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "essnap panicked: {}", run.stderr);
    run
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr))
}

fn http(url: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let u = format!("{url}{path}");
    let r = match (method, body) {
        ("PUT", Some(b)) => agent.put(&u).header("content-type", "application/json").send(b),
        ("POST", Some(b)) => agent.post(&u).header("content-type", "application/json").send(b),
        ("DELETE", _) => agent.delete(&u).call(),
        _ => agent.get(&u).call(),
    };
    let mut r = r.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
}

fn status_of(url: &str, index: &str) -> String {
    let (_, body) = http(url, "GET", &format!("/_cat/indices/{index}?format=json&h=status"), None);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v[0]["status"].as_str().unwrap_or("missing").to_string()
}

fn count(url: &str, index: &str) -> u64 {
    let (_, body) = http(url, "GET", &format!("/{index}/_count"), None);
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["count"].as_u64().unwrap()
}

#[test]
fn main_flows_against_a_real_opensearch_node() {
    if !real_node::require("main_flows_against_a_real_opensearch_node") {
        return;
    }
    let node = real_node::shared(real_node::OPENSEARCH).expect("the real OpenSearch node starts");
    let _only_us = node.lock();
    let url = node.url.as_str();
    for idx in ["cli-a", "cli-b"] {
        http(url, "PUT", &format!("/{idx}"), Some(r#"{"settings":{"number_of_shards":1,"number_of_replicas":0}}"#));
        for n in 0..3 {
            http(url, "POST", &format!("/{idx}/_doc?refresh=true"), Some(&format!(r#"{{"n":{n}}}"#)));
        }
    }

    let r = essnap(url, &["repo", "add", "cli-repo", "--type", "fs", "--location", "cli-repo"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(json(&essnap(url, &["--json", "repos"])).to_string().contains("cli-repo"));

    let r = essnap(url, &["--json", "snapshot", "create", "cli-repo", "snap-1", "--indices", "cli-a,cli-b", "--wait"]);
    assert_eq!(json(&r)["status"], "success", "{}", r.stderr);
    assert!(json(&essnap(url, &["--json", "snapshots", "cli-repo"])).to_string().contains("snap-1"));
    let r = essnap(url, &["check", "cli-repo", "snap-1"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // Changes after the snapshot, which the restore undoes.
    http(url, "POST", "/cli-a/_doc?refresh=true", Some(r#"{"n":99}"#));
    assert_eq!(count(url, "cli-a"), 4);

    // Without permission to close, the plan is blocked and nothing changes.
    let r = essnap(url, &["restore", "cli-repo", "snap-1", "--yes"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(status_of(url, "cli-a"), "open");
    assert_eq!(count(url, "cli-a"), 4);

    // A failure injected in front of the node: the indices essnap closed are reopened.
    let proxy = FaultProxy::start(url);
    proxy.add(Rule { method: "POST", path_contains: "/_restore", action: Action::Status(500, "exception"), times: 1 });
    let r = essnap(&proxy.url, &["--json", "restore", "cli-repo", "snap-1", "--close-conflicting", "--yes"]);
    let j = json(&r);
    assert_eq!(j["status"], "failed", "{j}");
    assert_eq!(r.code, 1);
    let states: Vec<&str> = j["indices"].as_array().unwrap().iter().map(|i| i["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["reopened", "reopened"], "{j}");
    assert_eq!(status_of(url, "cli-a"), "open");
    assert_eq!(status_of(url, "cli-b"), "open");
    assert_eq!(count(url, "cli-a"), 4, "nothing was restored");

    // The real thing: close, restore, progress, every index open with the snapshot's documents.
    let r = essnap(url, &["--json", "restore", "cli-repo", "snap-1", "--close-conflicting", "--yes"]);
    let j = json(&r);
    assert_eq!(j["status"], "completed", "{j}\n{}", r.stderr);
    assert_eq!(r.code, 0);
    for idx in ["cli-a", "cli-b"] {
        assert_eq!(status_of(url, idx), "open", "{idx}");
        assert_eq!(count(url, idx), 3, "{idx} has the snapshot's documents");
    }

    for p in ["/cli-a", "/cli-b", "/_snapshot/cli-repo/snap-1", "/_snapshot/cli-repo"] {
        http(url, "DELETE", p, None);
    }
}
