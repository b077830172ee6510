//! Every body the sandbox emits is compared with the official example (and, where captured, the real
//! node's body in tests/fixtures/real) for the same field names and JSON types.

mod support;

use serde_json::Value;
use support::*;

fn check(name: &str, example: &Value, actual: &Value, optional: &[&str], extra: &[&str]) {
    let d = shape_diff(example, actual, optional, extra);
    assert!(d.is_empty(), "{name}: shape differs from example:\n  {}\nactual: {actual}", d.join("\n  "));
}

fn real(rel: &str) -> Option<Value> {
    let p = format!("{}/../tests/fixtures/real/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(p).ok().and_then(|t| serde_json::from_str(&t).ok())
}

#[test]
fn es_info_health_cat() {
    let h = demo();
    check("info", &example("es/es-spec.info.200.stack_9.1.0.json"), &get(&h, "/").json(), &[], &[]);
    check("health", &example("es/es-spec.cluster.health.200.json"), &get(&h, "/_cluster/health").json(), &[], &[]);
    let cat = get(&h, "/_cat/indices/logs-*?format=json").json();
    check("cat.indices", &example("es/es-spec.cat.indices.200.format_json.json"), &cat, &[], &[]);
    let cat = get(&h, "/_cat/snapshots/backups?format=json").json();
    check("cat.snapshots", &example("es/es-spec.cat.snapshots.200.format_json.json"), &cat, &[], &[]);
    let cat = get(&h, "/_cat/repositories?format=json").json();
    check("cat.repositories", &example("es/es-spec.cat.repositories.200.format_json.json"), &cat, &[], &[]);
}

#[test]
fn os_info_health() {
    let h = opensearch();
    let info = get(&h, "/").json();
    check("os info", &example("opensearch/info.200.json"), &info, &[], &[]);
    assert_eq!(info["version"]["distribution"], "opensearch");
    if let Some(r) = real("opensearch-2.19.1/info.200.json") {
        check("os info (real)", &r, &info, &[], &[]);
    }
    if let Some(r) = real("opensearch-2.19.1/cluster.health.200.json") {
        check("os health (real)", &r, &get(&h, "/_cluster/health").json(), &[], &[]);
    }
}

#[test]
fn es_snapshot_apis() {
    let h = demo();
    let repo = get(&h, "/_snapshot/backups").json();
    check("get_repository", &first_value(&example("es/es-spec.snapshot.get_repository.200.json")), &first_value(&repo), &[], &[]);
    let snaps = get(&h, "/_snapshot/backups/snap-compatible").json();
    // `metadata` only when set; `reason` only for failed snapshots
    check("snapshot.get", &example("es/es-spec.snapshot.get.200.example1.json"), &snaps, &[], &["snapshots.*.metadata"]);
    let created = send(&h, "PUT", "/_snapshot/backups/s1?wait_for_completion=true", Some(r#"{"indices":"logs-a","metadata":{"taken_by":"user123"}}"#)).json();
    check("snapshot.create", &example("es/es-spec.snapshot.create.200.wait_for_completion.json"), &created, &[], &[]);
    let status = get(&h, "/_snapshot/backups/s1/_status").json();
    check("snapshot.status", &example("es/es-spec.snapshot.status.200.example1.json"), &status, &[], &[]);
    check("cleanup", &example("es/es-spec.snapshot.cleanup_repository.200.json"), &send(&h, "POST", "/_snapshot/backups/_cleanup", None).json(), &[], &[]);
    check("delete", &example("es/es-spec.snapshot.delete.200.json"), &send(&h, "DELETE", "/_snapshot/backups/s1", None).json(), &[], &[]);
    let paged = get(&h, "/_snapshot/nightly/_all?size=2").json();
    check("snapshot.get paged", &example("es/es-spec.snapshot.get.200.example1.json"), &paged, &[], &["next", "snapshots.*.metadata"]);
}

#[test]
fn es_snapshot_get_matches_real_7_17() {
    let Some(real_one) = real("elasticsearch-7.17.29/snapshot.get.200.one.json") else { return };
    let h = sandbox(r#"{"cluster":{"distribution":"elasticsearch","version":"7.17.29"},"indices":[{"name":"idx-a"}],
        "repositories":[{"name":"repo","type":"fs","settings":{"location":"capture"}}]}"#);
    send(&h, "PUT", "/_snapshot/repo/snap-1?wait_for_completion=true", Some(r#"{"metadata":{"taken_by":"essnap-capture"},"include_global_state":false}"#));
    check("7.17 get one", &real_one, &get(&h, "/_snapshot/repo/snap-1").json(), &[], &[]);
    if let Some(r) = real("elasticsearch-7.17.29/snapshot.get.200.verbose_false.json") {
        check("7.17 verbose=false", &r, &get(&h, "/_snapshot/repo/_all?verbose=false").json(), &[], &[]);
    }
    // a running snapshot looks like the real one (end_time epoch 0, shards counted as failed)
    send(&h, "PUT", "/_snapshot/repo/slow-1", Some("{}"));
    if let Some(r) = real("elasticsearch-7.17.29/snapshot.get.200.current.json") {
        let cur = get(&h, "/_snapshot/repo/_current").json();
        check("7.17 current", &r, &cur, &[], &[]);
        assert_eq!(cur["snapshots"][0]["end_time_in_millis"], 0);
    }
    if let Some(r) = real("elasticsearch-7.17.29/snapshot.status.200.running.json") {
        check("7.17 status running", &r, &get(&h, "/_snapshot/repo/slow-1/_status").json(), &[], &[]);
    }
    if let Some(r) = real("elasticsearch-7.17.29/snapshot.get.200.missing_repository.json") {
        check("7.17 missing repo", &r, &get(&h, "/_snapshot/nope/_all").json(), &[], &[]);
    }
}

#[test]
fn os_snapshot_apis() {
    let h = opensearch();
    check("os get_repository", &first_value(&example("opensearch/snapshot.get_repository.200.s3.json")), &first_value(&get(&h, "/_snapshot/backups").json()), &[], &[]);
    let created = send(&h, "PUT", "/_snapshot/backups/s1?wait_for_completion=true", Some("{}")).json();
    check("os create", &example("opensearch/snapshot.create.200.wait_for_completion.json"), &created, &[], &["snapshot.remote_store_index_shallow_copy"]);
    assert_eq!(created["snapshot"]["version_id"], 136_407_927u64);
    check("os accepted", &example("opensearch/snapshot.create.200.accepted.json"), &send(&h, "PUT", "/_snapshot/backups/s2", None).json(), &[], &[]);
    check("os clone", &example("opensearch/snapshot.clone.200.json"), &send(&h, "PUT", "/_snapshot/backups/s1/_clone/s1c", Some(r#"{"indices":"*"}"#)).json(), &[], &[]);
    check("os verify", &example("opensearch/snapshot.verify_repository.200.json"), &send(&h, "POST", "/_snapshot/backups/_verify", None).json(), &[], &[]);
    check("os cleanup", &example("opensearch/snapshot.cleanup_repository.200.json"), &send(&h, "POST", "/_snapshot/backups/_cleanup", None).json(), &[], &[]);
    let restored = send(&h, "POST", "/_snapshot/backups/os-snap-1/_restore?wait_for_completion=true", Some(r#"{"indices":"logs-a","rename_pattern":"(.+)","rename_replacement":"r-$1"}"#)).json();
    check("os restore", &example("opensearch/snapshot.restore.200.json"), &restored, &[], &[]);
    check("os put repo", &example("opensearch/snapshot.create_repository.200.json"), &send(&h, "PUT", "/_snapshot/r2", Some(r#"{"type":"fs","settings":{"location":"x"}}"#)).json(), &[], &[]);
    check("os delete repo", &example("opensearch/snapshot.delete_repository.200.json"), &send(&h, "DELETE", "/_snapshot/r2", None).json(), &[], &[]);
    check("os delete", &example("opensearch/snapshot.delete.200.json"), &send(&h, "DELETE", "/_snapshot/backups/s1c", None).json(), &[], &[]);
    check("os close", &example("opensearch/indices.close.200.json"), &send(&h, "POST", "/logs-a/_close", None).json(), &[], &[]);
    check("os open", &example("opensearch/indices.open.200.json"), &send(&h, "POST", "/logs-a/_open", None).json(), &[], &[]);
    let rec = get(&h, "/r-logs-a/_recovery?human=true&detailed=true").json();
    // the example shows EXISTING_STORE/PEER recoveries: their `source` is a node, ours a snapshot
    check("os recovery", &first_value(&example("opensearch/indices.recovery.200.detailed.json")), &first_value(&rec), &["shards.*.source.bootstrap_new_history_uuid"], &["shards.*.source.*"]);
    if let Some(r) = real("opensearch-2.19.1/snapshot.get.200.one.json") {
        check("os get (real)", &r, &get(&h, "/_snapshot/backups/os-snap-1").json(), &["snapshots.*.metadata"], &[]);
    }
}

#[test]
fn es_indices_apis_and_recovery() {
    let h = demo();
    check("close", &example("es/es-spec.indices.close.200.json"), &send(&h, "POST", "/logs-b/_close", None).json(), &[], &[]);
    check("open", &example("es/es-spec.indices.open.200.json"), &send(&h, "POST", "/logs-b/_open", None).json(), &[], &[]);
    check("data streams", &example("es/es-spec.indices.get_data_stream.200.json"), &get(&h, "/_data_stream").json(), &["data_streams.*.ilm_policy", "data_streams.*.indices.*.ilm_policy"], &[]);
    let r = send(&h, "POST", "/_snapshot/backups/snap-compatible/_restore", Some(r#"{"indices":"logs-a","rename_pattern":"logs-(.+)","rename_replacement":"restored-$1"}"#));
    assert_eq!(r.json(), serde_json::json!({"accepted": true}));
    let rec = get(&h, "/restored-a/_recovery?human=true").json();
    let ex = example("es/es-spec.indices.recovery.200.example1.json");
    check("recovery (in progress)", &first_value(&ex), &first_value(&rec), &["shards.*.stop_time", "shards.*.stop_time_in_millis"], &[]);
    if let Some(real_rec) = real("elasticsearch-7.17.29/indices.recovery.200.running.json") {
        let raw = get(&h, "/restored-a/_recovery").json();
        check("recovery (real 7.17, no human)", &first_value(&real_rec), &first_value(&raw), &[], &[]);
    }
    let settings = get(&h, "/logs-a/_settings").json();
    assert!(settings["logs-a"]["settings"]["index"]["version"]["created"].is_string());
    assert!(settings["logs-a"]["settings"]["index"]["uuid"].is_string());
    let idx = get(&h, "/logs-a").json();
    assert!(idx["logs-a"]["aliases"]["logs"].is_object());
}
