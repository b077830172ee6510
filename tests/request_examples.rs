//! The official request examples (`elasticsearch-specification/**/examples/request/*.yaml`) are
//! rebuilt by essnap's builders and compared: method, path, query and body.

mod common;

use std::collections::BTreeMap;

use common::{files_below, spec_dir};
use essnap::api::{cat, cluster, indices, snapshot};
use essnap::{Dialect, Request};
use serde_json::Value;

struct Example {
    file: String,
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    body: Option<Value>,
}

fn load(rel: &str) -> Example {
    let path = spec_dir().join("examples/elasticsearch-specification/specification").join(rel);
    let y: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let line = y["method_request"].as_str().unwrap().trim().to_string();
    let (method, target) = line.split_once(' ').unwrap();
    let target = if target.starts_with('/') { target.to_string() } else { format!("/{target}") };
    let (p, q) = target.split_once('?').unwrap_or((&target, ""));
    let body = match &y["value"] {
        serde_yaml::Value::Null => None,
        serde_yaml::Value::String(s) => Some(serde_json::from_str(s).unwrap()),
        other => Some(serde_json::to_value(other).unwrap()),
    };
    Example {
        file: rel.to_string(),
        method: method.to_string(),
        path: if p == "/" { p.to_string() } else { p.trim_end_matches('/').to_string() },
        query: parse_query(q),
        body,
    }
}

fn parse_query(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, "true"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Indices lists may be written as a string or an array; compare them as lists.
fn normalize_body(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(Value::String(s)) = v.get("indices").cloned() {
        v["indices"] = Value::Array(s.split(',').map(|x| Value::String(x.to_string())).collect());
    }
    v
}

fn check(ex: &Example, req: &Request) {
    assert_eq!(req.method.as_str(), ex.method, "{}: method", ex.file);
    assert_eq!(req.path_only(), ex.path, "{}: path", ex.file);
    let q: BTreeMap<String, String> = req.query_pairs().into_iter().collect();
    assert_eq!(q, ex.query, "{}: query", ex.file);
    assert_eq!(req.body_json().map(|b| normalize_body(&b)), ex.body.as_ref().map(normalize_body), "{}: body", ex.file);
}

fn d() -> Dialect {
    Dialect::default()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn official_request_examples_are_rebuilt_exactly() {
    use snapshot::*;
    let checked = std::cell::RefCell::new(Vec::new());
    let run = |rel: &str, req: Request| {
        check(&load(rel), &req);
        checked.borrow_mut().push(rel.to_string());
    };

    run("_global/info/examples/request/RootNodeInfoRequestExample1.yaml", cluster::info());
    run("cluster/health/examples/request/ClusterHealthRequestExample1.yaml", cluster::ClusterHealth::default().build(&d()).unwrap());

    run(
        "snapshot/get/examples/request/SnapshotGetRequestExample1.yaml",
        GetSnapshots {
            sort: Some(SnapshotSort::StartTime),
            from_sort_value: Some("1577833200000".into()),
            ..GetSnapshots::new("my_repository", ["snapshot_*"])
        }
        .build(&d())
        .unwrap(),
    );
    run(
        "snapshot/get_repository/examples/request/SnapshotGetRepositoryRequestExample1.yaml",
        GetRepositories { names: s(&["my_repository"]), ..Default::default() }.build(&d()).unwrap(),
    );
    run(
        "snapshot/create_repository/examples/request/SnapshotCreateRepositoryRequestExample1.yaml",
        CreateRepository::new("my_repository", RepositorySettings::fs("my_backup_location")).build(&d()).unwrap(),
    );
    let raw = |kind: &str, settings: Value| RepositorySettings::Raw { kind: kind.into(), settings: settings.as_object().unwrap().clone() };
    run(
        "snapshot/create_repository/examples/request/SnapshotCreateRepositoryRequestExample2.yaml",
        CreateRepository::new("my_backup", raw("azure", serde_json::json!({"client": "secondary"}))).build(&d()).unwrap(),
    );
    run(
        "snapshot/create_repository/examples/request/SnapshotCreateRepositoryRequestExample3.yaml",
        CreateRepository::new("my_gcs_repository", raw("gcs", serde_json::json!({"bucket": "my_other_bucket", "base_path": "dev"})))
            .build(&d())
            .unwrap(),
    );
    run(
        "snapshot/create_repository/examples/request/SnapshotCreateRepositoryRequestExample4.yaml",
        CreateRepository::new("my_s3_repository", RepositorySettings::s3("my-bucket")).build(&d()).unwrap(),
    );
    run(
        "snapshot/create_repository/examples/request/SnapshotCreateRepositoryRequestExample5.yaml",
        CreateRepository::new(
            "my_src_only_repository",
            raw("source", serde_json::json!({"delegate_type": "fs", "location": "my_backup_repository"})),
        )
        .build(&d())
        .unwrap(),
    );
    run(
        "snapshot/create_repository/examples/request/SnapshotCreateRepositoryRequestExample6.yaml",
        CreateRepository::new("my_read_only_url_repository", RepositorySettings::Url { url: "file:/mount/backups/my_fs_backup_location".into() })
            .build(&d())
            .unwrap(),
    );
    run(
        "snapshot/verify_repository/examples/request/SnapshotVerifyRepositoryExample1.yaml",
        RepositoryAction::new("my_unverified_backup").verify(&d()).unwrap(),
    );
    run(
        "snapshot/cleanup_repository/examples/request/SnapshotCleanupRepositoryRequestExample1.yaml",
        RepositoryAction::new("my_repository").cleanup(&d()).unwrap(),
    );
    run(
        "snapshot/delete_repository/examples/request/SnapshotDeleteRepositoryExample1.yaml",
        RepositoryAction::new("my_repository").delete(&d()).unwrap(),
    );
    let mut meta = serde_json::Map::new();
    meta.insert("taken_by".into(), "user123".into());
    meta.insert("taken_because".into(), "backup before upgrading".into());
    run(
        "snapshot/create/examples/request/SnapshotCreateRequestExample1.yaml",
        CreateSnapshot {
            wait_for_completion: Some(true),
            indices: s(&["index_1", "index_2"]),
            ignore_unavailable: Some(true),
            include_global_state: Some(false),
            partial: Some(true),
            metadata: Some(meta),
            ..CreateSnapshot::new("my_repository", "snapshot_2")
        }
        .build(&d())
        .unwrap(),
    );
    run(
        "snapshot/clone/examples/request/SnapshotCloneRequestExample1.yaml",
        CloneSnapshot {
            repository: "my_repository".into(),
            snapshot: "source_snapshot".into(),
            target: "target_snapshot".into(),
            indices: s(&["index_a", "index_b"]),
            ..Default::default()
        }
        .build(&d())
        .unwrap(),
    );
    run(
        "snapshot/delete/examples/request/SnapshotDeleteRequestExample1.yaml",
        DeleteSnapshots::new("my_repository", ["snapshot_2", "snapshot_3"]).build(&d()).unwrap(),
    );
    run(
        "snapshot/status/examples/request/SnapshotStatusRequestExample1.yaml",
        SnapshotStatus::of("my_repository", ["snapshot_2"]).build(&d()).unwrap(),
    );
    run(
        "snapshot/restore/examples/request/SnapshotRestoreRequestExample1.yaml",
        RestoreSnapshot {
            wait_for_completion: Some(true),
            indices: s(&["index_1", "index_2"]),
            ignore_unavailable: Some(true),
            include_global_state: Some(false),
            rename_pattern: Some("index_(.+)".into()),
            rename_replacement: Some("restored_index_$1".into()),
            include_aliases: Some(false),
            ..RestoreSnapshot::new("my_repository", "snapshot_2")
        }
        .build(&d())
        .unwrap(),
    );
    // Example 2's `method_request` is `PUT _cluster/settings` in the source (a copy-paste slip);
    // its description says `POST /_snapshot/my_repository/snapshot_2/_restore?wait_for_completion=true`.
    // Only its body is compared.
    let ex2 = load("snapshot/restore/examples/request/SnapshotRestoreRequestExample2.yaml");
    let req = RestoreSnapshot { wait_for_completion: Some(true), indices: s(&["index_1"]), ..RestoreSnapshot::new("my_repository", "snapshot_2") }
        .build(&d())
        .unwrap();
    assert_eq!(req.body_json().map(|b| normalize_body(&b)), ex2.body.as_ref().map(normalize_body));
    checked.borrow_mut().push(ex2.file);

    run(
        "indices/close/examples/request/CloseIndexRequestExample1.yaml",
        indices::IndexStateChange::new(["my-index-00001"]).close(&d()).unwrap(),
    );
    run(
        "indices/open/examples/request/IndicesOpenExample1.yaml",
        indices::IndexStateChange::new([".ds-my-data-stream-2099.03.07-000001"]).open(&d()).unwrap(),
    );
    run("indices/get/examples/request/IndicesGetExample1.yaml", indices::GetIndices::new(["my-index-000001"]).build(&d()).unwrap());
    run(
        "indices/get_data_stream/examples/request/IndicesGetDataStreamExample1.yaml",
        indices::GetDataStreams { names: s(&["my-data-stream"]), ..Default::default() }.build(&d()).unwrap(),
    );
    run(
        "indices/get_settings/examples/request/IndicesGetSettingsExample1.yaml",
        indices::GetSettings {
            indices: s(&["_all"]),
            options: indices::IndexOptions { expand_wildcards: Some("all".into()), ..Default::default() },
            extra: vec![("filter_path".into(), "*.settings.index.*.slowlog".into())],
            ..Default::default()
        }
        .build(&d())
        .unwrap(),
    );
    run(
        "indices/recovery/examples/request/indicesRecoveryRequestExample1.yaml",
        indices::Recovery { extra: vec![("human".into(), "true".into())], ..Default::default() }.build(&d()).unwrap(),
    );
    run(
        "cat/indices/examples/request/CatIndicesRequestExample1.yaml",
        cat::CatIndices {
            indices: s(&["my-index-*"]),
            sort: Some("index".into()),
            extra: vec![("v".into(), "true".into())],
            ..Default::default()
        }
        .build(&d())
        .unwrap(),
    );
    run(
        "cat/snapshots/examples/request/CatSnapshotsRequestExample1.yaml",
        cat::CatSnapshots {
            repository: Some("repo1".into()),
            sort: Some("id".into()),
            extra: vec![("v".into(), "true".into())],
            ..Default::default()
        }
        .build(&d())
        .unwrap(),
    );

    // Every request example of a covered API must have been rebuilt above.
    let covered = ["snapshot/", "indices/", "cat/indices", "cat/snapshots", "_global/info", "cluster/health"];
    let not_covered_apis = ["snapshot/repository_analyze", "snapshot/repository_verify_integrity"];
    let base = spec_dir().join("examples/elasticsearch-specification/specification");
    for f in files_below(&base) {
        let rel = f.strip_prefix(&base).unwrap().to_string_lossy().to_string();
        if rel.contains("/request/")
            && covered.iter().any(|c| rel.starts_with(c))
            && !not_covered_apis.iter().any(|c| rel.starts_with(c))
        {
            assert!(checked.borrow().contains(&rel), "request example {rel} is not rebuilt by this test");
        }
    }
}

#[test]
fn opensearch_dialect_renames_master_timeout() {
    use essnap::Version;
    let os = Dialect::opensearch(Version::new(2, 19, 1));
    let req = snapshot::GetSnapshots { master_timeout: Some("30s".into()), ..snapshot::GetSnapshots::new("r", ["s"]) }
        .build(&os)
        .unwrap();
    assert_eq!(req.path, "/_snapshot/r/s?cluster_manager_timeout=30s");
    let es = Dialect::elasticsearch(Version::new(7, 17, 20));
    let req = indices::IndexStateChange { master_timeout: Some("1m".into()), ..indices::IndexStateChange::new(["a", "b"]) }
        .close(&es)
        .unwrap();
    assert_eq!(req.path, "/a,b/_close?master_timeout=1m");
    let os1 = Dialect::opensearch(Version::new(1, 3, 20));
    assert_eq!(os1.master_timeout_param(), "master_timeout");
}

#[test]
fn path_parts_are_percent_encoded_per_segment() {
    let req = snapshot::CreateSnapshot::new("backups", "<nightly-{now/d}>").build(&d()).unwrap();
    assert_eq!(req.path, "/_snapshot/backups/%3Cnightly-%7Bnow%2Fd%7D%3E");
    let req = snapshot::GetSnapshots { after: Some("YWJj+Lw==".into()), ..snapshot::GetSnapshots::new("backups", ["a", "b*"]) }
        .build(&d())
        .unwrap();
    assert_eq!(req.path, "/_snapshot/backups/a,b*?after=YWJj%2BLw%3D%3D");
    assert_eq!(req.query_pairs(), vec![("after".to_string(), "YWJj+Lw==".to_string())]);
}
