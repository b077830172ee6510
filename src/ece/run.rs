//! Taking a snapshot on ECE as a [`Machine`]: the take-snapshot call (or its fallback through the
//! deployment proxy, decided by [`EceSnapshot`]), then, if asked, watching until ECE settles —
//! the cluster's plan for the clusters API, the snapshot's state for the proxy. Every host (the
//! component, the web package) drives this one machine, so they answer alike.
//!
//! The take call has side effects: it is never sent twice. A failure after ECE accepted it ends
//! the watch only; the outcome still names the snapshot.

use crate::json::ToJson;

use super::cluster::{EceProgress, GetCluster, decode_cluster_info};
use super::snapshot::{EceSnapshot, Next};
use crate::api::decode;
use crate::api::snapshot::GetSnapshots;
use crate::dialect::Dialect;
use crate::error::{ApiError, ErrorCode, InputError};
use crate::machine::{Event, Input, Machine, ReadResult, Step, Timing, classify_poll};
use crate::model::{GetSnapshotsResponse, SnapshotState};
use crate::request::Request;

#[derive(Clone, Debug, PartialEq, ToJson)]
pub struct EceSnapshotOutcome {
    /// The snapshot ECE (or the proxy) started; `None` when it was refused.
    pub name: Option<String>,
    /// Whether the fallback through the deployment proxy was used.
    pub via_proxy: bool,
    /// What the watch last saw (`pending` when it gave up waiting); `None` when not watched.
    pub state: Option<EceProgress>,
    /// Why the snapshot was refused, or why the watch stopped early.
    pub error: Option<ApiError>,
    pub requests_sent: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Taking,
    /// Waiting before the next watch read.
    Pausing,
    Watching,
}

pub struct EceSnapshotRun {
    flow: EceSnapshot,
    wait: bool,
    timing: Timing,
    dialect: Dialect,
    state: State,
    first: Option<Request>,
    out: EceSnapshotOutcome,
    events: Vec<Event>,
    waited_ms: u64,
    read_failures: u32,
}

impl EceSnapshotRun {
    /// Checks every input (the fallback's too) before anything is sent. `wait`: watch until ECE
    /// settles or `timing.max_wait_ms` passes. `dialect`: the deployment's, for the proxy reads.
    pub fn new(mut flow: EceSnapshot, wait: bool, dialect: Dialect, timing: Timing) -> Result<Self, InputError> {
        let first = flow.first_request()?;
        Ok(EceSnapshotRun {
            flow,
            wait,
            timing,
            dialect,
            state: State::Taking,
            first: Some(first),
            out: EceSnapshotOutcome { name: None, via_proxy: false, state: None, error: None, requests_sent: 0 },
            events: Vec::new(),
            waited_ms: 0,
            read_failures: 0,
        })
    }

    fn send(&mut self, r: Request) -> Step<EceSnapshotOutcome> {
        self.out.requests_sent += 1;
        Step::Send(r)
    }

    fn stage(&mut self, stage: &str, detail: String) {
        self.events.push(Event::Stage { stage: stage.into(), detail });
    }

    fn done(&mut self) -> Step<EceSnapshotOutcome> {
        Step::Done(self.out.clone())
    }

    fn pause(&mut self, ms: u64) -> Step<EceSnapshotOutcome> {
        self.state = State::Pausing;
        self.waited_ms += ms;
        Step::Wait(ms)
    }

    fn on_take(&mut self, input: Input) -> Step<EceSnapshotOutcome> {
        let resp = match input {
            Input::Response(r) => r,
            // No answer: it may have been taken. Sending it again could take a second one.
            Input::Failed(t) => {
                let mut e = t.to_api_error();
                if t.may_have_arrived() {
                    e.message = format!("{} (ECE may have started the snapshot: look at the deployment's snapshots before trying again)", e.message);
                }
                self.out.error = Some(e);
                return self.done();
            }
            Input::Start | Input::Waited => {
                self.out.error = Some(ApiError::new(ErrorCode::Other, None, "machine driven out of order"));
                return self.done();
            }
        };
        match self.flow.on_response(&resp) {
            Next::Fallback(req) => {
                self.out.via_proxy = true;
                self.stage("fallback", format!("the clusters API is gone on this ECE (HTTP {}): taking the snapshot through the deployment proxy", resp.status));
                self.send(req)
            }
            Next::Failed(e) => {
                self.out.error = Some(e);
                self.done()
            }
            Next::Done(name) => {
                let via = if self.out.via_proxy { "the deployment proxy" } else { "the clusters API" };
                self.stage("accepted", format!("snapshot {name} requested via {via}"));
                self.out.name = Some(name);
                if !self.wait {
                    return self.done();
                }
                self.pause(self.timing.poll_interval_ms)
            }
        }
    }

    fn watch_request(&self) -> Result<Request, InputError> {
        match (self.out.via_proxy, self.flow.proxy()) {
            (true, Some(p)) => {
                let name = self.out.name.clone().unwrap_or_default();
                p.wrap(&GetSnapshots::new(self.flow.fallback_repository(), [name]).build(&self.dialect)?)
            }
            _ => GetCluster::new(self.flow.cluster_id()).build(),
        }
    }

    fn on_watch(&mut self, input: Input) -> Step<EceSnapshotOutcome> {
        let r = match classify_poll(input) {
            ReadResult::Ok(r) => r,
            ReadResult::Retry(e) if self.read_failures < self.timing.max_retries => {
                self.read_failures += 1;
                self.events.push(Event::Retry { attempt: self.read_failures, reason: format!("reading the snapshot's state again ({e})") });
                return self.pause(self.timing.backoff(self.read_failures));
            }
            ReadResult::Retry(e) => return self.stop_watching(ReadResult::gave_up(e, self.read_failures + 1)),
            ReadResult::Fail(e) => return self.stop_watching(e),
        };
        self.read_failures = 0;
        let progress = if self.out.via_proxy {
            match decode::<GetSnapshotsResponse>("snapshot.get", &r) {
                // As ECE's own `latest_status`: only SUCCESS succeeded (PARTIAL failed).
                Ok(g) => match g.all().next().map(|s| s.state()) {
                    Some(SnapshotState::Success) => EceProgress::Succeeded,
                    Some(s) if s.is_finished() => EceProgress::Failed,
                    _ => EceProgress::Pending,
                },
                Err(e) => return self.stop_watching(e),
            }
        } else {
            match decode_cluster_info(&r) {
                Ok(info) => info.progress(),
                Err(e) => return self.stop_watching(e),
            }
        };
        self.out.state = Some(progress);
        let name = self.out.name.clone().unwrap_or_default();
        match progress {
            EceProgress::Pending if self.waited_ms < self.timing.max_wait_ms => {
                self.stage("pending", format!("ECE is still applying the snapshot of {name}"));
                self.pause(self.timing.poll_interval_ms)
            }
            EceProgress::Pending => {
                self.stage("pending", format!("stopped watching after {} s; ECE goes on with {name}", self.waited_ms / 1000));
                self.done()
            }
            EceProgress::Succeeded => {
                self.stage("succeeded", format!("ECE reports the snapshot of {name} succeeded"));
                self.done()
            }
            EceProgress::Failed => {
                self.stage("failed", format!("ECE reports the snapshot (or its plan change) of {name} failed"));
                self.done()
            }
            EceProgress::Unknown => {
                self.stage("unknown", "ECE settled without saying how the snapshot went".into());
                self.done()
            }
        }
    }

    /// The snapshot was requested; only the watch failed.
    fn stop_watching(&mut self, e: ApiError) -> Step<EceSnapshotOutcome> {
        self.out.state.get_or_insert(EceProgress::Unknown);
        self.events.push(Event::Warning { message: format!("the snapshot was requested, but its state could not be read: {e}") });
        self.out.error = Some(e);
        self.done()
    }
}

impl Machine for EceSnapshotRun {
    type Output = EceSnapshotOutcome;

    fn step(&mut self, input: Input) -> Step<EceSnapshotOutcome> {
        if let Input::Start = input {
            let Some(first) = self.first.take() else {
                self.out.error = Some(ApiError::new(ErrorCode::Other, None, "EceSnapshotRun started twice"));
                return self.done();
            };
            self.stage("requesting", format!("{} {}", first.method.as_str(), first.path_only()));
            return self.send(first);
        }
        match self.state {
            State::Taking => self.on_take(input),
            State::Watching => self.on_watch(input),
            State::Pausing => match self.watch_request() {
                Ok(r) => {
                    self.state = State::Watching;
                    self.send(r)
                }
                Err(e) => self.stop_watching(ApiError::new(ErrorCode::Other, None, format!("the watch request could not be built: {e}"))),
            },
        }
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}
