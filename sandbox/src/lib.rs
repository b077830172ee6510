//! `essnap-sandbox`: an in-memory HTTP server that behaves like an Elasticsearch or OpenSearch cluster
//! for everything a snapshot & restore tool touches. Embed it with [`start`] or run the binary.

pub mod auth;
pub mod cors;
pub mod ece;
pub mod errors;
pub mod faults;
pub mod http;
pub mod routes;
pub mod seed;
pub mod state;
pub mod util;
pub mod version;

use crate::auth::Auth;
use crate::cors::Cors;
use crate::faults::{Action, FaultSpec, Faults};
use crate::http::{Delivery, Outcome, Request, Response, Server};
use crate::seed::Seed;
use crate::state::State;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: Seed,
    /// 0 picks a free port.
    pub port: u16,
    pub host: String,
    pub faults: Vec<FaultSpec>,
    /// `Some("*")` (default), `Some(origin)`, or `None` to disable CORS.
    pub cors_origin: Option<String>,
    /// Log one line per request to stderr.
    pub log: bool,
    pub max_body: usize,
}

impl Config {
    pub fn new(seed: Seed) -> Self {
        Config {
            seed,
            port: 0,
            host: "127.0.0.1".into(),
            faults: vec![],
            cors_origin: Some("*".into()),
            log: false,
            max_body: http::DEFAULT_MAX_BODY,
        }
    }
}

/// A running sandbox. Dropping it shuts it down.
pub struct Handle {
    pub url: String,
    server: Server,
}

impl Handle {
    pub fn shutdown(mut self) {
        self.server.shutdown();
    }
    pub fn port(&self) -> u16 {
        self.server.addr.port()
    }
}

struct App {
    state: Mutex<State>,
    faults: Mutex<Faults>,
    routes: Vec<routes::Route>,
    cors: Cors,
    auth: Option<Auth>,
    ece: Option<ece::Ece>,
    log: bool,
}

pub fn start(config: Config) -> std::io::Result<Handle> {
    config.seed.validate().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let state = State::from_seed(&config.seed);
    let mut faults = Faults::default();
    for f in &config.faults {
        f.validate().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        faults.add(f.clone());
    }
    let auth = config.seed.auth.as_ref().map(|a| Auth {
        users: a.users.iter().map(|u| (u.username.clone(), u.password.clone())).collect(),
        api_keys: a.api_keys.clone(),
    });
    let app = Arc::new(App {
        state: Mutex::new(state),
        faults: Mutex::new(faults),
        routes: routes::routes(),
        cors: match config.cors_origin {
            Some(o) => Cors::Origin(o),
            None => Cors::Disabled,
        },
        auth,
        ece: config.seed.ece.as_ref().map(ece::Ece::new),
        log: config.log,
    });
    let handler: http::Handler = Arc::new(move |req: &Request| app.handle(req));
    let server = Server::bind(&config.host, config.port, config.max_body, handler)?;
    let url = format!("http://{}", server.addr);
    Ok(Handle { url, server })
}

impl App {
    fn handle(&self, req: &Request) -> Outcome {
        let started = Instant::now();
        let mut out = self.handle_inner(req);
        self.cors.decorate(req, &mut out.response);
        if self.log {
            // never log headers (Authorization) or bodies (passwords)
            let status = match out.delivery {
                Delivery::Drop => "dropped".to_string(),
                _ => out.response.status.to_string(),
            };
            eprintln!("[essnap-sandbox] {} {} -> {} ({} ms)", req.method, req.uri(), status, started.elapsed().as_millis());
        }
        out
    }

    fn normal(resp: Response) -> Outcome {
        Outcome { response: resp, delivery: Delivery::Normal }
    }

    fn product_headers(&self, resp: &mut Response) {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.dist == version::Distribution::Elasticsearch && st.version >= version::Version::new(7, 14, 0) {
            resp.headers.push(("x-elastic-product".into(), "Elasticsearch".into()));
        }
    }

    fn handle_inner(&self, req: &Request) -> Outcome {
        if let Some(r) = self.cors.intercept(req) {
            return Self::normal(r);
        }
        let segs = routes::segments(&req.path);
        if segs.first().map(|s| s.as_str()) == Some("_sandbox") {
            return Self::normal(self.sandbox_api(req, &segs));
        }
        if let Some(e) = self.ece.as_ref().filter(|_| ece::is_ece_path(&req.path)) {
            if let Err(r) = e.check_auth(req) {
                return Self::normal(r);
            }
        } else if let Some(auth) = &self.auth {
            let dist = self.state.lock().unwrap_or_else(|p| p.into_inner()).dist;
            if let Err(r) = auth.check(req, dist) {
                return Self::normal(r);
            }
        }
        let fired = self.faults.lock().unwrap_or_else(|p| p.into_inner()).check(&req.method, &req.path);
        let mut terminal: Option<FaultSpec> = None;
        for f in fired {
            match f.action {
                Action::Latency => std::thread::sleep(Duration::from_millis(f.ms.unwrap_or(0).min(faults::MAX_LATENCY_MS))),
                _ if terminal.is_none() => terminal = Some(f),
                _ => {}
            }
        }
        if let Some(f) = &terminal {
            match f.action {
                Action::Status => {
                    let status = f.status.unwrap_or(500);
                    let mut resp = if status == 502 || status == 504 {
                        let text = format!("{} {}\n", status, http::reason_phrase(status));
                        Response::new(status, "text/plain; charset=UTF-8", text.into_bytes())
                    } else {
                        let (t, r) = faults::status_error(f, &req.uri());
                        let e = errors::ApiError::new(status, &t, r);
                        Response::new(status, "application/json; charset=UTF-8", e.body_string().into_bytes())
                    };
                    if status == 429 || status == 503 {
                        resp.headers.push(("retry-after".into(), "1".into()));
                    }
                    return Self::normal(resp);
                }
                Action::Timeout => {
                    if f.apply {
                        let _ = self.dispatch(req);
                    }
                    std::thread::sleep(Duration::from_millis(f.ms.unwrap_or(30_000).min(faults::MAX_TIMEOUT_MS)));
                    return Outcome { response: Response::empty(504), delivery: Delivery::Drop };
                }
                _ => {}
            }
        }
        let resp = self.dispatch(req);
        match terminal.map(|f| (f.action, f)) {
            Some((Action::Drop, _)) => Outcome { response: resp, delivery: Delivery::Drop },
            Some((Action::SlowBody, f)) => Outcome {
                response: resp,
                delivery: Delivery::Slow { chunk: f.chunk_bytes.unwrap_or(16).max(1), delay_ms: f.delay_ms.unwrap_or(100).min(faults::MAX_SLOW_DELAY_MS) },
            },
            _ => Self::normal(resp),
        }
    }

    fn dispatch(&self, req: &Request) -> Response {
        match &self.ece {
            Some(e) if ece::is_ece_path(&req.path) => {
                let es = |inner: &Request| self.dispatch_es(inner);
                let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| e.handle(req, util::now_millis(), &es)));
                caught.unwrap_or_else(|_| {
                    let body = json!({"errors": [{"code": "root.unknown_error", "message": "sandbox internal error"}]});
                    Response::new(500, "application/json; charset=UTF-8", body.to_string().into_bytes())
                })
            }
            _ => self.dispatch_es(req),
        }
    }

    fn dispatch_es(&self, req: &Request) -> Response {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = util::now_millis();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| routes::dispatch(&self.routes, &mut st, req, now)));
        drop(st);
        let mut resp = match caught {
            Ok(r) => r,
            Err(_) => {
                let e = errors::ApiError::new(500, "exception", "sandbox internal error");
                Response::new(500, "application/json; charset=UTF-8", e.body_string().into_bytes())
            }
        };
        self.product_headers(&mut resp);
        resp
    }

    /// `/_sandbox/faults` control API (no auth, no faults).
    fn sandbox_api(&self, req: &Request, segs: &[String]) -> Response {
        let ok = |v: serde_json::Value| Response::new(200, "application/json; charset=UTF-8", v.to_string().into_bytes());
        let bad = |msg: String| {
            let e = errors::ApiError::illegal_argument(msg);
            Response::new(400, "application/json; charset=UTF-8", e.body_string().into_bytes())
        };
        let mut faults = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        match (req.method.as_str(), segs.get(1).map(|s| s.as_str()), segs.get(2)) {
            ("GET", Some("faults"), None) => ok(faults.list()),
            ("POST", Some("faults"), None) | ("PUT", Some("faults"), None) => {
                let text = String::from_utf8_lossy(&req.body);
                match faults::parse_specs_json(&text) {
                    Ok(specs) => {
                        let ids: Vec<u64> = specs.into_iter().map(|s| faults.add(s)).collect();
                        ok(json!({"acknowledged": true, "ids": ids}))
                    }
                    Err(e) => bad(e),
                }
            }
            ("DELETE", Some("faults"), None) => {
                faults.clear();
                ok(json!({"acknowledged": true}))
            }
            ("DELETE", Some("faults"), Some(id)) => match id.parse::<u64>() {
                Ok(id) if faults.remove(id) => ok(json!({"acknowledged": true})),
                _ => Response::new(404, "application/json; charset=UTF-8", json!({"error": format!("no fault [{id}]"), "status": 404}).to_string().into_bytes()),
            },
            _ => {
                let body = json!({"error": format!("no handler found for uri [{}] and method [{}]", req.uri(), req.method), "status": 400});
                Response::new(400, "application/json; charset=UTF-8", body.to_string().into_bytes())
            }
        }
    }
}
