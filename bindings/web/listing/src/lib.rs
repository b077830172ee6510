//! `decodeSnapshotColumns`: the listed fields of a get-snapshots answer as columns — typed
//! arrays and one joined string per text column (sliced by UTF-16 offsets in JS) — so JS builds
//! rows without parsing the JSON body itself. `index.js`'s `decodeSnapshotList` turns it into
//! row objects.
//!
//! Its own crate so that this hot path alone is compiled with `opt-level = 3` (see the
//! workspace Cargo.toml): at the package's `opt-level = "z"` the same decode is about twice as
//! slow, and building the whole package for speed costs ~70 KiB gz.

use essnap::model::SnapshotColumns;
use essnap::model::listing::Dictionary;
use essnap::{ApiError, Response};
use wasm_bindgen::prelude::*;

/// An error answer or a body that is not a get-snapshots answer: the same error fields as the
/// package's other functions; `index.js` turns it into an EssnapError.
pub type ErrorToJs = fn(&ApiError) -> JsValue;

/// Decodes `response` into a JS object of columns (see the module doc).
pub fn decode_snapshot_columns(response: &Response, error: ErrorToJs) -> Result<js_sys::Object, JsValue> {
    let c = SnapshotColumns::from_response(response).map_err(|e| error(&e))?;
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &JsValue::from_str(k), &v).map(drop);
    let opt = |n: Option<u64>| n.map_or(JsValue::UNDEFINED, |n| JsValue::from_f64(n as f64));
    let dict = |d: &Dictionary| d.values.iter().map(|v| JsValue::from_str(v)).collect::<js_sys::Array>();
    set("len", JsValue::from_f64(c.len as f64))?;
    set("snapshot", JsValue::from_str(&c.snapshot.joined))?;
    set("snapshotEnds", js_sys::Uint32Array::from(&c.snapshot.ends[..]).into())?;
    set("uuid", JsValue::from_str(&c.uuid.joined))?;
    set("uuidEnds", js_sys::Uint32Array::from(&c.uuid.ends[..]).into())?;
    set("state", js_sys::Uint16Array::from(&c.state[..]).into())?;
    set("states", dict(&c.states).into())?;
    set("version", js_sys::Uint16Array::from(&c.version[..]).into())?;
    set("versions", dict(&c.versions).into())?;
    for (k, v) in [
        ("version_id", &c.version_id),
        ("start_time_in_millis", &c.start_time_in_millis),
        ("end_time_in_millis", &c.end_time_in_millis),
        ("duration_in_millis", &c.duration_in_millis),
        ("index_count", &c.index_count),
        ("data_stream_count", &c.data_stream_count),
        ("failure_count", &c.failure_count),
        ("shards_total", &c.shards_total),
        ("shards_failed", &c.shards_failed),
        ("shards_successful", &c.shards_successful),
    ] {
        set(k, js_sys::Float64Array::from(&v[..]).into())?;
    }
    set("total", opt(c.total))?;
    set("remaining", opt(c.remaining))?;
    set("next", c.next.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str))?;
    Ok(o)
}
