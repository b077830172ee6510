//! A tiny fault-injecting HTTP/1.1 proxy (std::net, 127.0.0.1 only) in front of a real node: it forwards each
//! request on a fresh upstream connection and answers with `connection: close`, except where a rule says
//! otherwise — answer an error without forwarding, or forward and then drop the client's connection unanswered
//! (the "it happened, but nobody heard back" case). It records every request it saw, with timestamps.
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
    pub method: String,
    pub path: String,
    /// The rule's action when one fired.
    pub fault: Option<Action>,
    pub status: Option<u16>,
    pub started: Instant,
    pub finished: Instant,
}

struct Shared {
    rules: Vec<Rule>,
    seen: Vec<Seen>,
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
        let shared = Arc::new(Mutex::new(Shared { rules: Vec::new(), seen: Vec::new() }));
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = {
            let (shared, stop, workers) = (shared.clone(), stop.clone(), workers.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let _ = client.set_nonblocking(false);
                            let (shared, upstream) = (shared.clone(), upstream.clone());
                            let h = std::thread::spawn(move || {
                                let _ = handle(client, &upstream, &shared);
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
        self.shared.lock().unwrap().rules.push(rule);
    }

    pub fn clear(&self) {
        self.shared.lock().unwrap().rules.clear();
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.lock().unwrap().seen.clone()
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

fn handle(mut client: TcpStream, upstream: &str, shared: &Mutex<Shared>) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(120)))?;
    let started = Instant::now();
    let (head, body) = read_message(&mut client, false, false)?;
    let (first, headers) = strip_head(&head);
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let fault = {
        let mut sh = shared.lock().unwrap();
        let hit = sh.rules.iter_mut().find(|r| r.times > 0 && r.method == method && path.contains(r.path_contains));
        hit.map(|r| {
            r.times -= 1;
            r.action.clone()
        })
    };
    let record = |status: Option<u16>| {
        shared.lock().unwrap().seen.push(Seen {
            method: method.clone(),
            path: path.clone(),
            fault: fault.clone(),
            status,
            started,
            finished: Instant::now(),
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
        _ => {}
    }
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
    let (rfirst, rheaders) = strip_head(&rhead);
    let status = rfirst.split(' ').nth(1).and_then(|s| s.parse().ok());
    if fault == Some(Action::ForwardThenDrop) {
        let _ = client.shutdown(Shutdown::Both);
        record(status);
        return Ok(());
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
