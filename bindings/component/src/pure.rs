//! The pure interfaces (both worlds export them): requests, decoding, compatibility, errors,
//! planning.

use std::cell::RefCell;

use essnap::api::snapshot::{GetRepositories, GetSnapshots, SnapshotStatus};
use essnap::api::{DECODABLE, decode, decode_named};
use essnap::connection::{Connection, Credentials, Secret};
use essnap::ece::EceConnection;
use essnap::error::{ApiError, ErrorCode, InputError, catalogue_markdown};
use essnap::machine::gather::Gather;
use essnap::machine::{Input, Machine, Step, Timing};
use essnap::model::{GetSnapshotsResponse, Info};
use essnap::plan::{RestoreSelection, plan_restore};
use essnap::request::Request;

use crate::bindings::exports::essnap::snapshots::{compatibility, decoding, errors, planning, requests};
use crate::bindings::types as t;
use crate::convert;

fn no_credentials(e: InputError) -> t::Error {
    convert::input(&e)
}

fn credentials(c: requests::Credentials) -> Result<Option<Credentials>, t::Error> {
    Ok(match c {
        requests::Credentials::None => None,
        requests::Credentials::Basic((username, password)) => {
            if username.is_empty() || username.contains(':') {
                return Err(convert::input(&InputError::new("user", "the user name is empty or contains `:`", "give USER, and the password through ESSNAP_PASSWORD")));
            }
            Some(Credentials::Basic { username, password: Secret::new(password) })
        }
        requests::Credentials::ApiKey(k) => Some(Credentials::api_key(&k).map_err(no_credentials)?),
    })
}

fn endpoint(conn: &Connection) -> requests::Endpoint {
    let mut headers = Vec::new();
    if let Some(c) = &conn.credentials {
        headers.push(("authorization".to_string(), c.header_value().expose().to_string()));
    }
    headers.extend(conn.headers.iter().cloned());
    requests::Endpoint { base_url: conn.base_url(), headers }
}

fn built(r: Result<Request, InputError>) -> Result<t::HttpRequest, t::Error> {
    r.map(|r| convert::request(&r)).map_err(|e| convert::input(&e))
}

impl requests::Guest for crate::Component {
    fn connect(url: String, creds: requests::Credentials) -> Result<requests::Endpoint, t::Error> {
        let mut conn = Connection::parse(&url).map_err(no_credentials)?;
        if let Some(c) = credentials(creds)? {
            conn.credentials = Some(c);
        }
        Ok(endpoint(&conn))
    }

    fn connect_ece(url: String, creds: requests::Credentials) -> Result<requests::Endpoint, t::Error> {
        let mut conn = EceConnection::parse(&url).map_err(no_credentials)?;
        conn = match creds {
            requests::Credentials::None => conn,
            requests::Credentials::Basic((u, p)) => conn.with_user(&u, Secret::new(p)).map_err(no_credentials)?,
            requests::Credentials::ApiKey(k) => conn.with_api_key(&k).map_err(no_credentials)?,
        };
        Ok(endpoint(conn.connection()))
    }

    fn info() -> t::HttpRequest {
        convert::request(&essnap::api::cluster::info())
    }

    fn get_repositories(cluster: t::Side) -> Result<t::HttpRequest, t::Error> {
        built(GetRepositories::default().build(&convert::dialect(&cluster)?))
    }

    fn get_snapshots(
        cluster: t::Side,
        repository: String,
        snapshots: Vec<String>,
        size: Option<u32>,
        after: Option<String>,
    ) -> Result<t::HttpRequest, t::Error> {
        let snaps = if snapshots.is_empty() { vec!["_all".to_string()] } else { snapshots };
        built(GetSnapshots { size, after, ..GetSnapshots::new(repository, snaps) }.build(&convert::dialect(&cluster)?))
    }

    fn snapshot_status(cluster: t::Side, repository: String, snapshot: String) -> Result<t::HttpRequest, t::Error> {
        built(SnapshotStatus::of(repository, [snapshot]).build(&convert::dialect(&cluster)?))
    }
}

impl decoding::Guest for crate::Component {
    fn decodable() -> Vec<String> {
        DECODABLE.iter().map(|s| s.to_string()).collect()
    }

    fn decode(api: String, response: t::HttpResponse) -> Result<String, t::Error> {
        let resp = convert::response(response);
        let d = decode_named(&api, &resp).map_err(|e| convert::error(&e))?;
        Ok(essnap::json::to_string(&d))
    }

    fn decode_info(response: t::HttpResponse) -> Result<t::Cluster, t::Error> {
        let resp = convert::response(response);
        let info: Info = decode("info", &resp).map_err(|e| convert::api(&e))?;
        Ok(convert::cluster(&info, String::from_utf8_lossy(&resp.body).into_owned()))
    }

    fn decode_snapshots(response: t::HttpResponse) -> Result<Vec<t::Snapshot>, t::Error> {
        let resp = convert::response(response);
        let r: GetSnapshotsResponse = decode("snapshot.get", &resp).map_err(|e| convert::api(&e))?;
        Ok(r.all().map(convert::snapshot).collect())
    }
}

impl compatibility::Guest for crate::Component {
    fn check_snapshot(cluster: t::Side, snapshot: t::Side) -> Result<t::Verdict, t::Error> {
        Ok(convert::verdict(&essnap::compat::check_snapshot(&convert::side(&cluster)?, &convert::side(&snapshot)?)))
    }

    fn check_index(cluster: t::Side, snapshot: t::Side, index: String, created: Option<t::Side>) -> Result<t::Verdict, t::Error> {
        let created = created.as_ref().map(convert::side).transpose()?;
        Ok(convert::verdict(&essnap::compat::check_index(&convert::side(&cluster)?, &convert::side(&snapshot)?, &index, created.as_ref())))
    }
}

impl errors::Guest for crate::Component {
    fn from_response(response: t::HttpResponse) -> t::Error {
        convert::api(&ApiError::from_response(&convert::response(response)))
    }

    fn from_transport(failure: t::TransportError) -> t::Error {
        convert::api(&convert::transport_error(failure).to_api_error())
    }

    fn codes() -> Vec<(String, String)> {
        ErrorCode::ALL.iter().map(|c| (c.as_str().to_string(), c.hint().to_string())).collect()
    }

    fn catalogue_markdown() -> String {
        catalogue_markdown()
    }
}

/// `planning.restore-planner`: the gather machine, then the planner.
pub struct RestorePlanner {
    gather: RefCell<Gather>,
    selection: Result<RestoreSelection, t::Error>,
}

pub fn machine_input(i: planning::Input) -> Input {
    match i {
        planning::Input::Start => Input::Start,
        planning::Input::Response(r) => Input::Response(convert::response(r)),
        planning::Input::Failed(f) => Input::Failed(convert::transport_error(f)),
        planning::Input::Waited => Input::Waited,
    }
}

impl planning::GuestRestorePlanner for RestorePlanner {
    fn new(repository: String, snapshot: String, selection: t::RestoreSelection) -> Self {
        RestorePlanner { gather: RefCell::new(Gather::new(repository, snapshot, Timing::default())), selection: convert::selection(selection) }
    }

    fn step(&self, input: planning::Input) -> planning::PlannerStep {
        let sel = match &self.selection {
            Ok(s) => s,
            Err(e) => return planning::PlannerStep::Done(Err(e.clone())),
        };
        match self.gather.borrow_mut().step(machine_input(input)) {
            Step::Send(r) => planning::PlannerStep::Send(convert::request(&r)),
            Step::Wait(ms) => planning::PlannerStep::Wait(ms),
            Step::Done(Err(e)) => planning::PlannerStep::Done(Err(convert::api(&e))),
            Step::Done(Ok(inputs)) => planning::PlannerStep::Done(
                plan_restore(&inputs, sel).map(|p| convert::plan(&p)).map_err(|e| convert::input(&e)),
            ),
        }
    }
}

impl planning::Guest for crate::Component {
    type RestorePlanner = RestorePlanner;
}
