//! `GET /` and `GET /_cluster/health`.

use crate::json::{FromJson, ToJson};

use crate::dialect::{Dialect, Distribution};
use crate::lenient;
use crate::version::Version;

/// `GET /`: who the cluster is.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct Info {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub cluster_uuid: Option<String>,
    pub version: VersionInfo,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub tagline: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct VersionInfo {
    /// `"opensearch"` on OpenSearch; absent on Elasticsearch.
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    pub number: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub build_flavor: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub build_hash: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub build_date: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub build_snapshot: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub lucene_version: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub minimum_wire_compatibility_version: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub minimum_index_compatibility_version: Option<String>,
}

impl Info {
    pub fn distribution(&self) -> Distribution {
        let os_tagline = self.tagline.as_deref().is_some_and(|t| t.contains("OpenSearch"));
        match self.version.distribution.as_deref() {
            Some(d) if d.eq_ignore_ascii_case("opensearch") => Distribution::Opensearch,
            _ if os_tagline => Distribution::Opensearch,
            _ => Distribution::Elasticsearch,
        }
    }

    /// The cluster's version; `None` when `version.number` is not a version.
    pub fn version(&self) -> Option<Version> {
        Version::parse(&self.version.number).ok()
    }

    /// Serverless Elasticsearch has no snapshot API for users.
    pub fn is_serverless(&self) -> bool {
        self.version.build_flavor.as_deref() == Some("serverless")
    }

    /// The dialect to build further requests in.
    pub fn dialect(&self) -> Dialect {
        Dialect { distribution: self.distribution(), version: self.version() }
    }
}

/// `GET /_cluster/health`
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct ClusterHealth {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// `green`, `yellow` or `red`.
    pub status: String,
    #[json(default)]
    pub timed_out: bool,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub number_of_nodes: Option<u32>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u32_opt")]
    pub number_of_data_nodes: Option<u32>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub active_primary_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub active_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub relocating_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub initializing_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub unassigned_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub delayed_unassigned_shards: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub number_of_pending_tasks: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub number_of_in_flight_fetch: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub task_max_waiting_in_queue_millis: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::percent_opt")]
    pub active_shards_percent_as_number: Option<f64>,
}

impl ClusterHealth {
    /// Decodes the answer to a health request. A wait (`wait_for_status`, ...) that timed out
    /// answers 408 with the health itself (`timed_out: true`, as real 7.17 and 2.19 nodes do):
    /// that is an answer, not an error.
    pub fn from_response(resp: &crate::request::Response) -> Result<Self, crate::error::ApiError> {
        if resp.status == 408
            && let Ok(h) = crate::json::from_slice::<ClusterHealth>(&resp.body)
        {
            return Ok(h);
        }
        crate::api::decode("cluster.health", resp)
    }
}
