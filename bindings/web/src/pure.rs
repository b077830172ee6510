//! Functions that need no network: compatibility, decoding, the error catalogue.

use essnap::api::{DECODABLE, decode_named};
use essnap::compat::{Side, check_index, check_snapshot};
use essnap::error::catalogue;
use essnap::plan::{Rename, rename::Renamer};
use essnap::{ApiError, Response};
use essnap::json::FromJson;
use wasm_bindgen::prelude::*;

use crate::errors::{api_err, api_error_json, core_err, input_err, invalid};
use essnap::json::to_string as to_json;

#[derive(FromJson)]
#[json(rename_all = "camelCase")]
struct CompatQuery {
    cluster: Side,
    snapshot: Side,
    index: Option<String>,
    created: Option<Side>,
}

/// The verdict for restoring a snapshot (or one index of it) into a cluster (JSON).
#[wasm_bindgen(js_name = checkCompatibility)]
pub fn check_compatibility(query_json: &str) -> Result<String, JsValue> {
    let q: CompatQuery = essnap::json::from_str(query_json).map_err(|e| {
        invalid("query", e, "pass {cluster: {distribution, version}, snapshot: {distribution, version}, index?, created?}")
    })?;
    // A masked OpenSearch id says which product took the snapshot, whatever the caller assumed.
    let snapshot = Side::of_version(q.snapshot.distribution, q.snapshot.version.clone());
    let created = q.created.as_ref().map(|c| Side::of_version(snapshot.distribution, c.version.clone()));
    let v = match &q.index {
        Some(i) => check_index(&q.cluster, &snapshot, i, created.as_ref()),
        None => check_snapshot(&q.cluster, &snapshot),
    };
    Ok(to_json(&v))
}

fn response(status: u16, body: &[u8], headers_json: Option<String>) -> Result<Response, JsValue> {
    let headers: Vec<(String, String)> = match headers_json {
        Some(h) => essnap::json::from_str(&h).map_err(|e| invalid("headers", e, "pass an object of strings"))?,
        None => Vec::new(),
    };
    Ok(Response { status, headers, body: body.to_vec() })
}

/// Decodes a response body of the API `api` (a rest-api-spec name) into essnap's model (JSON).
#[wasm_bindgen(js_name = decodeResponse)]
pub fn decode_response(api: &str, status: u16, body: &[u8], headers_json: Option<String>) -> Result<String, JsValue> {
    let d = decode_named(api, &response(status, body, headers_json)?).map_err(|e| core_err(&e))?;
    Ok(to_json(&d))
}

/// The listed fields of a get-snapshots answer as columns (see essnap-web-listing).
#[wasm_bindgen(js_name = decodeSnapshotColumns)]
pub fn decode_snapshot_columns(status: u16, body: &[u8], headers_json: Option<String>) -> Result<js_sys::Object, JsValue> {
    essnap_web_listing::decode_snapshot_columns(&response(status, body, headers_json)?, api_err)
}

#[derive(FromJson)]
struct RenameQuery {
    names: Vec<String>,
    rename: Option<Rename>,
}

/// The target names a restore with `rename` gives `names`, computed as the planner and the
/// server do (Java `replaceAll`: every match, `$1` groups, `\$` a literal `$`), so a live preview
/// says what the restore will do. Throws `invalid_input` on a pattern or replacement it can't use.
#[wasm_bindgen(js_name = previewRename)]
pub fn preview_rename(query_json: &str) -> Result<String, JsValue> {
    let q: RenameQuery = essnap::json::from_str(query_json).map_err(|e| invalid("rename", e, "pass {names: [...], rename: {prefix} or {pattern, replacement}}"))?;
    let targets: Vec<String> = match &q.rename {
        None => q.names,
        Some(r) => {
            let renamer = Renamer::new(r).map_err(|e| input_err(&e))?;
            q.names.iter().map(|n| renamer.apply(n).map_err(|e| input_err(&e))).collect::<Result<_, _>>()?
        }
    };
    Ok(to_json(&targets))
}

/// The essnap error for an error answer (JSON of the error fields), whatever its status.
#[wasm_bindgen(js_name = explainError)]
pub fn explain_error(status: u16, body: &[u8], headers_json: Option<String>) -> Result<String, JsValue> {
    let e = ApiError::from_response(&response(status, body, headers_json)?);
    Ok(to_json(&api_error_json(&e)))
}

/// Every error code with its hint, retry advice and the server codes behind it (JSON).
#[wasm_bindgen(js_name = errorCatalogue)]
pub fn error_catalogue() -> Result<String, JsValue> {
    Ok(to_json(&catalogue()))
}

/// The API names `decodeResponse` understands (JSON array).
#[wasm_bindgen(js_name = decodableApis)]
pub fn decodable_apis() -> Result<String, JsValue> {
    Ok(to_json(&DECODABLE))
}
