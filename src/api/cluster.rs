//! Builders for `info` (`GET /`) and `cluster.health`.

use super::builder::{RequestBuilder, join_checked};
use super::snapshot::{master_timeout, time_param};
use crate::dialect::Dialect;
use crate::error::InputError;
use crate::names::validate_index_expression;
use crate::request::{Method, Request};

/// `GET /`: distribution, version and cluster name.
pub fn info() -> Request {
    RequestBuilder::new("info", Method::Get, &[]).and_then(RequestBuilder::build).expect("GET / always builds")
}

/// `GET /_cluster/health[/{index}]`
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterHealth {
    pub indices: Vec<String>,
    /// `cluster`, `indices` or `shards`.
    pub level: Option<String>,
    pub local: Option<bool>,
    pub timeout: Option<String>,
    /// `green`, `yellow` or `red`.
    pub wait_for_status: Option<String>,
    pub wait_for_active_shards: Option<String>,
    pub wait_for_nodes: Option<String>,
    pub wait_for_events: Option<String>,
    pub wait_for_no_relocating_shards: Option<bool>,
    pub wait_for_no_initializing_shards: Option<bool>,
    pub expand_wildcards: Option<String>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl ClusterHealth {
    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        let b = if self.indices.is_empty() {
            RequestBuilder::new("cluster.health", Method::Get, &[])?
        } else {
            let i = join_checked("index", &self.indices, validate_index_expression)?;
            RequestBuilder::new("cluster.health", Method::Get, &[("index", &i)])?
        };
        if let Some(s) = &self.wait_for_status
            && !matches!(s.as_str(), "green" | "yellow" | "red") {
                return Err(InputError::new("wait_for_status", format!("`{s}` is not a health status"), "use green, yellow or red"));
            }
        if let Some(l) = &self.level
            && !matches!(l.as_str(), "cluster" | "indices" | "shards") {
                return Err(InputError::new("level", format!("`{l}` is not a level"), "use cluster, indices or shards"));
            }
        let b = b
            .opt("level", self.level.as_ref())?
            .opt("local", self.local)?
            .opt("wait_for_status", self.wait_for_status.as_ref())?
            .opt("wait_for_active_shards", self.wait_for_active_shards.as_ref())?
            .opt("wait_for_nodes", self.wait_for_nodes.as_ref())?
            .opt("wait_for_events", self.wait_for_events.as_ref())?
            .opt("wait_for_no_relocating_shards", self.wait_for_no_relocating_shards)?
            .opt("wait_for_no_initializing_shards", self.wait_for_no_initializing_shards)?
            .opt("expand_wildcards", self.expand_wildcards.as_ref())?;
        let b = time_param(b, "timeout", &self.timeout)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}
