//! A tiny fault-injecting HTTP/1.1 proxy (std::net, 127.0.0.1 only) in front of a real node or the sandbox: it
//! forwards each request on a fresh upstream connection and answers with `connection: close`, except where a rule
//! says otherwise — answer an error without forwarding, hold the request until the client gives up, forward and
//! then drop the client's connection unanswered (the "it happened, but nobody heard back" case), forward and then
//! answer a gateway error or hold, or trickle the answer. It records every request it saw, with timestamps (when
//! the client's request arrived and was done with, and when the upstream worked on it).
//! Stops (and joins its threads) when dropped.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Answer this status with a real-looking Elasticsearch error body; nothing reaches the node.
    Status(u16, &'static str),
    /// Forward, let the node act and answer, then close the client connection without a response.
    ForwardThenDrop,
    /// Close the client connection without forwarding anything.
    DropBefore,
    /// Answer this status with a gateway's plain HTML page (nginx's), without forwarding.
    Gateway(u16),
    /// Hold the request (never forwarded) until the client gives up (or [`MAX_HOLD`]), then close: a timeout
    /// before anything reached the node.
    Hold,
    /// Forward, let the node act, then hold the answer until the client gives up (or [`MAX_HOLD`]) and close: a
    /// timeout after the node acted.
    ForwardThenHold,
    /// Forward, let the node act, then answer this status instead (a gateway's plain HTML page, like nginx's 502 /
    /// 504 when the backend was slow): "it failed" although it happened.
    ForwardThenStatus(u16),
    /// Forward, then write the answer `chunk` bytes at a time with `delay_ms` between pieces (a slow body; past the
    /// client's timeout it becomes a timeout mid-body, after the node acted).
    SlowBody { chunk: usize, delay_ms: u64 },
}

/// The longest a held request is kept when the client never gives up.
pub const MAX_HOLD: Duration = Duration::from_secs(60);

impl Action {
    /// Whether the node sees the request under this action.
    pub fn forwards(&self) -> bool {
        matches!(self, Action::ForwardThenDrop | Action::ForwardThenHold | Action::ForwardThenStatus(_) | Action::SlowBody { .. })
    }
}

/// A rule with an owned path pattern: `path_glob` is matched against the whole path without the query (`*` matches
/// any run of characters, `/` included), and the first `skip` matching requests pass untouched.
#[derive(Clone, Debug)]
pub struct Injection {
    pub method: String,
    pub path_glob: String,
    pub action: Action,
    pub skip: usize,
    pub times: usize,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub method: &'static str,
    /// A substring of the path (with query).
    pub path_contains: &'static str,
    pub action: Action,
    /// How many times it fires (then the request passes through).
    pub times: usize,
}

#[derive(Clone, Debug)]
pub struct Seen {
    /// Arrival order (0-based) of the request at the proxy.
    pub seq: usize,
    pub method: String,
    pub path: String,
    /// The rule's action when one fired.
    pub fault: Option<Action>,
    /// The node's status when the request was forwarded, else the injected one.
    pub status: Option<u16>,
    /// When the request arrived, and when the proxy was done with the client's connection.
    pub started: Instant,
    pub finished: Instant,
    /// When the node worked on it (sent to it .. its answer read), if it was forwarded.
    pub upstream: Option<(Instant, Instant)>,
}

enum Matcher {
    Contains(&'static str),
    Glob(String),
}

struct Entry {
    method: String,
    path: Matcher,
    action: Action,
    skip: usize,
    times: usize,
}

struct Shared {
    rules: Vec<Entry>,
    seen: Vec<Seen>,
    arrivals: usize,
}

pub struct FaultProxy {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    workers: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl FaultProxy {
    /// A proxy for `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_string();
        assert!(upstream.starts_with("127.0.0.1:"), "the proxy forwards to 127.0.0.1 only");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Mutex::new(Shared { rules: Vec::new(), seen: Vec::new(), arrivals: 0 }));
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = {
            let (shared, stop, workers) = (shared.clone(), stop.clone(), workers.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let _ = client.set_nonblocking(false);
                            let (shared, upstream, stop) = (shared.clone(), upstream.clone(), stop.clone());
                            let h = std::thread::spawn(move || {
                                let _ = handle(client, &upstream, &shared, &stop);
                            });
                            workers.lock().unwrap().push(h);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        FaultProxy { url, shared, stop, accept: Some(accept), workers }
    }

    pub fn add(&self, rule: Rule) {
        let Rule { method, path_contains, action, times } = rule;
        self.shared.lock().unwrap().rules.push(Entry { method: method.into(), path: Matcher::Contains(path_contains), action, skip: 0, times });
    }

    pub fn inject(&self, i: Injection) {
        let Injection { method, path_glob, action, skip, times } = i;
        self.shared.lock().unwrap().rules.push(Entry { method, path: Matcher::Glob(path_glob), action, skip, times });
    }

    pub fn clear(&self) {
        self.shared.lock().unwrap().rules.clear();
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.lock().unwrap().seen.clone()
    }

    /// Stops the proxy, waits for every connection it still handles (a hold, a slow body) to end, and returns
    /// the complete log.
    pub fn finish(self) -> Vec<Seen> {
        let shared = self.shared.clone();
        drop(self);
        std::mem::take(&mut shared.lock().unwrap().seen)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        for h in std::mem::take(&mut *self.workers.lock().unwrap()) {
            let _ = h.join();
        }
    }
}

/// `*` matches any run of characters (`/` included); everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Keeps the client's connection open without answering until the client closes it (or `MAX_HOLD`, or the proxy
/// stops).
fn hold(client: &mut TcpStream, stop: &AtomicBool) {
    let _ = client.set_read_timeout(Some(Duration::from_millis(20)));
    let until = Instant::now() + MAX_HOLD;
    let mut buf = [0u8; 1024];
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        match client.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one HTTP message (head + body by content-length or chunked, or to EOF when `to_eof`).
fn read_message(s: &mut TcpStream, head_only_body: bool, to_eof: bool) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed before the head ended"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut body = buf[head_end..].to_vec();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    if head_only_body {
        return Ok((head, Vec::new()));
    }
    if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        while body.len() < len {
            let n = s.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
        body.truncate(len);
    } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        while find(&body, b"0\r\n\r\n").is_none() {
            let n = s.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
        body = dechunk(&body);
    } else if to_eof {
        s.read_to_end(&mut body)?;
    }
    Ok((head, body))
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = find(b, b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..i]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = i + 2;
        out.extend_from_slice(&b[start..(start + size).min(b.len())]);
        b = &b[(start + size + 2).min(b.len())..];
    }
    out
}

/// The head without `connection` / `content-length` / `transfer-encoding` headers.
fn strip_head(head: &str) -> (String, Vec<String>) {
    let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("").to_string();
    let kept = lines
        .filter(|l| {
            let k = l.split(':').next().unwrap_or("").trim().to_ascii_lowercase();
            !matches!(k.as_str(), "connection" | "content-length" | "transfer-encoding" | "keep-alive")
        })
        .map(String::from)
        .collect();
    (first, kept)
}

fn write_message(s: &mut TcpStream, first: &str, headers: &[String], body: &[u8], head_request: bool, len: usize) -> std::io::Result<()> {
    let mut out = format!("{first}\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str(&format!("content-length: {len}\r\nconnection: close\r\n\r\n"));
    s.write_all(out.as_bytes())?;
    if !head_request {
        s.write_all(body)?;
    }
    s.flush()
}

/// What nginx answers when its backend failed or was too slow.
fn gateway_page(client: &mut TcpStream, code: u16, head: bool) -> std::io::Result<()> {
    let reason = match code {
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => "Error",
    };
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    write_message(client, &format!("HTTP/1.1 {code} {reason}"), &["content-type: text/html".into(), "server: nginx".into()], page.as_bytes(), head, page.len())
}

fn handle(mut client: TcpStream, upstream: &str, shared: &Mutex<Shared>, stop: &AtomicBool) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(120)))?;
    let (head, body) = read_message(&mut client, false, false)?;
    let started = Instant::now();
    let (first, headers) = strip_head(&head);
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let path_only = path.split('?').next().unwrap_or("").to_string();
    let (seq, fault) = {
        let mut sh = shared.lock().unwrap();
        let seq = sh.arrivals;
        sh.arrivals += 1;
        let hit = sh.rules.iter_mut().find(|r| {
            let path_ok = match &r.path {
                Matcher::Contains(c) => path.contains(c),
                Matcher::Glob(g) => glob(g, &path_only),
            };
            r.times > 0 && (r.method == method || r.method == "*") && path_ok
        });
        let fault = hit.and_then(|r| {
            if r.skip > 0 {
                r.skip -= 1;
                return None;
            }
            r.times -= 1;
            Some(r.action.clone())
        });
        (seq, fault)
    };
    let upstream_span: Mutex<Option<(Instant, Instant)>> = Mutex::new(None);
    let record = |status: Option<u16>| {
        shared.lock().unwrap().seen.push(Seen {
            seq,
            method: method.clone(),
            path: path.clone(),
            fault: fault.clone(),
            status,
            started,
            finished: Instant::now(),
            upstream: *upstream_span.lock().unwrap(),
        });
    };
    match &fault {
        Some(Action::Status(code, kind)) => {
            let body = format!(
                r#"{{"error":{{"root_cause":[{{"type":"{kind}","reason":"injected by the test proxy"}}],"type":"{kind}","reason":"injected by the test proxy"}},"status":{code}}}"#
            );
            write_message(
                &mut client,
                &format!("HTTP/1.1 {code} Injected"),
                &["content-type: application/json; charset=UTF-8".into()],
                body.as_bytes(),
                method == "HEAD",
                body.len(),
            )?;
            record(Some(*code));
            return Ok(());
        }
        Some(Action::DropBefore) => {
            let _ = client.shutdown(Shutdown::Both);
            record(None);
            return Ok(());
        }
        Some(Action::Gateway(code)) => {
            gateway_page(&mut client, *code, method == "HEAD")?;
            record(Some(*code));
            return Ok(());
        }
        Some(Action::Hold) => {
            hold(&mut client, stop);
            let _ = client.shutdown(Shutdown::Both);
            record(None);
            return Ok(());
        }
        _ => {}
    }
    let sent = Instant::now();
    let mut up = TcpStream::connect(upstream)?;
    up.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut req = format!("{first}\r\n");
    for h in &headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    up.write_all(req.as_bytes())?;
    up.write_all(&body)?;
    up.flush()?;
    let (rhead, rbody) = read_message(&mut up, method == "HEAD", true)?;
    *upstream_span.lock().unwrap() = Some((sent, Instant::now()));
    let (rfirst, rheaders) = strip_head(&rhead);
    let status = rfirst.split(' ').nth(1).and_then(|s| s.parse().ok());
    match &fault {
        Some(Action::ForwardThenDrop) => {
            let _ = client.shutdown(Shutdown::Both);
            record(status);
            return Ok(());
        }
        Some(Action::ForwardThenHold) => {
            hold(&mut client, stop);
            let _ = client.shutdown(Shutdown::Both);
            record(status);
            return Ok(());
        }
        Some(Action::ForwardThenStatus(code)) => {
            let r = gateway_page(&mut client, *code, method == "HEAD");
            record(status);
            return r;
        }
        Some(Action::SlowBody { chunk, delay_ms }) => {
            let mut out = format!("{rfirst}\r\n");
            for h in &rheaders {
                out.push_str(h);
                out.push_str("\r\n");
            }
            out.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", rbody.len()));
            let r = (|| {
                client.write_all(out.as_bytes())?;
                client.flush()?;
                if method != "HEAD" {
                    for piece in rbody.chunks((*chunk).max(1)) {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(*delay_ms));
                        client.write_all(piece)?;
                        client.flush()?;
                    }
                }
                Ok(())
            })();
            record(status);
            return r;
        }
        _ => {}
    }
    let len = if method == "HEAD" {
        rhead
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.trim().parse().ok()))
            .unwrap_or(0)
    } else {
        rbody.len()
    };
    write_message(&mut client, &rfirst, &rheaders, &rbody, method == "HEAD", len)?;
    record(status);
    Ok(())
}
