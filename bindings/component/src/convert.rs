//! Conversions between the core's types and the WIT types.
#![cfg_attr(not(feature = "client"), allow(dead_code))]

use essnap::compat::{Side, Verdict, VerdictKind};
use essnap::dialect::{Dialect, Distribution};
use essnap::error::{ApiError, Error, ErrorCode, InputError, RetryAdvice};
use essnap::machine::{Event, Progress, TransportError, TransportErrorKind};
use essnap::model::{Info, SnapshotInfo, SnapshotState};
use essnap::plan::{ItemAction, Remedy, Rename, RestorePlan, RestoreSelection};
use essnap::request::{Method, Request, Response};
use essnap::version::Version;

use crate::bindings::types as t;

pub fn version(v: &Version) -> t::Version {
    t::Version { major: v.major, minor: v.minor, patch: v.patch, text: v.to_string() }
}

pub fn distribution(d: Distribution) -> t::Distribution {
    match d {
        Distribution::Elasticsearch => t::Distribution::Elasticsearch,
        Distribution::Opensearch => t::Distribution::Opensearch,
    }
}

pub fn from_distribution(d: t::Distribution) -> Distribution {
    match d {
        t::Distribution::Elasticsearch => Distribution::Elasticsearch,
        t::Distribution::Opensearch => Distribution::Opensearch,
    }
}

pub fn side(s: &t::Side) -> Result<Side, t::Error> {
    let v = Version::parse(&s.version)
        .map_err(|e| input(&InputError::new("version", e.to_string(), "give a version such as 8.12.2")))?;
    Ok(Side { distribution: from_distribution(s.distribution), version: v })
}

pub fn dialect(s: &t::Side) -> Result<Dialect, t::Error> {
    let s = side(s)?;
    Ok(Dialect { distribution: s.distribution, version: Some(s.version) })
}

pub fn request(r: &Request) -> t::HttpRequest {
    t::HttpRequest {
        api: r.api.to_string(),
        method: match r.method {
            Method::Get => t::Method::Get,
            Method::Head => t::Method::Head,
            Method::Put => t::Method::Put,
            Method::Post => t::Method::Post,
            Method::Delete => t::Method::Delete,
        },
        path: r.path.clone(),
        headers: r.headers.clone(),
        body: r.body.clone(),
    }
}

pub fn response(r: t::HttpResponse) -> Response {
    Response { status: r.status, headers: r.headers, body: r.body }
}

pub fn transport_error(e: t::TransportError) -> TransportError {
    use t::TransportErrorKind as K;
    let kind = match e.kind {
        K::Connect => TransportErrorKind::Connect,
        K::Timeout => TransportErrorKind::Timeout,
        K::Dropped => TransportErrorKind::Dropped,
        K::Tls => TransportErrorKind::Tls,
        K::Cors => TransportErrorKind::Cors,
        K::Aborted => TransportErrorKind::Aborted,
        K::Other => TransportErrorKind::Other,
    };
    TransportError::new(kind, e.message)
}

fn code(c: ErrorCode) -> t::ErrorCode {
    use t::ErrorCode as W;
    // Matched by name, so codes added to the core later arrive as `other(name)`.
    match c.as_str() {
        "invalid_input" => W::InvalidInput,
        "snapshot_missing" => W::SnapshotMissing,
        "repository_missing" => W::RepositoryMissing,
        "invalid_snapshot_name" => W::InvalidSnapshotName,
        "snapshot_already_exists" => W::SnapshotAlreadyExists,
        "concurrent_snapshot_execution" => W::ConcurrentSnapshotExecution,
        "restore_conflict_open_index" => W::RestoreConflictOpenIndex,
        "restore_shard_count_mismatch" => W::RestoreShardCountMismatch,
        "restore_name_conflict" => W::RestoreNameConflict,
        "restore_incompatible_version" => W::RestoreIncompatibleVersion,
        "restore_failed" => W::RestoreFailed,
        "snapshot_failed" => W::SnapshotFailed,
        "repository_verification_failed" => W::RepositoryVerificationFailed,
        "repository_in_use" => W::RepositoryInUse,
        "repository_read_only" => W::RepositoryReadOnly,
        "repository_type_unknown" => W::RepositoryTypeUnknown,
        "invalid_repository" => W::InvalidRepository,
        "index_closed" => W::IndexClosed,
        "index_not_found" => W::IndexNotFound,
        "index_already_exists" => W::IndexAlreadyExists,
        "invalid_index_name" => W::InvalidIndexName,
        "unauthorized" => W::Unauthorized,
        "forbidden" => W::Forbidden,
        "rate_limited" => W::RateLimited,
        "gateway_timeout" => W::GatewayTimeout,
        "bad_gateway" => W::BadGateway,
        "service_unavailable" => W::ServiceUnavailable,
        "timeout" => W::Timeout,
        "bad_request" => W::BadRequest,
        "not_found" => W::NotFound,
        "server_error" => W::ServerError,
        "invalid_response" => W::InvalidResponse,
        "connection_failed" => W::ConnectionFailed,
        "connection_dropped" => W::ConnectionDropped,
        "tls_error" => W::TlsError,
        "cors_blocked" => W::CorsBlocked,
        "aborted" => W::Aborted,
        other => W::Other(other.to_string()),
    }
}

fn retry(r: RetryAdvice) -> t::RetryAdvice {
    match r {
        RetryAdvice::Safe => t::RetryAdvice::Safe,
        RetryAdvice::CheckFirst => t::RetryAdvice::CheckFirst,
        RetryAdvice::No => t::RetryAdvice::No,
    }
}

pub fn api(e: &ApiError) -> t::Error {
    t::Error {
        code: code(e.code),
        code_name: e.code.as_str().to_string(),
        message: e.message.clone(),
        hint: e.hint().to_string(),
        retry: retry(e.retry()),
        status: e.status,
        server_type: e.server_type.clone(),
        caused_by: e.caused_by.iter().map(|c| format!("{}: {}", c.kind, c.reason)).collect(),
        field: None,
        source_codes: e.source_codes.clone(),
    }
}

pub fn input(e: &InputError) -> t::Error {
    t::Error {
        code: t::ErrorCode::InvalidInput,
        code_name: "invalid_input".to_string(),
        message: format!("invalid {}: {}", e.field, e.problem),
        hint: e.hint.clone(),
        retry: t::RetryAdvice::No,
        status: None,
        server_type: None,
        caused_by: Vec::new(),
        field: Some(e.field.clone()),
        source_codes: Vec::new(),
    }
}

pub fn error(e: &Error) -> t::Error {
    match e {
        Error::Input(i) => input(i),
        Error::Api(a) => api(a),
    }
}

pub fn cluster(info: &Info, json: String) -> t::Cluster {
    t::Cluster {
        distribution: distribution(info.distribution()),
        version: info.version().as_ref().map(version),
        node_name: info.name.clone(),
        cluster_name: info.cluster_name.clone(),
        cluster_uuid: info.cluster_uuid.clone(),
        json,
    }
}

pub fn snapshot_state(s: &SnapshotState) -> t::SnapshotState {
    match s.normalized() {
        SnapshotState::InProgress => t::SnapshotState::InProgress,
        SnapshotState::Success => t::SnapshotState::Success,
        SnapshotState::Partial => t::SnapshotState::Partial,
        SnapshotState::Failed => t::SnapshotState::Failed,
        SnapshotState::Incompatible => t::SnapshotState::Incompatible,
        SnapshotState::Other(_) => t::SnapshotState::Unknown,
    }
}

pub fn snapshot(s: &SnapshotInfo) -> t::Snapshot {
    t::Snapshot {
        name: s.snapshot.clone(),
        uuid: s.uuid.clone(),
        repository: s.repository.clone(),
        state: snapshot_state(&s.state()),
        version: s.version().as_ref().map(version),
        distribution: s.distribution().map(distribution),
        indices: s.indices.clone(),
        data_streams: s.data_streams().to_vec(),
        feature_states: s.feature_states().iter().map(|f| f.feature_name.clone()).collect(),
        start_time_ms: s.start_time_in_millis,
        end_time_ms: s.end_time_in_millis,
        duration_ms: s.duration_in_millis,
        shards_total: s.shards.as_ref().map(|c| c.total),
        shards_failed: s.shards.as_ref().map(|c| c.failed),
        reason: s.reason.clone(),
        json: essnap::json::to_string(s),
    }
}

pub fn verdict(v: &Verdict) -> t::Verdict {
    t::Verdict {
        kind: match v.kind {
            VerdictKind::Ok => t::VerdictKind::Ok,
            VerdictKind::OkWithWarnings => t::VerdictKind::OkWithWarnings,
            VerdictKind::ReadOnlyArchive => t::VerdictKind::ReadOnlyArchive,
            VerdictKind::Incompatible => t::VerdictKind::Incompatible,
        },
        reason: v.reason.clone(),
        rule_id: v.rule.id.to_string(),
        rule_says: v.rule.says.to_string(),
        certain: v.certain,
        warnings: v.warnings.clone(),
    }
}

pub fn plan(p: &RestorePlan) -> t::Plan {
    t::Plan {
        repository: p.repository.clone(),
        snapshot: p.snapshot.clone(),
        snapshot_version: p.snapshot_version.as_ref().map(version),
        verdict: verdict(&p.verdict),
        items: p
            .items
            .iter()
            .map(|i| t::PlanItem {
                source: i.source.clone(),
                target: i.target.clone(),
                data_stream: i.data_stream.clone(),
                verdict: verdict(&i.verdict),
                action: match i.action {
                    ItemAction::Create => t::ItemAction::Create,
                    ItemAction::CloseAndRestoreOver => t::ItemAction::CloseAndRestoreOver,
                    ItemAction::RestoreOverClosed => t::ItemAction::RestoreOverClosed,
                    ItemAction::Blocked => t::ItemAction::Blocked,
                },
                note: i.note.clone(),
            })
            .collect(),
        to_close: p.to_close.clone(),
        overwrites: p.overwrites.clone(),
        warnings: p.warnings.clone(),
        blockers: p.blockers.clone(),
        remedies: p
            .remedies
            .iter()
            .map(|r| match r {
                Remedy::CloseConflicting => t::Remedy::CloseConflicting,
                Remedy::Rename => t::Remedy::Rename,
                Remedy::Partial => t::Remedy::Partial,
            })
            .collect(),
        requests: p.requests().map(request).collect(),
        rendered: p.render(),
        json: essnap::json::to_string(p),
    }
}

/// A JSON object passed through the WIT as a string (settings, metadata); `field` names it in
/// the error, `example` shows the shape.
pub fn json_object(field: &str, json: &str, example: &str) -> Result<serde_json::Map<String, serde_json::Value>, t::Error> {
    essnap::json::from_slice(json.as_bytes())
        .map_err(|e| input(&InputError::new(field, format!("not a JSON object: {e}"), format!("pass a JSON object, e.g. {example}"))))
}

pub fn selection(s: t::RestoreSelection) -> Result<RestoreSelection, t::Error> {
    let rename = match (s.rename_pattern, s.rename_replacement, s.prefix) {
        (None, None, None) => None,
        (None, None, Some(p)) => Some(Rename::Prefix(p)),
        (Some(pattern), Some(replacement), None) => Some(Rename::Pattern { pattern, replacement }),
        (Some(_), None, None) | (None, Some(_), None) => {
            return Err(input(&InputError::new(
                "rename",
                "a rename pattern needs a replacement, and a replacement needs a pattern",
                "give both --rename-pattern and --rename-replacement, or --prefix",
            )));
        }
        _ => {
            return Err(input(&InputError::new(
                "rename",
                "a prefix and a rename pattern were both given",
                "give either --prefix or --rename-pattern/--rename-replacement",
            )));
        }
    };
    let index_settings = s.index_settings_json.as_deref().map(|j| json_object("index-settings", j, r#"{"index.number_of_replicas": 0}"#)).transpose()?;
    Ok(RestoreSelection {
        indices: s.indices,
        rename,
        index_settings,
        ignore_index_settings: s.ignore_index_settings,
        include_global_state: s.include_global_state,
        feature_states: s.feature_states,
        partial: s.partial,
        close_conflicting: s.close_conflicting,
        include_aliases: s.include_aliases,
        ..Default::default()
    })
}

pub fn progress(p: &Progress) -> t::Progress {
    t::Progress {
        operation: p.operation.to_string(),
        percent: p.percent,
        bytes_done: p.bytes_done,
        bytes_total: p.bytes_total,
        shards_done: p.shards_done,
        shards_total: p.shards_total,
        indices: p
            .indices
            .iter()
            .map(|i| t::IndexProgress { name: i.name.clone(), percent: i.percent, shards_done: i.shards_done, shards_total: i.shards_total })
            .collect(),
    }
}

pub fn event(e: Event) -> t::Event {
    match e {
        Event::Stage { stage, detail } => t::Event::Stage((stage, detail)),
        Event::Closed { indices } => t::Event::Closed(indices),
        Event::Reopened { indices } => t::Event::Reopened(indices),
        Event::Progress(p) => t::Event::Progress(progress(&p)),
        Event::Retry { attempt, reason } => t::Event::Retry((attempt, reason)),
        Event::Warning { message } => t::Event::Warning(message),
    }
}
