//! `GET /_snapshot/{repository}/{snapshot}/_status`: shard-level progress of snapshots.


use crate::json::{FromJson, ToJson};

use super::snapshot::SnapshotState;
use crate::lenient;

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct SnapshotStatusResponse {
    #[json(default)]
    pub snapshots: Vec<SnapshotStatus>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct SnapshotStatus {
    pub snapshot: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// `IN_PROGRESS`, `STARTED`, `SUCCESS`, `FAILED`, ...
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SnapshotState>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub include_global_state: Option<bool>,
    #[json(default)]
    pub shards_stats: ShardsStats,
    #[json(default)]
    pub stats: TransferStats,
    #[json(default)]
    pub indices: super::NameMap<IndexStatus>,
}

impl SnapshotStatus {
    pub fn state(&self) -> SnapshotState {
        self.state.as_ref().map(SnapshotState::normalized).unwrap_or(SnapshotState::InProgress)
    }

    /// Progress from 0.0 to 1.0: bytes processed of the bytes to copy, or finished shards
    /// when the sizes are not known yet.
    pub fn progress(&self) -> f64 {
        if self.state().is_finished() {
            return 1.0;
        }
        let (done, total) = self.stats.bytes();
        if total > 0 {
            return (done as f64 / total as f64).clamp(0.0, 1.0);
        }
        let s = &self.shards_stats;
        if s.total > 0 { ((s.done + s.failed) as f64 / s.total as f64).clamp(0.0, 1.0) } else { 0.0 }
    }
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct IndexStatus {
    #[json(default)]
    pub shards_stats: ShardsStats,
    #[json(default)]
    pub stats: TransferStats,
    #[json(default)]
    pub shards: super::NameMap<ShardStatus>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct ShardStatus {
    /// `INIT`, `STARTED`, `FINALIZE`, `DONE`, `FAILURE`.
    pub stage: String,
    #[json(default)]
    pub stats: TransferStats,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct ShardsStats {
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub initializing: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub started: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub finalizing: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub done: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub failed: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub total: u64,
}

/// File and byte counts. 7.4+ nests them under `incremental` / `processed` / `total`; older
/// versions had flat `number_of_files`, `processed_files`, `total_size_in_bytes`, ... fields.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct TransferStats {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<FileCounts>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub processed: Option<FileCounts>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<FileCounts>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub start_time_in_millis: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub time_in_millis: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub number_of_files: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub processed_files: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub total_size_in_bytes: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub processed_size_in_bytes: Option<u64>,
}

impl TransferStats {
    /// `(processed, to copy)` bytes of this snapshot (incremental: what it actually writes).
    pub fn bytes(&self) -> (u64, u64) {
        if let Some(inc) = &self.incremental {
            let done = self.processed.as_ref().map_or(
                // Finished shards drop `processed`; everything incremental was copied.
                inc.size_in_bytes,
                |p| p.size_in_bytes,
            );
            return (done.min(inc.size_in_bytes), inc.size_in_bytes);
        }
        (self.processed_size_in_bytes.unwrap_or(0), self.total_size_in_bytes.unwrap_or(0))
    }

    /// `(processed, to copy)` files.
    pub fn files(&self) -> (u64, u64) {
        if let Some(inc) = &self.incremental {
            let done = self.processed.as_ref().map_or(inc.file_count, |p| p.file_count);
            return (done.min(inc.file_count), inc.file_count);
        }
        (self.processed_files.unwrap_or(0), self.number_of_files.unwrap_or(0))
    }
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct FileCounts {
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub file_count: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub size_in_bytes: u64,
}
