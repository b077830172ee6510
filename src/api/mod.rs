//! Request builders (one module per API family) and response decoding.
//!
//! Builders are plain structs with public fields and `Default`; `build(&Dialect)` validates
//! names and values and returns a [`Request`](crate::Request). Unknown query parameters can be
//! passed through each builder's `extra`, but only those the API's spec lists are accepted.

pub mod builder;
pub mod cat;
pub mod cluster;
pub mod indices;
pub mod snapshot;
pub mod spec;

pub use builder::RequestBuilder;

use crate::json::{FromJson, ToJson};

use crate::error::{ApiError, Error, InputError};
use crate::model;
use crate::request::Response;

/// Decodes a response: a 2xx body into `T`, anything else into an [`ApiError`].
pub fn decode<T: FromJson>(api: &str, resp: &Response) -> Result<T, ApiError> {
    if !resp.is_success() {
        return Err(ApiError::from_response(resp));
    }
    crate::json::from_slice(&resp.body).map_err(|e| ApiError::invalid_response(api, resp.status, e, &resp.body))
}

/// Any decoded response, for callers that pick the API at run time (the CLI's `decode`).
#[derive(Clone, Debug, PartialEq, ToJson)]
#[json(untagged)]
pub enum Decoded {
    Info(model::Info),
    ClusterHealth(model::ClusterHealth),
    Repositories(model::Repositories),
    Acknowledged(model::Acknowledged),
    Verify(model::VerifyResult),
    Cleanup(model::CleanupResult),
    Snapshots(model::GetSnapshotsResponse),
    Status(model::SnapshotStatusResponse),
    Created(model::CreateSnapshotResponse),
    Restored(model::RestoreResponse),
    Indices(model::Indices),
    DataStreams(model::DataStreams),
    Recoveries(model::Recoveries),
    CatIndices(Vec<model::CatIndex>),
    CatSnapshots(Vec<model::CatSnapshot>),
    CatRepositories(Vec<model::CatRepository>),
}

/// APIs [`decode_named`] understands (rest-api-spec names).
pub const DECODABLE: &[&str] = &[
    "info",
    "cluster.health",
    "snapshot.get_repository",
    "snapshot.create_repository",
    "snapshot.delete_repository",
    "snapshot.verify_repository",
    "snapshot.cleanup_repository",
    "snapshot.get",
    "snapshot.status",
    "snapshot.create",
    "snapshot.clone",
    "snapshot.delete",
    "snapshot.restore",
    "indices.get",
    "indices.get_settings",
    "indices.close",
    "indices.open",
    "indices.get_data_stream",
    "indices.recovery",
    "cat.indices",
    "cat.snapshots",
    "cat.repositories",
];

/// Decodes a response of the API named `api` (a rest-api-spec name such as `snapshot.get`).
pub fn decode_named(api: &str, resp: &Response) -> Result<Decoded, Error> {
    use Decoded as D;
    let d = match api {
        "info" => D::Info(decode(api, resp)?),
        "cluster.health" => D::ClusterHealth(model::ClusterHealth::from_response(resp)?),
        "snapshot.get_repository" => D::Repositories(decode(api, resp)?),
        "snapshot.create_repository"
        | "snapshot.delete_repository"
        | "snapshot.clone"
        | "snapshot.delete"
        | "indices.close"
        | "indices.open" => D::Acknowledged(decode(api, resp)?),
        "snapshot.verify_repository" => D::Verify(decode(api, resp)?),
        "snapshot.cleanup_repository" => D::Cleanup(decode(api, resp)?),
        "snapshot.get" => D::Snapshots(decode(api, resp)?),
        "snapshot.status" => D::Status(decode(api, resp)?),
        "snapshot.create" => D::Created(decode(api, resp)?),
        "snapshot.restore" => D::Restored(decode(api, resp)?),
        "indices.get" | "indices.get_settings" => D::Indices(decode(api, resp)?),
        "indices.get_data_stream" => D::DataStreams(decode(api, resp)?),
        "indices.recovery" => D::Recoveries(decode(api, resp)?),
        "cat.indices" => D::CatIndices(decode(api, resp)?),
        "cat.snapshots" => D::CatSnapshots(decode(api, resp)?),
        "cat.repositories" => D::CatRepositories(decode(api, resp)?),
        other => {
            return Err(Error::Input(InputError::new(
                "api",
                format!("`{other}` is not an API essnap decodes"),
                format!("use one of: {}", DECODABLE.join(", ")),
            )));
        }
    };
    Ok(d)
}
