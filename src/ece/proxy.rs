//! The deployment proxy of the current ECE API: any Elasticsearch request, sent to
//! `/api/v1/deployments/{deployment_id}/elasticsearch/{ref_id}/proxy/{path}` with
//! `X-Management-Request: true`, reaches the deployment's cluster. This is how the
//! Elasticsearch snapshot API replaces ECE's deprecated "take snapshot" call.

use super::connection::{API_PREFIX, validate_deployment_id, validate_ref_id};
use crate::error::InputError;
use crate::request::{Request, encode_segment};

/// The header the proxy requires (with value `true`).
pub const MANAGEMENT_HEADER: &str = "x-management-request";

/// The ref_id that names the only Elasticsearch resource of a deployment.
pub const MAIN_REF_ID: &str = "_main";

/// Which deployment resource the proxy forwards to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyTarget {
    pub deployment_id: String,
    /// `main-elasticsearch`, or `_main` (the default) when the deployment has one cluster.
    pub ref_id: String,
}

impl ProxyTarget {
    pub fn new(deployment_id: impl Into<String>) -> Self {
        ProxyTarget { deployment_id: deployment_id.into(), ref_id: MAIN_REF_ID.to_string() }
    }

    pub fn with_ref_id(mut self, ref_id: impl Into<String>) -> Self {
        self.ref_id = ref_id.into();
        self
    }

    pub fn validate(&self) -> Result<(), InputError> {
        validate_deployment_id(&self.deployment_id)?;
        validate_ref_id(&self.ref_id)
    }

    /// `/api/v1/deployments/{deployment_id}/elasticsearch/{ref_id}/proxy`.
    pub fn prefix(&self) -> Result<String, InputError> {
        self.validate()?;
        Ok(format!(
            "{API_PREFIX}/deployments/{}/elasticsearch/{}/proxy",
            encode_segment(&self.deployment_id),
            encode_segment(&self.ref_id)
        ))
    }

    /// The same Elasticsearch request (method, query, body, `api` name), sent through the proxy.
    /// Its answer is the cluster's own and decodes with the usual decoders.
    pub fn wrap(&self, req: &Request) -> Result<Request, InputError> {
        if !req.path.starts_with('/') {
            return Err(InputError::new("path", format!("`{}` does not start with `/`", req.path), "wrap requests built by essnap's builders"));
        }
        let mut out = req.clone();
        out.path = format!("{}{}", self.prefix()?, req.path);
        out.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(MANAGEMENT_HEADER));
        out.headers.push((MANAGEMENT_HEADER.to_string(), "true".to_string()));
        Ok(out)
    }
}
