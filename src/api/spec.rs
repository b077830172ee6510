//! The catalogue of APIs essnap speaks: paths and parameters as the official REST specs list
//! them (Elasticsearch's `rest-api-spec` and OpenSearch's), merged. A test walks
//! `../shared/es-spec/rest-api-spec*/` and checks this table covers every path and parameter.

use crate::request::Method::{self, *};

/// One API: its rest-api-spec name, URL templates and accepted query parameters.
#[derive(Debug)]
pub struct ApiSpec {
    pub name: &'static str,
    pub paths: &'static [PathSpec],
    /// Query parameters (Elasticsearch's and OpenSearch's); [`COMMON_PARAMS`] are accepted too.
    pub params: &'static [&'static str],
    pub body: BodyRule,
}

#[derive(Debug)]
pub struct PathSpec {
    pub methods: &'static [Method],
    /// Template with `{part}` placeholders, e.g. `/_snapshot/{repository}/{snapshot}`.
    pub template: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRule {
    None,
    Optional,
    Required,
}

/// Parameters every endpoint accepts (`_common.json`).
pub const COMMON_PARAMS: &[&str] = &["pretty", "human", "error_trace", "source", "source_content_type", "filter_path"];

macro_rules! p {
    ([$($m:ident),*] $t:literal) => { PathSpec { methods: &[$($m),*], template: $t } };
}

const MASTER: &str = "master_timeout";
const CM: &str = "cluster_manager_timeout";

pub static APIS: &[ApiSpec] = &[
    ApiSpec { name: "info", paths: &[p!([Get] "/")], params: &[], body: BodyRule::None },
    ApiSpec {
        name: "cluster.health",
        paths: &[p!([Get] "/_cluster/health"), p!([Get] "/_cluster/health/{index}")],
        params: &[
            "expand_wildcards", "level", "local", MASTER, CM, "timeout", "wait_for_active_shards", "wait_for_nodes",
            "wait_for_events", "wait_for_no_relocating_shards", "wait_for_no_initializing_shards", "wait_for_status",
        ],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "snapshot.get_repository",
        paths: &[p!([Get] "/_snapshot"), p!([Get] "/_snapshot/{repository}")],
        params: &[MASTER, CM, "local"],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "snapshot.create_repository",
        paths: &[p!([Put, Post] "/_snapshot/{repository}")],
        params: &[MASTER, CM, "timeout", "verify"],
        body: BodyRule::Required,
    },
    ApiSpec {
        name: "snapshot.verify_repository",
        paths: &[p!([Post] "/_snapshot/{repository}/_verify")],
        params: &[MASTER, CM, "timeout"],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "snapshot.cleanup_repository",
        paths: &[p!([Post] "/_snapshot/{repository}/_cleanup")],
        params: &[MASTER, CM, "timeout"],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "snapshot.delete_repository",
        paths: &[p!([Delete] "/_snapshot/{repository}")],
        params: &[MASTER, CM, "timeout"],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "snapshot.get",
        paths: &[p!([Get] "/_snapshot/{repository}/{snapshot}")],
        params: &[
            MASTER, CM, "ignore_unavailable", "index_names", "index_details", "include_repository", "sort", "size",
            "order", "from_sort_value", "after", "offset", "slm_policy_filter", "verbose", "state",
        ],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "snapshot.status",
        paths: &[
            p!([Get] "/_snapshot/_status"),
            p!([Get] "/_snapshot/{repository}/_status"),
            p!([Get] "/_snapshot/{repository}/{snapshot}/_status"),
        ],
        params: &[MASTER, CM, "ignore_unavailable"],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "snapshot.create",
        paths: &[p!([Put, Post] "/_snapshot/{repository}/{snapshot}")],
        params: &[MASTER, CM, "wait_for_completion"],
        body: BodyRule::Optional,
    },
    ApiSpec {
        name: "snapshot.clone",
        paths: &[p!([Put] "/_snapshot/{repository}/{snapshot}/_clone/{target_snapshot}")],
        params: &[MASTER, CM],
        body: BodyRule::Required,
    },
    ApiSpec {
        name: "snapshot.delete",
        paths: &[p!([Delete] "/_snapshot/{repository}/{snapshot}")],
        params: &[MASTER, CM, "wait_for_completion"],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "snapshot.restore",
        paths: &[p!([Post] "/_snapshot/{repository}/{snapshot}/_restore")],
        params: &[MASTER, CM, "wait_for_completion"],
        body: BodyRule::Optional,
    },
    ApiSpec {
        name: "indices.get",
        paths: &[p!([Get] "/{index}")],
        params: &[
            "local", "ignore_unavailable", "allow_no_indices", "expand_wildcards", "features", "flat_settings",
            "include_defaults", MASTER, CM,
        ],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "indices.get_settings",
        paths: &[
            p!([Get] "/_settings"),
            p!([Get] "/{index}/_settings"),
            p!([Get] "/{index}/_settings/{name}"),
            p!([Get] "/_settings/{name}"),
        ],
        params: &[
            MASTER, CM, "ignore_unavailable", "allow_no_indices", "expand_wildcards", "flat_settings", "local",
            "include_defaults",
        ],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "indices.close",
        paths: &[p!([Post] "/{index}/_close")],
        params: &[
            "timeout", MASTER, CM, "ignore_unavailable", "allow_no_indices", "expand_wildcards", "wait_for_active_shards",
        ],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "indices.open",
        paths: &[p!([Post] "/{index}/_open")],
        params: &[
            "timeout", MASTER, CM, "ignore_unavailable", "allow_no_indices", "expand_wildcards", "wait_for_active_shards",
            "wait_for_completion", "task_execution_timeout",
        ],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "indices.get_data_stream",
        paths: &[p!([Get] "/_data_stream"), p!([Get] "/_data_stream/{name}")],
        params: &["expand_wildcards", "include_defaults", MASTER, CM, "verbose"],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "indices.recovery",
        paths: &[p!([Get] "/_recovery"), p!([Get] "/{index}/_recovery")],
        params: &["detailed", "active_only", "ignore_unavailable", "allow_no_indices", "expand_wildcards"],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "cat.indices",
        paths: &[p!([Get] "/_cat/indices"), p!([Get] "/_cat/indices/{index}")],
        params: &[
            "format", "bytes", "local", MASTER, CM, "h", "health", "help", "pri", "s", "time", "v",
            "include_unloaded_segments", "expand_wildcards",
        ],
        body: BodyRule::None,
    },
    ApiSpec {
        name: "cat.snapshots",
        paths: &[p!([Get] "/_cat/snapshots"), p!([Get] "/_cat/snapshots/{repository}")],
        params: &["format", "ignore_unavailable", MASTER, CM, "h", "help", "s", "time", "v", "bytes"],
        body: BodyRule::None,
    },
];

/// The spec of an API by its rest-api-spec name.
pub fn find(name: &str) -> Option<&'static ApiSpec> {
    APIS.iter().find(|a| a.name == name)
}

impl ApiSpec {
    pub fn accepts_param(&self, name: &str) -> bool {
        self.params.contains(&name) || COMMON_PARAMS.contains(&name)
    }
}

impl PathSpec {
    /// Placeholder names in template order.
    pub fn parts(&self) -> Vec<&'static str> {
        self.template
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }
}
