//! `essnap-benches`: the native parts of `cargo xtask bench` (see benches/README.md).
//!
//! * `gen-snapshots N FILE` — a verbose get-snapshots body of N snapshots shaped like
//!   tests/fixtures/real/elasticsearch-7.17.29/snapshot.get.200.verbose.json.
//! * `gen-seed N FILE` — a sandbox seed (Elasticsearch 8.12.2) whose repository `bench` has N generated snapshots.
//! * `decode FILE RUNS` — native decode of that body (`essnap::json`) (essnap's `snapshot.get` model), median ms.
//! * `plan N RUNS` — `plan_restore` of a whole snapshot of N indices over N existing indices
//!   (half of them open, `close_conflicting`), median ms.
//!
//! Each measuring command prints one JSON object on stdout.

use std::time::Instant;

use essnap::Response;
use essnap::model::GetSnapshotsResponse;
use essnap::model::SnapshotInfo;
use essnap::plan::{ClusterIndex, RestoreInputs, RestoreSelection, plan_restore};
use essnap::{Dialect, Version};
use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = match a.as_slice() {
        ["gen-snapshots", n, file] => gen_snapshots(num(n), file),
        ["gen-seed", n, file] => gen_seed(num(n), file),
        ["decode", file, runs] => decode(file, num(runs)),
        ["plan", n, runs] => plan(num(n), num(runs)),
        _ => Err("usage: essnap-benches gen-snapshots N FILE | gen-seed N FILE | decode FILE RUNS | plan N RUNS".into()),
    };
    match out {
        Ok(Some(v)) => println!("{v}"),
        Ok(None) => {}
        Err(e) => {
            eprintln!("essnap-benches: {e}");
            std::process::exit(1);
        }
    }
}

fn num(s: &str) -> usize {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
}

/// Deterministic pseudo-random numbers (xorshift), so every run benchmarks the same bytes.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn uuid(&mut self) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..22).map(|_| A[(self.next() % 64) as usize] as char).collect()
    }
}

fn iso(ms: u64) -> String {
    // civil-from-days (Howard Hinnant), enough for 1970..2100
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, ms % 1000)
}

/// One snapshot in the shape Elasticsearch 7.17.29 reports with `verbose=true`.
fn snapshot(i: usize, rng: &mut Rng) -> Value {
    let start = 1_735_689_600_000 + i as u64 * 3_600_000 + rng.next() % 1000;
    let dur = 500 + rng.next() % 120_000;
    let n_idx = 1 + (rng.next() % 4) as usize;
    let indices: Vec<String> = (0..n_idx).map(|k| format!("logs-app{k}-2025.{:02}.{:02}", 1 + (i / 720) % 12, 1 + (i / 24) % 28)).collect();
    let shards = n_idx as u64 * (1 + rng.next() % 3);
    let mut s = json!({
        "snapshot": format!("nightly-{i:06}"), "uuid": rng.uuid(), "repository": "backups",
        "version_id": 7_172_999, "version": "7.17.29", "indices": indices, "data_streams": [],
        "include_global_state": i.is_multiple_of(5),
    });
    let o = s.as_object_mut().expect("object");
    if i.is_multiple_of(2) {
        o.insert("metadata".into(), json!({ "policy": "nightly", "taken_by": "slm" }));
    }
    o.insert("state".into(), json!("SUCCESS"));
    o.insert("start_time".into(), json!(iso(start)));
    o.insert("start_time_in_millis".into(), json!(start));
    o.insert("end_time".into(), json!(iso(start + dur)));
    o.insert("end_time_in_millis".into(), json!(start + dur));
    o.insert("duration_in_millis".into(), json!(dur));
    o.insert("failures".into(), json!([]));
    o.insert("shards".into(), json!({ "total": shards, "failed": 0, "successful": shards }));
    o.insert("feature_states".into(), json!([]));
    s
}

fn gen_snapshots(n: usize, file: &str) -> Result<Option<Value>, String> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let snaps: Vec<Value> = (0..n).map(|i| snapshot(i, &mut rng)).collect();
    let body = json!({ "snapshots": snaps, "total": n, "remaining": 0 });
    let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
    std::fs::write(file, &bytes).map_err(|e| format!("{file}: {e}"))?;
    Ok(Some(json!({ "file": file, "snapshots": n, "bytes": bytes.len() })))
}

fn gen_seed(n: usize, file: &str) -> Result<Option<Value>, String> {
    let seed = json!({
        "cluster": { "distribution": "elasticsearch", "version": "8.12.2", "name": "bench" },
        "indices": [ { "name": "logs-a" } ],
        "repositories": [ { "name": "bench", "type": "fs", "settings": { "location": "/mnt/bench" },
            "generate": { "count": n, "prefix": "nightly-", "version": "8.12.2", "indices": [ "logs-a" ] } } ]
    });
    std::fs::write(file, seed.to_string()).map_err(|e| format!("{file}: {e}"))?;
    Ok(None)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn decode(file: &str, runs: usize) -> Result<Option<Value>, String> {
    let body = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let resp = Response::new(200, body);
    let mut count = 0;
    for _ in 0..2 {
        let r: GetSnapshotsResponse = essnap::api::decode("snapshot.get", &resp).map_err(|e| format!("{e:?}"))?;
        count = r.snapshots.len();
    }
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r: GetSnapshotsResponse = essnap::api::decode("snapshot.get", &resp).map_err(|e| format!("{e:?}"))?;
        std::hint::black_box(&r);
        times.push(ms(t));
    }
    Ok(Some(json!({ "snapshots": count, "bytes": resp.body.len(), "runs": times.len(), "median_ms": median(times) })))
}

fn plan(n: usize, runs: usize) -> Result<Option<Value>, String> {
    let v = Version::parse("2.19.1").map_err(|e| format!("{e:?}"))?;
    let names: Vec<String> = (0..n).map(|i| format!("logs-{:05}", i)).collect();
    let snap = SnapshotInfo {
        snapshot: "snap-1".into(),
        version: Some("2.19.1".into()),
        state: Some(essnap::model::SnapshotState::Success),
        indices: names.clone(),
        include_global_state: Some(false),
        ..Default::default()
    };
    let inputs = RestoreInputs {
        cluster: Dialect::opensearch(v),
        repository: "backups".into(),
        snapshot: snap,
        indices: names.iter().enumerate().map(|(i, n)| ClusterIndex { name: n.clone(), open: i % 2 == 0, primaries: Some(1) }).collect(),
        data_streams: Vec::new(),
    };
    let sel = RestoreSelection { close_conflicting: true, ..Default::default() };
    let p = plan_restore(&inputs, &sel).map_err(|e| format!("{e:?}"))?;
    let (items, closes, blocked) = (p.items.len(), p.close_requests.len(), p.is_blocked());
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let p = plan_restore(&inputs, &sel).map_err(|e| format!("{e:?}"))?;
        std::hint::black_box(&p);
        times.push(ms(t));
    }
    Ok(Some(json!({ "indices": n, "items": items, "close_requests": closes, "blocked": blocked, "runs": times.len(), "median_ms": median(times) })))
}
