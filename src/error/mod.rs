//! Errors: [`InputError`] for bad caller input (caught before anything is sent) and
//! [`ApiError`] for what a cluster (or a proxy in front of it) answered.
//!
//! Every `ApiError` carries a stable [`ErrorCode`], the server's own words, a hint that says
//! what to do, and [`RetryAdvice`] for requests with side effects.

mod catalogue;
mod code;
mod decode;

pub use catalogue::{CatalogueEntry, Origin, SourceCode, catalogue, catalogue_markdown, ece_code};
pub use code::{ErrorCode, RetryAdvice};
pub use decode::Cause;

use std::fmt;

use crate::json::{FromJson, ToJson};

/// Caller input that can't be turned into a request: an illegal name, a malformed URL, ...
#[derive(Clone, Debug, PartialEq, Eq, ToJson, FromJson)]
pub struct InputError {
    /// Which input was wrong (`url`, `snapshot`, `repository`, `index`, ...).
    pub field: String,
    /// What was wrong with it.
    pub problem: String,
    /// What to do instead.
    pub hint: String,
}

impl InputError {
    pub fn new(field: impl Into<String>, problem: impl Into<String>, hint: impl Into<String>) -> Self {
        InputError { field: field.into(), problem: problem.into(), hint: hint.into() }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {} (hint: {})", self.field, self.problem, self.hint)
    }
}

impl std::error::Error for InputError {}

impl From<&InputError> for ApiError {
    /// For outcomes that carry an `ApiError`: code `invalid_input`, the field, problem and hint
    /// in the message.
    fn from(e: &InputError) -> Self {
        ApiError::new(ErrorCode::InvalidInput, None, e.to_string())
    }
}

/// An error answered by a cluster, decoded from status, headers and body.
#[derive(Clone, Debug, PartialEq, Eq, ToJson, FromJson)]
pub struct ApiError {
    pub code: ErrorCode,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// The server's error type (`snapshot_missing_exception`) or ECE code.
    pub server_type: Option<String>,
    /// The server's message, verbatim (or a description when the body was not an error body).
    pub message: String,
    /// `caused_by` chain, outermost first.
    pub caused_by: Vec<Cause>,
    /// `root_cause` entries.
    pub root_causes: Vec<Cause>,
    /// Index named by the error (`error.index`), when the server gave one.
    pub index: Option<String>,
    /// Codes from other sources (ECE `errors[].code`, `x-cloud-error-codes`), verbatim.
    pub source_codes: Vec<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, status: Option<u16>, message: impl Into<String>) -> Self {
        ApiError {
            code,
            status,
            server_type: None,
            message: message.into(),
            caused_by: Vec::new(),
            root_causes: Vec::new(),
            index: None,
            source_codes: Vec::new(),
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        self.code.hint()
    }

    /// Whether a request with side effects may be sent again after this error.
    pub fn retry(&self) -> RetryAdvice {
        self.code.retry()
    }

    /// True when resending is safe without first checking what the server did.
    pub fn is_retryable(&self) -> bool {
        self.retry() == RetryAdvice::Safe
    }

    /// A 2xx body that did not decode into the expected model.
    pub fn invalid_response(api: &str, status: u16, problem: impl fmt::Display, body: &[u8]) -> Self {
        ApiError::new(
            ErrorCode::InvalidResponse,
            Some(status),
            format!("could not decode the {api} response (HTTP {status}): {problem}; body starts with: {}", excerpt(body)),
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        for c in &self.caused_by {
            write!(f, "\n  caused by: {}: {}", c.kind, c.reason)?;
        }
        write!(f, "\n  hint: {}", self.hint())
    }
}

impl std::error::Error for ApiError {}

/// Either kind of error, for operations that validate input and then talk to a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    Input(InputError),
    Api(ApiError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(e) => e.fmt(f),
            Error::Api(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(e)
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

/// The first bytes of a body, printable, for messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 160;
    if body.is_empty() {
        return "(empty body)".to_string();
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX * 4)]);
    let mut s: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX).collect();
    if text.chars().count() > MAX || body.len() > MAX * 4 {
        s.push('…');
    }
    s
}
