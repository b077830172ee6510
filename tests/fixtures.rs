//! Every response body in `../shared/es-spec/examples/` and `tests/fixtures/real/` decodes into
//! its typed model (the file name says API and status), re-encodes without inventing or changing
//! anything, and decodes again to the same value. Error bodies map to a specific code.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{assert_subset, files_below, leaves, parse_fixture_name, repo_dir, spec_dir};
use essnap::api::{DECODABLE, decode_named};
use essnap::{ApiError, ErrorCode, Response};

/// APIs with official examples that essnap does not use, and why they are not decoded.
const NOT_DECODED: &[(&str, &str)] = &[
    ("nodes.info", "node details are not needed by any workflow"),
    ("cat.recovery", "progress is read from the JSON `_recovery` API, not the cat one"),
    ("slm.execute_lifecycle", "SLM policies are out of scope"),
    ("slm.get_lifecycle", "SLM policies are out of scope"),
    ("slm.get_stats", "SLM policies are out of scope"),
    ("slm.get_status", "SLM policies are out of scope"),
    ("slm.start", "SLM policies are out of scope"),
];

/// `strict`: every API must be decoded or listed in NOT_DECODED (official examples). Real-node
/// captures also hold the set-up calls of the capture script (create index, index documents).
fn check_file(path: &PathBuf, skipped: &mut BTreeSet<String>, strict: bool) -> bool {
    let Some(name) = parse_fixture_name(path) else { return false };
    let body = std::fs::read(path).unwrap();
    let resp = Response::new(name.status, body.clone());
    let shown = path.display();
    if name.is_error || name.status >= 400 {
        let err = ApiError::from_response(&resp);
        assert_ne!(err.code, ErrorCode::Other, "{shown}: error not classified: {err}");
        if name.case.ends_with("_exception") {
            assert_eq!(err.server_type.as_deref(), Some(name.case.as_str()), "{shown}: error type");
        }
        assert!(!err.message.is_empty(), "{shown}: empty message");
        return true;
    }
    if !DECODABLE.contains(&name.api.as_str()) {
        assert!(!strict || NOT_DECODED.iter().any(|(a, _)| *a == name.api), "{shown}: API {} has no decoder and no reason to skip it", name.api);
        skipped.insert(name.api.clone());
        return false;
    }
    let decoded = decode_named(&name.api, &resp).unwrap_or_else(|e| panic!("{shown}: {e}"));
    let original: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let encoded = essnap::json::to_value(&decoded);
    assert_subset(&encoded, &original, &shown.to_string());
    assert!(leaves(&encoded) > 0 || leaves(&original) == 0, "{shown}: the model kept nothing");
    let again = decode_named(&name.api, &Response::new(name.status, serde_json::to_vec(&encoded).unwrap())).unwrap();
    assert_eq!(again, decoded, "{shown}: decode(encode(x)) != x");
    true
}

#[test]
fn official_examples_decode_and_reencode() {
    let dir = spec_dir().join("examples");
    let mut checked = 0;
    let mut skipped = BTreeSet::new();
    for f in files_below(&dir.join("es")).into_iter().chain(files_below(&dir.join("opensearch"))) {
        if f.extension().is_some_and(|e| e == "json") && check_file(&f, &mut skipped, true) {
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} example bodies checked");
    let expected: BTreeSet<String> = NOT_DECODED.iter().map(|(a, _)| a.to_string()).collect();
    assert_eq!(skipped, expected, "the list of undecoded APIs is stale");
}

#[test]
fn real_node_bodies_decode_and_reencode() {
    let dir = repo_dir().join("tests/fixtures/real");
    let mut skipped = BTreeSet::new();
    let checked = files_below(&dir).iter().filter(|f| check_file(f, &mut skipped, false)).count();
    // Written by the refresh command (`cargo xtask cluster capture`); every one must pass.
    eprintln!("checked {checked} real-node bodies; set-up calls not decoded: {skipped:?}");
    assert!(checked >= 50, "only {checked} real-node bodies found under {}", dir.display());
}

#[test]
fn example_values_are_read_as_typed_values() {
    use essnap::model::*;
    let read = |p: &str| std::fs::read(spec_dir().join("examples").join(p)).unwrap();
    let snaps: GetSnapshotsResponse = essnap::json::from_slice(&read("es/es-spec.snapshot.get.200.example1.json")).unwrap();
    assert_eq!(snaps.snapshots.len(), 3);
    assert_eq!(snaps.snapshots[0].version().unwrap().to_string(), "8.10.0");
    assert_eq!(snaps.total, Some(3));

    let created: CreateSnapshotResponse =
        essnap::json::from_slice(&read("opensearch/snapshot.create.200.wait_for_completion.json")).unwrap();
    let s = created.snapshot.unwrap();
    assert_eq!(s.version().unwrap().to_string(), "2.0.1", "masked OpenSearch id");
    assert_eq!(s.distribution(), Some(essnap::Distribution::Opensearch));
    assert_eq!(s.state(), SnapshotState::Success);

    let rec: Recoveries = essnap::json::from_slice(&read("es/es-spec.indices.recovery.200.example1.json")).unwrap();
    let shard = &rec["index1"].shards[0];
    assert!(shard.restores_from("my_repository", "my_snapshot"));
    assert_eq!(shard.index.size.recovered_in_bytes, 68891939);
    assert_eq!(shard.index.files.percent, Some(94.5));

    let rec2: Recoveries = essnap::json::from_slice(&read("es/es-spec.indices.recovery.200.example2.json")).unwrap();
    assert_eq!(rec2["index1"].shards[0].stop_time_in_millis, Some(1393245488464), "string millis");

    let info: Info = essnap::json::from_slice(&read("opensearch/info.200.json")).unwrap();
    assert_eq!(info.distribution(), essnap::Distribution::Opensearch);
    assert_eq!(info.dialect().master_timeout_param(), "cluster_manager_timeout");
    let es: Info = essnap::json::from_slice(&read("es/es-spec.info.200.stack_9.1.0.json")).unwrap();
    assert_eq!(es.distribution(), essnap::Distribution::Elasticsearch);
    let sl: Info = essnap::json::from_slice(&read("es/es-spec.info.200.serverless.json")).unwrap();
    assert!(sl.is_serverless());

    let st: SnapshotStatusResponse = essnap::json::from_slice(&read("es/es-spec.snapshot.status.200.example1.json")).unwrap();
    assert_eq!(st.snapshots[0].stats.bytes(), (5969, 5969));
    assert_eq!(st.snapshots[0].progress(), 1.0);

    let cat: Vec<CatIndex> = essnap::json::from_slice(&read("es/es-spec.cat.indices.200.format_json.json")).unwrap();
    assert_eq!(cat[0].docs_count, Some(1200));
}

#[test]
#[should_panic(expected = "re-encoded")]
fn the_subset_check_catches_a_changed_value() {
    let original = serde_json::json!({"a": {"b": "1393245486349", "c": [1, 2]}});
    let changed = serde_json::json!({"a": {"b": 1393245486340u64}});
    assert_subset(&changed, &original, "x");
}

/// A health wait that timed out: real nodes answer 408 with the health itself. That is an
/// answer (`timed_out: true`), through `decode` too; a 408 without a health body stays an error.
#[test]
fn a_timed_out_health_wait_is_an_answer() {
    for dist in ["opensearch-2.19.1", "elasticsearch-7.17.29"] {
        let mut body: serde_json::Value =
            serde_json::from_slice(&std::fs::read(repo_dir().join("tests/fixtures/real").join(dist).join("cluster.health.200.json")).unwrap()).unwrap();
        body["status"] = "red".into();
        body["timed_out"] = true.into();
        let resp = Response::new(408, serde_json::to_vec(&body).unwrap());
        let h = essnap::model::ClusterHealth::from_response(&resp).unwrap_or_else(|e| panic!("{dist}: {e}"));
        assert_eq!((h.status.as_str(), h.timed_out), ("red", true), "{dist}");
        assert!(decode_named("cluster.health", &resp).is_ok(), "{dist}");
    }
    let e = essnap::model::ClusterHealth::from_response(&Response::new(408, b"<html>Request Timeout</html>".to_vec())).unwrap_err();
    assert_eq!(e.status, Some(408));
}
