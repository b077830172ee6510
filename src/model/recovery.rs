//! `GET /_recovery`: shard recoveries; a restore shows as recoveries of type `SNAPSHOT`.


use crate::json::{FromJson, ToJson};

use crate::lenient;

/// Index name → its shard recoveries.
pub type Recoveries = super::NameMap<IndexRecovery>;

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct IndexRecovery {
    #[json(default)]
    pub shards: Vec<ShardRecovery>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct ShardRecovery {
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub id: u64,
    /// `EMPTY_STORE`, `EXISTING_STORE`, `PEER`, `SNAPSHOT`, `LOCAL_SHARDS` (lower case in some versions).
    #[json(rename = "type")]
    pub kind: String,
    /// `INIT`, `INDEX`, `VERIFY_INDEX`, `TRANSLOG`, `FINALIZE`, `DONE`.
    pub stage: String,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub primary: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub start_time_in_millis: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub stop_time_in_millis: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub total_time_in_millis: Option<u64>,
    #[json(default)]
    pub source: RecoverySource,
    #[json(default)]
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
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RecoverySource {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[json(default, rename = "restoreUUID", skip_serializing_if = "Option::is_none")]
    pub restore_uuid: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RecoveryIndex {
    #[json(default)]
    pub size: RecoverySize,
    #[json(default)]
    pub files: RecoveryFiles,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RecoverySize {
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub total_in_bytes: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub reused_in_bytes: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub recovered_in_bytes: u64,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::percent_opt")]
    pub percent: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RecoveryFiles {
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub total: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub reused: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub recovered: u64,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::percent_opt")]
    pub percent: Option<f64>,
}
