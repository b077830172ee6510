//! Repository listing, verification and cleanup.


use crate::json::{FromJson, ToJson};
use serde_json::{Map, Value};

use crate::lenient;

/// `GET /_snapshot`: repository name → definition.
pub type Repositories = super::NameMap<RepositoryInfo>;

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RepositoryInfo {
    #[json(rename = "type")]
    pub kind: String,
    /// Elasticsearch 7.12+.
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Settings as the cluster reports them (values are usually strings: `"compress": "true"`).
    #[json(default, deserialize_with = "lenient::null_default")]
    pub settings: Map<String, Value>,
}

impl RepositoryInfo {
    /// A setting as text, whatever JSON type the cluster used.
    pub fn setting(&self, name: &str) -> Option<String> {
        match self.settings.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            v => Some(crate::json::to_string(v)),
        }
    }
}

/// `POST /_snapshot/{repository}/_verify`: the nodes that could use the repository.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct VerifyResult {
    #[json(default)]
    pub nodes: super::NameMap<VerifiedNode>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct VerifiedNode {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /_snapshot/{repository}/_cleanup`
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct CleanupResult {
    pub results: CleanupCounts,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct CleanupCounts {
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub deleted_bytes: u64,
    #[json(default, deserialize_with = "lenient::u64_or_zero")]
    pub deleted_blobs: u64,
}
