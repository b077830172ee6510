//! Reads what the restore planner needs, in as few requests as the cluster allows: `GET /`,
//! the snapshot (with per-index shard counts where supported), every index with its state and
//! shard count (one `_cat/indices` call), and data streams only when the snapshot has some.

use crate::api::cat::CatIndices;
use crate::api::cluster;
use crate::api::indices::GetDataStreams;
use crate::api::snapshot::GetSnapshots;
use crate::api::decode;
use crate::dialect::{Dialect, Distribution};
use crate::error::{ApiError, ErrorCode};
use crate::model::{CatIndex, DataStreams, GetSnapshotsResponse, Info};
use crate::plan::{ClusterIndex, RestoreInputs};
use crate::request::Request;

use super::{Event, Input, Machine, ReadResult, Step, Timing, classify_read};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Info,
    Snapshot,
    Indices,
    DataStreams,
}

/// Gathers [`RestoreInputs`] for `repository:snapshot`.
pub struct Gather {
    repository: String,
    snapshot: String,
    timing: Timing,
    stage: Stage,
    attempt: u32,
    dialect: Dialect,
    snap: Option<crate::model::SnapshotInfo>,
    indices: Vec<ClusterIndex>,
    events: Vec<Event>,
}

impl Gather {
    pub fn new(repository: impl Into<String>, snapshot: impl Into<String>, timing: Timing) -> Self {
        Gather {
            repository: repository.into(),
            snapshot: snapshot.into(),
            timing,
            stage: Stage::Info,
            attempt: 0,
            dialect: Dialect::default(),
            snap: None,
            indices: Vec::new(),
            events: Vec::new(),
        }
    }

    fn request(&self) -> Result<Request, ApiError> {
        let d = &self.dialect;
        let r = match self.stage {
            Stage::Info => Ok(cluster::info()),
            Stage::Snapshot => GetSnapshots {
                // Per-index shard counts let the planner check restores over closed indices.
                index_details: (d.distribution == Distribution::Elasticsearch
                    && d.version.as_ref().is_some_and(|v| v.at_least(7, 13, 0)))
                .then_some(true),
                ..GetSnapshots::new(self.repository.clone(), [self.snapshot.clone()])
            }
            .build(d),
            Stage::Indices => CatIndices {
                columns: ["index", "status", "pri"].map(String::from).to_vec(),
                // `hidden` arrived in 7.7; before it every index was listed anyway.
                expand_wildcards: (d.distribution == Distribution::Opensearch
                    || d.version.as_ref().is_some_and(|v| v.at_least(7, 7, 0)))
                .then(|| "all".to_string()),
                ..Default::default()
            }
            .build(d),
            Stage::DataStreams => GetDataStreams::default().build(d),
        };
        r.map_err(|e| ApiError::from(&e))
    }

    fn send(&mut self) -> Step<Result<RestoreInputs, ApiError>> {
        match self.request() {
            Ok(r) => Step::Send(r),
            Err(e) => Step::Done(Err(e)),
        }
    }

    fn advance(&mut self, resp: crate::request::Response) -> Result<Option<Stage>, ApiError> {
        match self.stage {
            Stage::Info => {
                let info: Info = decode("info", &resp)?;
                if info.is_serverless() {
                    return Err(ApiError::new(ErrorCode::NotFound, Some(resp.status), "this is a serverless Elasticsearch project, which manages snapshots itself"));
                }
                self.dialect = info.dialect();
                Ok(Some(Stage::Snapshot))
            }
            Stage::Snapshot => {
                let r: GetSnapshotsResponse = decode("snapshot.get", &resp)?;
                // 7.14+ answers a missing repository with 200 and a `failures` entry.
                if let Some(e) = r.repository_failure(&self.repository) {
                    return Err(e);
                }
                let snap = r.all().find(|s| s.snapshot == self.snapshot).cloned().ok_or_else(|| {
                    ApiError::new(ErrorCode::SnapshotMissing, Some(resp.status), format!("[{}:{}] is missing", self.repository, self.snapshot))
                })?;
                self.snap = Some(snap);
                Ok(Some(Stage::Indices))
            }
            Stage::Indices => {
                let rows: Vec<CatIndex> = decode("cat.indices", &resp)?;
                self.indices = rows.iter().map(ClusterIndex::from).collect();
                let needs_ds = self.snap.as_ref().is_some_and(|s| !s.data_streams().is_empty()) && self.dialect.supports_data_streams();
                Ok(needs_ds.then_some(Stage::DataStreams))
            }
            Stage::DataStreams => Ok(None),
        }
    }

    fn finish(&mut self, data_streams: Vec<String>) -> Step<Result<RestoreInputs, ApiError>> {
        Step::Done(Ok(RestoreInputs {
            cluster: self.dialect.clone(),
            repository: self.repository.clone(),
            snapshot: self.snap.take().expect("snapshot read before indices"),
            indices: std::mem::take(&mut self.indices),
            data_streams,
        }))
    }
}

impl Machine for Gather {
    type Output = Result<RestoreInputs, ApiError>;

    fn step(&mut self, input: Input) -> Step<Self::Output> {
        match input {
            Input::Start | Input::Waited => return self.send(),
            _ => {}
        }
        // Data streams: clusters without the API answer 400/404/405; that means "none".
        if self.stage == Stage::DataStreams
            && let Input::Response(r) = &input
                && !r.is_success() && matches!(r.status, 400 | 404 | 405) {
                    return self.finish(Vec::new());
                }
        match classify_read(input) {
            ReadResult::Ok(resp) => {
                self.attempt = 0;
                if self.stage == Stage::DataStreams {
                    return match decode::<DataStreams>("indices.get_data_stream", &resp) {
                        Ok(ds) => self.finish(ds.data_streams.into_iter().map(|d| d.name).collect()),
                        Err(e) => Step::Done(Err(e)),
                    };
                }
                match self.advance(resp) {
                    Ok(Some(next)) => {
                        self.stage = next;
                        self.send()
                    }
                    Ok(None) => self.finish(Vec::new()),
                    Err(e) => Step::Done(Err(e)),
                }
            }
            ReadResult::Retry(e) if self.attempt < self.timing.max_retries => {
                self.attempt += 1;
                self.events.push(Event::Retry { attempt: self.attempt, reason: e.to_string() });
                Step::Wait(self.timing.backoff(self.attempt))
            }
            ReadResult::Retry(e) => Step::Done(Err(ReadResult::gave_up(e, self.attempt + 1))),
            ReadResult::Fail(e) => Step::Done(Err(e)),
        }
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}
