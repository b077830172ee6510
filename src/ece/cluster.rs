//! Monitoring a take-snapshot call: `GET /api/v1/clusters/elasticsearch/{cluster_id}`
//! (`ElasticsearchClusterInfo` in the pre-MS-68 swagger), decoded leniently: only the parts
//! that show a pending plan change and the snapshot status are read, each on its own, so a
//! field of an unexpected type or a field ECE added later never fails the whole answer.

use crate::json::{FromJson, ToJson};
use serde_json::Value;

use super::connection::{API_PREFIX, validate_cluster_id};
use crate::error::{ApiError, InputError};
use crate::request::{Method, Request, Response, encode_segment};

/// `api` name of the get-cluster request.
pub const GET_CLUSTER_API: &str = "ece.clusters.elasticsearch.get";

/// `GET /api/v1/clusters/elasticsearch/{cluster_id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetCluster {
    pub cluster_id: String,
    /// Include the plan attempt log (large); default false.
    pub show_plan_logs: Option<bool>,
}

impl GetCluster {
    pub fn new(cluster_id: impl Into<String>) -> Self {
        GetCluster { cluster_id: cluster_id.into(), show_plan_logs: None }
    }

    pub fn build(&self) -> Result<Request, InputError> {
        validate_cluster_id(&self.cluster_id)?;
        // show_plans defaults to true; said explicitly because the pending plan is what we watch.
        let mut path = format!("{API_PREFIX}/clusters/elasticsearch/{}?show_plans=true", encode_segment(&self.cluster_id));
        if let Some(l) = self.show_plan_logs {
            path.push_str(&format!("&show_plan_logs={l}"));
        }
        Ok(Request { api: GET_CLUSTER_API, method: Method::Get, path, headers: Vec::new(), body: None })
    }
}

/// The parts of `ElasticsearchClusterInfo` essnap reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, ToJson, FromJson)]
pub struct EceClusterInfo {
    pub cluster_id: Option<String>,
    pub cluster_name: Option<String>,
    pub deployment_id: Option<String>,
    pub healthy: Option<bool>,
    /// `initializing`, `stopping`, `stopped`, `rebooting`, `restarting`, `reconfiguring`, `started`.
    pub status: Option<String>,
    pub plan_info: Option<PlansInfo>,
    pub snapshots: Option<SnapshotStatusInfo>,
}

/// `ElasticsearchClusterPlansInfo` (without the history).
#[derive(Clone, Debug, Default, PartialEq, Eq, ToJson, FromJson)]
pub struct PlansInfo {
    pub healthy: Option<bool>,
    pub current: Option<PlanInfo>,
    /// Present while a plan change is being applied.
    pub pending: Option<PlanInfo>,
}

/// `ElasticsearchClusterPlanInfo` (without the plan itself).
#[derive(Clone, Debug, Default, PartialEq, Eq, ToJson, FromJson)]
pub struct PlanInfo {
    pub plan_attempt_id: Option<String>,
    pub plan_attempt_name: Option<String>,
    pub healthy: Option<bool>,
    pub attempt_start_time: Option<String>,
    pub attempt_end_time: Option<String>,
    pub plan_attempt_log: Vec<PlanStep>,
}

/// `ClusterPlanStepInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq, ToJson, FromJson)]
pub struct PlanStep {
    pub step_id: Option<String>,
    /// `success`, `warning`, `error`, `pending`.
    pub status: Option<String>,
    /// `starting`, `completed`, `in_progress`.
    pub stage: Option<String>,
}

/// `SnapshotStatusInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq, ToJson, FromJson)]
pub struct SnapshotStatusInfo {
    pub healthy: Option<bool>,
    pub count: Option<u64>,
    pub latest_successful: Option<bool>,
    pub latest_status: Option<String>,
    pub latest_end_time: Option<String>,
    pub latest_successful_end_time: Option<String>,
    pub scheduled_time: Option<String>,
    pub recent_success: Option<bool>,
}

/// What the monitoring call says about a snapshot just started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ToJson, FromJson)]
#[json(rename_all = "snake_case")]
pub enum EceProgress {
    /// A plan change is pending (the snapshot command is being applied): ask again.
    Pending,
    /// No pending plan, and the latest snapshot succeeded.
    Succeeded,
    /// No pending plan, and the latest snapshot or plan attempt failed.
    Failed,
    /// No pending plan and nothing telling about the snapshot.
    Unknown,
}

impl EceClusterInfo {
    /// Whether a plan change is still being applied.
    pub fn has_pending_plan(&self) -> bool {
        self.plan_info.as_ref().is_some_and(|p| p.pending.is_some())
    }

    pub fn progress(&self) -> EceProgress {
        if self.has_pending_plan() {
            return EceProgress::Pending;
        }
        let plan_failed = self.plan_info.as_ref().and_then(|p| p.healthy) == Some(false);
        match self.snapshots.as_ref() {
            _ if plan_failed => EceProgress::Failed,
            Some(s) if s.latest_successful == Some(true) => EceProgress::Succeeded,
            Some(s) if s.latest_successful == Some(false) => EceProgress::Failed,
            Some(s) => match s.latest_status.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("success") | Some("succeeded") => EceProgress::Succeeded,
                Some("failed") | Some("partial") => EceProgress::Failed,
                Some("in_progress") | Some("started") => EceProgress::Pending,
                _ => EceProgress::Unknown,
            },
            None => EceProgress::Unknown,
        }
    }
}

/// Decodes the answer to [`GetCluster`]. Only a 2xx body that is not a JSON object fails.
pub fn decode_cluster_info(resp: &Response) -> Result<EceClusterInfo, ApiError> {
    if !resp.is_success() {
        return Err(ApiError::from_response(resp));
    }
    let v: Value = crate::json::from_slice(&resp.body).map_err(|e| ApiError::invalid_response(GET_CLUSTER_API, resp.status, e, &resp.body))?;
    if !v.is_object() {
        return Err(ApiError::invalid_response(GET_CLUSTER_API, resp.status, "expected a JSON object", &resp.body));
    }
    Ok(EceClusterInfo {
        cluster_id: string(&v, "cluster_id"),
        cluster_name: string(&v, "cluster_name"),
        deployment_id: string(&v, "deployment_id"),
        healthy: boolean(&v, "healthy"),
        status: string(&v, "status"),
        plan_info: v.get("plan_info").filter(|p| p.is_object()).map(|p| PlansInfo {
            healthy: boolean(p, "healthy"),
            current: plan(p.get("current")),
            pending: plan(p.get("pending")),
        }),
        snapshots: v.get("snapshots").filter(|s| s.is_object()).map(|s| SnapshotStatusInfo {
            healthy: boolean(s, "healthy"),
            count: s.get("count").and_then(|c| c.as_u64().or_else(|| c.as_str().and_then(|t| t.trim().parse().ok()))),
            latest_successful: boolean(s, "latest_successful"),
            latest_status: string(s, "latest_status"),
            latest_end_time: string(s, "latest_end_time"),
            latest_successful_end_time: string(s, "latest_successful_end_time"),
            scheduled_time: string(s, "scheduled_time"),
            recent_success: boolean(s, "recent_success"),
        }),
    })
}

/// Bounded, because bodies are untrusted and real logs are a few dozen steps.
const MAX_STEPS: usize = 256;

fn plan(v: Option<&Value>) -> Option<PlanInfo> {
    let p = v.filter(|p| p.is_object())?;
    Some(PlanInfo {
        plan_attempt_id: string(p, "plan_attempt_id"),
        plan_attempt_name: string(p, "plan_attempt_name"),
        healthy: boolean(p, "healthy"),
        attempt_start_time: string(p, "attempt_start_time"),
        attempt_end_time: string(p, "attempt_end_time"),
        plan_attempt_log: p
            .get("plan_attempt_log")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .take(MAX_STEPS)
                    .filter(|s| s.is_object())
                    .map(|s| PlanStep { step_id: string(s, "step_id"), status: string(s, "status"), stage: string(s, "stage") })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn string(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(String::from)
}

fn boolean(v: &Value, k: &str) -> Option<bool> {
    match v.get(k)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}
