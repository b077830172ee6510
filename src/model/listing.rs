//! A listing decode of a get-snapshots answer: only the fields a snapshot list shows, streamed
//! into columns with borrowed strings and skipped subtrees. For hosts where building one object
//! per snapshot is the cost (JavaScript: see ../shared/perf-notes.md), not a second model: the
//! full [`GetSnapshotsResponse`](super::GetSnapshotsResponse) stays the one for planning.
//!
//! Lenient like the model: numbers as strings, missing fields, the 7.6–7.13 `responses[]` shape,
//! and 7.14+ repository `failures` inside a 200 (an error, as for the model).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::json::{FromJson, JsonError, Kind, Num, Reader, ToJson};

use crate::error::ApiError;
use crate::request::Response;

/// Strings with few distinct values (states, versions), stored once.
#[derive(Clone, Debug, Default, PartialEq, ToJson)]
pub struct Dictionary {
    /// `values[code - 1]`; code 0 means absent.
    pub values: Vec<String>,
}

impl Dictionary {
    fn code(&mut self, s: &str) -> u16 {
        if let Some(i) = self.values.iter().position(|v| v == s) {
            return i as u16 + 1;
        }
        // Thousands of distinct "states" would be a broken cluster; cap the table, keep the last.
        if self.values.len() < u16::MAX as usize - 1 {
            self.values.push(s.to_string());
        }
        self.values.len() as u16
    }

    pub fn get(&self, code: u16) -> Option<&str> {
        code.checked_sub(1).and_then(|i| self.values.get(i as usize)).map(String::as_str)
    }
}

/// Strings of one column joined; `ends[i]` is where string `i` ends, counted in UTF-16 units so a
/// JavaScript host can `slice` the joined string without decoding each one.
#[derive(Clone, Debug, Default, PartialEq, ToJson)]
pub struct StringColumn {
    pub joined: String,
    pub ends: Vec<u32>,
    utf16_len: u32,
}

impl StringColumn {
    fn push(&mut self, s: &str) {
        self.joined.push_str(s);
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        self.utf16_len = self.utf16_len.saturating_add(units as u32);
        self.ends.push(self.utf16_len);
    }

    /// String `i` (for Rust callers; JS slices `joined` by `ends`).
    pub fn get(&self, i: usize) -> Option<String> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let units: Vec<u16> = self.joined.encode_utf16().skip(start).take(end - start).collect();
        String::from_utf16(&units).ok()
    }
}

/// One row per snapshot, in answer order. Numbers are `f64` with NaN for "absent" (what a JS
/// `Float64Array` carries), counts are exact up to 2^53.
#[derive(Clone, Debug, Default, PartialEq, ToJson)]
pub struct SnapshotColumns {
    pub len: usize,
    pub snapshot: StringColumn,
    pub uuid: StringColumn,
    /// Code into `states` (0 = absent).
    pub state: Vec<u16>,
    pub states: Dictionary,
    /// Code into `versions` (0 = absent).
    pub version: Vec<u16>,
    pub versions: Dictionary,
    pub version_id: Vec<f64>,
    pub start_time_in_millis: Vec<f64>,
    pub end_time_in_millis: Vec<f64>,
    pub duration_in_millis: Vec<f64>,
    /// Length of `indices` (0 when absent, e.g. verbose=false on some versions).
    pub index_count: Vec<f64>,
    pub data_stream_count: Vec<f64>,
    pub failure_count: Vec<f64>,
    pub shards_total: Vec<f64>,
    pub shards_failed: Vec<f64>,
    pub shards_successful: Vec<f64>,
    /// Matching snapshots in all pages (7.14+).
    pub total: Option<u64>,
    /// Snapshots after this page (7.14+).
    pub remaining: Option<u64>,
    /// Cursor for the next page.
    pub next: Option<String>,
}

impl SnapshotColumns {
    /// Decodes a get-snapshots answer; any error answer (including a repository failure inside
    /// a 200) is the same [`ApiError`] the full model gives.
    ///
    ///
    /// `#[inline]`, as are the reader's methods: the decode then compiles in the calling crate, so
    /// a host can build this hot path for speed and the rest for size (the web package calls it
    /// from essnap-web-listing, built with `opt-level = 3`).
    #[inline]
    pub fn from_response(resp: &Response) -> Result<Self, ApiError> {
        if !resp.is_success() {
            return Err(ApiError::from_response(resp));
        }
        let mut out = SnapshotColumns::default();
        let mut failures = None;
        let mut r = Reader::new(&resp.body);
        body(&mut r, &mut out, &mut failures)
            .and_then(|()| r.end())
            .map_err(|e| ApiError::invalid_response("snapshot.get", resp.status, e, &resp.body))?;
        if let Some(f) = failures.filter(|f: &Map<String, Value>| !f.is_empty())
            && out.len == 0
        {
            let repo = f.keys().next().cloned().unwrap_or_default();
            let model = super::GetSnapshotsResponse { failures: Some(f), ..Default::default() };
            if let Some(e) = model.repository_failure(&repo) {
                return Err(e);
            }
        }
        Ok(out)
    }

    fn push(&mut self, r: Row<'_>) {
        self.len += 1;
        self.snapshot.push(r.snapshot.as_deref().unwrap_or(""));
        self.uuid.push(r.uuid.as_deref().unwrap_or(""));
        // The state as the model spells it (known states normalized, newer ones verbatim).
        let state = r.state.as_deref().map_or(0, |s| self.states.code(super::SnapshotState::parse(s).as_str()));
        self.state.push(state);
        let version = r.version.as_deref().map_or(0, |v| self.versions.code(v));
        self.version.push(version);
        self.version_id.push(r.version_id);
        self.start_time_in_millis.push(r.start);
        self.end_time_in_millis.push(r.end);
        self.duration_in_millis.push(r.duration);
        self.index_count.push(r.indices as f64);
        self.data_stream_count.push(r.data_streams as f64);
        self.failure_count.push(r.failures as f64);
        self.shards_total.push(r.shards.total);
        self.shards_failed.push(r.shards.failed);
        self.shards_successful.push(r.shards.successful);
    }
}

/// A number, or a string holding one; null is absent (NaN).
#[inline]
fn num(r: &mut Reader<'_>) -> Result<f64, JsonError> {
    match r.fast_kind() {
        Some(Kind::Null) => r.fast_null().map(|()| f64::NAN),
        Some(Kind::String) => {
            let s = r.fast_str()?;
            crate::json::float::parse(s.trim()).ok_or_else(|| r.error(format!("expected a number, got `{s}`")))
        }
        _ => r.fast_number().map(Num::as_f64),
    }
}

/// A string borrowed from the body unless it had escapes; lenient: a number where a string
/// belongs (a version sent as 8505000) is its digits; null is absent.
#[inline]
fn text<'a>(r: &mut Reader<'a>) -> Result<Option<Cow<'a, str>>, JsonError> {
    match r.fast_kind() {
        Some(Kind::Null) => r.fast_null().map(|()| None),
        Some(Kind::Number) => match r.fast_number()? {
            Num::U(n) => Ok(Some(Cow::Owned(n.to_string()))),
            Num::I(n) => Ok(Some(Cow::Owned(n.to_string()))),
            Num::F(_) => Err(r.error("expected a string, found a fractional number")),
        },
        _ => r.fast_str().map(Some),
    }
}

/// The length of an array without keeping its items (null: 0).
#[inline]
fn count(r: &mut Reader<'_>) -> Result<usize, JsonError> {
    if r.fast_take_null()? {
        return Ok(0);
    }
    let mut n = 0;
    r.fast_array_items(&mut |r| {
        n += 1;
        r.fast_skip()
    })?;
    Ok(n)
}

#[derive(Clone, Copy)]
struct Shards {
    total: f64,
    failed: f64,
    successful: f64,
}

impl Default for Shards {
    fn default() -> Self {
        Shards { total: f64::NAN, failed: f64::NAN, successful: f64::NAN }
    }
}

#[inline]
fn shards(r: &mut Reader<'_>) -> Result<Shards, JsonError> {
    if r.fast_take_null()? {
        return Ok(Shards::default());
    }
    // Inside a present `shards`, a missing count is 0 (as in the model).
    let mut s = Shards { total: 0.0, failed: 0.0, successful: 0.0 };
    r.fast_object_fields(&mut |r, k| {
        match k {
            "total" => s.total = num(r)?,
            "failed" => s.failed = num(r)?,
            "successful" => s.successful = num(r)?,
            _ => r.fast_skip()?,
        }
        Ok(())
    })?;
    Ok(s)
}

/// One snapshot's listed fields, borrowed from the body while it is decoded.
struct Row<'a> {
    snapshot: Option<Cow<'a, str>>,
    uuid: Option<Cow<'a, str>>,
    state: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    version_id: f64,
    start: f64,
    end: f64,
    duration: f64,
    indices: usize,
    data_streams: usize,
    failures: usize,
    shards: Shards,
}

/// Appends each snapshot of an array to the columns (null: nothing).
#[inline]
fn snapshots(r: &mut Reader<'_>, out: &mut SnapshotColumns) -> Result<(), JsonError> {
    if r.fast_take_null()? {
        return Ok(());
    }
    r.fast_array_items(&mut |r| one_snapshot(r, out))
}

#[inline]
fn one_snapshot(r: &mut Reader<'_>, out: &mut SnapshotColumns) -> Result<(), JsonError> {
    let mut row = Row {
        snapshot: None,
        uuid: None,
        state: None,
        version: None,
        version_id: f64::NAN,
        start: f64::NAN,
        end: f64::NAN,
        duration: f64::NAN,
        indices: 0,
        data_streams: 0,
        failures: 0,
        shards: Shards::default(),
    };
    r.fast_object_fields(&mut |r, k| {
        match k {
            "snapshot" => row.snapshot = text(r)?,
            "uuid" => row.uuid = text(r)?,
            "state" => row.state = text(r)?,
            "version" => row.version = text(r)?,
            "version_id" => row.version_id = num(r)?,
            "start_time_in_millis" => row.start = num(r)?,
            "end_time_in_millis" => row.end = num(r)?,
            "duration_in_millis" => row.duration = num(r)?,
            "indices" => row.indices = count(r)?,
            "data_streams" => row.data_streams = count(r)?,
            "failures" => row.failures = count(r)?,
            "shards" => row.shards = shards(r)?,
            _ => r.fast_skip()?,
        }
        Ok(())
    })?;
    if row.snapshot.is_none() {
        return Err(r.error("missing field `snapshot`"));
    }
    out.push(row);
    Ok(())
}

/// The top level: `snapshots`, or 7.6–7.13 `responses[].snapshots`, and the page fields.
#[inline]
fn body(r: &mut Reader<'_>, out: &mut SnapshotColumns, failures: &mut Option<Map<String, Value>>) -> Result<(), JsonError> {
    r.fast_object_fields(&mut |r, k| {
        match k {
            "snapshots" => snapshots(r, out)?,
            "responses" => {
                if !r.fast_take_null()? {
                    // 7.6–7.13: `responses: [{repository, snapshots: [...]}, ...]`.
                    r.fast_array_items(&mut |r| {
                        r.fast_object_fields(&mut |r, k| if k == "snapshots" { snapshots(r, out) } else { r.fast_skip() })
                    })?;
                }
            }
            "total" => out.total = finite(num(r)?),
            "remaining" => out.remaining = finite(num(r)?),
            "next" => out.next = text(r)?.map(Cow::into_owned),
            "failures" => *failures = FromJson::read_json(r)?,
            _ => r.fast_skip()?,
        }
        Ok(())
    })
}

#[inline]
fn finite(n: f64) -> Option<u64> {
    (n.is_finite() && n >= 0.0).then_some(n as u64)
}
