//! Takes a snapshot and watches it finish: (on versions that run one snapshot at a time, check
//! that none is running) → create with `wait_for_completion=false` → poll `_status` → read the
//! final snapshot → SUCCESS / PARTIAL / FAILED, with the failures in words.
//!
//! Retry safety: an unanswered create is resent only after the snapshot was looked for and not
//! found; a resend answered "already exists" means the first attempt got through.

use crate::json::ToJson;

use crate::api::decode;
use crate::api::snapshot::{CreateSnapshot, GetSnapshots, SnapshotStatus};
use crate::dialect::Dialect;
use crate::error::{ApiError, ErrorCode, InputError, RetryAdvice};
use crate::model::{GetSnapshotsResponse, SnapshotInfo, SnapshotState, SnapshotStatusResponse};
use crate::names::parse_date_math;
use crate::request::Request;

use super::progress::{Progress, snapshot_progress};
use super::{Event, Input, Machine, ReadResult, Step, Timing, classify_poll, classify_read};

const START_CHECKS: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ToJson)]
#[json(rename_all = "snake_case")]
pub enum CreateStatus {
    Success,
    Partial,
    Failed,
    /// Still running when essnap stopped watching.
    StillRunning,
    /// Not created (refused, or a snapshot was already running).
    NotCreated,
}

#[derive(Clone, Debug, PartialEq, ToJson)]
pub struct CreateOutcome {
    pub status: CreateStatus,
    /// The snapshot's real name (date math resolved).
    pub name: Option<String>,
    pub snapshot: Option<SnapshotInfo>,
    /// Shard failures, one sentence each.
    pub failures: Vec<String>,
    pub error: Option<ApiError>,
    pub progress: Option<Progress>,
    pub requests_sent: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    PreCheck,
    Creating,
    /// Looking for the snapshot (after an unclear answer, or to resolve a date-math name).
    Finding,
    Polling,
    Final,
    Paused(Next),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Create,
    Find,
    Poll,
    Final,
}

pub struct CreateSnapshotRun {
    req: CreateSnapshot,
    dialect: Dialect,
    timing: Timing,
    state: State,
    /// The name to look for: the given one, or `None` for date math until resolved.
    name: Option<String>,
    /// For date math: the static text before and after the expression.
    affixes: (String, String),
    /// Names running before the create, so a date-math name is not confused with them.
    running_before: Vec<String>,
    attempts: u32,
    resent: bool,
    unclear: bool,
    /// The user cancelled: never create again; report whether the first attempt got through.
    cancelled: bool,
    checks: u32,
    read_failures: u32,
    waited_ms: u64,
    progress: Option<Progress>,
    requests_sent: u32,
    events: Vec<Event>,
}

impl CreateSnapshotRun {
    /// Validates the request up front; `wait_for_completion` is always sent as `false`.
    pub fn new(mut req: CreateSnapshot, dialect: Dialect, timing: Timing) -> Result<Self, InputError> {
        req.wait_for_completion = Some(false);
        req.build(&dialect)?;
        let (name, affixes) = if req.snapshot.starts_with('<') {
            parse_date_math(&req.snapshot).map_err(|p| InputError::new("snapshot", p, "see the date math name syntax"))?;
            let inner = &req.snapshot[1..req.snapshot.len() - 1];
            let pre = inner.split('{').next().unwrap_or("").to_string();
            let post = inner.rsplit('}').next().unwrap_or("").to_string();
            (None, (pre, post))
        } else {
            (Some(req.snapshot.clone()), (String::new(), String::new()))
        };
        Ok(CreateSnapshotRun {
            req,
            dialect,
            timing,
            state: State::PreCheck,
            name,
            affixes,
            running_before: Vec::new(),
            attempts: 0,
            resent: false,
            unclear: false,
            cancelled: false,
            checks: 0,
            read_failures: 0,
            waited_ms: 0,
            progress: None,
            requests_sent: 0,
            events: Vec::new(),
        })
    }

    fn send(&mut self, r: Request) -> Step<CreateOutcome> {
        self.requests_sent += 1;
        Step::Send(r)
    }

    fn pause(&mut self, ms: u64, next: Next) -> Step<CreateOutcome> {
        self.state = State::Paused(next);
        self.waited_ms += ms;
        Step::Wait(ms)
    }

    fn done(&mut self, status: CreateStatus, snapshot: Option<SnapshotInfo>, error: Option<ApiError>) -> Step<CreateOutcome> {
        let failures = snapshot
            .iter()
            .flat_map(|s| s.failures.iter().flatten())
            .map(|f| {
                format!(
                    "index {} shard {}: {}",
                    f.index.as_deref().unwrap_or("?"),
                    f.shard_id.map_or("?".to_string(), |s| s.to_string()),
                    f.reason.as_deref().unwrap_or("no reason given")
                )
            })
            .collect();
        Step::Done(CreateOutcome {
            status,
            name: self.name.clone(),
            snapshot,
            failures,
            error,
            progress: self.progress.clone(),
            requests_sent: self.requests_sent,
        })
    }

    fn fail(&mut self, e: ApiError) -> Step<CreateOutcome> {
        self.done(CreateStatus::NotCreated, None, Some(e))
    }

    fn create(&mut self) -> Step<CreateOutcome> {
        self.state = State::Creating;
        self.attempts += 1;
        self.events.push(Event::Stage { stage: "creating".into(), detail: format!("creating {}:{}", self.req.repository, self.req.snapshot) });
        match self.req.build(&self.dialect) {
            Ok(r) => self.send(r),
            Err(e) => self.fail(ApiError::new(ErrorCode::BadRequest, None, e.to_string())),
        }
    }

    fn repo(&self) -> String {
        self.req.repository.clone()
    }

    /// The running snapshots of the repository (`_current`), or one snapshot by name.
    fn find_request(&self) -> Request {
        let snaps = match &self.name {
            Some(n) => vec![n.clone()],
            None => vec!["_current".to_string()],
        };
        GetSnapshots { ignore_unavailable: Some(true), ..GetSnapshots::new(self.repo(), snaps) }
            .build(&self.dialect)
            .expect("validated names build")
    }

    fn status_request(&self) -> Request {
        SnapshotStatus::of(self.repo(), [self.name.clone().unwrap_or_default()]).build(&self.dialect).expect("validated names build")
    }

    fn matches_date_math(&self, n: &str) -> bool {
        n.starts_with(&self.affixes.0) && n.ends_with(&self.affixes.1) && !self.running_before.iter().any(|r| r == n)
    }

    fn on_precheck(&mut self, input: Input) -> Step<CreateOutcome> {
        match classify_read(input) {
            ReadResult::Ok(r) => match decode::<SnapshotStatusResponse>("snapshot.status", &r) {
                Ok(s) => {
                    self.running_before = s.snapshots.iter().map(|s| s.snapshot.clone()).collect();
                    if !self.dialect.allows_concurrent_snapshots() && !s.snapshots.is_empty() {
                        let running: Vec<String> = s.snapshots.iter().map(|s| format!("{}:{}", s.repository.as_deref().unwrap_or("?"), s.snapshot)).collect();
                        return self.fail(ApiError::new(
                            ErrorCode::ConcurrentSnapshotExecution,
                            None,
                            format!("{} is running, and {} runs one snapshot at a time", running.join(", "), self.dialect.version.as_ref().map_or("this cluster".to_string(), |v| format!("{} {v}", self.dialect.distribution))),
                        ));
                    }
                    self.create()
                }
                Err(e) => self.fail(e),
            },
            ReadResult::Retry(e) if self.read_failures < self.timing.max_retries => {
                self.read_failures += 1;
                self.events.push(Event::Retry { attempt: self.read_failures, reason: e.to_string() });
                self.state = State::PreCheck;
                Step::Wait(self.timing.backoff(self.read_failures))
            }
            ReadResult::Retry(e) => self.fail(ReadResult::gave_up(e, self.read_failures + 1)),
            ReadResult::Fail(e) => self.fail(e),
        }
    }

    fn on_create(&mut self, input: Input) -> Step<CreateOutcome> {
        let (err, may_have_acted) = match input {
            Input::Response(r) if r.is_success() => {
                self.events.push(Event::Stage { stage: "waiting".into(), detail: "the cluster accepted the snapshot".into() });
                self.checks = 0;
                return if self.name.is_some() { self.pause(self.timing.poll_interval_ms.min(500), Next::Poll) } else { self.pause(0, Next::Find) };
            }
            Input::Response(r) => {
                let e = ApiError::from_response(&r);
                let acted = e.retry() == RetryAdvice::CheckFirst;
                (e, acted)
            }
            Input::Failed(t) if t.kind == super::TransportErrorKind::Aborted => {
                self.cancelled = true;
                self.checks = START_CHECKS;
                return self.pause(0, Next::Find);
            }
            Input::Failed(t) => (t.to_api_error(), t.may_have_arrived()),
            _ => return self.fail(ApiError::new(ErrorCode::Other, None, "machine driven out of order")),
        };
        if may_have_acted {
            self.unclear = true;
            self.checks = 0;
            self.events.push(Event::Warning { message: format!("no clear answer to the create ({err}); looking for the snapshot before doing anything else") });
            return self.pause(self.timing.poll_interval_ms.min(2000), Next::Find);
        }
        if self.resent && err.code == ErrorCode::SnapshotAlreadyExists {
            // The first attempt got through after all.
            return self.pause(0, Next::Poll);
        }
        if err.retry() == RetryAdvice::Safe && self.attempts <= self.timing.max_retries {
            self.events.push(Event::Retry { attempt: self.attempts, reason: format!("the cluster refused before acting ({}); sending again is safe", err.code) });
            return self.pause(self.timing.backoff(self.attempts), Next::Create);
        }
        self.fail(err)
    }

    fn on_find(&mut self, input: Input) -> Step<CreateOutcome> {
        self.checks += 1;
        match classify_poll(input) {
            ReadResult::Ok(r) => {
                let found = decode::<GetSnapshotsResponse>("snapshot.get", &r).map(|g| {
                    let names: Vec<String> = g.all().map(|s| s.snapshot.clone()).collect();
                    match &self.name {
                        Some(n) => names.iter().find(|x| *x == n).cloned(),
                        None => names.iter().find(|x| self.matches_date_math(x)).cloned(),
                    }
                });
                let cancelled = ApiError::new(ErrorCode::Aborted, None, "cancelled");
                match found {
                    Ok(Some(n)) if self.cancelled => {
                        self.name = Some(n);
                        self.done(CreateStatus::StillRunning, None, Some(cancelled))
                    }
                    Ok(None) if self.cancelled => self.fail(cancelled),
                    Ok(Some(n)) => {
                        self.name = Some(n);
                        self.pause(0, Next::Poll)
                    }
                    Ok(None) if self.checks < START_CHECKS => self.pause(self.timing.poll_interval_ms, Next::Find),
                    Ok(None) if self.unclear && !self.resent && self.name.is_some() => {
                        self.resent = true;
                        self.events.push(Event::Retry { attempt: self.attempts + 1, reason: format!("snapshot {} did not appear after {} checks; creating it again is safe", self.req.snapshot, self.checks) });
                        self.create()
                    }
                    Ok(None) => self.done(
                        CreateStatus::StillRunning,
                        None,
                        Some(ApiError::new(ErrorCode::Timeout, None, format!("could not find snapshot {} after creating it; check `essnap snapshots {}`", self.req.snapshot, self.repo()))),
                    ),
                    Err(e) => self.fail(e),
                }
            }
            ReadResult::Retry(_) if self.checks < START_CHECKS + self.timing.max_retries => self.pause(self.timing.backoff(self.checks), Next::Find),
            ReadResult::Retry(ApiError { message: why, .. }) | ReadResult::Fail(ApiError { message: why, .. }) => {
                self.done(CreateStatus::StillRunning, None, Some(ApiError::new(ErrorCode::Timeout, None, format!("could not tell whether the snapshot was created: {why}"))))
            }
        }
    }

    fn on_poll(&mut self, input: Input) -> Step<CreateOutcome> {
        match classify_poll(input) {
            ReadResult::Ok(r) => {
                self.read_failures = 0;
                match decode::<SnapshotStatusResponse>("snapshot.status", &r) {
                    Ok(s) => {
                        let Some(st) = s.snapshots.first() else {
                            return self.pause(self.timing.poll_interval_ms, Next::Poll);
                        };
                        let mut p = snapshot_progress(st);
                        // Shards that start later add their bytes: the reported figure never goes back.
                        if let Some(prev) = &self.progress
                            && p.percent < prev.percent {
                                p.percent = prev.percent;
                            }
                        if self.progress.as_ref() != Some(&p) {
                            self.events.push(Event::Progress(p.clone()));
                        }
                        self.progress = Some(p);
                        if st.state().is_finished() {
                            return self.pause(0, Next::Final);
                        }
                        if self.waited_ms >= self.timing.max_wait_ms {
                            return self.done(CreateStatus::StillRunning, None, None);
                        }
                        self.pause(self.timing.poll_interval_ms, Next::Poll)
                    }
                    Err(e) => self.done(CreateStatus::StillRunning, None, Some(e)),
                }
            }
            ReadResult::Retry(e) if self.read_failures < self.timing.max_retries => {
                self.read_failures += 1;
                self.events.push(Event::Retry { attempt: self.read_failures, reason: e.to_string() });
                self.pause(self.timing.backoff(self.read_failures), Next::Poll)
            }
            ReadResult::Retry(e) => self.done(CreateStatus::StillRunning, None, Some(ReadResult::gave_up(e, self.read_failures + 1))),
            ReadResult::Fail(e) => self.done(CreateStatus::StillRunning, None, Some(e)),
        }
    }

    fn on_final(&mut self, input: Input) -> Step<CreateOutcome> {
        match classify_poll(input) {
            ReadResult::Ok(r) => match decode::<GetSnapshotsResponse>("snapshot.get", &r) {
                Ok(g) => {
                    let snap = g.all().find(|s| Some(&s.snapshot) == self.name.as_ref()).cloned();
                    let status = match snap.as_ref().map(SnapshotInfo::state) {
                        Some(SnapshotState::Success) => CreateStatus::Success,
                        Some(SnapshotState::Partial) => CreateStatus::Partial,
                        Some(SnapshotState::InProgress) => return self.pause(self.timing.poll_interval_ms, Next::Poll),
                        _ => CreateStatus::Failed,
                    };
                    let err = (status == CreateStatus::Failed).then(|| {
                        ApiError::new(ErrorCode::SnapshotFailed, None, snap.as_ref().and_then(|s| s.reason.clone()).unwrap_or_else(|| "the snapshot failed".into()))
                    });
                    self.done(status, snap, err)
                }
                Err(e) => self.done(CreateStatus::StillRunning, None, Some(e)),
            },
            ReadResult::Retry(e) if self.read_failures < self.timing.max_retries => {
                self.read_failures += 1;
                self.events.push(Event::Retry { attempt: self.read_failures, reason: e.to_string() });
                self.pause(self.timing.backoff(self.read_failures), Next::Final)
            }
            ReadResult::Retry(e) => self.done(CreateStatus::StillRunning, None, Some(ReadResult::gave_up(e, self.read_failures + 1))),
            ReadResult::Fail(e) => self.done(CreateStatus::StillRunning, None, Some(e)),
        }
    }
}

impl Machine for CreateSnapshotRun {
    type Output = CreateOutcome;

    fn step(&mut self, input: Input) -> Step<CreateOutcome> {
        match (self.state, input) {
            (State::PreCheck, Input::Start | Input::Waited) => {
                // `GET /_snapshot/_status` lists every running snapshot in the cluster.
                let r = SnapshotStatus::default().build(&self.dialect).expect("builds");
                self.send(r)
            }
            (State::PreCheck, input) => self.on_precheck(input),
            (State::Creating, input) => self.on_create(input),
            (State::Finding, input) => self.on_find(input),
            (State::Polling, input) => self.on_poll(input),
            (State::Final, input) => self.on_final(input),
            (State::Paused(next), _) => match next {
                Next::Create => self.create(),
                Next::Find => {
                    self.state = State::Finding;
                    let r = self.find_request();
                    self.send(r)
                }
                Next::Poll => {
                    self.state = State::Polling;
                    let r = self.status_request();
                    self.send(r)
                }
                Next::Final => {
                    self.state = State::Final;
                    let r = GetSnapshots::new(self.repo(), [self.name.clone().unwrap_or_default()]).build(&self.dialect).expect("builds");
                    self.send(r)
                }
            },
        }
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}
