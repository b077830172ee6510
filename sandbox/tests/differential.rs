//! The sandbox is differential-tested against real nodes (issue 10): the same scripted request sequence runs
//! against a real OpenSearch 2.19.1 / 1.3.20 or Elasticsearch 7.17.29 / 6.8.23 node and against a sandbox seeded to the same (empty)
//! state with the same distribution and version. Per step: same status, same error type (and root-cause types),
//! same field names and JSON types, recursively (values such as uuids, times, sizes and node ids may differ).
//! `cat` text output compares the header line. Every divergence is a sandbox bug unless listed in
//! [`KNOWN`] with its reason. Gated by `ESSNAP_REAL_NODES=1` (`cargo xtask test`).

mod support;

use support::kind;
#[path = "../../tests/common/real_node.rs"]
mod real_node;

use std::time::{Duration, Instant};

use real_node::{ELASTICSEARCH, OPENSEARCH, RealNode};
use serde_json::{Value, json};

/// Divergences that are accepted, as `(distribution or "*", step name, path prefix, why)`.
const KNOWN: &[(&str, &str, &str, &str)] = &[
    // RestoreService names the two indices in the order it meets them, which follows Java's hash
    // order of the requested names; the sandbox names them in request order.
    ("*", "restore rename into one name", "error.reason", "which index is named first follows Java's hash order"),
    ("*", "restore rename into one name", "error.root_cause.0.reason", "which index is named first follows Java's hash order"),
];

struct Step {
    name: String,
    method: &'static str,
    path: String,
    body: Option<Value>,
    /// Poll this step until the predicate holds on both sides (bounded), e.g. a snapshot finishing.
    until: Option<fn(&Value) -> bool>,
    /// Compare array lengths too (default: shapes only).
    text: bool,
}

fn step(name: &str, method: &'static str, path: &str, body: Option<Value>) -> Step {
    Step { name: name.into(), method, path: path.into(), body, until: None, text: false }
}

/// The request sequence; `paged` adds the Elasticsearch 7.14+ get-snapshot pagination steps,
/// `streams` the data-stream steps (the launched Elasticsearch has no data streams: no x-pack).
fn script(paged: bool, streams: bool) -> Vec<Step> {
    let fs = |loc: &str| Some(json!({"type": "fs", "settings": {"location": loc}}));
    let idx = |shards: u32| Some(json!({"settings": {"number_of_shards": shards, "number_of_replicas": 0}}));
    let mut s = vec![
        step("info", "GET", "/", None),
        step("health", "GET", "/_cluster/health", None),
        step("repositories empty", "GET", "/_snapshot", None),
        step("put repository", "PUT", "/_snapshot/d-repo", fs("d-repo")),
        step("put repository again", "PUT", "/_snapshot/d-repo", fs("d-repo")),
        step("put repository no verify", "PUT", "/_snapshot/d-other?verify=false", fs("d-other")),
        step("get repository", "GET", "/_snapshot/d-repo", None),
        step("get repositories", "GET", "/_snapshot", None),
        step("get repositories _all", "GET", "/_snapshot/_all", None),
        step("get repository wildcard", "GET", "/_snapshot/d-*", None),
        step("get repository missing", "GET", "/_snapshot/nope", None),
        step("verify repository", "POST", "/_snapshot/d-repo/_verify", None),
        step("verify repository missing", "POST", "/_snapshot/nope/_verify", None),
        step("cleanup repository", "POST", "/_snapshot/d-repo/_cleanup", None),
        step("put repository invalid name", "PUT", "/_snapshot/Bad%20Repo", fs("bad")),
        step("put repository unknown type", "PUT", "/_snapshot/d-bad", Some(json!({"type": "nope", "settings": {}}))),
        step("put repository no settings", "PUT", "/_snapshot/d-bad", Some(json!({"type": "fs"}))),
        step("put repository outside path.repo", "PUT", "/_snapshot/d-outside", fs("/definitely/not/in/path-repo")),
        step("put repository readonly", "PUT", "/_snapshot/d-ro", Some(json!({"type": "fs", "settings": {"location": "d-repo", "readonly": true}}))),
        step("create snapshot in a readonly repository", "PUT", "/_snapshot/d-ro/snap-ro", None),
        step("delete repository readonly", "DELETE", "/_snapshot/d-ro", None),
        step("delete repository", "DELETE", "/_snapshot/d-other", None),
        step("delete repository missing", "DELETE", "/_snapshot/d-other", None),
        step("cat repositories", "GET", "/_cat/repositories?format=json", None),
        Step { text: true, ..step("cat repositories text", "GET", "/_cat/repositories?v", None) },
        // indices
        step("create index a", "PUT", "/d-a", idx(1)),
        step("create index b", "PUT", "/d-b", idx(2)),
        step("create index mismatch", "PUT", "/d-mismatch", idx(1)),
        step("create index exists", "PUT", "/d-a", idx(1)),
        step("create index invalid", "PUT", "/D-UPPER", idx(1)),
        step("health green", "GET", "/_cluster/health?wait_for_status=green&timeout=30s", None),
        step("health index", "GET", "/_cluster/health/d-a", None),
        step("health missing index", "GET", "/_cluster/health/nope?timeout=1s", None),
        // snapshots
        step("create snapshot wait", "PUT", "/_snapshot/d-repo/snap-1?wait_for_completion=true", Some(json!({"indices": "d-a,d-b,d-mismatch", "include_global_state": false}))),
        step("create snapshot no wait", "PUT", "/_snapshot/d-repo/snap-2", Some(json!({"indices": "d-a", "include_global_state": false}))),
        Step {
            // Every shard done too: 6.8 reports SUCCESS while a shard is still in FINALIZE.
            until: Some(|v| v["snapshots"][0]["state"] == "SUCCESS" && v["snapshots"][0]["shards_stats"]["done"] == v["snapshots"][0]["shards_stats"]["total"]),
            ..step("status until done", "GET", "/_snapshot/d-repo/snap-2/_status", None)
        },
        step("create snapshot post", "POST", "/_snapshot/d-repo/snap-3?wait_for_completion=true", Some(json!({"indices": "d-b"}))),
        step("create snapshot exists", "PUT", "/_snapshot/d-repo/snap-1", Some(json!({"indices": "d-a"}))),
        step("create snapshot date math", "PUT", "/_snapshot/d-repo/%3Cdm-%7Bnow%2Fd%7D%3E?wait_for_completion=true", Some(json!({"indices": "d-a", "include_global_state": false}))),
        step("create snapshot date math with format", "PUT", "/_snapshot/d-repo/%3Cdm-%7Bnow%2FM%7Byyyy.MM%7D%7D%3E?wait_for_completion=true", Some(json!({"indices": "d-a", "include_global_state": false}))),
        step("create snapshot bad date math", "PUT", "/_snapshot/d-repo/%3Cdm-%7Bnow%2Fx%7D%3E", None),
        step("delete snapshots by wildcard", "DELETE", "/_snapshot/d-repo/dm-*", None),
        step("create snapshot uppercase", "PUT", "/_snapshot/d-repo/Snap-Upper", None),
        step("create snapshot underscore", "PUT", "/_snapshot/d-repo/_snap", None),
        step("create snapshot bad chars", "PUT", "/_snapshot/d-repo/snap%3F1", None),
        step("create snapshot missing repository", "PUT", "/_snapshot/nope/snap-1", None),
        step("create snapshot missing index", "PUT", "/_snapshot/d-repo/snap-x?wait_for_completion=true", Some(json!({"indices": "nope"}))),
        step("get snapshot", "GET", "/_snapshot/d-repo/snap-1", None),
        step("get snapshots _all", "GET", "/_snapshot/d-repo/_all", None),
        step("get snapshots wildcard", "GET", "/_snapshot/d-repo/snap-*", None),
        step("get snapshots verbose=false", "GET", "/_snapshot/d-repo/_all?verbose=false", None),
        step("get snapshot missing", "GET", "/_snapshot/d-repo/nope", None),
        step("get snapshot missing ignore_unavailable", "GET", "/_snapshot/d-repo/nope?ignore_unavailable=true", None),
        step("get snapshot missing repository", "GET", "/_snapshot/nope/snap-1", None),
        step("get snapshot _current", "GET", "/_snapshot/d-repo/_current", None),
        // A read-only registration of the same location: reads and verifies, refuses writes.
        step("put repository readonly over snapshots", "PUT", "/_snapshot/d-ro2", Some(json!({"type": "fs", "settings": {"location": "d-repo", "readonly": true}}))),
        step("verify readonly repository", "POST", "/_snapshot/d-ro2/_verify", None),
        step("get snapshot through readonly", "GET", "/_snapshot/d-ro2/snap-1", None),
        step("create existing name in readonly", "PUT", "/_snapshot/d-ro2/snap-1", None),
        step("create bad name in readonly", "PUT", "/_snapshot/d-ro2/Snap-Upper", None),
        step("delete snapshot in readonly", "DELETE", "/_snapshot/d-ro2/snap-1", None),
        step("delete missing snapshot in readonly", "DELETE", "/_snapshot/d-ro2/nope", None),
        step("delete repository readonly over snapshots", "DELETE", "/_snapshot/d-ro2", None),
        step("status", "GET", "/_snapshot/d-repo/snap-1/_status", None),
        step("status none running", "GET", "/_snapshot/_status", None),
        step("status repository", "GET", "/_snapshot/d-repo/_status", None),
        step("status missing", "GET", "/_snapshot/d-repo/nope/_status", None),
        step("status missing repository", "GET", "/_snapshot/nope/snap-1/_status", None),
        step("cat snapshots", "GET", "/_cat/snapshots/d-repo?format=json", None),
        Step { text: true, ..step("cat snapshots text", "GET", "/_cat/snapshots/d-repo?v", None) },
        // restore conflicts
        step("restore over open index", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a"}))),
        step("delete index mismatch", "DELETE", "/d-mismatch", None),
        step("delete index missing", "DELETE", "/d-mismatch", None),
        step("recreate index mismatch", "PUT", "/d-mismatch", idx(2)),
        step("health green again", "GET", "/_cluster/health?wait_for_status=green&timeout=30s", None),
        step("close index mismatch", "POST", "/d-mismatch/_close", None),
        step("restore shard mismatch", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-mismatch"}))),
        step("restore missing snapshot", "POST", "/_snapshot/d-repo/nope/_restore", None),
        step("restore missing repository", "POST", "/_snapshot/nope/snap-1/_restore", None),
        step("restore missing index", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "nope"}))),
        // close, restore, open
        step("close index a", "POST", "/d-a/_close", None),
        step("close index missing", "POST", "/nope/_close", None),
        // a closed index named in a snapshot, and left out of a wildcard
        step("create snapshot closed index", "PUT", "/_snapshot/d-repo/snap-closed?wait_for_completion=true", Some(json!({"indices": "d-a", "include_global_state": false}))),
        step("create snapshot wildcard with a closed index", "PUT", "/_snapshot/d-repo/snap-wild?wait_for_completion=true", Some(json!({"indices": "d-*", "include_global_state": false}))),
        step("delete snapshot closed index", "DELETE", "/_snapshot/d-repo/snap-closed", None),
        step("delete snapshot wildcard", "DELETE", "/_snapshot/d-repo/snap-wild", None),
        step("cat indices", "GET", "/_cat/indices?format=json&expand_wildcards=all&s=index", None),
        Step { text: true, ..step("cat indices text", "GET", "/_cat/indices?v&s=index", None) },
        step("restore wait", "POST", "/_snapshot/d-repo/snap-1/_restore?wait_for_completion=true", Some(json!({"indices": "d-a"}))),
        step("restore renamed no wait", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-b", "rename_pattern": "d-(.+)", "rename_replacement": "r-$1"}))),
        step("health restored", "GET", "/_cluster/health/r-b?wait_for_status=green&timeout=30s", None),
        step("recovery", "GET", "/d-a/_recovery", None),
        step("recovery detailed", "GET", "/r-b/_recovery?detailed=true", None),
        step("recovery active only", "GET", "/_recovery?active_only=true", None),
        step("recovery missing", "GET", "/nope/_recovery", None),
        step("open index a", "POST", "/d-a/_open", None),
        step("open index mismatch", "POST", "/d-mismatch/_open", None),
        step("open index missing", "POST", "/nope/_open", None),
        step("cat indices after", "GET", "/_cat/indices?format=json&expand_wildcards=all&s=index", None),
        // clean up
        step("delete snapshot", "DELETE", "/_snapshot/d-repo/snap-3", None),
        step("delete snapshot missing", "DELETE", "/_snapshot/d-repo/snap-3", None),
        // Several names in one delete (what `essnap snapshot delete` batches when the cluster takes it).
        step("create snapshot c1", "PUT", "/_snapshot/d-repo/snap-c1?wait_for_completion=true", Some(json!({"indices": "d-a", "include_global_state": false}))),
        step("create snapshot c2", "PUT", "/_snapshot/d-repo/snap-c2?wait_for_completion=true", Some(json!({"indices": "d-a", "include_global_state": false}))),
        step("delete two snapshots, one missing", "DELETE", "/_snapshot/d-repo/snap-c1,nope", None),
        step("delete two snapshots", "DELETE", "/_snapshot/d-repo/snap-c1,snap-c2", None),
        step("delete snapshot c1 after", "DELETE", "/_snapshot/d-repo/snap-c1", None),
        step("delete snapshot c2 after", "DELETE", "/_snapshot/d-repo/snap-c2", None),
        step("delete index restored", "DELETE", "/r-b", None),
        // restore options and their refusals
        step("restore rename to an invalid name", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "UP-$1"}))),
        step("restore rename into one name", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a,d-b", "rename_pattern": ".+", "rename_replacement": "same"}))),
        step("restore bad rename pattern", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "(", "rename_replacement": "x"}))),
        step("restore bad rename pattern mid-way", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-[a-", "rename_replacement": "x"}))),
        step("restore rename to a missing group", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "r-$3"}))),
        step("restore rename with a bad group reference", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "r-$x"}))),
        step("restore rename with a look-behind", "POST", "/_snapshot/d-repo/snap-1/_restore?wait_for_completion=true", Some(json!({"indices": "d-a", "rename_pattern": "(?<=d-)a", "rename_replacement": "lb"}))),
        step("restore rename with empty matches", "POST", "/_snapshot/d-repo/snap-1/_restore?wait_for_completion=true", Some(json!({"indices": "d-a", "rename_pattern": "a*", "rename_replacement": "z"}))),
        step("delete look-behind restore", "DELETE", "/d-lb", None),
        step("delete empty-match restore", "DELETE", "/zdz-zz", None),
        step("restore all but one (a leading exclusion)", "POST", "/_snapshot/d-repo/snap-1/_restore?wait_for_completion=true", Some(json!({"indices": "-d-b", "rename_pattern": "(.+)", "rename_replacement": "neg-$1"}))),
        step("list the leading-exclusion restore", "GET", "/_cat/indices/neg-*?h=index&s=index", None),
        step("delete leading-exclusion restore a", "DELETE", "/neg-d-a", None),
        step("delete leading-exclusion restore mismatch", "DELETE", "/neg-d-mismatch", None),
        step("restore excluding a missing name", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-*,-nope", "rename_pattern": "(.+)", "rename_replacement": "x-$1"}))),
        step("restore unknown body field", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "nope": 1}))),
        step("restore unmodifiable setting", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "s-$1", "index_settings": {"index.number_of_shards": 3}}))),
        step("restore unremovable setting", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "s-$1", "ignore_index_settings": ["index.number_of_shards"]}))),
        step("restore dropping the replica count", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "s-$1", "ignore_index_settings": ["index.number_of_replicas"]}))),
        step("restore dropping an unprefixed replica count", "POST", "/_snapshot/d-repo/snap-1/_restore?wait_for_completion=true", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "u-$1", "ignore_index_settings": ["number_of_replicas"]}))),
        step("delete unprefixed-ignore restore", "DELETE", "/u-a", None),
        step("restore changing an unprefixed shard count", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "s-$1", "index_settings": {"number_of_shards": 2}}))),
        step("restore with index settings", "POST", "/_snapshot/d-repo/snap-1/_restore?wait_for_completion=true", Some(json!({"indices": "d-a", "rename_pattern": "d-(.+)", "rename_replacement": "s-$1", "index_settings": {"index.number_of_replicas": 0}}))),
        step("restore with exclusions", "POST", "/_snapshot/d-repo/snap-1/_restore?wait_for_completion=true", Some(json!({"indices": "d-*,-d-b,-d-mismatch", "rename_pattern": "d-(.+)", "rename_replacement": "x-$1"}))),
        step("delete indices restored with options", "DELETE", "/s-a,x-a", None),
        // names that clash with aliases: an alias stored in the snapshot over an existing index,
        // and a restored index over an existing alias
        step("create index with alias", "PUT", "/d-al-src", Some(json!({"settings": {"number_of_shards": 1, "number_of_replicas": 0}, "aliases": {"d-al": {}}}))),
        step("create index taken", "PUT", "/d-taken", idx(1)),
        step("health green aliases", "GET", "/_cluster/health?wait_for_status=green&timeout=30s", None),
        step("create snapshot aliases", "PUT", "/_snapshot/d-repo/snap-al?wait_for_completion=true", Some(json!({"indices": "d-al-src,d-taken", "include_global_state": false}))),
        step("delete indices snapshotted", "DELETE", "/d-al-src,d-taken", None),
        step("create index named like the alias", "PUT", "/d-al", idx(1)),
        step("create index owning an alias", "PUT", "/d-owner", Some(json!({"settings": {"number_of_shards": 1, "number_of_replicas": 0}, "aliases": {"d-taken": {}}}))),
        step("restore alias over index", "POST", "/_snapshot/d-repo/snap-al/_restore?wait_for_completion=true", Some(json!({"indices": "d-al-src"}))),
        step("restore index over alias", "POST", "/_snapshot/d-repo/snap-al/_restore?wait_for_completion=true", Some(json!({"indices": "d-taken"}))),
        step("restore without aliases", "POST", "/_snapshot/d-repo/snap-al/_restore?wait_for_completion=true", Some(json!({"indices": "d-al-src", "include_aliases": false}))),
        step("delete indices aliases", "DELETE", "/d-al-src,d-al,d-owner", None),
        step("delete snapshot aliases", "DELETE", "/_snapshot/d-repo/snap-al", None),
    ];
    if paged {
        let at = s.iter().position(|x| x.name == "get snapshot missing").unwrap();
        let pages = vec![
            step("get snapshots page 1", "GET", "/_snapshot/d-repo/_all?size=2&sort=name", None),
            step("get snapshots page after", "GET", "/_snapshot/d-repo/_all?size=2&sort=name&offset=2", None),
            step("get snapshots sort start_time desc", "GET", "/_snapshot/d-repo/_all?sort=start_time&order=desc", None),
            step("get snapshots size verbose=false", "GET", "/_snapshot/d-repo/_all?size=2&verbose=false", None),
            step("get snapshots bad sort", "GET", "/_snapshot/d-repo/_all?sort=nope", None),
            step("get snapshots index_details", "GET", "/_snapshot/d-repo/snap-1?index_details=true", None),
            step("create snapshot no feature states", "PUT", "/_snapshot/d-repo/snap-nofs?wait_for_completion=true", Some(json!({"indices": "d-a", "feature_states": ["none"]}))),
            step("create snapshot unknown feature state", "PUT", "/_snapshot/d-repo/snap-badfs?wait_for_completion=true", Some(json!({"indices": "d-a", "feature_states": ["nope"]}))),
            step("restore unknown feature state", "POST", "/_snapshot/d-repo/snap-nofs/_restore", Some(json!({"indices": "d-a", "feature_states": ["nope"], "rename_pattern": "(.+)", "rename_replacement": "f-$1"}))),
            step("restore feature states none", "POST", "/_snapshot/d-repo/snap-nofs/_restore?wait_for_completion=true", Some(json!({"indices": "d-a", "feature_states": ["none"], "rename_pattern": "(.+)", "rename_replacement": "f-$1"}))),
            step("delete index restored without feature states", "DELETE", "/f-d-a", None),
            step("delete snapshot no feature states", "DELETE", "/_snapshot/d-repo/snap-nofs", None),
        ];
        s.splice(at..at, pages);
    }
    if streams {
        let ds_template = json!({"index_patterns": ["d-ds-*"], "data_stream": {}, "template": {"settings": {"number_of_shards": 1, "number_of_replicas": 0}}});
        s.extend([
            step("create data stream without a template", "PUT", "/_data_stream/d-ds-app", None),
            step("put data stream template", "PUT", "/_index_template/d-ds-template", Some(ds_template)),
            step("create data stream", "PUT", "/_data_stream/d-ds-app", None),
            step("create data stream again", "PUT", "/_data_stream/d-ds-app", None),
            step("get data streams", "GET", "/_data_stream", None),
            step("get data stream", "GET", "/_data_stream/d-ds-app", None),
            step("get data stream missing", "GET", "/_data_stream/d-ds-nope", None),
            step("health data stream", "GET", "/_cluster/health/d-ds-app?wait_for_status=green&timeout=30s", None),
            step("create snapshot of a data stream", "PUT", "/_snapshot/d-repo/snap-ds?wait_for_completion=true", Some(json!({"indices": "d-ds-app", "include_global_state": false}))),
            step("close a data stream's write index", "POST", "/.ds-d-ds-app-000001/_close", None),
            step("delete a data stream's write index", "DELETE", "/.ds-d-ds-app-000001", None),
            step("restore a data stream over itself", "POST", "/_snapshot/d-repo/snap-ds/_restore", Some(json!({"indices": "d-ds-app"}))),
            step("restore an index under a data stream's name", "POST", "/_snapshot/d-repo/snap-1/_restore", Some(json!({"indices": "d-a", "rename_pattern": "d-a", "rename_replacement": "d-ds-app"}))),
            step("restore a data stream renamed", "POST", "/_snapshot/d-repo/snap-ds/_restore?wait_for_completion=true", Some(json!({"indices": "d-ds-app", "rename_pattern": "d-ds-(.+)", "rename_replacement": "d-ds-copy-$1"}))),
            step("get data streams after restore", "GET", "/_data_stream", None),
            step("restore a data stream under an index's name", "POST", "/_snapshot/d-repo/snap-ds/_restore", Some(json!({"indices": "d-ds-app", "rename_pattern": "d-ds-app", "rename_replacement": "d-a"}))),
            step("restore a backing index as a plain index", "POST", "/_snapshot/d-repo/snap-ds/_restore?wait_for_completion=true", Some(json!({"indices": ".ds-d-ds-app-000001", "rename_pattern": "(.+)", "rename_replacement": "d-plain$1"}))),
            step("get data streams after a plain restore", "GET", "/_data_stream", None),
            step("delete data streams", "DELETE", "/_data_stream/d-ds-app,d-ds-copy-app", None),
            step("restore a data stream after deleting it", "POST", "/_snapshot/d-repo/snap-ds/_restore?wait_for_completion=true", Some(json!({"indices": "d-ds-app"}))),
            step("get data streams restored", "GET", "/_data_stream/d-ds-app", None),
            step("delete data stream restored", "DELETE", "/_data_stream/d-ds-app", None),
            step("delete data stream missing", "DELETE", "/_data_stream/d-ds-app", None),
            step("delete data stream template", "DELETE", "/_index_template/d-ds-template", None),
            step("delete plain index", "DELETE", "/d-plain.ds-d-ds-app-000001", None),
            step("delete snapshot of a data stream", "DELETE", "/_snapshot/d-repo/snap-ds", None),
        ]);
    }
    s
}

struct Answer {
    status: u16,
    text: String,
    json: Value,
}

fn call(agent: &ureq::Agent, base: &str, s: &Step) -> Answer {
    let url = format!("{base}{}", s.path);
    let body = s.body.as_ref().map(|b| b.to_string());
    let r = support::call_with(agent, s.method, &url, body.as_deref(), &[]).unwrap_or_else(|e| panic!("{} {url}: {e}", s.method));
    let json = serde_json::from_str(&r.text).unwrap_or(Value::Null);
    Answer { status: r.status, text: r.text, json }
}

fn run(agent: &ureq::Agent, base: &str, s: &Step) -> Answer {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let a = call(agent, base, s);
        match s.until {
            Some(done) if !done(&a.json) && Instant::now() < deadline => std::thread::sleep(Duration::from_millis(250)),
            _ => return a,
        }
    }
}


/// Maps keyed by names that differ between the two sides (node ids): their values compare by shape.
fn keyed_by_id(path: &str) -> bool {
    path == "nodes" || path.ends_with(".nodes")
}

fn shape(real: &Value, sb: &Value, path: &str, out: &mut Vec<String>) {
    if kind(real) != kind(sb) {
        out.push(format!("{path}: real {} {}, sandbox {} {}", kind(real), short(real), kind(sb), short(sb)));
        return;
    }
    match (real, sb) {
        (Value::Object(r), Value::Object(s)) if keyed_by_id(path) => {
            if let Some(r0) = r.values().next() {
                for sv in s.values() {
                    shape(r0, sv, &format!("{path}.*"), out);
                }
            }
            if r.len() != s.len() {
                out.push(format!("{path}: real has {} entries, sandbox {}", r.len(), s.len()));
            }
        }
        (Value::Object(r), Value::Object(s)) => {
            for (k, rv) in r {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match s.get(k) {
                    Some(sv) => shape(rv, sv, &p, out),
                    None => out.push(format!("{p}: missing in the sandbox (real: {})", short(rv))),
                }
            }
            for (k, sv) in s {
                if !r.contains_key(k) {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    out.push(format!("{p}: only in the sandbox ({})", short(sv)));
                }
            }
        }
        (Value::Array(r), Value::Array(s)) => {
            if r.len() != s.len() {
                out.push(format!("{path}: real has {} elements, sandbox {}", r.len(), s.len()));
            }
            for (i, sv) in s.iter().enumerate() {
                if let Some(rv) = r.get(i).or(r.first()) {
                    shape(rv, sv, &format!("{path}.{i}"), out);
                }
            }
        }
        _ => {}
    }
    // a few values carry meaning: error types, states, flags
    let significant = ["type", "state", "acknowledged", "accepted", "shards_acknowledged", "closed", "status", "stage", "index", "repository", "snapshot"];
    let leaf = path.rsplit('.').next().unwrap_or(path);
    if leaf == "reason" && path.starts_with("error") && real.is_string() && normalize(real) != normalize(sb) {
        out.push(format!("{path}: real {real}, sandbox {sb}"));
    }
    if significant.contains(&leaf) && (real.is_string() || real.is_boolean()) && real != sb {
        let ignore = (leaf == "status" && path.starts_with("status")) || path.contains(".uuid");
        if !ignore {
            out.push(format!("{path}: real {real}, sandbox {sb}"));
        }
    }
}

/// Error reasons with uuids (`[repo:snap/uuid]`, `[index/uuid]`) and node ids masked.
fn normalize(v: &Value) -> String {
    let s = v.as_str().unwrap_or_default();
    let re = regex::Regex::new(r"/[A-Za-z0-9_-]{20,24}\]").unwrap();
    re.replace_all(s, "/<uuid>]").into_owned()
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 { format!("{}...", &s[..120]) } else { s }
}

/// The body for the report: shortened unless ESSNAP_DIFF_VERBOSE is set.
fn full(a: &Answer) -> String {
    if std::env::var_os("ESSNAP_DIFF_VERBOSE").is_some() { a.text.replace('\n', " ") } else { short(&a.json) }
}

fn header(text: &str) -> Vec<String> {
    text.lines().next().unwrap_or("").split_whitespace().map(String::from).collect()
}

fn differential(node: &RealNode) {
    let _alone = node.lock();
    let agent = support::agent();
    support::wipe(&agent, &node.url);
    let seed = format!(
        r#"{{"cluster":{{"distribution":"{}","version":"{}","name":"essnap-{}-{}","path_repo":["{}"]}}}}"#,
        node.dist,
        node.version,
        node.dist,
        node.version,
        node.repo_path.display()
    );
    let sandbox = support::sandbox(&seed);
    // 7.14+: get-snapshot pagination (and, in the same block, feature states, 7.12+).
    let paged = node.dist == "elasticsearch" && !node.version.starts_with("6.");
    let streams = node.dist == "opensearch";
    let mut report = Vec::new();
    let mut known_hits = 0;
    for s in script(paged, streams) {
        let real = run(&agent, &node.url, &s);
        let sb = run(&agent, &sandbox.url, &s);
        let mut d = Vec::new();
        if real.status != sb.status {
            d.push(format!("status: real {}, sandbox {}", real.status, sb.status));
        }
        if s.text {
            if header(&real.text) != header(&sb.text) {
                d.push(format!("header: real {:?}, sandbox {:?}", header(&real.text), header(&sb.text)));
            }
        } else {
            shape(&real.json, &sb.json, "", &mut d);
        }
        let before = d.len();
        d.retain(|line| {
            let hit = KNOWN.iter().any(|(dist, name, prefix, _)| (*dist == "*" || *dist == node.dist) && *name == s.name && line.starts_with(prefix));
            !hit
        });
        known_hits += before - d.len();
        if !d.is_empty() {
            report.push(format!(
                "[{}] {} {}\n    {}\n    real:    {} {}\n    sandbox: {} {}",
                s.name,
                s.method,
                s.path,
                d.join("\n    "),
                real.status,
                full(&real),
                sb.status,
                full(&sb)
            ));
        }
    }
    sandbox.shutdown();
    support::wipe(&agent, &node.url);
    eprintln!("{} {}: {} steps compared, {known_hits} known difference(s) accepted", node.dist, node.version, script(paged, streams).len());
    assert!(report.is_empty(), "{} {}: the sandbox diverges from the real node in {} step(s):\n{}", node.dist, node.version, report.len(), report.join("\n"));
}

#[test]
fn opensearch_sandbox_matches_a_real_node() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        differential(node);
    }
}

#[test]
fn elasticsearch_sandbox_matches_a_real_node() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        differential(node);
    }
}

/// The older lines the launcher runs, each in a node of its own: OpenSearch 1.3.20 and
/// Elasticsearch 6.8.23 (without the 7.x pagination and feature-state steps).
#[test]
fn older_versions_sandbox_matches_a_real_node() {
    if !real_node::require("older_versions_sandbox_matches_a_real_node") {
        return;
    }
    for (dist, version) in [("opensearch", "1.3.20"), ("elasticsearch", "6.8.23")] {
        let node = RealNode::start(dist, version, 1).unwrap_or_else(|e| panic!("{e}"));
        differential(&node);
    }
}
