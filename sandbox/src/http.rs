//! A small HTTP/1.1 server on `std::net`: keep-alive, Content-Length and chunked request bodies,
//! a body cap (413), and hooks that let fault injection drop connections or trickle bodies.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Like Elasticsearch's default `http.max_content_length`.
pub const DEFAULT_MAX_BODY: usize = 100 * 1024 * 1024;
const MAX_HEADER_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Raw (still percent-encoded) path without the query string.
    pub path: String,
    pub query_string: String,
    /// Lower-cased header names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub peer: Option<SocketAddr>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn uri(&self) -> String {
        if self.query_string.is_empty() { self.path.clone() } else { format!("{}?{}", self.path, self.query_string) }
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response { status, headers: vec![("content-type".into(), content_type.into())], body }
    }
    pub fn empty(status: u16) -> Self {
        Response { status, headers: vec![], body: vec![] }
    }
    pub fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

/// What to do with a response after the handler produced it.
#[derive(Debug, Clone)]
pub enum Delivery {
    Normal,
    /// Close the connection without writing anything.
    Drop,
    /// Write the body in `chunk` byte pieces with `delay_ms` between them.
    Slow { chunk: usize, delay_ms: u64 },
}

pub struct Outcome {
    pub response: Response,
    pub delivery: Delivery,
}

pub type Handler = Arc<dyn Fn(&Request) -> Outcome + Send + Sync>;

pub struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn bind(host: &str, port: u16, max_body: usize, handler: Handler) -> std::io::Result<Server> {
        let listener = TcpListener::bind((host, port))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::Builder::new().name("sandbox-accept".into()).spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                let h = handler.clone();
                let stop3 = stop2.clone();
                let _ = std::thread::Builder::new().name("sandbox-conn".into()).spawn(move || {
                    let _ = serve_connection(stream, h, max_body, stop3);
                });
            }
        })?;
        Ok(Server { addr, stop, thread: Some(thread) })
    }

    pub fn shutdown(&mut self) {
        if self.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // unblock accept()
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(500));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

enum ReadError {
    Closed,
    Bad(&'static str),
    TooLarge,
}

fn read_request(reader: &mut BufReader<TcpStream>, max_body: usize) -> Result<Request, ReadError> {
    let mut line = String::new();
    let mut total = 0usize;
    // skip stray empty lines between pipelined requests
    loop {
        line.clear();
        let n = read_line_limited(reader, &mut line)?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        total += n;
        if !line.trim().is_empty() {
            break;
        }
        if total > MAX_HEADER_BYTES {
            return Err(ReadError::Bad("header too large"));
        }
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let proto = parts.next().unwrap_or("");
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || !target.starts_with('/') || !proto.starts_with("HTTP/1.") {
        return Err(ReadError::Bad("bad request line"));
    }
    let mut headers = vec![];
    loop {
        line.clear();
        let n = read_line_limited(reader, &mut line)?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        total += n;
        if total > MAX_HEADER_BYTES {
            return Err(ReadError::Bad("header too large"));
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let Some((k, v)) = l.split_once(':') else { return Err(ReadError::Bad("bad header")) };
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    if get("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        let len_ok = get("content-length").and_then(|v| v.parse::<usize>().ok()).is_none_or(|l| l <= max_body);
        if len_ok {
            let _ = reader.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
    }
    let mut body = vec![];
    if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        loop {
            line.clear();
            if read_line_limited(reader, &mut line)? == 0 {
                return Err(ReadError::Closed);
            }
            let size_str = line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size_str, 16).map_err(|_| ReadError::Bad("bad chunk"))?;
            if size == 0 {
                // trailers
                loop {
                    line.clear();
                    if read_line_limited(reader, &mut line)? == 0 || line.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            if body.len() + size > max_body {
                return Err(ReadError::TooLarge);
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..]).map_err(|_| ReadError::Closed)?;
            line.clear();
            read_line_limited(reader, &mut line)?;
        }
    } else if let Some(cl) = get("content-length") {
        let len: usize = cl.parse().map_err(|_| ReadError::Bad("bad content-length"))?;
        if len > max_body {
            return Err(ReadError::TooLarge);
        }
        body.resize(len, 0);
        reader.read_exact(&mut body).map_err(|_| ReadError::Closed)?;
    }
    let (path, query_string) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    let peer = reader.get_ref().peer_addr().ok();
    Ok(Request { method, path, query_string, headers, body, peer })
}

fn read_line_limited(reader: &mut BufReader<TcpStream>, line: &mut String) -> Result<usize, ReadError> {
    let mut buf = vec![];
    let n = reader.by_ref().take(MAX_HEADER_BYTES as u64 + 1).read_until(b'\n', &mut buf).map_err(|_| ReadError::Closed)?;
    if n > MAX_HEADER_BYTES {
        return Err(ReadError::Bad("line too long"));
    }
    line.push_str(&String::from_utf8_lossy(&buf));
    Ok(n)
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Request Entity Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

fn write_response(stream: &mut TcpStream, resp: &Response, head_only: bool, close: bool, delivery: &Delivery) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, reason_phrase(resp.status));
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n", resp.body.len()));
    if close {
        out.push_str("connection: close\r\n");
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes())?;
    if !head_only {
        match delivery {
            Delivery::Slow { chunk, delay_ms } => {
                for piece in resp.body.chunks((*chunk).max(1)) {
                    stream.write_all(piece)?;
                    stream.flush()?;
                    std::thread::sleep(Duration::from_millis(*delay_ms));
                }
            }
            _ => stream.write_all(&resp.body)?,
        }
    }
    stream.flush()
}

fn serve_connection(stream: TcpStream, handler: Handler, max_body: usize, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let req = match read_request(&mut reader, max_body) {
            Ok(r) => r,
            Err(ReadError::Closed) => return Ok(()),
            Err(ReadError::TooLarge) => {
                let r = Response::empty(413);
                let _ = write_response(&mut writer, &r, false, true, &Delivery::Normal);
                return Ok(());
            }
            Err(ReadError::Bad(why)) => {
                let body = serde_json::json!({"error": format!("bad request: {why}"), "status": 400}).to_string();
                let r = Response::new(400, "application/json", body.into_bytes());
                let _ = write_response(&mut writer, &r, false, true, &Delivery::Normal);
                return Ok(());
            }
        };
        let close = req.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let head = req.method == "HEAD";
        let outcome = handler(&req);
        match outcome.delivery {
            Delivery::Drop => {
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return Ok(());
            }
            ref d => write_response(&mut writer, &outcome.response, head, close, d)?,
        }
        if close {
            return Ok(());
        }
    }
}
