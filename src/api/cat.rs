//! Builders for `_cat/indices` and `_cat/snapshots`, always as JSON.

use super::builder::{RequestBuilder, join_checked};
use super::snapshot::master_timeout;
use crate::dialect::Dialect;
use crate::error::InputError;
use crate::names::{validate_index_expression, validate_repository_name};
use crate::request::{Method, Request};

/// `GET /_cat/indices[/{index}]?format=json`
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatIndices {
    pub indices: Vec<String>,
    /// Columns (`h=index,status,pri`); empty: the server's default set.
    pub columns: Vec<String>,
    /// Sort (`s=index`).
    pub sort: Option<String>,
    pub health: Option<String>,
    /// Unit for sizes (`b` gives plain numbers).
    pub bytes: Option<String>,
    pub pri: Option<bool>,
    pub expand_wildcards: Option<String>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl CatIndices {
    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        let b = if self.indices.is_empty() {
            RequestBuilder::new("cat.indices", Method::Get, &[])?
        } else {
            let i = join_checked("index", &self.indices, validate_index_expression)?;
            RequestBuilder::new("cat.indices", Method::Get, &[("index", &i)])?
        };
        let b = b
            .param("format", "json")?
            .opt("h", (!self.columns.is_empty()).then(|| self.columns.join(",")))?
            .opt("s", self.sort.as_ref())?
            .opt("health", self.health.as_ref())?
            .opt("bytes", self.bytes.as_ref())?
            .opt("pri", self.pri)?
            .opt("expand_wildcards", self.expand_wildcards.as_ref())?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}

/// `GET /_cat/snapshots[/{repository}]?format=json`
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatSnapshots {
    pub repository: Option<String>,
    pub columns: Vec<String>,
    pub sort: Option<String>,
    pub ignore_unavailable: Option<bool>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl CatSnapshots {
    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        let b = match &self.repository {
            None => RequestBuilder::new("cat.snapshots", Method::Get, &[])?,
            Some(r) => {
                validate_repository_name(r)?;
                RequestBuilder::new("cat.snapshots", Method::Get, &[("repository", r)])?
            }
        };
        let b = b
            .param("format", "json")?
            .opt("h", (!self.columns.is_empty()).then(|| self.columns.join(",")))?
            .opt("s", self.sort.as_ref())?
            .opt("ignore_unavailable", self.ignore_unavailable)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}
