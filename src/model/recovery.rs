//! `GET /_recovery`: shard recoveries; a restore shows as recoveries of type `SNAPSHOT`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lenient;

/// Index name → its shard recoveries.
pub type Recoveries = BTreeMap<String, IndexRecovery>;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexRecovery {
    #[serde(default)]
    pub shards: Vec<ShardRecovery>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardRecovery {
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub id: u64,
    /// `EMPTY_STORE`, `EXISTING_STORE`, `PEER`, `SNAPSHOT`, `LOCAL_SHARDS` (lower case in some versions).
    #[serde(rename = "type")]
    pub kind: String,
    /// `INIT`, `INDEX`, `VERIFY_INDEX`, `TRANSLOG`, `FINALIZE`, `DONE`.
    pub stage: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub primary: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub start_time_in_millis: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub stop_time_in_millis: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub total_time_in_millis: Option<u64>,
    #[serde(default)]
    pub source: RecoverySource,
    #[serde(default)]
    pub index: RecoveryIndex,
}

impl ShardRecovery {
    pub fn is_snapshot(&self) -> bool {
        self.kind.eq_ignore_ascii_case("SNAPSHOT")
    }

    pub fn is_done(&self) -> bool {
        self.stage.eq_ignore_ascii_case("DONE")
    }

    /// Whether this shard is being restored from `repository:snapshot`.
    pub fn restores_from(&self, repository: &str, snapshot: &str) -> bool {
        self.is_snapshot()
            && self.source.repository.as_deref() == Some(repository)
            && self.source.snapshot.as_deref() == Some(snapshot)
    }
}

/// For a restore: `{repository, snapshot, index, version, restoreUUID}`; for other recoveries a
/// node description (ignored).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoverySource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, rename = "restoreUUID", skip_serializing_if = "Option::is_none")]
    pub restore_uuid: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoveryIndex {
    #[serde(default)]
    pub size: RecoverySize,
    #[serde(default)]
    pub files: RecoveryFiles,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoverySize {
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub total_in_bytes: u64,
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub reused_in_bytes: u64,
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub recovered_in_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::percent_opt")]
    pub percent: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoveryFiles {
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub total: u64,
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub reused: u64,
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub recovered: u64,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::percent_opt")]
    pub percent: Option<f64>,
}
