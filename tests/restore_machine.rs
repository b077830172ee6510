//! The restore workflow driven against a scripted cluster (no network): happy paths, each
//! conflict, each verdict, request counts, and a fault at every step of every run proving that
//! the rollback leaves every index as it was and that no restore is sent twice.

mod common;

use common::fake::{ALL_FAULTS, Fake, Fault};
use essnap::machine::gather::Gather;
use essnap::machine::restore::{IndexFate, RestoreExecution, RestoreOutcome, RestoreStatus};
use essnap::machine::{Event, Timing, drive};
use essnap::plan::{ItemAction, Remedy, Rename, RestorePlan, RestoreSelection, plan_restore};
use essnap::{ErrorCode, Method};

fn timing() -> Timing {
    Timing { poll_interval_ms: 10, max_wait_ms: 60_000, backoff_ms: 5, max_retries: 3 }
}

fn plan(fake: &mut Fake, sel: &RestoreSelection) -> Result<RestorePlan, essnap::ApiError> {
    let mut g = Gather::new("repo", "snap-1", timing());
    let inputs = drive(&mut g, |r| fake.handle(r), |_| {}, |_| {})?;
    Ok(plan_restore(&inputs, sel).expect("valid selection"))
}

fn execute(fake: &mut Fake, plan: RestorePlan) -> (RestoreOutcome, Vec<Event>) {
    let mut events = Vec::new();
    let mut m = RestoreExecution::new(plan, timing());
    let out = drive(&mut m, |r| fake.handle(r), |_| {}, |e| events.push(e));
    (out, events)
}

fn close_all() -> RestoreSelection {
    RestoreSelection { close_conflicting: true, ..Default::default() }
}

#[test]
fn whole_snapshot_over_open_indices_closes_restores_and_reports_progress() {
    let mut fake = Fake::opensearch(&["logs-a", "logs-b", "other"], &["logs-a", "logs-b", "logs-c"]);
    let p = plan(&mut fake, &close_all()).unwrap();
    assert!(!p.is_blocked(), "{}", p.render());
    assert_eq!(p.to_close, ["logs-a", "logs-b"], "only the open indices the restore touches are closed");
    let actions: Vec<ItemAction> = p.items.iter().map(|i| i.action).collect();
    assert_eq!(actions, [ItemAction::CloseAndRestoreOver, ItemAction::CloseAndRestoreOver, ItemAction::Create]);
    assert_eq!(p.close_requests.len(), 1, "one batched close request");
    let rendered = p.render();
    assert!(rendered.contains("Will close 2 open index(es) first: logs-a, logs-b"), "{rendered}");

    let (out, events) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Restored));
    assert_eq!(fake.closed_indices(), Vec::<String>::new(), "every index is open at the end");
    assert!(fake.indices["other"].open && !fake.indices["other"].restored, "untouched index stays as it was");
    assert_eq!(fake.restores_applied, 1);
    let progress: Vec<f64> = events.iter().filter_map(|e| if let Event::Progress(p) = e { Some(p.percent) } else { None }).collect();
    assert!(progress.len() >= 2 && progress.last() == Some(&100.0), "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "progress only grows: {progress:?}");
}

#[test]
fn an_open_conflict_blocks_the_plan_unless_closing_is_allowed() {
    let mut fake = Fake::opensearch(&["logs-a"], &["logs-a"]);
    let p = plan(&mut fake, &RestoreSelection::default()).unwrap();
    assert!(p.is_blocked());
    assert_eq!(p.items[0].action, ItemAction::Blocked);
    assert!(p.blockers[0].contains("an open index named logs-a exists"), "{:?}", p.blockers);
    assert_eq!(p.remedies, [Remedy::CloseConflicting, Remedy::Rename], "either lifts it");
    fake.log.clear();
    let (out, _) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::NotStarted);
    assert!(fake.log.is_empty(), "a blocked plan sends nothing");
}

#[test]
fn a_prefix_avoids_the_conflict_without_closing_anything() {
    let mut fake = Fake::opensearch(&["logs-a"], &["logs-a"]);
    let sel = RestoreSelection { rename: Some(Rename::Prefix("restored-".into())), ..Default::default() };
    let p = plan(&mut fake, &sel).unwrap();
    assert!(!p.is_blocked());
    assert!(p.remedies.is_empty());
    assert_eq!(p.items[0].target, "restored-logs-a");
    assert!(p.to_close.is_empty());
    let body = p.restore_request.body_json().unwrap();
    assert_eq!(body["rename_pattern"], "(.+)");
    assert_eq!(body["rename_replacement"], "restored-$1");
    let (out, _) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::Completed);
    assert!(fake.indices["logs-a"].open && !fake.indices["logs-a"].restored);
    assert!(fake.indices["restored-logs-a"].restored);
}

#[test]
fn settings_the_server_will_not_change_on_restore_block_the_plan() {
    let mut fake = Fake::opensearch(&[], &["logs-a"]);
    let mut g = Gather::new("repo", "snap-1", timing());
    let inputs = drive(&mut g, |r| fake.handle(r), |_| {}, |_| {}).unwrap();
    let plan = |set: serde_json::Value, drop: &[&str]| {
        let sel = RestoreSelection {
            index_settings: set.as_object().cloned(),
            ignore_index_settings: drop.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        plan_restore(&inputs, &sel).unwrap()
    };
    let p = plan(serde_json::json!({"number_of_shards": 3, "index.number_of_replicas": 0}), &[]);
    assert_eq!(p.blockers, ["index_settings: the server does not let a restore change index.number_of_shards; leave it out"]);
    let p = plan(serde_json::json!({}), &["index.number_of_replicas", "index.refresh_interval"]);
    assert_eq!(p.blockers, ["ignore_index_settings: the server does not let a restore drop index.number_of_replicas; set it with index_settings instead"]);
    // Keys to drop are not prefixed: the server accepts this one (and drops nothing).
    assert!(!plan(serde_json::json!({}), &["number_of_replicas"]).is_blocked());
}

#[test]
fn index_expressions_resolve_as_the_server_does() {
    use essnap::plan::rename::resolve_expressions;
    // What real OpenSearch 2.19.1 and Elasticsearch 7.17.29 restored for each (tests/real_nodes.rs
    // runs the same cases against them).
    let names: Vec<String> = ["ix-a", "ix-b", "ix-c", ".ix-dot"].iter().map(|s| s.to_string()).collect();
    let cases: &[(&[&str], &[&str])] = &[
        (&["ix-*"], &["ix-a", "ix-b", "ix-c"]),
        (&["ix-*", "-ix-b"], &["ix-a", "ix-c"]),
        (&["*"], &["ix-a", "ix-b", "ix-c", ".ix-dot"]),
        (&["_all"], &["ix-a", "ix-b", "ix-c", ".ix-dot"]),
        (&[".ix-*"], &[".ix-dot"]),
        (&["*", "-ix-*"], &[".ix-dot"]),
        (&["ix-a", "ix-*", "-ix-a"], &["ix-b", "ix-c"]),
        (&["-ix-b"], &["ix-a", "ix-c", ".ix-dot"]),
        (&["+ix-a"], &["ix-a"]),
        (&["nope-*"], &[]),
    ];
    for (exprs, expected) in cases {
        let exprs: Vec<String> = exprs.iter().map(|s| s.to_string()).collect();
        assert_eq!(resolve_expressions(&exprs, &names), *expected, "{exprs:?}");
    }
}

#[test]
fn rename_patterns_are_java_regular_expressions() {
    let mut fake = Fake::opensearch(&["logs-a"], &["logs-a", "logs-b", "metrics"]);
    let mut g = Gather::new("repo", "snap-1", timing());
    let inputs = drive(&mut g, |r| fake.handle(r), |_| {}, |_| {}).unwrap();
    let plan = |p: &str, r: &str| {
        let sel = RestoreSelection { rename: Some(Rename::Pattern { pattern: p.into(), replacement: r.into() }), ..Default::default() };
        plan_restore(&inputs, &sel)
    };
    // A look-behind renames only what follows `logs-`; Java replaces every match.
    let p = plan("(?<=logs-)(\\w)", "old-$1").unwrap();
    assert_eq!(p.items.iter().map(|i| i.target.as_str()).collect::<Vec<_>>(), ["logs-old-a", "logs-old-b", "metrics"]);
    assert!(p.to_close.is_empty(), "{}", p.render());
    // The server would fail the restore with "No group 2": refused before anything is sent.
    let e = plan("logs-(.+)", "$2").unwrap_err();
    assert_eq!(e.field, "rename_replacement");
    assert!(e.problem.contains("No group 2") && e.problem.contains("1 group(s)"), "{e}");
    let e = plan("logs-(", "x").unwrap_err();
    assert_eq!((e.field.as_str(), e.problem.as_str()), ("rename_pattern", "`logs-(` is not a usable rename pattern: Unclosed group near index 6"));
    // A pattern that backtracks without end on a name is refused, not left spinning.
    let mut long = Fake::opensearch(&[], &["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    let mut g = Gather::new("repo", "snap-1", timing());
    let inputs = drive(&mut g, |r| long.handle(r), |_| {}, |_| {}).unwrap();
    let sel = RestoreSelection { rename: Some(Rename::Pattern { pattern: "(a+)+b".into(), replacement: "x".into() }), ..Default::default() };
    let e = plan_restore(&inputs, &sel).unwrap_err();
    assert_eq!(e.field, "rename_pattern");
    assert!(e.problem.contains("backtracks too much"), "{e}");
}

#[test]
fn an_index_restored_under_the_name_of_a_data_stream_is_blocked() {
    let mut fake = Fake::opensearch(&[], &["logs-a", "logs-b"]);
    let mut g = Gather::new("repo", "snap-1", timing());
    let mut inputs = drive(&mut g, |r| fake.handle(r), |_| {}, |_| {}).unwrap();
    inputs.data_streams = vec!["copy-logs-a".into()];
    let sel = RestoreSelection { rename: Some(Rename::Prefix("copy-".into())), ..Default::default() };
    let p = plan_restore(&inputs, &sel).unwrap();
    assert!(p.is_blocked(), "{}", p.render());
    assert_eq!(p.items.iter().map(|i| i.action).collect::<Vec<_>>(), [ItemAction::Blocked, ItemAction::Create]);
    assert_eq!(p.blockers, ["logs-a: a data stream named copy-logs-a exists in the cluster; restore under another name"]);
}

#[test]
fn a_backing_index_follows_its_data_stream_only_when_the_stream_is_restored() {
    let mut fake = Fake::opensearch(&[], &[".ds-logs-app-000001", "other"]);
    fake.data_streams = vec!["logs-app".into()];
    let prefixed = |indices: &[&str]| RestoreSelection {
        indices: indices.iter().map(|s| s.to_string()).collect(),
        rename: Some(Rename::Prefix("p-".into())),
        ..Default::default()
    };
    let p = plan(&mut fake, &prefixed(&["logs-app"])).unwrap();
    assert_eq!(p.items.iter().map(|i| i.target.as_str()).collect::<Vec<_>>(), [".ds-p-logs-app-000001"]);
    assert_eq!(p.data_streams.iter().map(|d| d.target.as_str()).collect::<Vec<_>>(), ["p-logs-app"]);
    // A data stream may not come back under the name of an index.
    let mut taken = Fake::opensearch(&["p-logs-app"], &[".ds-logs-app-000001"]);
    taken.data_streams = vec!["logs-app".into()];
    let p = plan(&mut taken, &prefixed(&["logs-app"])).unwrap();
    assert_eq!(p.blockers, ["data stream p-logs-app would take the name of an existing index; restore it under another name"], "{}", p.render());
    // Named on its own: a plain index, renamed as a whole, and no data stream.
    let p = plan(&mut fake, &prefixed(&[".ds-logs-app-000001"])).unwrap();
    assert_eq!(p.items.iter().map(|i| i.target.as_str()).collect::<Vec<_>>(), ["p-.ds-logs-app-000001"]);
    assert_eq!(p.items[0].data_stream, None);
    assert!(p.data_streams.is_empty(), "{}", p.render());
}

#[test]
fn a_selective_restore_closes_only_the_restored_indices() {
    let mut fake = Fake::opensearch(&["logs-a", "logs-b"], &["logs-a", "logs-b"]);
    let sel = RestoreSelection { indices: vec!["logs-a".into()], close_conflicting: true, ..Default::default() };
    let p = plan(&mut fake, &sel).unwrap();
    assert_eq!(p.to_close, ["logs-a"]);
    assert_eq!(p.restore_request.body_json().unwrap()["indices"], "logs-a");
    let (out, _) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::Completed);
    assert!(!fake.indices["logs-b"].restored && fake.indices["logs-b"].open);
}

#[test]
fn an_incompatible_snapshot_is_blocked_before_anything_is_sent() {
    let mut fake = Fake::opensearch(&[], &["logs-a"]);
    fake.snapshot_version_id = 7_172_999; // Elasticsearch 7.17.29: OpenSearch reads ES only up to 7.10.2
    let p = plan(&mut fake, &close_all()).unwrap();
    assert!(p.is_blocked());
    assert_eq!(p.verdict.kind, essnap::compat::VerdictKind::Incompatible);
    assert!(p.blockers[0].contains("7.10.2"), "{:?}", p.blockers);
}

#[test]
fn a_missing_snapshot_is_an_error_with_its_code() {
    let mut fake = Fake::opensearch(&[], &["logs-a"]);
    fake.snapshot_name = "other".into();
    let err = plan(&mut fake, &close_all()).unwrap_err();
    assert_eq!(err.code, ErrorCode::SnapshotMissing);
}

#[test]
fn restoring_over_a_thousand_open_indices_takes_few_requests() {
    let names: Vec<String> = (0..1000).map(|i| format!("logs-2026.11.{i:04}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut fake = Fake::opensearch(&refs, &refs);
    let p = plan(&mut fake, &close_all()).unwrap();
    assert_eq!(p.to_close.len(), 1000);
    for r in &p.close_requests {
        assert!(r.method.as_str().len() + r.path.len() + 10 <= essnap::plan::MAX_REQUEST_LINE, "request line too long");
    }
    let (out, _) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::Completed);
    let before = fake.requests_before(Method::Post, "/_restore");
    assert!(before <= 8, "{before} requests before the restore POST");
    // The benchmark budget: ceil(N/200) + 3.
    assert!(before <= 1000usize.div_ceil(200) + 3);
    assert!(fake.closed_indices().is_empty());
}

/// The invariant after any fault: every index that existed is open, or was restored; nothing
/// was restored twice; the outcome names every index that is not open.
fn check_invariants(fake: &Fake, out: &RestoreOutcome, ctx: &str) {
    assert!(fake.restores_applied <= 1, "{ctx}: restore applied {} times", fake.restores_applied);
    for (name, idx) in &fake.indices {
        if !idx.open {
            let fate = out.indices.iter().find(|i| &i.name == name).map(|i| &i.fate);
            assert!(
                matches!(fate, Some(IndexFate::LeftClosed { .. })),
                "{ctx}: {name} is closed but the outcome says {fate:?} ({out:?})"
            );
        }
    }
    match out.status {
        RestoreStatus::Completed => assert_eq!(fake.restores_applied, 1, "{ctx}"),
        RestoreStatus::Failed => {
            assert!(out.error.is_some(), "{ctx}: a failure says why");
            assert_eq!(fake.restores_applied, 0, "{ctx}: failed means nothing was restored");
        }
        RestoreStatus::StillRunning | RestoreStatus::NotStarted => {}
    }
}

#[test]
fn a_fault_at_every_step_leaves_every_index_as_it_was_or_restored() {
    let mut runs = 0;
    for &fault in ALL_FAULTS {
        for at in 0..12 {
            let mut fake = Fake::opensearch(&["logs-a", "logs-b", "keep"], &["logs-a", "logs-b", "logs-c"]).with_fault(at, fault);
            let ctx = format!("{fault:?} at request {at}");
            let p = match plan(&mut fake, &close_all()) {
                Ok(p) => p,
                Err(e) => {
                    // Reads are retried; a non-retryable answer or a refused connection (a wrong URL,
                    // a stopped node: said at once) ends the gathering.
                    assert!(matches!(fault, Fault::ServerErrorBefore | Fault::RefusedBefore), "{ctx}: {e}");
                    assert_eq!(fake.open_indices().len(), 3, "{ctx}: reads change nothing");
                    continue;
                }
            };
            let (out, _) = execute(&mut fake, p);
            check_invariants(&fake, &out, &ctx);
            assert!(fake.indices["keep"].open && !fake.indices["keep"].restored, "{ctx}");
            runs += 1;
        }
    }
    assert!(runs >= 60, "{runs} runs");
}

#[test]
fn an_unanswered_restore_that_started_is_never_sent_again() {
    for fault in [Fault::BadGatewayAfter, Fault::DroppedAfter, Fault::TimeoutAfter] {
        // Request 4 is the restore POST: info, snapshot, cat indices, close, restore.
        let mut fake = Fake::opensearch(&["logs-a"], &["logs-a"]).with_fault(4, fault);
        let p = plan(&mut fake, &close_all()).unwrap();
        let (out, events) = execute(&mut fake, p);
        assert_eq!(fake.log[4].1, "/_snapshot/repo/snap-1/_restore?wait_for_completion=false");
        assert_eq!(out.status, RestoreStatus::Completed, "{fault:?}: {out:?}");
        assert_eq!(fake.restores_applied, 1);
        let posts = fake.log.iter().filter(|(m, p)| *m == Method::Post && p.contains("_restore")).count();
        assert_eq!(posts, 1, "{fault:?}: the restore was sent again while it ran");
        assert!(events.iter().any(|e| matches!(e, Event::Warning { .. })));
    }
}

#[test]
fn an_unanswered_restore_that_never_arrived_is_sent_once_more() {
    let mut fake = Fake::opensearch(&["logs-a"], &["logs-a"]).with_fault(4, Fault::RefusedBefore);
    let p = plan(&mut fake, &close_all()).unwrap();
    let (out, events) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    let posts = fake.log.iter().filter(|(m, p)| *m == Method::Post && p.contains("_restore")).count();
    assert_eq!(posts, 2);
    assert!(events.iter().any(|e| matches!(e, Event::Retry { .. })));
}

#[test]
fn a_refused_restore_reopens_what_was_closed() {
    let mut fake = Fake::opensearch(&["logs-a", "logs-b"], &["logs-a", "logs-b"]).with_fault(4, Fault::ServerErrorBefore);
    let p = plan(&mut fake, &close_all()).unwrap();
    let (out, events) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::Failed);
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Reopened), "{:?}", out.indices);
    assert_eq!(fake.open_indices(), ["logs-a", "logs-b"]);
    assert!(events.iter().any(|e| matches!(e, Event::Reopened { .. })));
    assert_eq!(out.error.unwrap().code, ErrorCode::ServerError);
}

#[test]
fn a_started_restore_is_recognised_by_its_indices_before_any_shard_recovers() {
    for fault in [Fault::BadGatewayAfter, Fault::TimeoutAfter] {
        // logs-a is restored over (closed first), logs-c is new.
        let mut fake = Fake::opensearch(&["logs-a"], &["logs-a", "logs-c"]).with_fault(4, fault);
        fake.recovery_lag = 10;
        let p = plan(&mut fake, &close_all()).unwrap();
        let (out, _) = execute(&mut fake, p);
        let posts = fake.log.iter().filter(|(m, p)| *m == Method::Post && p.contains("_restore")).count();
        assert_eq!(posts, 1, "{fault:?}: resent although the targets showed the restore running");
        assert_eq!(fake.restores_applied, 1);
        assert_eq!(out.status, RestoreStatus::Completed, "{fault:?}: {out:?}");
        assert!(fake.log.iter().any(|(_, p)| p.starts_with("/_cat/indices/logs-a,logs-c")), "{:?}", fake.log);
    }
}

#[test]
fn a_target_that_never_shows_a_recovery_stops_the_watch_with_its_name() {
    let mut fake = Fake::opensearch(&[], &["logs-a"]);
    let p = plan(&mut fake, &close_all()).unwrap();
    // The restore is accepted, but the cluster never reports a recovery (e.g. a rename the preview got wrong).
    fake.recovery_lag = u32::MAX;
    let (out, _) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::StillRunning);
    let e = out.error.unwrap();
    assert!(e.message.contains("logs-a"), "{e}");
    assert!(fake.log.len() < 200, "bounded: {} requests", fake.log.len());
}

/// A cancel (Ctrl-C, AbortSignal) just before the restore POST: nothing is sent again, and the
/// closed indices are reopened.
#[test]
fn a_cancelled_restore_is_never_resent_and_reopens_what_it_closed() {
    use essnap::machine::{Input, Machine, Step, TransportError, TransportErrorKind};
    let mut fake = Fake::opensearch(&["logs-a", "logs-b"], &["logs-a", "logs-b"]);
    let p = plan(&mut fake, &close_all()).unwrap();
    let mut m = RestoreExecution::new(p, timing());
    let mut input = Input::Start;
    let out = loop {
        match m.step(input) {
            Step::Send(r) if r.path.contains("_restore") => {
                input = Input::Failed(TransportError::new(TransportErrorKind::Aborted, "cancelled"));
            }
            Step::Send(r) => input = fake.handle(&r).map_or_else(Input::Failed, Input::Response),
            Step::Wait(_) => input = Input::Waited,
            Step::Done(o) => break o,
        }
    };
    assert_eq!(out.status, RestoreStatus::Failed);
    assert_eq!(out.error.unwrap().code, ErrorCode::Aborted);
    assert_eq!(fake.restores_applied, 0);
    assert_eq!(fake.open_indices(), ["logs-a", "logs-b"], "reopened");
}

/// OpenSearch snapshots do not say how many shards each index has (no `index_details`), and
/// `_recovery` lists only shards that started: a shard still waiting for a recovery slot must not
/// let the watch call the restore complete (seen on a real OpenSearch 2.19.1).
#[test]
fn a_shard_still_waiting_for_a_recovery_slot_keeps_the_restore_running() {
    let mut fake = Fake::opensearch(&["logs-a"], &["logs-a", "logs-b"]);
    fake.restored_shards = 2;
    fake.late_shard_polls = 4;
    let p = plan(&mut fake, &close_all()).unwrap();
    assert_eq!(p.expected_shards, None, "4 shards over 2 indices: OpenSearch does not say how they split");
    let (out, events) = execute(&mut fake, p);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    let last = out.progress.as_ref().expect("progress");
    assert_eq!((last.shards_done, last.shards_total), (4, 4), "{last:?}");
    let progress: Vec<_> = events.iter().filter_map(|e| if let Event::Progress(p) = e { Some(p) } else { None }).collect();
    assert!(progress.iter().all(|p| p.shards_total == 4), "the total is known from the first poll: {progress:?}");
    assert!(progress.iter().filter(|p| p.percent == 100.0).count() == 1, "100% only once, at the end: {progress:?}");
    let polls = fake.log.iter().filter(|(_, p)| p.contains("_recovery")).count();
    assert!(polls as u32 >= fake.late_shard_polls + fake.restore_polls, "{polls} polls: {:?}", fake.log);
    assert!(fake.log.iter().any(|(_, p)| p.starts_with("/_cat/indices/logs-a,logs-b") && p.contains("pri")), "{:?}", fake.log);
}

/// OpenSearch has no `index_details`, but as many shards as indices in the snapshot means one
/// each (the default): a closed-over index with another shard count is blocked before anything is
/// closed, instead of being closed, refused by the server and reopened.
#[test]
fn an_opensearch_snapshot_of_one_shard_indices_is_checked_against_the_existing_shard_counts() {
    let mut fake = Fake::opensearch(&["logs-a", "logs-b"], &["logs-a", "logs-b"]);
    fake.indices.get_mut("logs-b").unwrap().shards = 2;
    let p = plan(&mut fake, &close_all()).unwrap();
    assert_eq!(p.expected_shards, Some(1), "2 shards over 2 indices: one each (logs-b, blocked, is not counted)");
    assert_eq!(p.items[0].action, ItemAction::CloseAndRestoreOver);
    assert_eq!(p.items[0].note, None, "the counts are known and match: {:?}", p.items[0]);
    assert_eq!(p.items[1].action, ItemAction::Blocked);
    assert_eq!(p.blockers, ["logs-b: existing logs-b has 2 primary shards, the snapshot's index has 1: restore under another name"]);
    assert_eq!(p.to_close, ["logs-a"]);
    assert_eq!(p.remedies, [Remedy::Rename], "closing does not help: only another name does");
    // One index holds every shard of the snapshot.
    let mut fake = Fake::opensearch(&["logs-a"], &["logs-a"]);
    fake.restored_shards = 3;
    let p = plan(&mut fake, &close_all()).unwrap();
    assert_eq!(p.blockers, ["logs-a: existing logs-a has 1 primary shards, the snapshot's index has 3: restore under another name"]);
    assert!(p.close_requests.is_empty());
}

/// A bad name is the caller's mistake: `invalid_input` before anything is sent, not a server error.
#[test]
fn a_bad_name_given_to_the_gather_step_is_invalid_input_and_sends_nothing() {
    for (repo, snap) in [("repo", "Bad Snap"), ("", "snap-1"), ("repo/x", "snap-1")] {
        let mut fake = Fake::opensearch(&["logs-a"], &["logs-a"]);
        let mut g = Gather::new(repo, snap, timing());
        let e = drive(&mut g, |r| fake.handle(r), |_| {}, |_| {}).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{repo}/{snap}: {e}");
        assert_eq!(e.status, None);
        assert!(fake.log.iter().all(|(_, p)| !p.contains("_snapshot")), "{repo}/{snap}: {:?}", fake.log);
    }
}

/// Reads that never get an answer end with the transport's error (a refused connection stays
/// `connection_failed`), not a made-up "service unavailable".
#[test]
fn a_cluster_that_cannot_be_reached_is_reported_as_such() {
    use essnap::machine::{TransportError, TransportErrorKind};
    let gather_failing_with = |kind| {
        let mut g = Gather::new("repo", "snap-1", timing());
        let mut sent = 0;
        let e = drive(&mut g, |_| {
            sent += 1;
            Err(TransportError::new(kind, "injected"))
        }, |_| {}, |_| {})
        .unwrap_err();
        (e, sent)
    };
    let (e, sent) = gather_failing_with(TransportErrorKind::Connect);
    assert_eq!((e.code, sent), (ErrorCode::ConnectionFailed, 1), "a refused first read is reported at once: {e}");
    // A timeout is retried, then reported as a timeout.
    let (e, sent) = gather_failing_with(TransportErrorKind::Timeout);
    assert_eq!((e.code, sent), (ErrorCode::Timeout, 4), "{e}");
    assert!(e.message.contains("gave up after 4 attempts"), "{e}");
}

/// One HTTP 500 while polling a running restore does not end the watch: polls are reads.
#[test]
fn a_500_while_polling_progress_is_retried() {
    let mut fake = Fake::opensearch(&["logs-a"], &["logs-a"]);
    let p = plan(&mut fake, &close_all()).unwrap();
    let mut m = RestoreExecution::new(p, timing());
    let mut injected = false;
    let out = drive(
        &mut m,
        |r| {
            if !injected && r.path.contains("_recovery") && fake.restores_applied > 0 {
                injected = true;
                return Ok(essnap::Response::new(500, br#"{"error":{"type":"exception","reason":"transient"},"status":500}"#.to_vec()));
            }
            fake.handle(r)
        },
        |_| {},
        |_| {},
    );
    assert!(injected, "the 500 was injected");
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    assert_eq!(fake.restores_applied, 1);
}
