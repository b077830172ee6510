//! Snapshot creation and listing, driven against a scripted repository (no network). Bodies are
//! shaped as captured from real nodes (tests/fixtures/real).

mod common;

use std::collections::BTreeMap;

use common::fake::{Fault, real};
use essnap::api::snapshot::{CreateSnapshot, Order, SnapshotSort};
use essnap::machine::create::{CreateSnapshotRun, CreateStatus};
use essnap::machine::list::SnapshotPager;
use essnap::machine::{Event, Timing, TransportError, TransportErrorKind, drive};
use essnap::{Dialect, ErrorCode, Method, Request, Response, Version};
use serde_json::{Value, json};

fn timing() -> Timing {
    Timing { poll_interval_ms: 10, max_wait_ms: 60_000, backoff_ms: 5, max_retries: 3 }
}

fn resp(status: u16, v: Value) -> Response {
    Response::new(status, serde_json::to_vec(&v).unwrap())
}

/// A repository that takes `polls` status reads to finish each snapshot.
struct Repo {
    snaps: BTreeMap<String, (u32, &'static str)>,
    running_elsewhere: bool,
    polls: u32,
    creates_applied: u32,
    fault: Option<(usize, Fault)>,
    log: Vec<(Method, String)>,
    finish_state: &'static str,
}

impl Repo {
    fn new() -> Self {
        Repo { snaps: BTreeMap::new(), running_elsewhere: false, polls: 2, creates_applied: 0, fault: None, log: Vec::new(), finish_state: "SUCCESS" }
    }

    fn status_body(&self, name: &str, polls: u32) -> Value {
        let base = if polls >= self.polls { real("opensearch-2.19.1/snapshot.status.200.done.json") } else { real("opensearch-2.19.1/snapshot.status.200.running.json") };
        let mut s = base["snapshots"][0].clone();
        s["snapshot"] = json!(name);
        if polls >= self.polls {
            s["state"] = json!(self.finish_state);
        }
        json!({"snapshots": [s]})
    }

    fn handle(&mut self, req: &Request) -> Result<Response, TransportError> {
        let n = self.log.len();
        self.log.push((req.method, req.path.clone()));
        let fault = self.fault.filter(|(at, _)| *at == n).map(|(_, f)| f);
        match fault {
            Some(Fault::ServerErrorBefore) => return Ok(resp(500, json!({"error": {"type": "null_pointer_exception", "reason": "x"}, "status": 500}))),
            Some(Fault::RateLimitedBefore) => return Ok(resp(429, json!({"error": {"type": "es_rejected_execution_exception", "reason": "x"}, "status": 429}))),
            Some(Fault::RefusedBefore) => return Err(TransportError::new(TransportErrorKind::Connect, "refused")),
            _ => {}
        }
        let out = self.apply(req);
        match fault {
            Some(Fault::BadGatewayAfter) => Ok(Response::new(502, b"Bad Gateway".to_vec())),
            Some(Fault::DroppedAfter) => Err(TransportError::new(TransportErrorKind::Dropped, "dropped")),
            Some(Fault::TimeoutAfter) => Err(TransportError::new(TransportErrorKind::Timeout, "timeout")),
            _ => Ok(out),
        }
    }

    fn apply(&mut self, req: &Request) -> Response {
        let p = req.path_only().to_string();
        let segs: Vec<String> = p.trim_start_matches('/').split('/').map(essnap::request::decode_component).collect();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        match (req.method, segs.as_slice()) {
            (Method::Get, ["_snapshot", "_status"]) => {
                if self.running_elsewhere {
                    let mut b = self.status_body("other-running", 0);
                    b["snapshots"][0]["repository"] = json!("repo");
                    return resp(200, b);
                }
                resp(200, json!({"snapshots": []}))
            }
            (Method::Put, ["_snapshot", "repo", name]) => {
                // Date math resolves against a fixed day in this fake.
                let name = if name.starts_with('<') { "nightly-2026.11.23".to_string() } else { name.to_string() };
                if self.snaps.contains_key(&name) {
                    return resp(400, real("opensearch-2.19.1/error.snapshot.create.400.invalid_snapshot_name_exception.exists.json"));
                }
                self.snaps.insert(name, (0, "IN_PROGRESS"));
                self.creates_applied += 1;
                resp(200, real("opensearch-2.19.1/snapshot.create.200.accepted.json"))
            }
            (Method::Get, ["_snapshot", "repo", name, "_status"]) => match self.snaps.get_mut(*name) {
                Some((polls, _)) => {
                    *polls += 1;
                    let polls = *polls;
                    resp(200, self.status_body(name, polls))
                }
                None => resp(404, real("opensearch-2.19.1/error.snapshot.status.404.snapshot_missing_exception.missing_snapshot.json")),
            },
            (Method::Get, ["_snapshot", "repo", names]) => {
                let list: Vec<Value> = self
                    .snaps
                    .iter()
                    .filter(|(n, (polls, _))| {
                        if *names == "_current" { *polls < self.polls } else { names.split(',').any(|x| x == n.as_str()) }
                    })
                    .map(|(n, (polls, _))| {
                        let mut s = real("opensearch-2.19.1/snapshot.get.200.one.json")["snapshots"][0].clone();
                        s["snapshot"] = json!(n);
                        s["state"] = json!(if *polls >= self.polls { self.finish_state } else { "IN_PROGRESS" });
                        if self.finish_state == "PARTIAL" {
                            s["failures"] = json!([{"index": "logs-a", "index_uuid": "u", "shard_id": 0, "reason": "IndexShardSnapshotFailedException[disk full]", "node_id": "n", "status": "INTERNAL_SERVER_ERROR"}]);
                        }
                        s
                    })
                    .collect();
                resp(200, json!({"snapshots": list}))
            }
            (m, s) => resp(400, json!({"error": {"type": "illegal_argument_exception", "reason": format!("no route {m} {s:?}")}, "status": 400})),
        }
    }
}

fn os() -> Dialect {
    Dialect::opensearch(Version::new(2, 19, 1))
}

fn run(repo: &mut Repo, req: CreateSnapshot, d: Dialect) -> (essnap::machine::create::CreateOutcome, Vec<Event>) {
    let mut m = CreateSnapshotRun::new(req, d, timing()).unwrap();
    let mut ev = Vec::new();
    let out = drive(&mut m, |r| repo.handle(r), |_| {}, |e| ev.push(e));
    (out, ev)
}

#[test]
fn create_waits_with_progress_until_success() {
    let mut repo = Repo::new();
    let (out, ev) = run(&mut repo, CreateSnapshot::new("repo", "snap-1"), os());
    assert_eq!(out.status, CreateStatus::Success, "{out:?}");
    assert_eq!(out.name.as_deref(), Some("snap-1"));
    assert!(repo.log.iter().any(|(_, p)| p == "/_snapshot/repo/snap-1?wait_for_completion=false"));
    assert!(ev.iter().any(|e| matches!(e, Event::Progress(p) if p.percent < 100.0)));
    assert!(ev.iter().any(|e| matches!(e, Event::Progress(p) if p.percent == 100.0)));
}

#[test]
fn a_partial_snapshot_reports_its_failures_in_words() {
    let mut repo = Repo::new();
    repo.finish_state = "PARTIAL";
    let (out, _) = run(&mut repo, CreateSnapshot::new("repo", "snap-1"), os());
    assert_eq!(out.status, CreateStatus::Partial);
    assert_eq!(out.failures, ["index logs-a shard 0: IndexShardSnapshotFailedException[disk full]"]);
}

#[test]
fn a_date_math_name_is_found_after_the_create() {
    let mut repo = Repo::new();
    let (out, _) = run(&mut repo, CreateSnapshot::new("repo", "<nightly-{now/d}>"), os());
    assert_eq!(out.status, CreateStatus::Success, "{out:?}");
    assert_eq!(out.name.as_deref(), Some("nightly-2026.11.23"));
}

#[test]
fn old_versions_refuse_a_second_snapshot_before_it_is_sent() {
    let mut repo = Repo::new();
    repo.running_elsewhere = true;
    let (out, _) = run(&mut repo, CreateSnapshot::new("repo", "snap-2"), Dialect::elasticsearch(Version::new(6, 8, 23)));
    assert_eq!(out.status, CreateStatus::NotCreated);
    assert_eq!(out.error.unwrap().code, ErrorCode::ConcurrentSnapshotExecution);
    assert_eq!(repo.creates_applied, 0);
    assert!(!repo.log.iter().any(|(m, _)| *m == Method::Put));
    // 7.7+ runs them side by side.
    let mut repo = Repo::new();
    repo.running_elsewhere = true;
    let (out, _) = run(&mut repo, CreateSnapshot::new("repo", "snap-2"), Dialect::elasticsearch(Version::new(7, 17, 29)));
    assert_eq!(out.status, CreateStatus::Success);
}

#[test]
fn an_existing_name_is_refused_with_its_code() {
    let mut repo = Repo::new();
    repo.snaps.insert("snap-1".into(), (9, "SUCCESS"));
    let (out, _) = run(&mut repo, CreateSnapshot::new("repo", "snap-1"), os());
    assert_eq!(out.status, CreateStatus::NotCreated);
    assert_eq!(out.error.unwrap().code, ErrorCode::SnapshotAlreadyExists);
}

#[test]
fn a_fault_at_every_step_never_creates_twice() {
    for &fault in common::fake::ALL_FAULTS {
        for at in 0..8 {
            let mut repo = Repo::new();
            repo.fault = Some((at, fault));
            let (out, _) = run(&mut repo, CreateSnapshot::new("repo", "snap-1"), os());
            let ctx = format!("{fault:?} at {at}: {out:?}");
            assert!(repo.creates_applied <= 1, "{ctx}");
            match out.status {
                CreateStatus::Success => assert_eq!(repo.creates_applied, 1, "{ctx}"),
                CreateStatus::NotCreated => assert_eq!(repo.creates_applied, 0, "{ctx}"),
                _ => {}
            }
            // Every fault here is recoverable: the snapshot ends up taken exactly once — except a
            // 500 or a refused connection on the first read, reported at once (nothing was sent).
            if matches!((fault, at), (Fault::ServerErrorBefore | Fault::RefusedBefore, 0)) {
                assert_eq!((out.status, repo.creates_applied), (CreateStatus::NotCreated, 0), "{ctx}");
            } else if fault != Fault::ServerErrorBefore {
                assert_eq!(out.status, CreateStatus::Success, "{ctx}");
            }
        }
    }
}

#[test]
fn bad_names_are_refused_before_any_request() {
    let err = CreateSnapshotRun::new(CreateSnapshot::new("repo", "Bad Name"), os(), timing()).err().unwrap();
    assert_eq!(err.field, "snapshot");
}

/// 2,500 snapshots served in pages by a cursor-paging cluster (ES 7.14+ shape).
#[test]
fn cursor_paging_walks_every_snapshot_once() {
    let all: Vec<String> = (0..2500).map(|i| format!("nightly-{i:05}")).collect();
    let d = Dialect::elasticsearch(Version::new(7, 17, 29));
    let mut pager = SnapshotPager::new("repo", d, 1000, SnapshotSort::Name, Order::Asc, true).unwrap();
    let mut seen = Vec::new();
    let mut requests = 0;
    while let Some(req) = pager.next_request() {
        let req = req.unwrap();
        requests += 1;
        let q: BTreeMap<String, String> = req.query_pairs().into_iter().collect();
        let start = q.get("after").map_or(0, |a| a.trim_start_matches("c").parse::<usize>().unwrap());
        let size: usize = q["size"].parse().unwrap();
        let page: Vec<Value> = all[start..(start + size).min(all.len())]
            .iter()
            .map(|n| {
                let mut s = real("elasticsearch-7.17.29/snapshot.get.200.one.json")["snapshots"][0].clone();
                s["snapshot"] = json!(n);
                s
            })
            .collect();
        let end = start + page.len();
        let mut body = json!({"snapshots": page, "total": all.len(), "remaining": all.len() - end});
        if end < all.len() {
            body["next"] = json!(format!("c{end}"));
        }
        let p = pager.on_response(&resp(200, body)).unwrap();
        assert!(p.snapshots.len() <= 1000, "memory stays bounded by the page size");
        seen.extend(p.snapshots.into_iter().map(|s| s.snapshot));
    }
    assert_eq!(requests, 3);
    assert_eq!(seen, all);
}

/// OpenSearch has no cursor paging: names first, then details a page at a time.
#[test]
fn names_then_details_on_clusters_without_paging() {
    let all: Vec<String> = (0..250).map(|i| format!("s-{i:03}")).collect();
    let mut pager = SnapshotPager::new("repo", os(), 100, SnapshotSort::Name, Order::Desc, true).unwrap();
    let mut seen = Vec::new();
    let mut requests = Vec::new();
    while let Some(req) = pager.next_request() {
        let req = req.unwrap();
        requests.push(req.path.clone());
        assert!(!req.path.contains("size="), "OpenSearch refuses size: {}", req.path);
        let names_part = req.path_only().rsplit('/').next().unwrap().to_string();
        let wanted: Vec<String> = if names_part == "_all" { all.clone() } else { names_part.split(',').map(String::from).collect() };
        let list: Vec<Value> = wanted.iter().map(|n| json!({"snapshot": n, "uuid": "u", "indices": [], "state": "SUCCESS"})).collect();
        let p = pager.on_response(&resp(200, json!({"snapshots": list}))).unwrap();
        seen.extend(p.snapshots.into_iter().map(|s| s.snapshot));
    }
    assert!(requests[0].ends_with("/_all?verbose=false"), "{:?}", requests[0]);
    assert_eq!(requests.len(), 4, "names once, then 3 pages");
    let mut want = all.clone();
    want.reverse();
    assert_eq!(seen, want);
}

#[test]
fn a_missing_repository_in_a_200_is_an_error() {
    let mut pager = SnapshotPager::new("nope", Dialect::elasticsearch(Version::new(7, 17, 29)), 10, SnapshotSort::Name, Order::Asc, true).unwrap();
    // Real 7.17 answers a missing repository with 200 and a `failures` map.
    let body = real("elasticsearch-7.17.29/snapshot.get.200.missing_repository.json");
    let e = pager.on_response(&resp(200, body)).unwrap_err();
    assert_eq!(e.code, ErrorCode::RepositoryMissing);
}

/// Elasticsearch 7.14+ refuses `size`, `after` and a non-default `sort` with `verbose=false` (real 7.17.29:
/// "can't use size limit with verbose=false"): a names-only listing is one plain request, sorted client-side.
#[test]
fn a_names_only_listing_never_sends_paging_parameters() {
    let mut pager = SnapshotPager::new("repo", Dialect::elasticsearch(Version::new(7, 17, 29)), 2, SnapshotSort::Name, Order::Desc, false).unwrap();
    let req = pager.next_request().unwrap().unwrap();
    assert!(req.path.ends_with("/_snapshot/repo/_all?verbose=false"), "{}", req.path);
    let list: Vec<Value> = ["b", "c", "a"].iter().map(|n| json!({"snapshot": n, "uuid": "u", "indices": [], "state": "SUCCESS"})).collect();
    let p = pager.on_response(&resp(200, json!({"snapshots": list, "total": 3, "remaining": 0}))).unwrap();
    let names: Vec<String> = p.snapshots.into_iter().map(|s| s.snapshot).collect();
    assert_eq!(names, ["c", "b", "a"]);
    assert!(pager.next_request().is_none());
}
