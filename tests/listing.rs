//! The listing decode (`SnapshotColumns`) against the full model on every get-snapshots body we
//! have — real nodes of every version, the official examples — plus the lenient shapes and the
//! error answers, which must give the same error as the model.

mod common;

use common::{files_below, repo_dir, spec_dir};
use essnap::Response;
use essnap::api::decode;
use essnap::model::{GetSnapshotsResponse, SnapshotColumns};
use serde_json::{Value, json};

fn nan_or(v: Option<u64>) -> f64 {
    v.map_or(f64::NAN, |n| n as f64)
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Every row of the columns says what the model says of the same snapshot.
fn assert_agrees(body: &[u8], ctx: &str) {
    let resp = Response::new(200, body.to_vec());
    let model: GetSnapshotsResponse = decode("snapshot.get", &resp).unwrap_or_else(|e| panic!("{ctx}: model: {e}"));
    if let Some((repo, _)) = model.failures.iter().flatten().next()
        && model.all().next().is_none()
    {
        // Nothing listed and a repository failed: the listing says so as the pager does.
        let e = SnapshotColumns::from_response(&resp).unwrap_err();
        assert_eq!(Some(e.code), model.repository_failure(repo).map(|e| e.code), "{ctx}");
        return;
    }
    let cols = SnapshotColumns::from_response(&resp).unwrap_or_else(|e| panic!("{ctx}: columns: {e}"));
    let snaps: Vec<_> = model.all().collect();
    assert_eq!(cols.len, snaps.len(), "{ctx}");
    assert_eq!((cols.total, cols.remaining, cols.next.as_deref()), (model.total, model.remaining, model.next.as_deref()), "{ctx}");
    for (i, s) in snaps.iter().enumerate() {
        let c = format!("{ctx} #{i} {}", s.snapshot);
        assert_eq!(cols.snapshot.get(i).as_deref(), Some(s.snapshot.as_str()), "{c}");
        assert_eq!(cols.uuid.get(i).unwrap(), s.uuid.clone().unwrap_or_default(), "{c}");
        assert_eq!(cols.states.get(cols.state[i]), s.state.as_ref().map(|x| x.as_str()), "{c}");
        assert_eq!(cols.versions.get(cols.version[i]), s.version.as_deref(), "{c}");
        assert!(same(cols.version_id[i], nan_or(s.version_id.map(u64::from))), "{c}");
        assert!(same(cols.start_time_in_millis[i], nan_or(s.start_time_in_millis)), "{c}");
        assert!(same(cols.end_time_in_millis[i], nan_or(s.end_time_in_millis)), "{c}");
        assert!(same(cols.duration_in_millis[i], nan_or(s.duration_in_millis)), "{c}");
        assert_eq!(cols.index_count[i], s.indices.len() as f64, "{c}");
        assert_eq!(cols.data_stream_count[i], s.data_streams.as_ref().map_or(0, Vec::len) as f64, "{c}");
        assert_eq!(cols.failure_count[i], s.failures.as_ref().map_or(0, Vec::len) as f64, "{c}");
        let sh = s.shards.as_ref();
        assert!(same(cols.shards_total[i], nan_or(sh.map(|x| x.total))), "{c}");
        assert!(same(cols.shards_failed[i], nan_or(sh.map(|x| x.failed))), "{c}");
        assert!(same(cols.shards_successful[i], nan_or(sh.map(|x| x.successful))), "{c}");
    }
}

#[test]
fn every_real_and_official_get_snapshots_body_agrees_with_the_model() {
    let mut bodies: Vec<_> = files_below(&repo_dir().join("tests/fixtures/real"))
        .into_iter()
        .chain(files_below(&spec_dir().join("examples")))
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.contains("snapshot.get.200") && n.ends_with(".json") && !n.ends_with(".meta.json")
        })
        .collect();
    bodies.sort();
    assert!(bodies.len() >= 20, "expected the real and official bodies, found {bodies:?}");
    let mut rows = 0;
    for p in &bodies {
        let body = std::fs::read(p).unwrap();
        assert_agrees(&body, &p.display().to_string());
        rows += SnapshotColumns::from_response(&Response::new(200, body)).map_or(0, |c| c.len);
    }
    assert!(rows > 30, "{rows} rows in {} bodies", bodies.len());
}

#[test]
fn lenient_shapes_agree_with_the_model() {
    let cases = [
        // numbers as strings, null arrays, a state in lower case, escapes in names
        json!({"snapshots": [{"snapshot": "a\"b\u{e9}\u{1F600}", "uuid": "u1", "state": "success", "version_id": "7172999",
            "start_time_in_millis": "1700000000000", "end_time_in_millis": 1700000001000u64, "duration_in_millis": "1000",
            "indices": null, "shards": {"total": "3", "failed": 0, "successful": "3"}, "failures": []}]}),
        // verbose=false: name, uuid, indices, state only
        json!({"snapshots": [{"snapshot": "b", "uuid": "u2", "indices": ["x", "y"], "data_streams": ["ds"], "state": "SUCCESS"}], "total": 7, "remaining": "5", "next": "Yg=="}),
        // 7.6–7.13 per-repository answers
        json!({"responses": [{"repository": "r1", "snapshots": [{"snapshot": "c", "indices": ["i"]}]}, {"repository": "r2", "snapshots": [{"snapshot": "d"}, {"snapshot": "e", "shards": {}}]}]}),
        // unknown fields anywhere, nested values skipped
        json!({"snapshots": [{"snapshot": "f", "future": {"deep": [1, {"x": null}]}, "metadata": {"k": "v"}, "index_details": {"i": {"shard_count": 1}}}], "extra": [1, 2]}),
        json!({"snapshots": []}),
        json!({}),
    ];
    for (i, c) in cases.iter().enumerate() {
        assert_agrees(&serde_json::to_vec(c).unwrap(), &format!("case {i}: {c}"));
    }
}

#[test]
fn error_answers_give_the_same_error_as_the_model() {
    let real = repo_dir().join("tests/fixtures/real");
    let mut errors: Vec<_> = files_below(&real)
        .into_iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("error.snapshot.get.") && !n.ends_with(".meta.json")
        })
        .collect();
    errors.sort();
    assert!(!errors.is_empty());
    for p in errors {
        let n = p.file_name().unwrap().to_string_lossy().to_string();
        let status: u16 = n.split('.').nth(3).unwrap().parse().unwrap();
        let resp = Response::new(status, std::fs::read(&p).unwrap());
        let a = decode::<GetSnapshotsResponse>("snapshot.get", &resp).unwrap_err();
        let b = SnapshotColumns::from_response(&resp).unwrap_err();
        assert_eq!((a.code, a.status), (b.code, b.status), "{n}");
    }
    // a repository failure inside a 200 (7.14+ multi-repository answers)
    let body = json!({"snapshots": [], "failures": {"nope": {"type": "repository_missing_exception", "reason": "[nope] missing"}}, "total": 0, "remaining": 0});
    let resp = Response::new(200, serde_json::to_vec(&body).unwrap());
    let model: GetSnapshotsResponse = decode("snapshot.get", &resp).unwrap();
    let a = model.repository_failure("nope").unwrap();
    let b = SnapshotColumns::from_response(&resp).unwrap_err();
    assert_eq!(a.code, b.code);
    assert!(b.message.contains("nope"), "{b}");
    // broken bodies: the decode error, never a panic
    for bad in [&b"<html>502</html>"[..], b"{\"snapshots\": [{\"uuid\": 1}]}", b"{\"snapshots\": [", b"", b"[]", b"{\"snapshots\": [{\"snapshot\": \"a\", \"start_time_in_millis\": \"soon\"}]}"] {
        let e = SnapshotColumns::from_response(&Response::new(200, bad.to_vec())).unwrap_err();
        assert!(!e.message.is_empty(), "{}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn utf16_offsets_slice_the_joined_names() {
    let names = ["plain", "caf\u{e9}", "emoji-\u{1F600}-x", "", "\u{65e5}\u{672c}"];
    let body = json!({"snapshots": names.iter().map(|n| json!({"snapshot": n})).collect::<Vec<Value>>()});
    let cols = SnapshotColumns::from_response(&Response::new(200, serde_json::to_vec(&body).unwrap())).unwrap();
    let utf16: Vec<u16> = cols.snapshot.joined.encode_utf16().collect();
    let mut start = 0;
    for (i, n) in names.iter().enumerate() {
        let end = cols.snapshot.ends[i] as usize;
        assert_eq!(String::from_utf16(&utf16[start..end]).unwrap(), *n);
        start = end;
    }
}
