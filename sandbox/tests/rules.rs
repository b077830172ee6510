//! The real-server rules: restore refusals, names, concurrency, pagination, async progress.

mod support;

use serde_json::json;
use support::*;

fn err(r: &Resp) -> (u16, String, String) {
    let v = r.json();
    (r.status, v["error"]["type"].as_str().unwrap_or("").to_string(), v["error"]["reason"].as_str().unwrap_or("").to_string())
}

#[test]
fn restore_refusals_on_es_8_12() {
    let h = demo();
    let (s, t, r) = err(&send(&h, "POST", "/_snapshot/backups/snap-compatible/_restore", Some(r#"{"indices":"logs-a"}"#)));
    assert_eq!((s, t.as_str()), (500, "snapshot_restore_exception"));
    assert!(r.starts_with("[backups:snap-compatible/") && r.contains("] cannot restore index [logs-a] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name"), "{r}");
    let (s, _, r) = err(&send(&h, "POST", "/_snapshot/backups/snap-compatible/_restore", Some(r#"{"indices":"metrics-old"}"#)));
    assert_eq!(s, 500);
    assert!(r.ends_with("cannot restore index [metrics-old] with [2] shards from a snapshot of index [metrics-old] with [1] shards"), "{r}");
    let (_, _, r) = err(&send(&h, "POST", "/_snapshot/backups/snap-too-new/_restore", None));
    assert!(r.ends_with("the snapshot was created with Elasticsearch version [8.15.0] which is higher than the version of this node [8.12.2]"), "{r}");
    let (s, t, _) = err(&send(&h, "POST", "/_snapshot/backups/snap-legacy-6x/_restore", Some(r#"{"indices":"old-logs"}"#)));
    assert_eq!((s, t.as_str()), (403, "security_exception"));
    let ok = send(&h, "POST", "/_snapshot/backups/snap-legacy-6x/_restore?wait_for_completion=true", Some(r#"{"indices":"logs-2021"}"#));
    assert_eq!(ok.status, 200, "{}", ok.text);
    let (_, _, r) = err(&send(&h, "POST", "/_snapshot/backups/snap-from-opensearch/_restore", None));
    assert!(r.contains("which is higher than the version of this node [8.12.2]"), "{r}");
    let (_, _, r) = err(&send(&h, "POST", "/_snapshot/backups/snap-failed/_restore", None));
    assert!(r.ends_with("unsupported snapshot state [FAILED]"), "{r}");
    let (_, _, r) = err(&send(&h, "POST", "/_snapshot/backups/snap-partial/_restore", Some(r#"{"indices":"logs-b","rename_pattern":"(.+)","rename_replacement":"p-$1"}"#)));
    assert!(r.ends_with("index [logs-b] wasn't fully snapshotted - cannot restore"), "{r}");
    let ok = send(&h, "POST", "/_snapshot/backups/snap-partial/_restore?wait_for_completion=true", Some(r#"{"indices":"logs-b","partial":true,"rename_pattern":"(.+)","rename_replacement":"p-$1"}"#)).json();
    assert_eq!(ok["snapshot"]["shards"], json!({"total": 2, "failed": 1, "successful": 1}));
    let (s, t, r) = err(&send(&h, "POST", "/_snapshot/backups/nope/_restore", None));
    assert_eq!((s, t.as_str(), r.as_str()), (500, "snapshot_restore_exception", "[backups:nope] snapshot does not exist"));
    let (s, t, _) = err(&send(&h, "POST", "/_snapshot/nope/x/_restore", None));
    assert_eq!((s, t.as_str()), (404, "repository_missing_exception"));
    let (_, _, r) = err(&send(&h, "POST", "/_snapshot/backups/snap-compatible/_restore", Some(r#"{"indices":"logs-a,logs-b","rename_pattern":".+","rename_replacement":"same"}"#)));
    assert!(r.contains("are renamed into the same index [same]"), "{r}");
}

#[test]
fn restore_closed_index_and_data_stream_with_recovery_progress() {
    let h = demo();
    // orders is closed with the same shard count: restore over it works
    let r = send(&h, "POST", "/_snapshot/backups/snap-compatible/_restore", Some(r#"{"indices":"orders","include_aliases":false}"#));
    assert_eq!(r.json(), json!({"accepted": true}));
    let rec = get(&h, "/orders/_recovery").json();
    let sh = &rec["orders"]["shards"][0];
    assert_eq!(sh["type"], "SNAPSHOT");
    assert_eq!(sh["stage"], "INDEX");
    assert_eq!(sh["source"]["repository"], "backups");
    assert_eq!(sh["source"]["snapshot"], "snap-compatible");
    assert!(sh["source"]["restoreUUID"].is_string());
    assert_eq!(get(&h, "/_recovery?active_only=true").json().as_object().unwrap().len(), 1);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let rec = get(&h, "/orders/_recovery").json();
    assert_eq!(rec["orders"]["shards"][0]["stage"], "DONE");
    assert_eq!(rec["orders"]["shards"][0]["index"]["size"]["percent"], "100.0%");
    assert_eq!(get(&h, "/_recovery?active_only=true").json(), json!({}));
    let cat = get(&h, "/_cat/indices/orders?format=json").json();
    assert_eq!(cat[0]["status"], "open");
    let r = send(&h, "POST", "/_snapshot/backups/snap-compatible/_restore?wait_for_completion=true", Some(r#"{"indices":"logs-app","rename_pattern":"logs-app","rename_replacement":"logs-copy"}"#));
    assert_eq!(r.json()["snapshot"]["indices"][0], ".ds-logs-copy-2026.11.01-000001");
    assert_eq!(get(&h, "/_data_stream/logs-copy").json()["data_streams"][0]["indices"][0]["index_name"], ".ds-logs-copy-2026.11.01-000001");
}

#[test]
fn java_style_rename_groups() {
    let h = demo();
    let ok = send(&h, "POST", "/_snapshot/backups/snap-compatible/_restore?wait_for_completion=true", Some(r#"{"indices":"logs-a,logs-b","rename_pattern":"logs-(.+)","rename_replacement":"restored_$1a"}"#)).json();
    let mut names: Vec<String> = ok["snapshot"]["indices"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names, vec!["restored_aa", "restored_ba"]);
    let settings = get(&h, "/restored_aa/_settings?flat_settings=true").json();
    assert_eq!(settings["restored_aa"]["settings"]["index.version.created"], "8100099");
}

#[test]
fn opensearch_rules() {
    let h = opensearch();
    let (_, _, r) = err(&send(&h, "POST", "/_snapshot/backups/os-snap-too-new/_restore", Some(r#"{"indices":"logs-a","rename_pattern":"(.+)","rename_replacement":"x-$1"}"#)));
    assert!(r.ends_with("the snapshot was created with OpenSearch version [3.1.0] which is higher than the version of this node [2.19.1]"), "{r}");
    assert_eq!(send(&h, "POST", "/_snapshot/backups/es-7-10-snap/_restore?wait_for_completion=true", None).status, 200);
    let (s, t, _) = err(&send(&h, "POST", "/_snapshot/backups/es-7-17-snap/_restore", None));
    assert_eq!((s, t.as_str()), (500, "snapshot_restore_exception"));
    let r = send(&h, "POST", "/_snapshot/backups/es-6-snap/_restore", None);
    let v = r.json();
    assert!(v["error"]["reason"].as_str().unwrap().contains("because it cannot be upgraded"), "{}", r.text);
    assert!(v["error"]["caused_by"]["reason"].as_str().unwrap().contains("minimum compatible version is [7.0.0]"));
    // masked version ids, cluster_manager_timeout accepted, master_timeout deprecated but accepted
    let g = get(&h, "/_snapshot/backups/os-snap-1?cluster_manager_timeout=30s").json();
    assert_eq!(g["snapshots"][0]["version_id"], 0x0800_0000u64 ^ 2_170_099);
    assert!(g.get("total").is_none());
    let r = get(&h, "/_snapshot/backups/os-snap-1?master_timeout=30s");
    assert_eq!(r.status, 200);
    assert!(r.header("warning").unwrap().contains("master_timeout"));
    let (s, _, r) = err(&get(&h, "/_snapshot/backups/_all?size=2&sort=name"));
    assert_eq!((s, r.as_str()), (400, "request [/_snapshot/backups/_all] contains unrecognized parameters: [size], [sort]"));
    // and Elasticsearch rejects cluster_manager_timeout
    let es = demo();
    assert_eq!(get(&es, "/_snapshot/backups/snap-compatible?cluster_manager_timeout=1s").status, 400);
}

#[test]
fn snapshot_names_and_duplicates() {
    let h = demo();
    for (name, why) in [
        ("Upper", "must be lowercase"),
        ("_x", "must not start with '_'"),
        ("a%20b", "must not contain whitespace"),
        ("a%2Cb", "must not contain ','"),
        ("a%23b", "must not contain '#'"),
        ("a%3Fb", "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]"),
    ] {
        let r = send(&h, "PUT", &format!("/_snapshot/backups/{name}"), None);
        let (s, t, reason) = err(&r);
        assert_eq!((s, t.as_str()), (400, "invalid_snapshot_name_exception"), "{name}");
        assert!(reason.ends_with(why), "{name}: {reason}");
    }
    let (_, _, r) = err(&send(&h, "PUT", "/_snapshot/backups/snap-compatible", None));
    assert_eq!(r, "[backups:snap-compatible] Invalid snapshot name [snap-compatible], snapshot with the same name already exists");
    // date math
    let r = send(&h, "PUT", "/_snapshot/backups/%3Csnap-%7Bnow%2Fd%7D%3E?wait_for_completion=true", None).json();
    let name = r["snapshot"]["snapshot"].as_str().unwrap().to_string();
    assert!(name.starts_with("snap-20") && name.len() == "snap-2026.01.01".len(), "{name}");
    let (s, t, _) = err(&send(&h, "PUT", "/_snapshot/backups/x?wait_for_completion=true", Some(r#"{"indices":"missing_1"}"#)));
    assert_eq!((s, t.as_str()), (404, "index_not_found_exception"));
    let (s, t, _) = err(&send(&h, "PUT", "/_snapshot/nope/x", None));
    assert_eq!((s, t.as_str()), (404, "repository_missing_exception"));
}

#[test]
fn async_snapshot_progresses_and_concurrency_before_7_7() {
    let h = demo();
    assert_eq!(send(&h, "PUT", "/_snapshot/backups/live", Some(r#"{"indices":"logs-*"}"#)).json(), json!({"accepted": true}));
    let cur = get(&h, "/_snapshot/backups/_current").json();
    assert_eq!(cur["snapshots"][0]["state"], "IN_PROGRESS");
    let st = get(&h, "/_snapshot/_status").json();
    assert_eq!(st["snapshots"][0]["state"], "STARTED");
    let (_, _, r) = err(&send(&h, "PUT", "/_snapshot/backups/live", None));
    assert!(r.ends_with("snapshot with the same name is already in-progress"), "{r}");
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let done = get(&h, "/_snapshot/backups/live").json();
    assert_eq!(done["snapshots"][0]["state"], "SUCCESS");
    assert_eq!(get(&h, "/_snapshot/_status").json(), json!({"snapshots": []}));

    let old = sandbox(r#"{"cluster":{"distribution":"elasticsearch","version":"6.8.23"},"indices":[{"name":"a"}],
        "repositories":[{"name":"slow","type":"fs","settings":{"location":"x"}}]}"#);
    assert_eq!(send(&old, "PUT", "/_snapshot/slow/slow-1", None).status, 200);
    let (s, t, r) = err(&send(&old, "PUT", "/_snapshot/slow/slow-2", None));
    assert_eq!((s, t.as_str(), r.as_str()), (503, "concurrent_snapshot_execution_exception", "[slow:slow-2]  a snapshot is already running"));
}

#[test]
fn pagination_over_2000_snapshots() {
    let h = demo();
    let mut seen = 0;
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let url = match &after {
            Some(a) => format!("/_snapshot/nightly/_all?size=500&sort=name&after={a}"),
            None => "/_snapshot/nightly/_all?size=500&sort=name".to_string(),
        };
        let v = get(&h, &url).json();
        assert_eq!(v["total"], 2000);
        seen += v["snapshots"].as_array().unwrap().len();
        pages += 1;
        assert_eq!(v["remaining"].as_u64().unwrap() as usize, 2000 - seen);
        match v["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!((seen, pages), (2000, 4));
    let v = get(&h, "/_snapshot/nightly/nightly-1*?size=3&offset=2&order=desc&sort=start_time").json();
    assert_eq!(v["snapshots"][0]["snapshot"], "nightly-1997");
    let v = get(&h, "/_snapshot/nightly/_all?verbose=false").json();
    assert!(v["snapshots"][0].get("version").is_none() && v["snapshots"][0].get("shards").is_none());
    assert_eq!(get(&h, "/_snapshot/nightly/_all?verbose=false&size=2").status, 400);
    assert_eq!(get(&h, "/_snapshot/nightly/_all?sort=bogus").status, 400);
    let v = get(&h, "/_snapshot/backups,nightly/snap-*,nightly-000*?sort=repository&size=1").json();
    assert_eq!(v["total"], 15);
    let v = get(&h, "/_snapshot/nightly/_all?slm_policy_filter=nightly&size=1").json();
    assert_eq!(v["total"], 2000);
    let v = get(&h, "/_snapshot/nightly/_all?from_sort_value=nightly-1990&sort=name").json();
    assert_eq!(v["total"], 11);
}

#[test]
fn delete_clone_repositories() {
    let h = demo();
    assert_eq!(send(&h, "PUT", "/_snapshot/backups/snap-compatible/_clone/copy", Some(r#"{"indices":"logs-*"}"#)).json(), json!({"acknowledged": true}));
    assert_eq!(get(&h, "/_snapshot/backups/copy").json()["snapshots"][0]["indices"].as_array().unwrap().len(), 2);
    let (s, t, _) = err(&send(&h, "DELETE", "/_snapshot/backups/nope", None));
    assert_eq!((s, t.as_str()), (404, "snapshot_missing_exception"));
    assert_eq!(send(&h, "DELETE", "/_snapshot/nightly/nightly-00*,nightly-1999", None).status, 200);
    assert_eq!(get(&h, "/_snapshot/nightly/_all?size=1").json()["total"], 2000 - 99 - 1);
    // repositories: create/get wildcards/delete; re-registering the same location shows the same snapshots
    assert_eq!(send(&h, "PUT", "/_snapshot/again", Some(r#"{"type":"fs","settings":{"location":"/mnt/backups"}}"#)).status, 200);
    assert_eq!(get(&h, "/_snapshot/again/copy").status, 200);
    let all = get(&h, "/_snapshot/_all").json();
    assert_eq!(all.as_object().unwrap().len(), 3);
    assert_eq!(get(&h, "/_snapshot/ba*,again").json().as_object().unwrap().len(), 2);
    let (s, t, _) = err(&send(&h, "PUT", "/_snapshot/bad", Some(r#"{"type":"fs"}"#)));
    assert_eq!((s, t.as_str()), (500, "repository_exception"));
    let (s, t, _) = err(&send(&h, "PUT", "/_snapshot/bad", None));
    assert_eq!((s, t.as_str()), (400, "parse_exception"));
    assert_eq!(send(&h, "DELETE", "/_snapshot/again", None).status, 200);
    assert_eq!(get(&h, "/_snapshot/again").status, 404);
    assert_eq!(send(&h, "POST", "/_snapshot/backups/_verify", None).json()["nodes"].as_object().unwrap().len(), 1);
    // close/open with wildcards and _all
    let closed = send(&h, "POST", "/logs-a,logs-b/_close", None).json();
    assert_eq!(closed["indices"].as_object().unwrap().len(), 2);
    assert_eq!(send(&h, "POST", "/logs-*/_open", None).status, 200);
    assert_eq!(send(&h, "POST", "/nope/_close", None).status, 404);
}

#[test]
fn unknown_endpoints_like_the_real_server() {
    let h = demo();
    let r = get(&h, "/_nope/a/b");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "no handler found for uri [/_nope/a/b] and method [GET]");
    let r = send(&h, "DELETE", "/_cat/indices", None);
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["error"], "Incorrect HTTP method for uri [/_cat/indices] and method [DELETE], allowed: [GET]");
    assert_eq!(r.header("x-elastic-product"), Some("Elasticsearch"));
}

#[test]
fn a_closed_index_is_snapshotted_from_7_2_and_blocked_before() {
    // Real 6.8.23: 403 from the closed index's block; real 7.17.29 and 2.19.1 snapshot it (differential.rs).
    for (dist, version, status) in [("elasticsearch", "6.8.23", 403), ("elasticsearch", "7.17.29", 200), ("opensearch", "2.19.1", 200)] {
        let h = sandbox(&format!(
            r#"{{"cluster":{{"distribution":"{dist}","version":"{version}"}},"indices":[{{"name":"shut","state":"closed"}},{{"name":"up"}}],
            "repositories":[{{"name":"r","type":"fs","settings":{{"location":"x"}}}}]}}"#
        ));
        let r = send(&h, "PUT", "/_snapshot/r/named?wait_for_completion=true", Some(r#"{"indices":"shut"}"#));
        assert_eq!(r.status, status, "{dist} {version}: {}", r.text);
        if status == 403 {
            assert_eq!(err(&r), (403, "cluster_block_exception".into(), "blocked by: [FORBIDDEN/4/index closed];".into()));
        } else {
            assert_eq!(r.json()["snapshot"]["indices"], json!(["shut"]), "{dist} {version}");
        }
        // A wildcard leaves it out on every version.
        let all = send(&h, "PUT", "/_snapshot/r/wild?wait_for_completion=true", Some(r#"{"indices":"*"}"#)).json();
        assert_eq!(all["snapshot"]["indices"], json!(["up"]), "{dist} {version}");
    }
}

#[test]
fn restore_setting_refusals_name_the_property_from_opensearch_2_19() {
    // Real 1.3.20: "cannot modify setting [...]"; real 2.19.1: "cannot modify UnmodifiableOnRestore setting [...]".
    for (version, word) in [("1.3.20", ""), ("2.19.1", "UnmodifiableOnRestore ")] {
        let h = sandbox(&format!(
            r#"{{"cluster":{{"distribution":"opensearch","version":"{version}"}},"indices":[{{"name":"a"}}],
            "repositories":[{{"name":"r","type":"fs","settings":{{"location":"x"}}}}]}}"#
        ));
        assert_eq!(send(&h, "PUT", "/_snapshot/r/s?wait_for_completion=true", None).status, 200);
        let body = r#"{"rename_pattern":"(.+)","rename_replacement":"s-$1","index_settings":{"index.number_of_shards":3}}"#;
        let (s, _, r) = err(&send(&h, "POST", "/_snapshot/r/s/_restore", Some(body)));
        assert_eq!(s, 500);
        assert!(r.ends_with(&format!("cannot modify {word}setting [index.number_of_shards] on restore")), "{version}: {r}");
        let (s, t, r) = err(&send(&h, "POST", "/_snapshot/r/s/_restore", Some(r#"{"rename_pattern":"(","rename_replacement":"x"}"#)));
        assert_eq!((s, t.as_str(), r.as_str()), (400, "pattern_syntax_exception", "Unclosed group near index 1\n("));
    }
}

#[test]
fn fs_locations_must_lie_below_path_repo_when_it_is_set() {
    let h = sandbox(r#"{"cluster":{"distribution":"elasticsearch","version":"7.17.29","path_repo":["/mnt/backups"]}}"#);
    let put = |loc: &str| send(&h, "PUT", "/_snapshot/r", Some(&json!({"type": "fs", "settings": {"location": loc}}).to_string()));
    for ok in ["/mnt/backups", "/mnt/backups/team-a", "relative/dir"] {
        assert_eq!(put(ok).status, 200, "{ok}");
    }
    for bad in ["/mnt", "/mnt/backups-other", "/mnt/backups/../etc", "/etc"] {
        let r = put(bad);
        assert_eq!(r.status, 500, "{bad}");
        let v = r.json();
        assert_eq!(v["error"]["reason"], "[r] failed to create repository");
        assert_eq!(v["error"]["caused_by"]["reason"], format!("[r] location [{bad}] doesn't match any of the locations specified by path.repo"));
    }
    let empty = sandbox(r#"{"cluster":{"distribution":"opensearch","version":"2.19.1","path_repo":[]}}"#);
    let r = send(&empty, "PUT", "/_snapshot/r", Some(r#"{"type":"fs","settings":{"location":"/x"}}"#)).json();
    assert!(r["error"]["caused_by"]["reason"].as_str().unwrap().ends_with("because this setting is empty"), "{r}");
}

#[test]
fn date_math_snapshot_names_follow_the_calendar() {
    use essnap_sandbox::routes::snapshot::resolve_date_math;
    // 2026-01-31T10:00:00Z, a Saturday.
    let now = 1_769_853_600_000;
    let r = |n: &str| resolve_date_math(n, now);
    assert_eq!(r("<a-{now}>").unwrap(), "a-2026.01.31");
    assert_eq!(r("<a-{now+1M}>").unwrap(), "a-2026.02.28", "a month later, clamped to February's length");
    assert_eq!(r("<a-{now-1y/M{yyyy.MM}}>").unwrap(), "a-2025.01");
    assert_eq!(r("<a-{now/w}>").unwrap(), "a-2026.01.26", "weeks start on Monday");
    assert_eq!(r("<a-{now-2d/d{yyyy.MM.dd.HH}}>").unwrap(), "a-2026.01.29.00");
    assert_eq!(r("plain").unwrap(), "plain");
    // Absurd offsets are refused, not overflowed.
    for huge in ["<a-{now+9999999999999999999d}>", "<a-{now+999999999999999999d}>", "<a-{now-99999999999y}>", "<a-{now+999999M}>"] {
        assert_eq!(r(huge).unwrap_err().status, 400, "{huge}");
    }
    let e = r("<a-{now/x}>").unwrap_err();
    assert_eq!((e.status, e.reason.as_str()), (400, "unit [x] not supported for date math [/x]"));
}
