//! The core against real nodes (issue 10): essnap's machines driven with a tiny ureq transport against a real
//! OpenSearch 2.19.1 and Elasticsearch 7.17.29 node (one of each per run of this binary), a fault-injecting
//! proxy in front of them for the rollback paths, and a real 2-node OpenSearch cluster for restore progress
//! across nodes. Gated by `ESSNAP_REAL_NODES=1` (`cargo xtask test` sets it); see tests/common/real_node.rs.

#[path = "common/client.rs"]
mod client;
#[path = "common/fault_proxy.rs"]
mod fault_proxy;
#[path = "common/real_node.rs"]
mod real_node;

use client::{Client, timing};
use essnap::api::snapshot::{Order, SnapshotSort};
use essnap::machine::create::{CreateOutcome, CreateStatus};
use essnap::machine::list::SnapshotPager;
use essnap::machine::restore::{IndexFate, RestoreStatus};
use essnap::machine::{Event, Timing};
use essnap::plan::{ItemAction, Rename, RestoreSelection};
use serde_json::json;
use fault_proxy::{Action, FaultProxy, Rule};
use real_node::{ELASTICSEARCH, OPENSEARCH, RealNode};

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

fn progress(events: &[Event]) -> Vec<essnap::machine::Progress> {
    events.iter().filter_map(|e| if let Event::Progress(p) = e { Some(p.clone()) } else { None }).collect()
}

fn assert_snapshot_ok(out: &CreateOutcome, events: &[Event], ctx: &str) {
    assert_eq!(out.status, CreateStatus::Success, "{ctx}: {out:?}");
    let p = progress(events);
    assert!(!p.is_empty(), "{ctx}: no progress events: {events:?}");
    assert_eq!(p.last().unwrap().percent, 100.0, "{ctx}: {p:?}");
    assert!(p.windows(2).all(|w| w[0].percent <= w[1].percent), "{ctx}: progress only grows: {p:?}");
}

// ---------------------------------------------------------------------------------------------------------------
// create + list + plan + restore over open indices

fn snapshot_list_restore(node: &RealNode) {
    let c = Client::new(&node.url);
    let d = c.dialect();
    assert_eq!(d.distribution.to_string().to_lowercase(), node.dist);
    c.fs_repository(&d, "happy");
    c.index("happy-a", 2, 25);
    c.index("happy-b", 1, 7);

    // three snapshots: the machine's progress and final state
    for (i, snap) in ["happy-1", "happy-2", "happy-3"].iter().enumerate() {
        let (out, events) = c.snapshot(&d, "happy", snap, &["happy-a", "happy-b"]);
        assert_snapshot_ok(&out, &events, snap);
        let s = out.snapshot.as_ref().expect("final snapshot info");
        let mut idx = s.indices.clone();
        idx.sort();
        assert_eq!(idx, ["happy-a", "happy-b"], "{snap}");
        if i == 0 {
            // the restore below must bring these counts back
            c.add_docs("happy-a", 5);
            c.add_docs("happy-b", 3);
        }
    }
    assert_eq!((c.count("happy-a"), c.count("happy-b")), (30, 10));

    // listing, two per page
    for verbose in [true, false] {
        let mut pager = SnapshotPager::new("happy", d.clone(), 2, SnapshotSort::Name, Order::Asc, verbose).expect("pager");
        let mut names = Vec::new();
        let mut pages = 0;
        while let Some(req) = pager.next_request() {
            let resp = c.send(&req.expect("builds")).expect("list");
            let page = pager.on_response(&resp).unwrap_or_else(|e| panic!("page {pages}: {e}"));
            names.extend(page.snapshots.iter().map(|s| s.snapshot.clone()));
            pages += 1;
            assert!(pages < 10, "the pager does not end");
        }
        assert_eq!(names, ["happy-1", "happy-2", "happy-3"], "verbose={verbose}");
    }

    // plan over the open indices, closing them, and execute
    let sel = RestoreSelection { close_conflicting: true, ..Default::default() };
    let plan = c.plan("happy", "happy-1", &sel);
    assert!(!plan.is_blocked(), "{}", plan.render());
    assert_eq!(sorted(&plan.to_close), ["happy-a", "happy-b"], "{}", plan.render());
    assert!(plan.items.iter().all(|i| i.action == ItemAction::CloseAndRestoreOver), "{}", plan.render());
    let (out, events) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Restored), "{:?}", out.indices);
    assert!(events.iter().any(|e| matches!(e, Event::Closed { indices } if indices.len() == 2)), "{events:?}");
    let p = progress(&events);
    assert!(!p.is_empty() && p.last().unwrap().percent == 100.0, "{p:?}");
    assert!(p.windows(2).all(|w| w[0].percent <= w[1].percent), "progress only grows: {p:?}");
    assert_eq!(p.last().unwrap().shards_total, 3, "{p:?}");

    let states = c.states(&["happy-a", "happy-b"]);
    assert!(states.values().all(|s| s == "open"), "{states:?}");
    c.ok("GET", "/_cluster/health/happy-a,happy-b?wait_for_status=green&timeout=30s", None);
    assert_eq!((c.count("happy-a"), c.count("happy-b")), (25, 7), "the documents of happy-1");

    // a plan that is not allowed to close is blocked and sends nothing
    let blocked = c.plan("happy", "happy-2", &RestoreSelection::default());
    assert!(blocked.is_blocked());
    let (out, _) = c.execute(blocked);
    assert_eq!(out.status, RestoreStatus::NotStarted);
    assert_eq!(out.requests_sent, 0);
}

#[test]
fn opensearch_snapshot_list_and_restore_over_open_indices() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        snapshot_list_restore(node);
    }
}

#[test]
fn elasticsearch_snapshot_list_and_restore_over_open_indices() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        snapshot_list_restore(node);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// repository types: read-only registrations, a type no plugin provides, url repositories (OpenSearch 2+:
// the module is on Maven Central), each answer decoded to its own code

fn repository_types(node: &RealNode) {
    use essnap::ErrorCode;
    use essnap::api::snapshot::{CreateRepository, CreateSnapshot, RepositoryAction, RepositorySettings};
    let c = Client::new(&node.url);
    let d = c.dialect();
    let raw = |kind: &str, v: serde_json::Value| RepositorySettings::Raw { kind: kind.into(), settings: v.as_object().unwrap().clone() };
    let put = |name: &str, s: RepositorySettings| {
        let resp = c.send(&CreateRepository::new(name, s).build(&d).expect("builds")).expect("put repository");
        essnap::api::decode::<essnap::model::Acknowledged>("snapshot.create_repository", &resp)
    };
    c.fs_repository(&d, "types");
    c.index("types-a", 1, 2);
    let (out, events) = c.snapshot(&d, "types", "types-1", &["types-a"]);
    assert_snapshot_ok(&out, &events, "types-1");

    // A read-only registration of the same location: lists, verifies and restores, refuses writes.
    put("types-ro", raw("fs", json!({"location": "types", "readonly": true}))).expect("a read-only registration");
    let verify = c.send(&RepositoryAction::new("types-ro").verify(&d).unwrap()).unwrap();
    assert_eq!(verify.status, 200, "a read-only repository verifies: {}", String::from_utf8_lossy(&verify.body));
    let create = c.send(&CreateSnapshot::new("types-ro", "types-1").build(&d).unwrap()).unwrap();
    let e = essnap::ApiError::from_response(&create);
    assert_eq!(e.code, ErrorCode::RepositoryReadOnly, "the read-only refusal comes before the existing name: {e}");
    let delete = c.send(&essnap::api::snapshot::DeleteSnapshots::new("types-ro", ["types-1"]).build(&d).unwrap()).unwrap();
    assert_eq!(essnap::ApiError::from_response(&delete).code, ErrorCode::RepositoryReadOnly);
    let plan = c.plan("types-ro", "types-1", &RestoreSelection { rename: Some(Rename::Prefix("ro-".into())), ..Default::default() });
    let (out, _) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "a read-only repository restores: {out:?}");
    assert_eq!(c.count("ro-types-a"), 2);

    // A type no plugin provides.
    let e = put("types-az", raw("azure", json!({"container": "c"}))).unwrap_err();
    assert_eq!(e.code, ErrorCode::RepositoryTypeUnknown, "{e}");

    // url: read-only by nature, and a failed verification leaves the registration in place.
    if node.dist == "opensearch" && !node.version.starts_with("1.") {
        let url = format!("file:{}", node.repo_path.join("types").display());
        put("types-url", RepositorySettings::Url { url }).expect("a url repository inside path.repo");
        let names: Vec<String> = c.plan("types-url", "types-1", &RestoreSelection::default()).items.iter().map(|i| i.source.clone()).collect();
        assert_eq!(names, ["types-a"]);
        let create = c.send(&CreateSnapshot::new("types-url", "types-2").build(&d).unwrap()).unwrap();
        assert_eq!(essnap::ApiError::from_response(&create).code, ErrorCode::RepositoryReadOnly);
        let e = put("types-url-bad", RepositorySettings::Url { url: "file:/etc".into() }).unwrap_err();
        assert_eq!(e.code, ErrorCode::RepositoryVerificationFailed, "{e}");
        let (status, _) = c.raw("GET", "/_snapshot/types-url-bad", None);
        assert_eq!(status, 200, "the server keeps a registration whose verification failed (the CLI says so)");
        c.ok("DELETE", "/_snapshot/types-url-bad", None);
    }
}

/// Several snapshots deleted by name in the fewest requests the node takes.
fn delete_several(node: &RealNode) {
    use essnap::api::snapshot::DeleteSnapshots;
    let c = Client::new(&node.url);
    let d = c.dialect();
    c.fs_repository(&d, "several");
    c.index("several-a", 1, 1);
    let names: Vec<String> = (1..=3).map(|i| format!("several-{i}")).collect();
    for n in &names {
        let (out, events) = c.snapshot(&d, "several", n, &["several-a"]);
        assert_snapshot_ok(&out, &events, n);
    }
    let batches = DeleteSnapshots::new("several", names[..2].to_vec()).batches(&d).unwrap();
    assert_eq!(batches.len(), 1, "{} {}: one request for both", node.dist, node.version);
    for (_, r) in batches {
        let resp = c.send(&r).unwrap();
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    }
    let left = c.ok("GET", "/_snapshot/several/_all", None);
    let left: Vec<&str> = left["snapshots"].as_array().unwrap().iter().map(|s| s["snapshot"].as_str().unwrap()).collect();
    assert_eq!(left, ["several-3"]);
}

#[test]
fn opensearch_deletes_several_snapshots_in_one_request() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        delete_several(node);
    }
}

#[test]
fn elasticsearch_deletes_several_snapshots_in_one_request() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        delete_several(node);
    }
}

#[test]
fn opensearch_repository_types() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        repository_types(node);
    }
}

#[test]
fn elasticsearch_repository_types() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        repository_types(node);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// shard counts: a restore over a closed index needs the snapshot's count; the plan knows it without
// `index_details` (OpenSearch) when the snapshot has one shard per index

fn shard_count_mismatch_is_blocked_before_any_close(node: &RealNode) {
    let c = Client::new(&node.url);
    let d = c.dialect();
    c.fs_repository(&d, "shards");
    c.index("sh-one", 1, 3);
    c.index("sh-two", 1, 2);
    let (out, events) = c.snapshot(&d, "shards", "shards-1", &["sh-one", "sh-two"]);
    assert_snapshot_ok(&out, &events, "shards-1");
    c.ok("DELETE", "/sh-two", None);
    c.index("sh-two", 2, 1);

    let plan = c.plan("shards", "shards-1", &RestoreSelection { close_conflicting: true, ..Default::default() });
    let item = |n: &str| plan.items.iter().find(|i| i.source == n).unwrap_or_else(|| panic!("{n}: {}", plan.render()));
    assert_eq!(item("sh-one").action, ItemAction::CloseAndRestoreOver, "{}", plan.render());
    assert_eq!(item("sh-one").note, None, "the snapshot's shard count is known: {}", plan.render());
    assert_eq!(item("sh-two").action, ItemAction::Blocked, "{}", plan.render());
    assert_eq!(
        plan.blockers,
        ["sh-two: existing sh-two has 2 primary shards, the snapshot's index has 1: restore under another name"],
        "{}",
        plan.render()
    );
    assert_eq!(plan.to_close, ["sh-one"], "the blocked index is not closed");

    // The server agrees, but only once the index is closed.
    c.ok("POST", "/sh-two/_close", None);
    let (status, body) = c.raw("POST", "/_snapshot/shards/shards-1/_restore?wait_for_completion=true", Some(r#"{"indices":"sh-two"}"#));
    c.ok("POST", "/sh-two/_open", None);
    let reason = body["error"]["reason"].as_str().unwrap_or_default();
    assert!(status >= 400 && reason.contains("shards"), "{status} {body}");
    assert_eq!(c.count("sh-two"), 1, "the refused restore left sh-two as it was");
}

#[test]
fn opensearch_shard_count_mismatch_is_blocked_before_any_close() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        shard_count_mismatch_is_blocked_before_any_close(node);
    }
}

#[test]
fn elasticsearch_shard_count_mismatch_is_blocked_before_any_close() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        shard_count_mismatch_is_blocked_before_any_close(node);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// data streams (OpenSearch: Elasticsearch 7.x has them only with x-pack, which the launched node lacks)

#[test]
fn opensearch_data_stream_restore_is_blocked_over_itself_and_follows_a_rename() {
    let Some(node) = real_node::shared(OPENSEARCH) else { return };
    let c = Client::new(&node.url);
    let d = c.dialect();
    c.fs_repository(&d, "streams");
    let template = json!({"index_patterns": ["dsx-*"], "data_stream": {}, "template": {"settings": {"number_of_shards": 1, "number_of_replicas": 0}}});
    c.ok("PUT", "/_index_template/dsx-template", Some(&template.to_string()));
    c.ok("PUT", "/_data_stream/dsx-app", None);
    let mut bulk = String::new();
    for i in 0..6 {
        bulk.push_str(&format!("{{\"create\":{{}}}}\n{{\"@timestamp\":\"2026-01-01T00:00:0{i}Z\",\"n\":{i}}}\n"));
    }
    let r = c.ok("POST", "/dsx-app/_bulk?refresh=true", Some(&bulk));
    assert_eq!(r["errors"], false, "{r}");
    let (out, events) = c.snapshot(&d, "streams", "streams-1", &["dsx-app"]);
    assert_snapshot_ok(&out, &events, "streams-1");
    let snap = out.snapshot.expect("final snapshot info");
    assert_eq!(snap.data_streams(), ["dsx-app"]);
    let backing = c.ok("GET", "/_data_stream/dsx-app", None)["data_streams"][0]["indices"][0]["index_name"].as_str().unwrap().to_string();
    assert_eq!(snap.indices, std::slice::from_ref(&backing));

    // Over the live data stream: blocked even when allowed to close (its write index can't be
    // closed), and nothing is sent.
    for close_conflicting in [false, true] {
        let plan = c.plan("streams", "streams-1", &RestoreSelection { close_conflicting, ..Default::default() });
        assert!(plan.is_blocked(), "{}", plan.render());
        assert!(plan.blockers.iter().any(|b| b.contains("data stream dsx-app already exists")), "{}", plan.render());
        assert!(plan.to_close.is_empty(), "{}", plan.render());
        let (out, _) = c.execute(plan);
        assert_eq!((out.status, out.requests_sent), (RestoreStatus::NotStarted, 0));
    }
    // What the server says to the same restore, for the record: the open backing index.
    let (status, body) = c.raw("POST", "/_snapshot/streams/streams-1/_restore", Some(r#"{"indices":"dsx-app"}"#));
    assert_eq!(status, 500, "{body}");
    assert!(body["error"]["reason"].as_str().unwrap_or("").contains(&format!("cannot restore index [{backing}] because an open index")), "{body}");

    // Under a prefix: the planned names are the names the server gives the data stream and its
    // backing index.
    let sel = RestoreSelection { indices: vec!["dsx-app".into()], rename: Some(Rename::Prefix("copy-".into())), ..Default::default() };
    let plan = c.plan("streams", "streams-1", &sel);
    assert!(!plan.is_blocked(), "{}", plan.render());
    let planned_stream = plan.data_streams.iter().map(|d| d.target.clone()).collect::<Vec<_>>();
    let planned_backing = plan.items.iter().map(|i| i.target.clone()).collect::<Vec<_>>();
    assert_eq!(planned_stream, ["copy-dsx-app"], "{}", plan.render());
    let (out, _) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    let restored = c.ok("GET", "/_data_stream/copy-dsx-app", None);
    let real_backing: Vec<String> = restored["data_streams"][0]["indices"].as_array().unwrap().iter().map(|i| i["index_name"].as_str().unwrap().to_string()).collect();
    assert_eq!(planned_backing, real_backing, "{restored}");
    c.ok("GET", "/_cluster/health/copy-dsx-app?wait_for_status=green&timeout=30s", None);
    assert_eq!(c.count("copy-dsx-app"), 6);

    // A backing index named on its own comes back as a plain index, renamed as a whole.
    let sel = RestoreSelection { indices: vec![backing.clone()], rename: Some(Rename::Prefix("plain-".into())), ..Default::default() };
    let plan = c.plan("streams", "streams-1", &sel);
    assert!(!plan.is_blocked() && plan.data_streams.is_empty(), "{}", plan.render());
    assert_eq!(plan.items[0].target, format!("plain-{backing}"), "{}", plan.render());
    assert_eq!(plan.items[0].data_stream, None);
    let (out, _) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    assert_eq!(c.states(&[&format!("plain-{backing}")]).get(&format!("plain-{backing}")).map(String::as_str), Some("open"));
    let streams = c.ok("GET", "/_data_stream", None);
    assert_eq!(streams["data_streams"].as_array().unwrap().len(), 2, "no new data stream: {streams}");
    c.ok("DELETE", &format!("/plain-{backing}"), None);

    for ds in ["dsx-app", "copy-dsx-app"] {
        c.ok("DELETE", &format!("/_data_stream/{ds}"), None);
    }
    c.ok("DELETE", "/_index_template/dsx-template", None);
}

// ---------------------------------------------------------------------------------------------------------------
// rename previews: the planned target is the name the server's String.replaceAll gives

fn rename_previews_match_the_server(node: &RealNode) {
    let c = Client::new(&node.url);
    let d = c.dialect();
    c.fs_repository(&d, "renames");
    c.index("rx-baaa", 1, 3);
    let (out, events) = c.snapshot(&d, "renames", "renames-1", &["rx-baaa"]);
    assert_snapshot_ok(&out, &events, "renames-1");
    let rename = |pattern: &str, replacement: &str| RestoreSelection {
        indices: vec!["rx-baaa".into()],
        rename: Some(Rename::Pattern { pattern: pattern.into(), replacement: replacement.into() }),
        ..Default::default()
    };
    // A look-behind, and Java's empty match right after a match (`a*` on "baaa": "zbzz", where
    // most other engines give "zbz").
    for (pattern, replacement, expected) in [("(?<=rx-)b", "c", "rx-caaa"), ("a*", "z", "zrzxz-zbzz")] {
        let plan = c.plan("renames", "renames-1", &rename(pattern, replacement));
        assert!(!plan.is_blocked(), "{}", plan.render());
        assert_eq!(plan.items[0].target, expected, "{}", plan.render());
        let (out, _) = c.execute(plan);
        assert_eq!(out.status, RestoreStatus::Completed, "{pattern}: {out:?}");
        c.ok("GET", &format!("/_cluster/health/{expected}?wait_for_status=green&timeout=30s"), None);
        assert_eq!(c.count(expected), 3, "{pattern}: the server restored under the planned name");
        c.ok("DELETE", &format!("/{expected}"), None);
    }
    // A replacement naming a group the pattern lacks: refused before anything is sent; the
    // server would fail the restore.
    let e = essnap::plan::Renamer::new(&Rename::Pattern { pattern: "(rx)-(.+)".into(), replacement: "$3".into() }).unwrap_err();
    assert!(e.problem.contains("No group 3"), "{e}");
    let (status, body) = c.raw("POST", "/_snapshot/renames/renames-1/_restore", Some(r#"{"indices":"rx-baaa","rename_pattern":"(rx)-(.+)","rename_replacement":"$3"}"#));
    assert!(status >= 400 && body.to_string().contains("No group 3"), "{status} {body}");
    assert_eq!(c.states(&["rx-baaa"]).get("rx-baaa").map(String::as_str), Some("open"), "nothing was restored");
    c.ok("DELETE", "/rx-baaa", None);
}

// ---------------------------------------------------------------------------------------------------------------
// index expressions: the indices a plan picks are the ones the server restores

fn index_expressions_pick_what_the_server_restores(node: &RealNode) {
    let c = Client::new(&node.url);
    let d = c.dialect();
    c.fs_repository(&d, "exprs");
    for i in ["ix-a", "ix-b", "ix-c", ".ix-dot"] {
        c.index(i, 1, 1);
    }
    let (out, events) = c.snapshot(&d, "exprs", "exprs-1", &["ix-*", ".ix-dot"]);
    assert_snapshot_ok(&out, &events, "exprs-1");
    let cases: &[&[&str]] = &[
        &[],
        &["ix-*"],
        &["ix-*", "-ix-b"],
        &["*"],
        &["_all"],
        &["ix-a", "ix-c"],
        &[".ix-*"],
        &["*", "-ix-*"],
        &["ix-a", "ix-*", "-ix-a"],
        &["-ix-b"],
        &["i*-c", "ix-?"],
        &["+ix-a"],
        &["ix-*", "-nope"],
        &["ix-*", "-nope-*"],
        &["nope-*"],
    ];
    let mut g = essnap::machine::gather::Gather::new("exprs", "exprs-1", timing());
    let inputs = essnap::machine::drive(&mut g, |r| c.send(r), client::sleep, |_| {}).expect("gather");
    let mut differences = Vec::new();
    for (k, exprs) in cases.iter().enumerate() {
        let prefix = format!("e{k}-");
        let indices: Vec<String> = exprs.iter().map(|e| e.to_string()).collect();
        let sel = RestoreSelection { indices: indices.clone(), rename: Some(Rename::Prefix(prefix.clone())), ..Default::default() };
        let (status, body) = c.raw(
            "POST",
            "/_snapshot/exprs/exprs-1/_restore?wait_for_completion=true",
            Some(&{
                let mut body = json!({"rename_pattern": "(.+)", "rename_replacement": format!("{prefix}$1"), "include_global_state": false});
                if !indices.is_empty() {
                    body["indices"] = json!(indices.join(","));
                }
                body.to_string()
            }),
        );
        let mut restored: Vec<String> = if status == 200 {
            let listed = c.ok("GET", &format!("/_cat/indices/{prefix}*?format=json&h=index&expand_wildcards=all"), None);
            listed.as_array().unwrap().iter().map(|r| r["index"].as_str().unwrap().trim_start_matches(&prefix).to_string()).collect()
        } else {
            Vec::new()
        };
        restored.sort();
        for r in &restored {
            c.ok("DELETE", &format!("/{prefix}{r}"), None);
        }
        let planned = match essnap::plan::plan_restore(&inputs, &sel) {
            Ok(p) if !p.is_blocked() => sorted(&p.items.iter().map(|i| i.source.clone()).collect::<Vec<_>>()),
            Ok(p) => vec![format!("(blocked: {})", p.blockers.join("; "))],
            Err(e) => vec![format!("(refused: {e})")],
        };
        let server = if status == 200 { restored } else { vec![format!("(refused: {status})")] };
        // Refused on both sides; or a restore of nothing, which the server runs and essnap blocks.
        let both_refuse = planned[0].starts_with('(') && server.first().is_some_and(|s| s.starts_with('('));
        let empty = planned[0].starts_with("(blocked: nothing in snapshot") && server.is_empty();
        let agree = planned == server || both_refuse || empty;
        if !agree {
            differences.push(format!("{exprs:?}: plan {planned:?}, server {server:?} {}", if status == 200 { String::new() } else { body.to_string() }));
        }
    }
    for i in ["ix-a", "ix-b", "ix-c", ".ix-dot"] {
        c.ok("DELETE", &format!("/{i}"), None);
    }
    assert!(differences.is_empty(), "{} {}:\n{}", node.dist, d.version.map(|v| v.to_string()).unwrap_or_default(), differences.join("\n"));
}

#[test]
fn opensearch_index_expressions_pick_what_the_server_restores() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        index_expressions_pick_what_the_server_restores(node);
    }
}

#[test]
fn elasticsearch_index_expressions_pick_what_the_server_restores() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        index_expressions_pick_what_the_server_restores(node);
    }
}

#[test]
fn opensearch_rename_previews_match_the_server() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        rename_previews_match_the_server(node);
    }
}

#[test]
fn elasticsearch_rename_previews_match_the_server() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        rename_previews_match_the_server(node);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// rollback after injected failures

fn rollback(node: &RealNode) {
    let direct = Client::new(&node.url);
    let d = direct.dialect();
    direct.fs_repository(&d, "rb");
    direct.index("rb-a", 2, 10);
    direct.index("rb-b", 1, 5);
    direct.index("rb-keep", 1, 3);
    let (out, events) = direct.snapshot(&d, "rb", "rb-1", &["rb-a", "rb-b"]);
    assert_snapshot_ok(&out, &events, "rb-1");
    direct.add_docs("rb-a", 7);
    direct.add_docs("rb-b", 1);
    let all = ["rb-a", "rb-b", "rb-keep"];
    let counts = |c: &Client| all.map(|n| c.count(n));
    let all_open = |ctx: &str| {
        let s = direct.states(&all);
        assert_eq!(s.len(), 3, "{ctx}: {s:?}");
        assert!(s.values().all(|v| v == "open"), "{ctx}: every index is open again: {s:?}");
    };
    let sel = RestoreSelection { close_conflicting: true, ..Default::default() };

    let proxy = FaultProxy::start(&node.url);
    let mut c = Client::new(&proxy.url);
    // The default poll interval (1 s): after an unanswered restore the machine looks for it 3 times before it
    // would resend; 3 × 200 ms is too short a window for a busy CI machine to show the recoveries.
    c.timing = Timing { poll_interval_ms: 1000, ..timing() };
    let restore_posts = |p: &FaultProxy| p.seen().into_iter().filter(|s| s.method == "POST" && s.path.contains("/_restore")).collect::<Vec<_>>();

    // A: the restore POST is answered 500 without reaching the node: nothing restored, closed indices reopened.
    proxy.add(Rule { method: "POST", path_contains: "/_restore", action: Action::Status(500, "exception"), times: 1 });
    let plan = c.plan("rb", "rb-1", &sel);
    assert_eq!(sorted(&plan.to_close), ["rb-a", "rb-b"]);
    let (out, events) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Failed, "A: {out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Reopened), "A: {:?}", out.indices);
    assert!(events.iter().any(|e| matches!(e, Event::Reopened { .. })), "A: {events:?}");
    all_open("A");
    assert_eq!(counts(&direct), [17, 6, 3], "A: nothing was restored");
    assert_eq!(restore_posts(&proxy).len(), 1, "A: a refused restore is not sent again");

    // B: the close is forwarded (indices really close), then the connection drops: the machine reopens them.
    proxy.clear();
    proxy.add(Rule { method: "POST", path_contains: "/_close", action: Action::ForwardThenDrop, times: 1 });
    let plan = c.plan("rb", "rb-1", &sel);
    let (out, _) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Failed, "B: {out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Reopened), "B: {:?}", out.indices);
    all_open("B");
    assert_eq!(counts(&direct), [17, 6, 3], "B: nothing was restored");
    assert_eq!(restore_posts(&proxy).len(), 1, "B: no restore was sent");
    let closes: Vec<_> = proxy.seen().into_iter().filter(|s| s.path.contains("/_close")).collect();
    assert_eq!(closes.last().and_then(|s| s.status), Some(200), "B: the node did close them");

    // C: the restore POST reaches the node and starts, but the answer is lost: the machine finds the running
    // restore, never sends it again, and follows it to the end.
    proxy.clear();
    proxy.add(Rule { method: "POST", path_contains: "/_restore", action: Action::ForwardThenDrop, times: 1 });
    let before = restore_posts(&proxy).len();
    let plan = c.plan("rb", "rb-1", &sel);
    let (out, events) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "C: {out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Restored), "C: {:?}", out.indices);
    assert!(events.iter().any(|e| matches!(e, Event::Warning { .. })), "C: {events:?}");
    let posts = restore_posts(&proxy);
    assert_eq!(posts.len() - before, 1, "C: the restore was sent again: {posts:?}");
    assert_eq!(posts.last().unwrap().status, Some(200), "C: the node accepted it");
    all_open("C");
    direct.ok("GET", "/_cluster/health/rb-a,rb-b?wait_for_status=green&timeout=30s", None);
    assert_eq!(counts(&direct), [10, 5, 3], "C: rb-a and rb-b restored as planned, rb-keep untouched");
}

#[test]
fn opensearch_rollback_after_injected_failures() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        rollback(node);
    }
}

#[test]
fn elasticsearch_rollback_after_injected_failures() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        rollback(node);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// restore progress across the nodes of a real 2-node cluster

#[test]
fn opensearch_two_nodes_restore_progress_across_nodes() {
    if !real_node::require("opensearch_two_nodes_restore_progress_across_nodes") {
        return;
    }
    let (dist, version) = OPENSEARCH;
    let node = RealNode::start(dist, version, 2).unwrap_or_else(|e| panic!("{e}"));
    let c = Client::new(&node.url);
    let health = c.ok("GET", "/_cluster/health?wait_for_nodes=2&timeout=30s", None);
    assert_eq!(health["number_of_nodes"], 2, "{health}");
    let d = c.dialect();
    c.fs_repository(&d, "two");
    c.index("spread", 6, 300);
    c.index("single", 1, 20);
    let (out, events) = c.snapshot(&d, "two", "two-1", &["spread", "single"]);
    assert_snapshot_ok(&out, &events, "two-1");
    c.add_docs("spread", 50);

    let plan = c.plan("two", "two-1", &RestoreSelection { close_conflicting: true, ..Default::default() });
    assert_eq!(sorted(&plan.to_close), ["single", "spread"]);
    let (out, events) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    let p = progress(&events);
    let last = p.last().expect("progress events");
    assert_eq!((last.shards_done, last.shards_total, last.percent), (7, 7, 100.0), "{p:?}");
    assert!(p.windows(2).all(|w| w[0].percent <= w[1].percent), "{p:?}");

    // the restored shards were recovered on both nodes
    let rec = c.ok("GET", "/spread/_recovery", None);
    let mut targets: Vec<String> = rec["spread"]["shards"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|s| assert_eq!(s["type"], "SNAPSHOT", "{s}"))
        .map(|s| s["target"]["name"].as_str().unwrap().to_string())
        .collect();
    targets.sort();
    targets.dedup();
    assert_eq!(targets, ["node-0", "node-1"], "{rec}");
    assert!(c.states(&["spread", "single"]).values().all(|s| s == "open"));
    c.ok("GET", "/_cluster/health/spread,single?wait_for_status=green&timeout=30s", None);
    assert_eq!((c.count("spread"), c.count("single")), (300, 20));
    drop(node);
}
