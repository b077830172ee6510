//! Plain HTTP values exchanged with a host: the core returns a [`Request`] to send and is handed
//! back a [`Response`]. Neither holds credentials: [`crate::Connection::prepare`] adds them.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use crate::json::{FromJson, ToJson};

/// HTTP methods the snapshot APIs use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ToJson, FromJson)]
#[json(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Head,
    Put,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }

    /// Whether sending the request twice is harmless. `PUT /_snapshot/r/s` (create) is not:
    /// the second attempt fails with "snapshot with the same name already exists" — or worse,
    /// succeeds after a delete.
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Head)
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "PUT" => Method::Put,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request to send, relative to the cluster's base URL. `Debug` shows the body's length only:
/// bodies can carry secrets (ECE repository passwords, repository settings).
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// The rest-api-spec name of the API (`snapshot.get`), for logs and for decoding the answer.
    pub api: &'static str,
    pub method: Method,
    /// Percent-encoded path and query, starting with `/` (`/_snapshot/r/s?size=10`).
    pub path: String,
    /// Headers besides authentication (`content-type` when there is a body).
    pub headers: Vec<(String, String)>,
    /// JSON body bytes.
    pub body: Option<Vec<u8>>,
}

/// The body goes out as the JSON it is (a string when it is not JSON), so that a plan's
/// requests read as they will be sent.
impl ToJson for Request {
    fn write_json(&self, w: &mut crate::json::Writer) {
        w.begin_object();
        w.key("api");
        w.str(self.api);
        w.key("method");
        self.method.write_json(w);
        w.key("path");
        w.str(&self.path);
        w.key("headers");
        self.headers.write_json(w);
        w.key("body");
        match (&self.body, self.body_json()) {
            (None, _) => w.null(),
            (Some(_), Some(v)) => w.value(&v),
            (Some(b), None) => w.str(&String::from_utf8_lossy(b)),
        }
        w.end_object();
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("api", &self.api)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl Request {
    /// The path without its query string.
    pub fn path_only(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(p, _)| p)
    }

    /// The decoded query parameters, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let Some((_, q)) = self.path.split_once('?') else { return Vec::new() };
        q.split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (decode_component(k), decode_component(v))
            })
            .collect()
    }

    /// The body parsed as JSON (for tests and printing).
    pub fn body_json(&self) -> Option<serde_json::Value> {
        self.body.as_deref().and_then(|b| crate::json::from_slice(b).ok())
    }

    /// Whether the request may change the cluster (everything but GET/HEAD).
    pub fn has_side_effects(&self) -> bool {
        !self.method.is_idempotent()
    }
}

/// A response as the host received it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Response {
    pub status: u16,
    /// Header names in any case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response { status, headers: Vec::new(), body: body.into() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// First value of a header, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Characters left as they are in a path segment: unreserved ones, plus `,` and `*` which
/// Elasticsearch reads as list separators and wildcards *after* decoding anyway.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b',').remove(b'*');

/// Query values: unreserved characters, `,` and `*` stay; everything else is escaped.
const QUERY: &AsciiSet = SEGMENT;

/// Longest request line (`POST /a,b,c/_close?... HTTP/1.1`) a batch may produce: the default
/// `http.max_initial_line_length` of Elasticsearch and OpenSearch is 4 KiB.
pub const MAX_REQUEST_LINE: usize = 4096;
/// Room left in each request line for a proxy path prefix.
const PREFIX_ALLOWANCE: usize = 256;

/// Requests for `names`, as few as fit, each with the names it carries: `build` makes one
/// request naming a batch in one path segment, and each request line stays within
/// [`MAX_REQUEST_LINE`].
pub fn line_batches<E>(names: &[String], build: &dyn Fn(&[String]) -> Result<Request, E>) -> Result<Vec<(Vec<String>, Request)>, E> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    // The request line is the fixed part (method, path around the names, ` HTTP/1.1`) plus the
    // encoded names and their commas: grow batches by length instead of rebuilding each candidate.
    let probe = build(&names[..1])?;
    let encoded = |n: &str| encode_segment(n).len();
    let fixed = probe.method.as_str().len() + 1 + probe.path.len() - encoded(&names[0]) + " HTTP/1.1".len() + PREFIX_ALLOWANCE;
    let mut out = Vec::new();
    let mut batch: Vec<String> = Vec::new();
    let mut len = fixed;
    for n in names {
        let add = encoded(n) + usize::from(!batch.is_empty());
        if !batch.is_empty() && len + add > MAX_REQUEST_LINE {
            let r = build(&batch)?;
            out.push((std::mem::take(&mut batch), r));
            len = fixed;
        }
        len += encoded(n) + usize::from(!batch.is_empty());
        batch.push(n.clone());
    }
    if !batch.is_empty() {
        let r = build(&batch)?;
        out.push((batch, r));
    }
    Ok(out)
}

/// Percent-encodes one path segment (a name or a comma-separated list of names).
pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

pub(crate) fn encode_query_value(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string()
}

pub fn decode_component(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}
