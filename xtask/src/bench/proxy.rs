//! A counting HTTP/1.1 proxy for the real-node rows: every tool talks to the node through it, and it records
//! each request line (method and path) with the time it was sent on. Bytes pass through unchanged (keep-alive,
//! `Expect: 100-continue` and chunked bodies included); only the client-to-node direction is parsed, to find
//! where one request ends and the next begins. Bound to 127.0.0.1; stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    pub path: String,
    /// When the request line arrived.
    pub at: Instant,
}

pub struct Proxy {
    pub url: String,
    log: Arc<Mutex<Vec<Logged>>>,
    stop: Arc<AtomicBool>,
    port: u16,
    acceptor: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Listens on a free 127.0.0.1 port and forwards to `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> Result<Proxy, String> {
        let target = upstream.trim_start_matches("http://").trim_end_matches('/').to_string();
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("proxy: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (l2, s2) = (log.clone(), stop.clone());
        let acceptor = thread::spawn(move || {
            for conn in listener.incoming() {
                if s2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                let (target, log) = (target.clone(), l2.clone());
                thread::spawn(move || {
                    let _ = serve(client, &target, &log);
                });
            }
        });
        Ok(Proxy { url: format!("http://127.0.0.1:{port}"), log, stop, port, acceptor: Some(acceptor) })
    }

    /// The requests since the last `take` (and forgets them).
    pub fn take(&self) -> Vec<Logged> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn clear(&self) {
        self.take();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.acceptor.take() {
            let _ = h.join();
        }
    }
}

/// One client connection: a thread copies the node's answers back verbatim; this one forwards the requests,
/// logging each request line.
fn serve(client: TcpStream, target: &str, log: &Mutex<Vec<Logged>>) -> std::io::Result<()> {
    let upstream = TcpStream::connect(target)?;
    client.set_nodelay(true)?;
    upstream.set_nodelay(true)?;
    let (mut up_read, mut client_write) = (upstream.try_clone()?, client.try_clone()?);
    let back = thread::spawn(move || {
        let _ = std::io::copy(&mut up_read, &mut client_write);
        let _ = client_write.shutdown(Shutdown::Write);
    });
    let mut reader = BufReader::new(client);
    let mut up = upstream;
    let result = forward_requests(&mut reader, &mut up, log);
    let _ = up.shutdown(Shutdown::Write);
    let _ = back.join();
    result
}

fn forward_requests(reader: &mut BufReader<TcpStream>, up: &mut TcpStream, log: &Mutex<Vec<Logged>>) -> std::io::Result<()> {
    loop {
        // the head, line by line
        let mut head = Vec::new();
        let mut first = String::new();
        let (mut length, mut chunked) = (0u64, false);
        loop {
            let mut line = Vec::new();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(()); // the client closed the connection
            }
            head.extend_from_slice(&line);
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end();
            if first.is_empty() {
                if text.is_empty() {
                    continue; // stray CRLF between requests
                }
                first = text.to_string();
                continue;
            }
            if text.is_empty() {
                break;
            }
            if let Some((k, v)) = text.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                if k == "content-length" {
                    length = v.parse().unwrap_or(0);
                } else if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
                    chunked = true;
                }
            }
        }
        let mut parts = first.split_whitespace();
        let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
        log.lock().unwrap_or_else(|e| e.into_inner()).push(Logged { method, path, at: Instant::now() });
        up.write_all(&head)?;
        if chunked {
            loop {
                let mut size_line = Vec::new();
                reader.read_until(b'\n', &mut size_line)?;
                up.write_all(&size_line)?;
                let size = u64::from_str_radix(String::from_utf8_lossy(&size_line).trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
                if size == 0 {
                    // trailers until an empty line
                    loop {
                        let mut t = Vec::new();
                        reader.read_until(b'\n', &mut t)?;
                        up.write_all(&t)?;
                        if t == b"\r\n" || t == b"\n" || t.is_empty() {
                            break;
                        }
                    }
                    break;
                }
                copy_exact(reader, up, size + 2)?; // the data and its CRLF
            }
        } else if length > 0 {
            copy_exact(reader, up, length)?;
        }
        up.flush()?;
    }
}

fn copy_exact(reader: &mut BufReader<TcpStream>, up: &mut TcpStream, n: u64) -> std::io::Result<()> {
    let copied = std::io::copy(&mut reader.by_ref().take(n), up)?;
    if copied < n { Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "body cut short")) } else { Ok(()) }
}
