//! A listing decode of a get-snapshots answer: only the fields a snapshot list shows, streamed
//! into columns with borrowed strings and skipped subtrees. For hosts where building one object
//! per snapshot is the cost (JavaScript: see ../shared/perf-notes.md), not a second model: the
//! full [`GetSnapshotsResponse`](super::GetSnapshotsResponse) stays the one for planning.
//!
//! Lenient like the model: numbers as strings, missing fields, the 7.6–7.13 `responses[]` shape,
//! and 7.14+ repository `failures` inside a 200 (an error, as for the model).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::request::Response;

/// Strings with few distinct values (states, versions), stored once.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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
    /// `#[inline]` makes the decoder (and the serde_json code it instantiates) compile in the
    /// calling crate, so a host can build this hot path for speed and the rest for size (the web
    /// package calls it from essnap-web-listing, built with `opt-level = 3`).
    #[inline]
    pub fn from_response(resp: &Response) -> Result<Self, ApiError> {
        if !resp.is_success() {
            return Err(ApiError::from_response(resp));
        }
        let mut out = SnapshotColumns::default();
        let mut failures = None;
        let mut de = serde_json::Deserializer::from_slice(&resp.body);
        Body { out: &mut out, failures: &mut failures }
            .deserialize(&mut de)
            .and_then(|()| de.end())
            .map_err(|e| ApiError::invalid_response("snapshot.get", resp.status, e, &resp.body))?;
        if let Some(f) = failures.filter(|f: &serde_json::Map<_, _>| !f.is_empty())
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

/// A number, or a string holding one, or absent (NaN). Visitor-based: no buffering.
struct Num(f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a string holding one")
            }
            fn visit_u64<E>(self, n: u64) -> Result<Num, E> {
                Ok(Num(n as f64))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Num, E> {
                Ok(Num(n as f64))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Num, E> {
                Ok(Num(n))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Num, E> {
                s.trim().parse::<f64>().map(Num).map_err(|_| E::custom(format!("expected a number, got `{s}`")))
            }
            fn visit_unit<E>(self) -> Result<Num, E> {
                Ok(Num(f64::NAN))
            }
            fn visit_none<E>(self) -> Result<Num, E> {
                Ok(Num(f64::NAN))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string that borrows from the body unless it had escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
            // Lenient: a number where a string belongs (a version sent as 8505000).
            fn visit_u64<E>(self, n: u64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(n.to_string())))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(n.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// The length of an array without keeping its items (absent or null: 0).
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
            fn visit_unit<E>(self) -> Result<Count, E> {
                Ok(Count(0))
            }
        }
        d.deserialize_any(V)
    }
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

impl<'de> Deserialize<'de> for Shards {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shards;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a shards object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shards, A::Error> {
                // Inside a present `shards`, a missing count is 0 (as in the model).
                let mut s = Shards { total: 0.0, failed: 0.0, successful: 0.0 };
                while let Some(k) = map.next_key::<Text<'de>>()? {
                    match k.0.as_ref() {
                        "total" => s.total = map.next_value::<Num>()?.0,
                        "failed" => s.failed = map.next_value::<Num>()?.0,
                        "successful" => s.successful = map.next_value::<Num>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(s)
            }
            fn visit_unit<E>(self) -> Result<Shards, E> {
                Ok(Shards::default())
            }
        }
        d.deserialize_any(V)
    }
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

fn opt_text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Cow<'de, str>>, A::Error> {
    Ok(map.next_value::<Option<Text<'de>>>()?.map(|t| t.0))
}

/// What an array holds: snapshots, or (7.6–7.13) per-repository answers holding snapshots.
#[derive(Clone, Copy)]
enum Items {
    Snapshots,
    RepositoryAnswers,
}

/// Appends what each element of an array holds to the columns (`null`: nothing).
struct Each<'o>(&'o mut SnapshotColumns, Items);

impl<'de> DeserializeSeed<'de> for Each<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Each<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self.1 {
            Items::Snapshots => "an array of snapshots",
            Items::RepositoryAnswers => "an array of per-repository answers",
        })
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let more = match self.1 {
                Items::Snapshots => seq.next_element_seed(OneSnapshot(&mut *self.0))?,
                Items::RepositoryAnswers => seq.next_element_seed(RepositoryAnswer(&mut *self.0))?,
            };
            if more.is_none() {
                return Ok(());
            }
        }
    }
}

struct OneSnapshot<'o>(&'o mut SnapshotColumns);

impl<'de> DeserializeSeed<'de> for OneSnapshot<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OneSnapshot<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a snapshot object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut r = Row {
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
        while let Some(k) = map.next_key::<Text<'de>>()? {
            match k.0.as_ref() {
                "snapshot" => r.snapshot = opt_text(&mut map)?,
                "uuid" => r.uuid = opt_text(&mut map)?,
                "state" => r.state = opt_text(&mut map)?,
                "version" => r.version = opt_text(&mut map)?,
                "version_id" => r.version_id = map.next_value::<Num>()?.0,
                "start_time_in_millis" => r.start = map.next_value::<Num>()?.0,
                "end_time_in_millis" => r.end = map.next_value::<Num>()?.0,
                "duration_in_millis" => r.duration = map.next_value::<Num>()?.0,
                "indices" => r.indices = map.next_value::<Count>()?.0,
                "data_streams" => r.data_streams = map.next_value::<Count>()?.0,
                "failures" => r.failures = map.next_value::<Count>()?.0,
                "shards" => r.shards = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if r.snapshot.is_none() {
            return Err(de::Error::missing_field("snapshot"));
        }
        self.0.push(r);
        Ok(())
    }
}

/// The top level: `snapshots`, or 7.6–7.13 `responses[].snapshots`, and the page fields.
struct Body<'o> {
    out: &'o mut SnapshotColumns,
    failures: &'o mut Option<serde_json::Map<String, serde_json::Value>>,
}

impl<'de> DeserializeSeed<'de> for Body<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Body<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a get-snapshots answer")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<Text<'de>>()? {
            match k.0.as_ref() {
                "snapshots" => map.next_value_seed(Each(&mut *self.out, Items::Snapshots))?,
                "responses" => map.next_value_seed(Each(&mut *self.out, Items::RepositoryAnswers))?,
                "total" => self.out.total = finite(map.next_value::<Num>()?.0),
                "remaining" => self.out.remaining = finite(map.next_value::<Num>()?.0),
                "next" => self.out.next = opt_text(&mut map)?.map(Cow::into_owned),
                "failures" => *self.failures = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

fn finite(n: f64) -> Option<u64> {
    (n.is_finite() && n >= 0.0).then_some(n as u64)
}

/// 7.6–7.13: one element of `responses: [{repository, snapshots: [...]}, ...]`.
struct RepositoryAnswer<'o>(&'o mut SnapshotColumns);

impl<'de> DeserializeSeed<'de> for RepositoryAnswer<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RepositoryAnswer<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a per-repository answer")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<Text<'de>>()? {
            if k.0 == "snapshots" {
                map.next_value_seed(Each(&mut *self.0, Items::Snapshots))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}
