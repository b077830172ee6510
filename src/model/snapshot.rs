//! Snapshot listings, create and restore answers.

use std::fmt;

use crate::json::{FromJson, JsonError, Reader, ToJson, Writer};
use serde_json::{Map, Value};

use crate::dialect::Distribution;
use crate::lenient;
use crate::version::Version;

/// A snapshot's state. States a newer server may add are kept verbatim in `Other`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SnapshotState {
    InProgress,
    Success,
    Partial,
    Failed,
    Incompatible,
    Other(String),
}

impl SnapshotState {
    pub fn as_str(&self) -> &str {
        match self {
            SnapshotState::InProgress => "IN_PROGRESS",
            SnapshotState::Success => "SUCCESS",
            SnapshotState::Partial => "PARTIAL",
            SnapshotState::Failed => "FAILED",
            SnapshotState::Incompatible => "INCOMPATIBLE",
            SnapshotState::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "IN_PROGRESS" | "STARTED" | "INIT" => SnapshotState::InProgress,
            "SUCCESS" => SnapshotState::Success,
            "PARTIAL" => SnapshotState::Partial,
            "FAILED" | "ABORTED" => SnapshotState::Failed,
            "INCOMPATIBLE" => SnapshotState::Incompatible,
            other => SnapshotState::Other(other.to_string()),
        }
    }

    /// Whether the snapshot will not change any more.
    pub fn is_finished(&self) -> bool {
        !matches!(self, SnapshotState::InProgress)
    }

    /// Whether data can be restored from it (all of it for SUCCESS, some for PARTIAL).
    pub fn is_restorable(&self) -> bool {
        matches!(self, SnapshotState::Success | SnapshotState::Partial)
    }
}

impl fmt::Display for SnapshotState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ToJson for SnapshotState {
    fn write_json(&self, w: &mut Writer) {
        w.str(self.as_str());
    }
}

impl FromJson for SnapshotState {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        // Keep the server's spelling for the states we only alias (STARTED, ABORTED, ...).
        let s = r.str()?;
        Ok(match SnapshotState::parse(&s) {
            known if known.as_str() == s => known,
            _ => SnapshotState::Other(s.into_owned()),
        })
    }
}

impl SnapshotState {
    /// Like [`parse`](Self::parse), for states read from a stored `Other`.
    pub fn normalized(&self) -> SnapshotState {
        SnapshotState::parse(self.as_str())
    }
}

/// One snapshot as get-snapshots (and create with `wait_for_completion`) report it.
/// With `verbose=false` only name, uuid, indices, data streams and state are present.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct SnapshotInfo {
    pub snapshot: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub version_id: Option<u32>,
    /// `"8.10.0"`, or on Elasticsearch 8.11+ sometimes an index version such as `"8505000"`.
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[json(default, deserialize_with = "lenient::null_default")]
    pub indices: Vec<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub data_streams: Option<Vec<String>>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub feature_states: Option<Vec<FeatureState>>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub include_global_state: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SnapshotState>,
    /// Why a snapshot failed.
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub start_time_in_millis: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub end_time_in_millis: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub duration_in_millis: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<Vec<ShardFailure>>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<ShardCounts>,
    /// Per-index shard counts and sizes, with `index_details=true` (Elasticsearch 7.13+).
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub index_details: Option<super::NameMap<IndexDetails>>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct IndexDetails {
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub shard_count: Option<u32>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub size_in_bytes: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub max_segments_per_shard: Option<u32>,
}

impl SnapshotInfo {
    /// Primary shard count of an index in the snapshot: from `index_details` (Elasticsearch 7.13+),
    /// else inferred where `shards.total` (the sum over the snapshot's indices, each ≥ 1) leaves one
    /// answer: a single index holds them all, and as many shards as indices means one each —
    /// the default since 7.0 and in OpenSearch, which has no `index_details`.
    pub fn shard_count(&self, index: &str) -> Option<u32> {
        if self.index_details.is_none() && !self.indices.iter().any(|i| i == index) {
            return None;
        }
        self.shard_count_of_member(index)
    }

    /// [`shard_count`](Self::shard_count) for a name known to be one of `indices` (no search:
    /// the planner asks for each of thousands).
    pub fn shard_count_of_member(&self, index: &str) -> Option<u32> {
        if let Some(details) = &self.index_details {
            return details.get(index)?.shard_count;
        }
        let total = self.shards.as_ref()?.total;
        let n = self.indices.len() as u64;
        match total {
            t if t == n => Some(1),
            t if n == 1 && t > 0 => u32::try_from(t).ok(),
            _ => None,
        }
    }

    /// Indices that failed to snapshot (their shards are missing in a PARTIAL snapshot).
    pub fn failed_indices(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.failures.iter().flatten().filter_map(|f| f.index.as_deref()).collect();
        crate::sort::sort_dedup(&mut v);
        v
    }

    /// The version that wrote the snapshot, from `version_id` (exact, and the only field that
    /// tells OpenSearch apart) or else `version`.
    pub fn version(&self) -> Option<Version> {
        self.version_id
            .map(Version::from_id)
            .or_else(|| self.version.as_deref().and_then(|v| Version::parse(v).ok()))
    }

    /// The distribution that wrote the snapshot, when the version id tells (OpenSearch masks it).
    pub fn distribution(&self) -> Option<Distribution> {
        self.version_id.map(|id| {
            if id & crate::version::OPENSEARCH_ID_MASK != 0 { Distribution::Opensearch } else { Distribution::Elasticsearch }
        })
    }

    pub fn state(&self) -> SnapshotState {
        self.state.as_ref().map(SnapshotState::normalized).unwrap_or(SnapshotState::Other("UNKNOWN".into()))
    }

    pub fn data_streams(&self) -> &[String] {
        self.data_streams.as_deref().unwrap_or_default()
    }

    pub fn feature_states(&self) -> &[FeatureState] {
        self.feature_states.as_deref().unwrap_or_default()
    }
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct FeatureState {
    pub feature_name: String,
    #[json(default)]
    pub indices: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct ShardCounts {
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub total: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub failed: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub successful: u64,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct ShardFailure {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub index_uuid: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub shard_id: Option<u32>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `GET /_snapshot/{repository}/{snapshot}`.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct GetSnapshotsResponse {
    #[json(default, deserialize_with = "lenient::null_default")]
    pub snapshots: Vec<SnapshotInfo>,
    /// Elasticsearch 7.6–7.13 answered multi-repository requests per repository.
    #[json(default, skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<RepositorySnapshots>,
    /// Matching snapshots in all pages (7.14+).
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub total: Option<u64>,
    /// Snapshots after this page (7.14+).
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub remaining: Option<u64>,
    /// Cursor for the next page (pass as `after`).
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Per-repository errors of a multi-repository request.
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<Map<String, Value>>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RepositorySnapshots {
    pub repository: String,
    #[json(default)]
    pub snapshots: Vec<SnapshotInfo>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

impl GetSnapshotsResponse {
    /// The error a 7.14+ cluster reports for `repository` inside a 200 (`failures`), e.g. a
    /// missing repository, decoded like any error body.
    pub fn repository_failure(&self, repository: &str) -> Option<crate::error::ApiError> {
        let f = self.failures.as_ref()?.get(repository)?;
        let mut w = crate::json::Writer::new();
        w.begin_object();
        w.key("error");
        w.value(f);
        w.key("status");
        w.u64(404);
        w.end_object();
        let body = w.into_string().into_bytes();
        Some(crate::error::ApiError::from_response(&crate::request::Response::new(404, body)))
    }

    /// Every snapshot, whichever shape the version answered in.
    pub fn all(&self) -> impl Iterator<Item = &SnapshotInfo> {
        self.snapshots.iter().chain(self.responses.iter().flat_map(|r| r.snapshots.iter()))
    }
}

/// `PUT /_snapshot/{repository}/{snapshot}`: `{"accepted": true}` or, with
/// `wait_for_completion=true`, the finished snapshot.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct CreateSnapshotResponse {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotInfo>,
}

/// `POST /_snapshot/{repository}/{snapshot}/_restore`: `{"accepted": true}` or, with
/// `wait_for_completion=true`, what was restored.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RestoreResponse {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<RestoreInfo>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RestoreInfo {
    pub snapshot: String,
    #[json(default)]
    pub indices: Vec<String>,
    #[json(default)]
    pub shards: ShardCounts,
}
