//! Executes a [`RestorePlan`]: close → restore (`wait_for_completion=false`) → poll `_recovery`
//! → done. If a step fails before the restore started, every index the plan closed is opened
//! again, and the outcome says which index is in which state. Nothing is ever deleted.
//!
//! Retry safety: after a timeout, 502/504 or a dropped connection on the restore POST, the
//! machine first looks for a running restore of this snapshot (recoveries of type SNAPSHOT from
//! it) and resends only when none appeared; a resend never happens while the first one runs.

use crate::json::ToJson;

use crate::api::decode;
use crate::api::indices::Recovery;
use crate::compat::{Rule, rule_for_error};
use crate::error::{ApiError, ErrorCode, RetryAdvice};
use crate::model::{Acknowledged, Recoveries};
use crate::plan::{ItemAction, RestorePlan, open_batches};
use crate::request::{Request, Response};

use super::progress::{Progress, restore_progress};
use super::{Event, Input, Machine, ReadResult, Step, Timing, classify_poll, classify_read};

/// How many times the machine looks for a running restore before it resends an unanswered one.
const START_CHECKS: u32 = 3;
/// Progress polls without any change, while some target never appeared, before giving up watching.
const STALL_POLLS: u32 = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ToJson)]
#[json(rename_all = "snake_case")]
pub enum RestoreStatus {
    /// Every shard of every restored index finished.
    Completed,
    /// The restore runs on, but essnap stopped watching (time limit, or progress unreadable).
    StillRunning,
    /// The restore did not happen; closed indices were reopened (see each index).
    Failed,
    /// The plan was blocked: nothing was sent.
    NotStarted,
}

/// Where each index of the plan ended up.
#[derive(Clone, Debug, PartialEq, Eq, ToJson)]
#[json(tag = "state", rename_all = "snake_case")]
pub enum IndexFate {
    Restored,
    Restoring,
    /// Not restored, and as it was before (never touched).
    Unchanged,
    /// Closed by the plan, then opened again after the failure.
    Reopened,
    /// Closed by the plan and could not be reopened: open it by hand (`POST INDEX/_open`).
    LeftClosed { error: String },
}

#[derive(Clone, Debug, PartialEq, Eq, ToJson)]
pub struct IndexOutcome {
    pub name: String,
    #[json(flatten)]
    pub fate: IndexFate,
}

#[derive(Clone, Debug, PartialEq, ToJson)]
pub struct RestoreOutcome {
    pub status: RestoreStatus,
    pub error: Option<ApiError>,
    /// The compatibility rule behind a server's refusal, when there is one.
    pub rule: Option<Rule>,
    pub indices: Vec<IndexOutcome>,
    pub requests_sent: u32,
    pub progress: Option<Progress>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Closing,
    Restoring,
    /// Waiting before a check or a resend.
    PauseThen(Next),
    CheckingStarted,
    /// Second look: did the restore change the targets (new index, closed one reopened)?
    CheckingIndices,
    /// Reading how many primaries the restored indices have (`_cat/indices`, `pri`).
    Counting,
    Polling,
    RollingBack,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Restore,
    Check,
    CheckIndices,
    Count,
    Poll,
    Reopen,
}

pub struct RestoreExecution {
    plan: RestorePlan,
    timing: Timing,
    state: State,
    close_idx: usize,
    /// Indices closed (or possibly closed) by this execution.
    closed: Vec<String>,
    restore_attempts: u32,
    resent: bool,
    /// The user cancelled: never send the restore again; undo what can be undone.
    cancelled: bool,
    checks: u32,
    read_failures: u32,
    unchanged_polls: u32,
    waited_ms: u64,
    progress: Option<Progress>,
    failure: Option<ApiError>,
    reopen: Vec<Request>,
    reopen_idx: usize,
    reopen_attempts: u32,
    reopened: Vec<String>,
    left_closed: Vec<(String, String)>,
    requests_sent: u32,
    events: Vec<Event>,
    /// Shards the restore must bring back: from the snapshot's `index_details` (ES 7.13+) or, when
    /// the snapshot does not say (OpenSearch, older ES), from the restored indices' metadata.
    expected_shards: Option<u64>,
    counted: bool,
}

impl RestoreExecution {
    pub fn new(plan: RestorePlan, timing: Timing) -> Self {
        RestoreExecution {
            timing,
            state: State::Closing,
            close_idx: 0,
            closed: Vec::new(),
            restore_attempts: 0,
            resent: false,
            cancelled: false,
            checks: 0,
            read_failures: 0,
            unchanged_polls: 0,
            waited_ms: 0,
            progress: None,
            failure: None,
            reopen: Vec::new(),
            reopen_idx: 0,
            reopen_attempts: 0,
            reopened: Vec::new(),
            left_closed: Vec::new(),
            requests_sent: 0,
            events: Vec::new(),
            expected_shards: plan.expected_shards,
            counted: false,
            plan,
        }
    }

    fn send(&mut self, r: Request) -> Step<RestoreOutcome> {
        self.requests_sent += 1;
        Step::Send(r)
    }

    fn targets(&self) -> Vec<String> {
        self.plan.targets().into_iter().map(String::from).collect()
    }

    fn recovery_request(&self) -> Request {
        let targets = self.targets();
        let scoped = Recovery {
            indices: targets,
            options: crate::api::indices::IndexOptions { ignore_unavailable: Some(true), ..Default::default() },
            ..Default::default()
        }
        .build(&self.plan.cluster);
        scoped_or_all(scoped, || Recovery::default().build(&self.plan.cluster).expect("GET /_recovery always builds"))
    }

    fn restore(&mut self) -> Step<RestoreOutcome> {
        self.state = State::Restoring;
        self.restore_attempts += 1;
        self.events.push(Event::Stage { stage: "restoring".into(), detail: format!("restoring {}:{}", self.plan.repository, self.plan.snapshot) });
        let r = self.plan.restore_request.clone();
        self.send(r)
    }

    fn pause(&mut self, ms: u64, next: Next) -> Step<RestoreOutcome> {
        self.state = State::PauseThen(next);
        self.waited_ms += ms;
        Step::Wait(ms)
    }

    /// The restore did not happen: reopen what was closed, then report.
    fn fail(&mut self, e: ApiError) -> Step<RestoreOutcome> {
        self.failure = Some(e);
        if self.closed.is_empty() {
            return self.done(RestoreStatus::Failed);
        }
        self.events.push(Event::Stage { stage: "rolling_back".into(), detail: format!("reopening {} index(es) closed by this restore", self.closed.len()) });
        match open_batches(&self.closed, &self.plan.cluster) {
            Ok(b) => self.reopen = b,
            Err(e) => {
                for n in self.closed.clone() {
                    self.left_closed.push((n, e.to_string()));
                }
                return self.done(RestoreStatus::Failed);
            }
        }
        self.state = State::RollingBack;
        self.reopen_idx = 0;
        let r = self.reopen[0].clone();
        self.send(r)
    }

    fn done(&mut self, status: RestoreStatus) -> Step<RestoreOutcome> {
        let mut indices = Vec::new();
        for item in &self.plan.items {
            let t = &item.target;
            let fate = if let Some((_, e)) = self.left_closed.iter().find(|(n, _)| n == t) {
                IndexFate::LeftClosed { error: e.clone() }
            } else if self.reopened.contains(t) {
                IndexFate::Reopened
            } else if item.action == ItemAction::Blocked {
                IndexFate::Unchanged
            } else {
                match status {
                    RestoreStatus::Completed => IndexFate::Restored,
                    RestoreStatus::StillRunning => IndexFate::Restoring,
                    RestoreStatus::Failed | RestoreStatus::NotStarted => IndexFate::Unchanged,
                }
            };
            indices.push(IndexOutcome { name: t.clone(), fate });
        }
        let rule = self.failure.as_ref().and_then(rule_for_error);
        Step::Done(RestoreOutcome {
            status,
            error: self.failure.clone(),
            rule,
            indices,
            requests_sent: self.requests_sent,
            progress: self.progress.clone(),
        })
    }

    fn on_close(&mut self, input: Input) -> Step<RestoreOutcome> {
        let batch = names_in(&self.plan.close_requests[self.close_idx]);
        match input {
            Input::Response(r) if r.is_success() => {
                let ack: Result<Acknowledged, _> = decode("indices.close", &r);
                let not_closed: Vec<String> = match &ack {
                    Ok(a) => a.indices.iter().flatten().filter(|(_, v)| !v.closed).map(|(k, _)| k.clone()).collect(),
                    Err(_) => Vec::new(),
                };
                // Whatever the answer says, these may be closed now: remember them for rollback.
                self.closed.extend(batch.iter().cloned());
                match ack {
                    Ok(a) if a.acknowledged && not_closed.is_empty() => {
                        self.events.push(Event::Closed { indices: batch });
                        self.close_idx += 1;
                        if self.close_idx < self.plan.close_requests.len() {
                            let r = self.plan.close_requests[self.close_idx].clone();
                            self.send(r)
                        } else {
                            self.restore()
                        }
                    }
                    Ok(_) => self.fail(ApiError::new(
                        ErrorCode::Timeout,
                        Some(r.status),
                        format!("the cluster did not confirm closing {}", if not_closed.is_empty() { batch.join(", ") } else { not_closed.join(", ") }),
                    )),
                    Err(e) => self.fail(e),
                }
            }
            Input::Response(r) => {
                let e = ApiError::from_response(&r);
                // A 5xx may have closed some; a 4xx was refused before anything changed.
                if r.status >= 500 {
                    self.closed.extend(batch);
                }
                self.fail(e)
            }
            Input::Failed(t) => {
                if t.may_have_arrived() {
                    self.closed.extend(batch);
                }
                self.fail(t.to_api_error())
            }
            Input::Start | Input::Waited => self.fail(ApiError::new(ErrorCode::Other, None, "machine driven out of order")),
        }
    }

    fn on_restore(&mut self, input: Input) -> Step<RestoreOutcome> {
        let (err, may_have_acted) = match input {
            Input::Response(r) if r.is_success() => {
                self.events.push(Event::Stage { stage: "waiting".into(), detail: "the cluster accepted the restore".into() });
                return self.watch();
            }
            Input::Response(r) => {
                let e = ApiError::from_response(&r);
                let acted = e.retry() == RetryAdvice::CheckFirst;
                (e, acted)
            }
            Input::Failed(t) if t.kind == super::TransportErrorKind::Aborted => {
                // Cancelled: find out whether the restore got through, then stop either way.
                self.cancelled = true;
                self.failure = Some(t.to_api_error());
                self.checks = START_CHECKS;
                return self.pause(0, Next::Check);
            }
            Input::Failed(t) => (t.to_api_error(), t.may_have_arrived()),
            Input::Start | Input::Waited => return self.fail(ApiError::new(ErrorCode::Other, None, "machine driven out of order")),
        };
        if may_have_acted {
            self.events.push(Event::Warning { message: format!("no clear answer to the restore ({err}); checking whether it started before doing anything else") });
            self.checks = 0;
            return self.pause(self.timing.poll_interval_ms.min(2000), Next::Check);
        }
        // After a resend, "already exists" means the first attempt got through after all.
        if self.resent && matches!(err.code, ErrorCode::RestoreConflictOpenIndex | ErrorCode::IndexAlreadyExists | ErrorCode::RestoreFailed) {
            self.checks = 0;
            return self.pause(self.timing.poll_interval_ms.min(2000), Next::Check);
        }
        if err.retry() == RetryAdvice::Safe && self.restore_attempts <= self.timing.max_retries {
            self.events.push(Event::Retry { attempt: self.restore_attempts, reason: format!("the cluster refused before acting ({}); sending again is safe", err.code) });
            return self.pause(self.timing.backoff(self.restore_attempts), Next::Restore);
        }
        self.fail(err)
    }

    fn on_check(&mut self, input: Input) -> Step<RestoreOutcome> {
        match classify_poll(input) {
            ReadResult::Ok(r) => {
                let started = decode::<Recoveries>("indices.recovery", &r).map(|rec| {
                    rec.values().flat_map(|i| i.shards.iter()).any(|s| s.restores_from(&self.plan.repository, &self.plan.snapshot))
                });
                match started {
                    Ok(true) if self.cancelled => self.done(RestoreStatus::StillRunning),
                    Ok(true) => {
                        self.events.push(Event::Stage { stage: "waiting".into(), detail: "the restore is running; it will not be sent again".into() });
                        self.on_poll_response(r)
                    }
                    // Shards may not have started recovering yet on a busy cluster: look at the indices too.
                    Ok(false) => self.pause(0, Next::CheckIndices),
                    Err(e) => self.fail(e),
                }
            }
            ReadResult::Retry(_) if self.checks < START_CHECKS + self.timing.max_retries => self.pause(self.timing.backoff(self.checks.max(1)), Next::Check),
            // We can't tell whether the restore runs: do not reopen (it may be restoring over them).
            ReadResult::Retry(ApiError { message: why, .. }) | ReadResult::Fail(ApiError { message: why, .. }) => self.unknown(why),
        }
    }

    fn unknown(&mut self, why: String) -> Step<RestoreOutcome> {
        self.failure = Some(ApiError::new(ErrorCode::Timeout, None, format!("could not tell whether the restore started: {why}")));
        self.done(RestoreStatus::StillRunning)
    }

    /// `_cat/indices` of the targets: a restore that started has created the new ones and
    /// reopened the closed ones, even before any shard shows in `_recovery`.
    fn indices_request(&self) -> Request {
        let build = |indices: Vec<String>| {
            crate::api::cat::CatIndices {
                indices,
                columns: vec!["index".into(), "status".into(), "pri".into()],
                expand_wildcards: Some("all".into()),
                ..Default::default()
            }
            .build(&self.plan.cluster)
        };
        scoped_or_all(build(self.targets()), || build(Vec::new()).expect("GET /_cat/indices always builds"))
    }

    fn on_check_indices(&mut self, input: Input) -> Step<RestoreOutcome> {
        let resp = match input {
            // A 404 means no target exists yet: nothing started.
            Input::Response(r) if r.status == 404 => None,
            other => match classify_poll(other) {
                ReadResult::Ok(r) => Some(r),
                ReadResult::Retry(_) if self.checks < START_CHECKS + self.timing.max_retries => {
                    return self.pause(self.timing.backoff(self.checks.max(1)), Next::Check);
                }
                ReadResult::Retry(ApiError { message: why, .. }) | ReadResult::Fail(ApiError { message: why, .. }) => return self.unknown(why),
            },
        };
        let rows: Vec<crate::model::CatIndex> = match resp.map(|r| decode("cat.indices", &r)).transpose() {
            Ok(rows) => rows.unwrap_or_default(),
            Err(e) => return self.fail(e),
        };
        let started = self.plan.items.iter().filter(|i| i.action != ItemAction::Blocked).any(|item| {
            let row = rows.iter().find(|r| r.index.trim() == item.target);
            match item.action {
                ItemAction::Create => row.is_some(),
                // Closed before the restore: open again only if the restore took it over.
                _ => row.is_some_and(|r| r.is_open()) && self.closed_or_was_closed(&item.target),
            }
        });
        if started && self.cancelled {
            // It runs on; essnap only stops watching.
            return self.done(RestoreStatus::StillRunning);
        }
        if started {
            self.events.push(Event::Stage { stage: "waiting".into(), detail: "the restore is running; it will not be sent again".into() });
            // These rows already give the primaries when every target exists: no second read.
            if self.expected_shards.is_none() {
                self.expected_shards = self.primaries_of_targets(&rows);
            }
            return self.watch();
        }
        if self.cancelled {
            let e = self.failure.take().unwrap_or_else(|| ApiError::new(ErrorCode::Aborted, None, "cancelled"));
            return self.fail(e);
        }
        if self.checks < START_CHECKS {
            // Give a slow master time: 2 s, 4 s, 6 s between looks.
            return self.pause(self.timing.poll_interval_ms.max(2000 * u64::from(self.checks)), Next::Check);
        }
        if !self.resent && self.restore_attempts <= self.timing.max_retries {
            self.resent = true;
            self.events.push(Event::Retry {
                attempt: self.restore_attempts + 1,
                reason: format!("no restore of {} appeared after {} checks; sending it again is safe", self.plan.snapshot, self.checks),
            });
            return self.restore();
        }
        self.fail(ApiError::new(ErrorCode::RestoreFailed, None, "the restore did not start and was not answered; nothing was restored"))
    }

    /// The restore runs: learn how many shards it must restore (when the plan does not know),
    /// then poll its progress.
    fn watch(&mut self) -> Step<RestoreOutcome> {
        if self.expected_shards.is_none() && !self.counted {
            return self.count();
        }
        self.pause(self.timing.poll_interval_ms, Next::Poll)
    }

    fn count(&mut self) -> Step<RestoreOutcome> {
        self.counted = true;
        self.pause(0, Next::Count)
    }

    /// A failed count is not fatal: progress then trusts `_recovery` alone, as before.
    fn on_count(&mut self, input: Input) -> Step<RestoreOutcome> {
        if let ReadResult::Ok(r) = classify_read(input)
            && let Ok(rows) = decode::<Vec<crate::model::CatIndex>>("cat.indices", &r)
        {
            self.expected_shards = self.primaries_of_targets(&rows);
        }
        self.pause(self.timing.poll_interval_ms, Next::Poll)
    }

    /// The primaries of every target in `_cat/indices` rows; `None` while one is missing.
    fn primaries_of_targets(&self, rows: &[crate::model::CatIndex]) -> Option<u64> {
        // A later row for the same name wins, as in any map.
        let pri: crate::model::NameMap<u32> = rows.iter().filter_map(|r| Some((r.index.trim(), r.pri?))).collect();
        self.targets().iter().map(|t| pri.get(t.as_str()).map(|&n| u64::from(n))).sum()
    }

    fn closed_or_was_closed(&self, target: &str) -> bool {
        self.closed.iter().any(|c| c == target)
            || self.plan.items.iter().any(|i| i.target == target && i.action == ItemAction::RestoreOverClosed)
    }

    fn on_poll_response(&mut self, r: Response) -> Step<RestoreOutcome> {
        self.read_failures = 0;
        match decode::<Recoveries>("indices.recovery", &r) {
            Ok(rec) => {
                let mut p = restore_progress(&rec, &self.plan.repository, &self.plan.snapshot, &self.targets(), self.expected_shards);
                let complete = p.is_complete();
                if complete && self.expected_shards.is_none() && !self.counted {
                    // `_recovery` lists only shards that started: one still waiting for a slot
                    // (seen on a real OpenSearch 2.19.1) would go unnoticed. Count them first,
                    // before reporting 100%.
                    return self.count();
                }
                // Shards that start later bring their bytes along, so the byte ratio can drop (seen on a real
                // 2-node OpenSearch 2.19.1: 98.9% then 98.6%): the reported figure never goes back.
                if let Some(prev) = &self.progress
                    && !complete && p.percent < prev.percent {
                        p.percent = prev.percent;
                    }
                if self.progress.as_ref() != Some(&p) {
                    self.events.push(Event::Progress(p.clone()));
                    self.unchanged_polls = 0;
                } else {
                    self.unchanged_polls += 1;
                }
                let unseen: Vec<String> = p.indices.iter().filter(|i| i.shards_total == 0).map(|i| i.name.clone()).collect();
                self.progress = Some(p);
                if complete {
                    return self.done(RestoreStatus::Completed);
                }
                // Every started shard is done but some targets never showed a recovery: stop watching
                // rather than poll for hours, and say which.
                if self.unchanged_polls >= STALL_POLLS && !unseen.is_empty() {
                    self.failure = Some(ApiError::new(
                        ErrorCode::Timeout,
                        None,
                        format!("no recovery from {} appeared for {} after {STALL_POLLS} polls; check GET {}/_recovery", self.plan.snapshot, unseen.join(", "), unseen[0]),
                    ));
                    return self.done(RestoreStatus::StillRunning);
                }
                if self.waited_ms >= self.timing.max_wait_ms {
                    return self.done(RestoreStatus::StillRunning);
                }
                self.pause(self.timing.poll_interval_ms, Next::Poll)
            }
            Err(e) => {
                self.failure = Some(e);
                self.done(RestoreStatus::StillRunning)
            }
        }
    }

    fn on_poll(&mut self, input: Input) -> Step<RestoreOutcome> {
        match classify_poll(input) {
            ReadResult::Ok(r) => self.on_poll_response(r),
            ReadResult::Retry(e) => {
                self.read_failures += 1;
                if self.read_failures > self.timing.max_retries {
                    let mut e = ReadResult::gave_up(e, self.read_failures);
                    e.message = format!("progress could not be read ({})", e.message);
                    self.failure = Some(e);
                    return self.done(RestoreStatus::StillRunning);
                }
                self.events.push(Event::Retry { attempt: self.read_failures, reason: e.to_string() });
                self.pause(self.timing.backoff(self.read_failures), Next::Poll)
            }
            ReadResult::Fail(e) => {
                self.failure = Some(e);
                self.done(RestoreStatus::StillRunning)
            }
        }
    }

    fn on_reopen(&mut self, input: Input) -> Step<RestoreOutcome> {
        let batch = names_in(&self.reopen[self.reopen_idx]);
        let ok = matches!(&input, Input::Response(r) if r.is_success());
        if !ok && self.reopen_attempts < self.timing.max_retries {
            // Opening is idempotent: sending it again is always safe.
            self.reopen_attempts += 1;
            self.events.push(Event::Retry { attempt: self.reopen_attempts, reason: "reopening closed indices again".into() });
            return self.pause(self.timing.backoff(self.reopen_attempts), Next::Reopen);
        }
        if ok {
            self.events.push(Event::Reopened { indices: batch.clone() });
            self.reopened.extend(batch);
        } else {
            let why = match input {
                Input::Response(r) => ApiError::from_response(&r).to_string(),
                Input::Failed(t) => t.to_string(),
                _ => "no answer".into(),
            };
            self.left_closed.extend(batch.into_iter().map(|n| (n, why.clone())));
        }
        self.reopen_idx += 1;
        self.reopen_attempts = 0;
        if self.reopen_idx < self.reopen.len() {
            let r = self.reopen[self.reopen_idx].clone();
            return self.send(r);
        }
        self.done(RestoreStatus::Failed)
    }
}

/// A read scoped to the targets when its index list fits in a request line, else the same read
/// of every index.
fn scoped_or_all(scoped: Result<Request, crate::error::InputError>, all: impl FnOnce() -> Request) -> Request {
    match scoped {
        Ok(r) if r.path.len() < crate::plan::MAX_REQUEST_LINE - 512 => r,
        _ => all(),
    }
}

/// The index names in a close/open request path (`/a,b,c/_close?...`).
fn names_in(r: &Request) -> Vec<String> {
    let first = r.path_only().trim_start_matches('/').split('/').next().unwrap_or("");
    first.split(',').map(crate::request::decode_component).collect()
}

impl Machine for RestoreExecution {
    type Output = RestoreOutcome;

    fn step(&mut self, input: Input) -> Step<RestoreOutcome> {
        if let Input::Start = input {
            if self.plan.is_blocked() {
                self.failure = Some(ApiError::new(ErrorCode::RestoreFailed, None, format!("the plan is blocked: {}", self.plan.blockers.join("; "))));
                return self.done(RestoreStatus::NotStarted);
            }
            if self.plan.close_requests.is_empty() {
                return self.restore();
            }
            self.state = State::Closing;
            self.events.push(Event::Stage { stage: "closing".into(), detail: format!("closing {} open index(es)", self.plan.to_close.len()) });
            let r = self.plan.close_requests[0].clone();
            return self.send(r);
        }
        match self.state {
            State::Closing => self.on_close(input),
            State::Restoring => self.on_restore(input),
            State::CheckingStarted => {
                self.checks += 1;
                self.on_check(input)
            }
            State::CheckingIndices => self.on_check_indices(input),
            State::Counting => self.on_count(input),
            State::Polling => self.on_poll(input),
            State::RollingBack => self.on_reopen(input),
            State::PauseThen(next) => match next {
                Next::Restore => self.restore(),
                Next::Check => {
                    self.state = State::CheckingStarted;
                    let r = self.recovery_request();
                    self.send(r)
                }
                Next::CheckIndices => {
                    self.state = State::CheckingIndices;
                    let r = self.indices_request();
                    self.send(r)
                }
                Next::Count => {
                    self.state = State::Counting;
                    let r = self.indices_request();
                    self.send(r)
                }
                Next::Poll => {
                    self.state = State::Polling;
                    let r = self.recovery_request();
                    self.send(r)
                }
                Next::Reopen => {
                    self.state = State::RollingBack;
                    let r = self.reopen[self.reopen_idx].clone();
                    self.send(r)
                }
            },
        }
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}
