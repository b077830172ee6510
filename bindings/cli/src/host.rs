//! The wasmtime host: loads the essnap component (compiled once, cached on disk), and provides
//! its imports — `transport` (HTTP with ureq + rustls), `host.sleep` and `host.report`
//! (progress). Nothing of the logic lives here.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, Store};

wasmtime::component::bindgen!({
    world: "client",
    path: "../../wit",
    additional_derives: [serde::Serialize],
});

pub use self::essnap::snapshots::types;
pub use exports::essnap::snapshots::operations as ops;
pub use exports::essnap::snapshots::requests;

/// Ctrl-C: the first one cancels the running operation at the next request (the machine then
/// reopens what it closed — those requests still go out); a second one quits at once.
static CANCEL: AtomicU8 = AtomicU8::new(0);
const CANCEL_NONE: u8 = 0;
const CANCEL_REQUESTED: u8 = 1;
const CANCEL_DELIVERED: u8 = 2;

/// Installs the Ctrl-C / SIGTERM handler described at [`CANCEL`].
pub fn install_cancel_handler() {
    let _ = ctrlc::set_handler(|| {
        if CANCEL.compare_exchange(CANCEL_NONE, CANCEL_REQUESTED, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            eprintln!("\ncancelling: stopping after the current request and undoing what essnap changed (Ctrl-C again quits at once)");
        } else {
            eprintln!("\nquitting without waiting: check the cluster's indices (`essnap` may have left some closed)");
            std::process::exit(130);
        }
    });
}

/// The client component, built by `cargo xtask component`.
static COMPONENT: &[u8] = include_bytes!(env!("ESSNAP_COMPONENT_PATH"));
const COMPONENT_HASH: &str = env!("ESSNAP_COMPONENT_HASH");

/// How the host reaches the cluster.
pub struct HttpConfig {
    pub endpoint: Option<requests::Endpoint>,
    pub ca_cert: Option<PathBuf>,
    pub insecure: bool,
    pub timeout: Duration,
}

/// Renders events: a progress bar on a terminal, lines on stderr otherwise, nothing in `--json`.
pub struct Events {
    pub json: bool,
    pub bar: Option<ProgressBar>,
    pub tty: bool,
    pub color: bool,
}

impl Events {
    fn report(&mut self, e: types::Event) {
        if self.json {
            return;
        }
        use types::Event as E;
        let line = match e {
            E::Progress(p) => {
                if self.tty {
                    let bar = self.bar.get_or_insert_with(|| {
                        let b = ProgressBar::new(1000);
                        let style = ProgressStyle::with_template("{spinner} [{bar:40}] {percent:>3}% {msg}").unwrap_or_else(|_| ProgressStyle::default_bar());
                        b.set_style(style.progress_chars("=> "));
                        b.enable_steady_tick(Duration::from_millis(120));
                        b
                    });
                    bar.set_position((p.percent * 10.0) as u64);
                    bar.set_message(format!("{} shards {}/{}", p.operation, p.shards_done, p.shards_total));
                    return;
                }
                format!("{} {:.1}% (shards {}/{})", p.operation, p.percent, p.shards_done, p.shards_total)
            }
            E::Stage((stage, detail)) => format!("{stage}: {detail}"),
            E::Closed(i) => format!("closed: {}", i.join(", ")),
            E::Reopened(i) => format!("reopened: {}", i.join(", ")),
            E::Retry((n, why)) => format!("retry {n}: {why}"),
            E::Warning(w) => format!("{}: {w}", crate::output::paint(self.color, "33", "warning")),
        };
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

pub struct State {
    http: Option<ureq::Agent>,
    endpoint: Option<requests::Endpoint>,
    pub events: Events,
}

impl types::Host for State {}

impl self::essnap::snapshots::transport::Host for State {
    fn send(&mut self, request: types::HttpRequest) -> Result<types::HttpResponse, types::TransportError> {
        if CANCEL.compare_exchange(CANCEL_REQUESTED, CANCEL_DELIVERED, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            return Err(types::TransportError { kind: types::TransportErrorKind::Aborted, message: "cancelled with Ctrl-C".into() });
        }
        let (Some(agent), Some(ep)) = (&self.http, &self.endpoint) else {
            return Err(types::TransportError { kind: types::TransportErrorKind::Other, message: "no cluster connection configured".into() });
        };
        send(agent, ep, request)
    }
}

impl self::essnap::snapshots::host::Host for State {
    fn sleep(&mut self, ms: u64) {
        // In slices, so a Ctrl-C is acted on without waiting out a long poll interval.
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end && CANCEL.load(Ordering::SeqCst) != CANCEL_REQUESTED {
            std::thread::sleep((end - Instant::now()).min(Duration::from_millis(100)));
        }
    }

    fn report(&mut self, event: types::Event) {
        self.events.report(event);
    }
}

fn agent(cfg: &HttpConfig) -> Result<ureq::Agent, String> {
    use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
    let mut tls = TlsConfig::builder();
    if let Some(path) = &cfg.ca_cert {
        let pem = std::fs::read(path).map_err(|e| format!("could not read the CA certificate {}: {e}", path.display()))?;
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|i| match i {
                Ok(PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(format!("{} holds no PEM certificate", path.display()));
        }
        tls = tls.root_certs(RootCerts::new_with_certs(&certs));
    }
    if cfg.insecure {
        tls = tls.disable_verification(true);
    }
    Ok(ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(cfg.timeout))
        .timeout_connect(Some(cfg.timeout.min(Duration::from_secs(10))))
        .tls_config(tls.build())
        .user_agent(concat!("essnap/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent())
}

fn send(agent: &ureq::Agent, ep: &requests::Endpoint, r: types::HttpRequest) -> Result<types::HttpResponse, types::TransportError> {
    use types::Method as M;
    let url = format!("{}{}", ep.base_url, r.path);
    let method = match r.method {
        M::Get => "GET",
        M::Head => "HEAD",
        M::Put => "PUT",
        M::Post => "POST",
        M::Delete => "DELETE",
    };
    let mut b = ureq::http::Request::builder().method(method).uri(&url);
    for (k, v) in r.headers.iter().chain(ep.headers.iter()) {
        b = b.header(k.as_str(), v.as_str());
    }
    let result = match r.body {
        Some(body) => b.body(body).map_err(|e| other(e.to_string())).and_then(|req| agent.run(req).map_err(transport_error)),
        None => b.body(()).map_err(|e| other(e.to_string())).and_then(|req| agent.run(req).map_err(transport_error)),
    };
    let mut resp = result?;
    let status = resp.status().as_u16();
    let headers = resp.headers().iter().map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect();
    let body = resp.body_mut().with_config().limit(512 * 1024 * 1024).read_to_vec().map_err(transport_error)?;
    Ok(types::HttpResponse { status, headers, body })
}

fn other(message: String) -> types::TransportError {
    types::TransportError { kind: types::TransportErrorKind::Other, message }
}

fn transport_error(e: ureq::Error) -> types::TransportError {
    use types::TransportErrorKind as K;
    let kind = match &e {
        ureq::Error::Timeout(t) => match t {
            ureq::Timeout::Resolve | ureq::Timeout::Connect => K::Connect,
            _ => K::Timeout,
        },
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => K::Connect,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => K::Tls,
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable | std::io::ErrorKind::NotFound => K::Connect,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => K::Timeout,
            // An unknown host: std reports getaddrinfo failures as uncategorized io errors. Nothing was sent.
            _ if io.to_string().contains("failed to lookup address") => K::Connect,
            _ => K::Dropped,
        },
        _ => K::Other,
    };
    let message = match kind {
        K::Connect => format!("could not connect: {e}"),
        K::Timeout => format!("no answer in time: {e}"),
        K::Dropped => format!("the connection closed before an answer: {e}"),
        K::Tls => format!("TLS failed: {e}"),
        _ => e.to_string(),
    };
    types::TransportError { kind, message }
}

/// Where compiled components are cached: `ESSNAP_CACHE_DIR`, else `$XDG_CACHE_HOME/essnap`,
/// else `~/.cache/essnap`.
fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("ESSNAP_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("essnap"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/essnap"))
}

/// Compiles the component, or loads the machine code a previous run cached.
fn load(engine: &Engine) -> Result<Component, String> {
    let mut h = DefaultHasher::new();
    COMPONENT_HASH.hash(&mut h);
    engine.precompile_compatibility_hash().hash(&mut h);
    let file = cache_dir().map(|d| d.join(format!("essnap-{}-{:016x}.cwasm", env!("CARGO_PKG_VERSION"), h.finish())));
    if let Some(f) = &file {
        if f.exists() {
            // SAFETY: the file was written by `Component::serialize` of this very engine
            // configuration (the name carries its compatibility hash); wasmtime checks the header
            // and refuses incompatible code, in which case the component is compiled again.
            if let Ok(c) = unsafe { Component::deserialize_file(engine, f) } {
                return Ok(c);
            }
        }
    }
    let c = Component::new(engine, COMPONENT).map_err(|e| format!("could not compile the essnap component: {e:#}"))?;
    if let (Some(f), Ok(bytes)) = (&file, c.serialize()) {
        if let Some(dir) = f.parent() {
            let _ = std::fs::create_dir_all(dir);
            let tmp = f.with_extension(format!("tmp{}", std::process::id()));
            if std::fs::write(&tmp, bytes).is_ok() {
                let _ = std::fs::rename(&tmp, f);
            }
        }
    }
    Ok(c)
}

/// A running component with its store.
pub struct Guest {
    pub store: Store<State>,
    pub client: Client,
}

impl Guest {
    pub fn start(json: bool, color: bool) -> Result<Self, String> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).map_err(|e| format!("wasmtime: {e:#}"))?;
        let component = load(&engine)?;
        let mut linker: Linker<State> = Linker::new(&engine);
        Client::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).map_err(|e| format!("wasmtime: {e:#}"))?;
        let tty = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        let state = State { http: None, endpoint: None, events: Events { json, bar: None, tty, color } };
        let mut store = Store::new(&engine, state);
        let client = Client::instantiate(&mut store, &component, &linker).map_err(|e| format!("wasmtime: {e:#}"))?;
        Ok(Guest { store, client })
    }

    /// Points the transport at a cluster (or ECE) endpoint.
    pub fn connect(&mut self, cfg: HttpConfig) -> Result<(), String> {
        self.store.data_mut().http = Some(agent(&cfg)?);
        self.store.data_mut().endpoint = cfg.endpoint;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_host_is_a_connect_failure_not_a_dropped_connection() {
        let dns = std::io::Error::other("failed to lookup address information: Name or service not known");
        assert!(matches!(transport_error(ureq::Error::Io(dns)).kind, types::TransportErrorKind::Connect));
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
        assert!(matches!(transport_error(ureq::Error::Io(reset)).kind, types::TransportErrorKind::Dropped));
    }
}
