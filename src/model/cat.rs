//! `_cat` APIs with `format=json`: every value is a string (or null for closed indices).

use crate::json::{FromJson, ToJson};

use crate::lenient;

/// One row of `GET /_cat/indices?format=json`.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct CatIndex {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
    /// `open` or `close`.
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub index: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub pri: Option<u32>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub rep: Option<u32>,
    #[json(default, rename = "docs.count", skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub docs_count: Option<u64>,
    #[json(default, rename = "docs.deleted", skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub docs_deleted: Option<u64>,
    #[json(default, rename = "store.size", skip_serializing_if = "Option::is_none")]
    pub store_size: Option<String>,
    #[json(default, rename = "pri.store.size", skip_serializing_if = "Option::is_none")]
    pub pri_store_size: Option<String>,
}

impl CatIndex {
    pub fn is_open(&self) -> bool {
        self.status.as_deref() != Some("close")
    }
}

/// One row of `GET /_cat/snapshots/{repository}?format=json`.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct CatSnapshot {
    pub id: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub start_epoch: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub end_epoch: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub indices: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub successful_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub failed_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub total_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One row of `GET /_cat/repositories?format=json`.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct CatRepository {
    pub id: String,
    #[json(rename = "type")]
    pub kind: String,
}
