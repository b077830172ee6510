//! Sans-IO state machines for the workflows: the machine says what to send and when to wait;
//! the host does the I/O and feeds back what happened.
//!
//! ```text
//! let mut input = Input::Start;
//! loop {
//!     match machine.step(input) {
//!         Step::Send(req) => input = match transport.send(&req) { Ok(r) => Input::Response(r), Err(e) => Input::Failed(e) },
//!         Step::Wait(ms) => { sleep(ms); input = Input::Waited }
//!         Step::Done(out) => break out,
//!     }
//!     for e in machine.take_events() { render(e) }
//! }
//! ```
//! [`drive`] is that loop, for hosts with a blocking transport.

pub mod create;
pub mod gather;
pub mod list;
pub mod progress;
pub mod restore;

use std::fmt;

use crate::json::{FromJson, ToJson};

use crate::error::{ApiError, ErrorCode};
use crate::request::{Request, Response};

pub use progress::Progress;

/// What the host tells the machine.
#[derive(Clone, Debug)]
pub enum Input {
    /// The first call.
    Start,
    /// The answer to the last [`Step::Send`].
    Response(Response),
    /// The last [`Step::Send`] got no answer.
    Failed(TransportError),
    /// The last [`Step::Wait`] is over.
    Waited,
}

/// What the machine asks the host to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Step<T> {
    Send(Request),
    /// Wait this many milliseconds, then call `step(Input::Waited)`.
    Wait(u64),
    Done(T),
}

/// Why a request got no HTTP answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ToJson, FromJson)]
#[json(rename_all = "snake_case")]
pub enum TransportErrorKind {
    /// Refused, unknown host, unreachable: the request never left.
    Connect,
    /// Sent, but no answer in time: the server may have acted.
    Timeout,
    /// The connection closed mid-way: the server may have acted.
    Dropped,
    Tls,
    /// A browser refused the cross-origin request.
    Cors,
    /// The caller cancelled (AbortSignal, Ctrl-C).
    Aborted,
    Other,
}

/// A failure below HTTP, reported by the host.
#[derive(Clone, Debug, PartialEq, Eq, ToJson, FromJson)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    /// The host's description (never containing credentials).
    pub message: String,
}

impl TransportError {
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError { kind, message: message.into() }
    }

    /// Whether the server may have received (and acted on) the request.
    pub fn may_have_arrived(&self) -> bool {
        !matches!(self.kind, TransportErrorKind::Connect | TransportErrorKind::Tls | TransportErrorKind::Cors)
    }

    /// The same failure as an [`ApiError`] with a stable code and hint.
    pub fn to_api_error(&self) -> ApiError {
        let code = match self.kind {
            TransportErrorKind::Connect => ErrorCode::ConnectionFailed,
            TransportErrorKind::Timeout => ErrorCode::Timeout,
            TransportErrorKind::Dropped => ErrorCode::ConnectionDropped,
            TransportErrorKind::Tls => ErrorCode::TlsError,
            TransportErrorKind::Cors => ErrorCode::CorsBlocked,
            TransportErrorKind::Aborted => ErrorCode::Aborted,
            TransportErrorKind::Other => ErrorCode::Other,
        };
        ApiError::new(code, None, self.message.clone())
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

/// What happened, for the host to render (progress bars, log lines).
#[derive(Clone, Debug, PartialEq, ToJson)]
#[json(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A stage began (`closing`, `restoring`, `waiting`, `rolling_back`, ...).
    Stage { stage: String, detail: String },
    Closed { indices: Vec<String> },
    Reopened { indices: Vec<String> },
    Progress(Progress),
    /// A request is being sent again, and why that is safe.
    Retry { attempt: u32, reason: String },
    Warning { message: String },
}

/// A state machine driven by [`Input`]s.
pub trait Machine {
    type Output;
    fn step(&mut self, input: Input) -> Step<Self::Output>;
    /// Events since the last call.
    fn take_events(&mut self) -> Vec<Event>;
}

/// Runs a machine to completion with a blocking transport.
pub fn drive<M: Machine>(
    m: &mut M,
    mut send: impl FnMut(&Request) -> Result<Response, TransportError>,
    mut wait: impl FnMut(u64),
    mut on_event: impl FnMut(Event),
) -> M::Output {
    let mut input = Input::Start;
    loop {
        let step = m.step(input);
        for e in m.take_events() {
            on_event(e);
        }
        input = match step {
            Step::Send(req) => match send(&req) {
                Ok(r) => Input::Response(r),
                Err(e) => Input::Failed(e),
            },
            Step::Wait(ms) => {
                wait(ms);
                Input::Waited
            }
            Step::Done(out) => return out,
        };
    }
}

/// Timing knobs shared by the machines (milliseconds).
#[derive(Clone, Debug, PartialEq, Eq, ToJson, FromJson)]
pub struct Timing {
    /// Between progress polls.
    pub poll_interval_ms: u64,
    /// Give up polling after this long (the operation keeps running on the server).
    pub max_wait_ms: u64,
    /// Base pause before resending a request the server refused with 429/503.
    pub backoff_ms: u64,
    /// How many times a refused (429/503) or failed read is tried again.
    pub max_retries: u32,
}

impl Default for Timing {
    fn default() -> Self {
        Timing { poll_interval_ms: 1000, max_wait_ms: 6 * 60 * 60 * 1000, backoff_ms: 1000, max_retries: 5 }
    }
}

impl Timing {
    /// Exponential backoff for attempt `n` (1-based), capped at 30 s.
    pub fn backoff(&self, attempt: u32) -> u64 {
        self.backoff_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(5)).min(30_000)
    }
}

/// Outcome of a read (GET) for a machine: the response, or an error to retry or to fail with.
pub(crate) enum ReadResult {
    Ok(Response),
    /// Try the same read again after a pause; the error is what to report if the retries run out
    /// (a refused connection stays `connection_failed`).
    Retry(ApiError),
    Fail(ApiError),
}

impl ReadResult {
    /// The error of a read whose retries ran out after `attempts` tries.
    pub(crate) fn gave_up(mut e: ApiError, attempts: u32) -> ApiError {
        e.message = format!("gave up after {attempts} attempts: {}", e.message);
        e
    }
}

/// Reads (GET) can always be repeated: timeouts, dropped connections and 429/502/503/504 are
/// retried. A refused connection is not: on a first read it means a wrong URL or a stopped
/// node, and the user should hear so at once rather than after the backoff.
pub(crate) fn classify_read(input: Input) -> ReadResult {
    classify(input, &[429, 502, 503, 504], false)
}

/// A poll of an operation that runs (or may run, after an unanswered request): a 500 and a
/// refused connection are retried too (a node restarting, a transient failure reading the
/// progress), so one bad answer does not end the watch or the check.
pub(crate) fn classify_poll(input: Input) -> ReadResult {
    classify(input, &[429, 500, 502, 503, 504], true)
}

fn classify(input: Input, retry_status: &[u16], retry_refused: bool) -> ReadResult {
    match input {
        Input::Response(r) if r.is_success() => ReadResult::Ok(r),
        Input::Response(r) => {
            let e = ApiError::from_response(&r);
            if retry_status.contains(&r.status) { ReadResult::Retry(e) } else { ReadResult::Fail(e) }
        }
        Input::Failed(t) if t.kind == TransportErrorKind::Aborted => ReadResult::Fail(t.to_api_error()),
        Input::Failed(t) if matches!(t.kind, TransportErrorKind::Tls | TransportErrorKind::Cors) => {
            ReadResult::Fail(t.to_api_error())
        }
        Input::Failed(t) if t.kind == TransportErrorKind::Connect && !retry_refused => ReadResult::Fail(t.to_api_error()),
        Input::Failed(t) => ReadResult::Retry(t.to_api_error()),
        Input::Start | Input::Waited => ReadResult::Fail(ApiError::new(ErrorCode::Other, None, "machine driven out of order")),
    }
}
