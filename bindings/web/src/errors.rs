//! Errors as JSON for the JS wrapper, and the panic hook.

use std::cell::RefCell;

use essnap::machine::{TransportError, TransportErrorKind};
use essnap::{ApiError, InputError};
use essnap::json::ToJson;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

thread_local! {
    static PANIC_HANDLER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let text = format!("{payload}{at}");
        PANIC_HANDLER.with(|h| {
            if let Ok(h) = h.try_borrow() {
                if let Some(f) = h.as_ref() {
                    let _ = f.call1(&JsValue::NULL, &JsValue::from_str(&text));
                }
            }
        });
    }));
}

/// Registers the function told about panics (before the wasm instance traps).
#[wasm_bindgen(js_name = setPanicHandler)]
pub fn set_panic_handler(f: js_sys::Function) {
    PANIC_HANDLER.with(|h| *h.borrow_mut() = Some(f));
}

/// Panics on purpose: lets the package's tests prove that panics become `EssnapError`s.
#[wasm_bindgen(js_name = testPanic)]
pub fn test_panic(message: &str) {
    panic!("{message}");
}

/// An [`ApiError`] as the wrapper's error fields.
pub fn api_error_json(e: &ApiError) -> Value {
    object(&[
        ("code", &e.code.as_str()),
        ("message", &e.message),
        ("hint", &e.hint()),
        ("retry", &e.retry()),
        ("retrySafe", &e.is_retryable()),
        ("status", &e.status),
        ("serverType", &e.server_type),
        ("causedBy", &e.caused_by),
        ("rootCauses", &e.root_causes),
        ("index", &e.index),
        ("sourceCodes", &e.source_codes),
    ])
}

pub fn input_error_json(e: &InputError) -> Value {
    object(&[
        ("code", &"invalid_input"),
        ("message", &format!("invalid {}: {}", e.field, e.problem)),
        ("hint", &e.hint),
        ("retry", &"no"),
        ("retrySafe", &false),
        ("field", &e.field),
    ])
}

/// A JSON object from named values.
pub fn object(fields: &[(&str, &dyn ToJson)]) -> Value {
    let mut m = Map::new();
    for (k, v) in fields {
        m.insert(k.to_string(), essnap::json::to_value(*v));
    }
    Value::Object(m)
}

/// A transport failure; CORS gets a hint naming this page's origin.
pub fn transport_error_json(t: &TransportError) -> Value {
    let mut v = api_error_json(&t.to_api_error());
    if t.kind == TransportErrorKind::Cors {
        let origin = crate::transport::page_origin().unwrap_or_else(|| "this page's origin".into());
        v["hint"] = Value::String(format!(
            "enable CORS on the cluster (elasticsearch.yml / opensearch.yml): http.cors.enabled: true, \
             http.cors.allow-origin: \"{origin}\", http.cors.allow-headers: \"Authorization, Content-Type, X-Requested-With\" \
             plus any other header the message names (Authorization is needed for credentials); or put the page and \
             the cluster behind one origin"
        ));
    }
    v["transport"] = essnap::json::to_value(&t.kind);
    v
}

/// A JS `Error` the wrapper recognises: name `EssnapRawError`, message = the error's JSON.
pub fn raw(v: Value) -> JsValue {
    let e = js_sys::Error::new(&essnap::json::to_string(&v));
    e.set_name("EssnapRawError");
    e.into()
}

pub fn api_err(e: &ApiError) -> JsValue {
    raw(api_error_json(e))
}

pub fn input_err(e: &InputError) -> JsValue {
    raw(input_error_json(e))
}

pub fn invalid(field: &str, problem: impl std::fmt::Display, hint: &str) -> JsValue {
    input_err(&InputError::new(field, problem.to_string(), hint))
}

pub fn core_err(e: &essnap::error::Error) -> JsValue {
    match e {
        essnap::error::Error::Input(i) => input_err(i),
        essnap::error::Error::Api(a) => api_err(a),
    }
}
