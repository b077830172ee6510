//! Snapshot listings, create and restore answers.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
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

impl Serialize for SnapshotState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SnapshotState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Keep the server's spelling for the states we only alias (STARTED, ABORTED, ...).
        let s = String::deserialize(d)?;
        Ok(match SnapshotState::parse(&s) {
            known if known.as_str() == s => known,
            _ => SnapshotState::Other(s),
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub snapshot: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub version_id: Option<u32>,
    /// `"8.10.0"`, or on Elasticsearch 8.11+ sometimes an index version such as `"8505000"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub indices: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_streams: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_states: Option<Vec<FeatureState>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub include_global_state: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SnapshotState>,
    /// Why a snapshot failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub start_time_in_millis: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub end_time_in_millis: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub duration_in_millis: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<Vec<ShardFailure>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<ShardCounts>,
    /// Per-index shard counts and sizes, with `index_details=true` (Elasticsearch 7.13+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_details: Option<std::collections::BTreeMap<String, IndexDetails>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexDetails {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub shard_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub size_in_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub max_segments_per_shard: Option<u32>,
}

impl SnapshotInfo {
    /// Primary shard count of an index in the snapshot, when `index_details` reported it.
    pub fn shard_count(&self, index: &str) -> Option<u32> {
        self.index_details.as_ref()?.get(index)?.shard_count
    }

    /// Indices that failed to snapshot (their shards are missing in a PARTIAL snapshot).
    pub fn failed_indices(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.failures.iter().flatten().filter_map(|f| f.index.as_deref()).collect();
        v.sort_unstable();
        v.dedup();
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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureState {
    pub feature_name: String,
    #[serde(default)]
    pub indices: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardCounts {
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub total: u64,
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub failed: u64,
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub successful: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardFailure {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub shard_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `GET /_snapshot/{repository}/{snapshot}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GetSnapshotsResponse {
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub snapshots: Vec<SnapshotInfo>,
    /// Elasticsearch 7.6–7.13 answered multi-repository requests per repository.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<RepositorySnapshots>,
    /// Matching snapshots in all pages (7.14+).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub total: Option<u64>,
    /// Snapshots after this page (7.14+).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub remaining: Option<u64>,
    /// Cursor for the next page (pass as `after`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Per-repository errors of a multi-repository request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<Map<String, Value>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RepositorySnapshots {
    pub repository: String,
    #[serde(default)]
    pub snapshots: Vec<SnapshotInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

impl GetSnapshotsResponse {
    /// The error a 7.14+ cluster reports for `repository` inside a 200 (`failures`), e.g. a
    /// missing repository, decoded like any error body.
    pub fn repository_failure(&self, repository: &str) -> Option<crate::error::ApiError> {
        let f = self.failures.as_ref()?.get(repository)?;
        let body = serde_json::to_vec(&serde_json::json!({"error": f, "status": 404})).unwrap_or_default();
        Some(crate::error::ApiError::from_response(&crate::request::Response::new(404, body)))
    }

    /// Every snapshot, whichever shape the version answered in.
    pub fn all(&self) -> impl Iterator<Item = &SnapshotInfo> {
        self.snapshots.iter().chain(self.responses.iter().flat_map(|r| r.snapshots.iter()))
    }
}

/// `PUT /_snapshot/{repository}/{snapshot}`: `{"accepted": true}` or, with
/// `wait_for_completion=true`, the finished snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateSnapshotResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotInfo>,
}

/// `POST /_snapshot/{repository}/{snapshot}/_restore`: `{"accepted": true}` or, with
/// `wait_for_completion=true`, what was restored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RestoreResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<RestoreInfo>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RestoreInfo {
    pub snapshot: String,
    #[serde(default)]
    pub indices: Vec<String>,
    #[serde(default)]
    pub shards: ShardCounts,
}
