//! HTTP through gloo-net: a [`Conn`] prepares a core [`Request`] (URL + auth headers) and sends
//! it with a per-request timeout and the caller's `AbortSignal`. The answer is kept as bytes in a
//! [`Reply`] that the machines and decoders consume without crossing into JS.

use std::cell::Cell;
use std::rc::Rc;

use essnap::machine::{TransportError, TransportErrorKind};
use essnap::ece::EceConnection;
use essnap::{Connection, Credentials, Request, Response, Secret};
use gloo_net::http::{Headers, RequestBuilder};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::errors::{input_err, invalid, transport_error_json};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &web_sys::Request) -> js_sys::Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A request the core built, not yet sent.
#[wasm_bindgen]
pub struct Req(pub(crate) Request);

#[wasm_bindgen]
impl Req {
    /// The rest-api-spec name (`snapshot.get`).
    #[wasm_bindgen(getter)]
    pub fn api(&self) -> String {
        self.0.api.to_string()
    }
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.0.method.as_str().to_string()
    }
    #[wasm_bindgen(getter)]
    pub fn path(&self) -> String {
        self.0.path.clone()
    }
}

/// What came back: a response (any status) or a transport failure.
#[wasm_bindgen]
pub struct Reply(pub(crate) Result<Response, TransportError>);

#[wasm_bindgen]
impl Reply {
    /// The reply to a request that was not sent because the caller had already cancelled.
    pub fn aborted() -> Reply {
        Reply(Err(TransportError::new(TransportErrorKind::Aborted, "the operation was cancelled (AbortSignal)")))
    }
    /// HTTP status, or 0 for a transport failure.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.0.as_ref().map_or(0, |r| r.status)
    }
    /// The error as JSON (transport failure or non-2xx answer), or `undefined`.
    #[wasm_bindgen(js_name = errorJson)]
    pub fn error_json(&self) -> Option<String> {
        match &self.0 {
            Err(t) => Some(essnap::json::to_string(&transport_error_json(t))),
            Ok(r) if !r.is_success() => Some(essnap::json::to_string(&crate::errors::api_error_json(&essnap::ApiError::from_response(r)))),
            Ok(_) => None,
        }
    }
}

/// A cluster connection: base URL, credentials, extra headers, per-request timeout.
#[wasm_bindgen]
pub struct Conn {
    conn: Connection,
    timeout_ms: u32,
}

#[wasm_bindgen]
impl Conn {
    /// `headers_json`: `[[name, value], ...]`. Credentials in the URL become a Basic header;
    /// `username`/`password` or `api_key` replace them.
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: &str,
        username: Option<String>,
        password: Option<String>,
        api_key: Option<String>,
        headers_json: Option<String>,
        timeout_ms: u32,
    ) -> Result<Conn, JsValue> {
        let mut conn = Connection::parse(url).map_err(|e| input_err(&e))?;
        if let Some(user) = username.filter(|u| !u.is_empty()) {
            conn = conn.with_credentials(Credentials::Basic { username: user, password: Secret::new(password.unwrap_or_default()) });
        } else if password.is_some() {
            return Err(invalid("username", "a password was given without a user name", "pass username with password, or put both in the URL"));
        }
        if let Some(k) = api_key {
            conn = conn.with_credentials(Credentials::api_key(&k).map_err(|e| input_err(&e))?);
        }
        if let Some(h) = headers_json {
            let pairs: Vec<(String, String)> =
                essnap::json::from_slice(h.as_bytes()).map_err(|e| invalid("headers", e, "pass headers as an object of strings"))?;
            for (k, v) in &pairs {
                if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)) {
                    return Err(invalid("headers", format!("`{k}` is not a valid header name"), "use letters, digits and -"));
                }
                if v.chars().any(|c| c == '\r' || c == '\n') {
                    return Err(invalid("headers", format!("the value of `{k}` contains a line break"), "remove line breaks"));
                }
            }
            conn.headers = pairs;
        }
        Ok(Conn { conn, timeout_ms })
    }

    /// An ECE (Elastic Cloud Enterprise) API endpoint: the port defaults to the scheme's, a
    /// trailing `/api/v1` is accepted, and an ECE API key is sent as given (`ApiKey <key>`).
    pub fn ece(url: &str, username: Option<String>, password: Option<String>, api_key: Option<String>, timeout_ms: u32) -> Result<Conn, JsValue> {
        let mut ece = EceConnection::parse(url).map_err(|e| input_err(&e))?;
        match (api_key, username.filter(|u| !u.is_empty())) {
            (Some(k), _) => ece = ece.with_api_key(&k).map_err(|e| input_err(&e))?,
            (None, Some(u)) => ece = ece.with_user(&u, Secret::new(password.unwrap_or_default())).map_err(|e| input_err(&e))?,
            (None, None) if password.is_some() => {
                return Err(invalid("username", "a password was given without an ECE user", "pass username with password, or an apiKey"));
            }
            (None, None) => {}
        }
        Ok(Conn { conn: ece.connection().clone(), timeout_ms })
    }

    /// `scheme://host:port/prefix`, never with credentials.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.conn.base_url()
    }

    /// Sends `req`; resolves to a [`Reply`] (never rejects). `signal` cancels it.
    pub fn send(&self, req: &Req, signal: Option<AbortSignal>) -> js_sys::Promise {
        let prepared = self.conn.prepare(&req.0);
        let timeout_ms = self.timeout_ms;
        wasm_bindgen_futures::future_to_promise(async move {
            let reply = fetch(prepared, timeout_ms, signal).await;
            Ok(Reply(reply).into())
        })
    }
}

/// The page's origin in a browser (`None` in Node and workers without `location`).
pub fn page_origin() -> Option<String> {
    let global = js_sys::global();
    if js_sys::Reflect::get(&global, &"document".into()).ok().is_none_or(|d| d.is_undefined()) {
        return None;
    }
    let loc = js_sys::Reflect::get(&global, &"location".into()).ok()?;
    js_sys::Reflect::get(&loc, &"origin".into()).ok()?.as_string()
}

fn origin_of(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    let end = url[after..].find('/').map_or(url.len(), |i| after + i);
    &url[..end]
}

/// Reads a property chain as a string (`cause.code`).
fn prop(v: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(v, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// The error code Node's fetch (undici) puts on `cause` (or on the first of an AggregateError).
fn node_code(err: &JsValue) -> Option<String> {
    let cause = prop(err, "cause")?;
    prop(&cause, "code").and_then(|c| c.as_string()).or_else(|| {
        let errors = prop(&cause, "errors")?;
        let first = js_sys::Reflect::get_u32(&errors, 0).ok()?;
        prop(&first, "code").and_then(|c| c.as_string())
    })
}

fn message_of(err: &JsValue) -> String {
    let m = prop(err, "message").and_then(|m| m.as_string()).unwrap_or_else(|| "fetch failed".into());
    match prop(err, "cause").and_then(|c| prop(&c, "message")).and_then(|m| m.as_string()) {
        Some(c) if !c.is_empty() => format!("{m}: {c}"),
        _ => m,
    }
}

fn classify(err: &JsValue, url: &str, user_aborted: bool, timed_out: bool, timeout_ms: u32, reading: bool) -> TransportError {
    use TransportErrorKind as K;
    if user_aborted {
        return TransportError::new(K::Aborted, "the operation was cancelled (AbortSignal)");
    }
    if timed_out {
        return TransportError::new(K::Timeout, format!("no answer from {} within {timeout_ms} ms", origin_of(url)));
    }
    let msg = message_of(err);
    if reading {
        return TransportError::new(K::Dropped, format!("the connection closed while reading the answer from {}: {msg}", origin_of(url)));
    }
    if let Some(code) = node_code(err) {
        let kind = match code.as_str() {
            "ECONNREFUSED" | "ENOTFOUND" | "EAI_AGAIN" | "EHOSTUNREACH" | "ENETUNREACH" | "EADDRNOTAVAIL" | "UND_ERR_CONNECT_TIMEOUT" => K::Connect,
            "UND_ERR_SOCKET" | "ECONNRESET" | "EPIPE" | "UND_ERR_CLOSED" | "ECONNABORTED" => K::Dropped,
            "UND_ERR_HEADERS_TIMEOUT" | "UND_ERR_BODY_TIMEOUT" | "ETIMEDOUT" => K::Timeout,
            c if c.contains("CERT") || c.contains("TLS") || c.contains("SSL") || c.contains("SELF_SIGNED") || c.starts_with("UNABLE_TO") => K::Tls,
            _ => K::Other,
        };
        return TransportError::new(kind, format!("{msg} ({code}) for {}", origin_of(url)));
    }
    let is_type_error = prop(err, "name").and_then(|n| n.as_string()).is_some_and(|n| n == "TypeError");
    if is_type_error {
        if let Some(origin) = page_origin() {
            if origin_of(url) != origin {
                return TransportError::new(
                    K::Cors,
                    format!(
                        "the browser blocked the request from {origin} to {} (CORS), or the cluster is unreachable: {msg}",
                        origin_of(url)
                    ),
                );
            }
            return TransportError::new(K::Connect, format!("could not reach {}: {msg}", origin_of(url)));
        }
    }
    TransportError::new(K::Other, format!("{msg} ({})", origin_of(url)))
}

/// `x-management-request` → `X-Management-Request`, as CORS settings are usually written.
fn header_case(name: &str) -> String {
    // Header names are ASCII tokens: ASCII case mapping (no Unicode tables in the wasm).
    let mut out = String::with_capacity(name.len());
    let mut start = true;
    for c in name.chars() {
        out.push(if start { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
        start = c == '-';
    }
    out
}

/// Aborts the per-request controller when the caller's signal fires; removed on drop.
struct Link {
    signal: AbortSignal,
    listener: Closure<dyn FnMut()>,
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = self.signal.remove_event_listener_with_callback("abort", self.listener.as_ref().unchecked_ref());
    }
}

struct Timer {
    id: JsValue,
    _cb: Closure<dyn FnMut()>,
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

async fn fetch(p: essnap::PreparedRequest, timeout_ms: u32, signal: Option<AbortSignal>) -> Result<Response, TransportError> {
    if signal.as_ref().is_some_and(|s| s.aborted()) {
        return Err(TransportError::new(TransportErrorKind::Aborted, "the operation was cancelled (AbortSignal)"));
    }
    let other = |e: JsValue| TransportError::new(TransportErrorKind::Other, format!("could not build the request: {}", message_of(&e)));
    let ctrl = AbortController::new().map_err(other)?;
    let _link = match &signal {
        Some(s) => {
            let c = ctrl.clone();
            let listener = Closure::<dyn FnMut()>::new(move || c.abort());
            s.add_event_listener_with_callback("abort", listener.as_ref().unchecked_ref()).map_err(other)?;
            Some(Link { signal: s.clone(), listener })
        }
        None => None,
    };
    let timed_out = Rc::new(Cell::new(false));
    let _timer = (timeout_ms > 0).then(|| {
        let (c, t) = (ctrl.clone(), timed_out.clone());
        let cb = Closure::<dyn FnMut()>::new(move || {
            t.set(true);
            c.abort();
        });
        Timer { id: set_timeout(cb.as_ref().unchecked_ref(), timeout_ms as f64), _cb: cb }
    });
    let aborted = || signal.as_ref().is_some_and(|s| s.aborted());

    let headers = Headers::new();
    for (k, v) in &p.headers {
        headers.set(k, v);
    }
    let builder = RequestBuilder::new(&p.url).method(to_http_method(p.method)).headers(headers).abort_signal(Some(&ctrl.signal()));
    let built = match &p.body {
        Some(b) => builder.body(js_sys::Uint8Array::from(b.as_slice())),
        None => builder.build(),
    };
    let req: web_sys::Request = built
        .map_err(|e| TransportError::new(TransportErrorKind::Other, format!("could not build the request: {e}")))?
        .into();
    let resp = match JsFuture::from(global_fetch(&req)).await {
        Ok(r) => gloo_net::http::Response::from(r.unchecked_into::<web_sys::Response>()),
        Err(e) => {
            let mut t = classify(&e, &p.url, aborted(), timed_out.get(), timeout_ms, false);
            if t.kind == TransportErrorKind::Cors {
                // The preflight must allow every header this request carries (ECE's proxy calls
                // send X-Management-Request): say which.
                let names: Vec<String> = p.headers.iter().map(|(k, _)| header_case(k)).collect();
                t.message = format!("{}; the request sends the headers {}, which http.cors.allow-headers must list", t.message, names.join(", "));
            }
            return Err(t);
        }
    };
    let status = resp.status();
    let mut out_headers = Vec::new();
    for (k, v) in resp.headers().entries() {
        out_headers.push((k, v));
    }
    // Bytes, never a JS string (see perf-notes): arrayBuffer → Uint8Array → wasm memory.
    let body = match resp.binary().await {
        Ok(b) => b,
        Err(e) => {
            let js = JsValue::from_str(&e.to_string());
            return Err(classify(&js, &p.url, aborted(), timed_out.get(), timeout_ms, true));
        }
    };
    Ok(Response { status, headers: out_headers, body })
}

fn to_http_method(m: essnap::Method) -> gloo_net::http::Method {
    use gloo_net::http::Method as H;
    match m {
        essnap::Method::Get => H::GET,
        essnap::Method::Head => H::HEAD,
        essnap::Method::Put => H::PUT,
        essnap::Method::Post => H::POST,
        essnap::Method::Delete => H::DELETE,
    }
}
