//! A small closed-loop HTTP/1.1 load generator on keep-alive connections,
//! used by `lockgate demo` and the delivery tests to keep traffic flowing
//! through a proxy while versions change. Every answer is classified so a
//! failed request can be attributed: the new version's own errors, the
//! proxy's (`x-lockgate-error`), or the connection.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the load saw.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Report {
    pub requests: u64,
    pub ok: u64,
    /// 5xx answers written by the service itself.
    pub service_errors: u64,
    /// Answers lockgate's proxy wrote (`x-lockgate-error`): 502/503/504/413.
    pub proxy_errors: u64,
    /// The first such answer's status and body, to say why.
    pub first_proxy_error: Option<String>,
    /// Connections refused or reset, malformed answers.
    pub io_errors: u64,
    /// Answers per version, read from the body's last word (`hello from shop v2`).
    pub versions: BTreeMap<String, u64>,
    /// Service errors per version.
    pub errors_by_version: BTreeMap<String, u64>,
}

impl Report {
    /// Requests that failed for reasons other than the service's own answer.
    pub fn lost(&self) -> u64 {
        self.proxy_errors + self.io_errors
    }
}

pub struct Load {
    stop: Arc<AtomicBool>,
    report: Arc<Mutex<Report>>,
    threads: Vec<JoinHandle<()>>,
}

impl Load {
    /// Starts `connections` clients sending `GET /` to `addr`, each pausing
    /// `pause` between requests, until [`Load::finish`] or `limit` requests.
    pub fn start(addr: SocketAddr, connections: usize, pause: Duration, limit: u64) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let report = Arc::new(Mutex::new(Report::default()));
        let threads = (0..connections)
            .map(|_| {
                let (stop, report) = (stop.clone(), report.clone());
                std::thread::spawn(move || client(addr, pause, limit / connections.max(1) as u64, &stop, &report))
            })
            .collect();
        Load { stop, report, threads }
    }

    /// A copy of the counts so far.
    pub fn snapshot(&self) -> Report {
        self.report.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Stops the clients and returns what they saw.
    pub fn finish(self) -> Report {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            let _ = t.join();
        }
        self.report.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

enum Answer {
    Status { status: u16, proxy: bool, body: String },
    Io,
}

fn client(addr: SocketAddr, pause: Duration, limit: u64, stop: &AtomicBool, report: &Mutex<Report>) {
    let mut conn: Option<BufReader<TcpStream>> = None;
    let mut sent = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    while !stop.load(Ordering::Relaxed) && sent < limit && Instant::now() < deadline {
        sent += 1;
        let answer = one(addr, &mut conn);
        let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
        r.requests += 1;
        match answer {
            Answer::Io => {
                r.io_errors += 1;
                conn = None;
            }
            Answer::Status { status, proxy, body } => {
                let version = body.split_whitespace().last().unwrap_or("").to_string();
                let version = body
                    .strip_prefix("shop ")
                    .and_then(|b| b.split_whitespace().next())
                    .map(str::to_string)
                    .unwrap_or(version);
                if proxy {
                    r.proxy_errors += 1;
                    if r.first_proxy_error.is_none() {
                        r.first_proxy_error = Some(format!("{status} {}", body.trim()));
                    }
                } else if status >= 500 {
                    r.service_errors += 1;
                    *r.errors_by_version.entry(version.clone()).or_default() += 1;
                    *r.versions.entry(version).or_default() += 1;
                } else {
                    r.ok += 1;
                    *r.versions.entry(version).or_default() += 1;
                }
            }
        }
        drop(r);
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
}

fn one(addr: SocketAddr, conn: &mut Option<BufReader<TcpStream>>) -> Answer {
    if conn.is_none() {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                *conn = Some(BufReader::new(s));
            }
            Err(_) => return Answer::Io,
        }
    }
    let Some(c) = conn.as_mut() else { return Answer::Io };
    if c.get_mut()
        .write_all(b"GET / HTTP/1.1\r\nHost: lockgate-load\r\n\r\n")
        .is_err()
    {
        return Answer::Io;
    }
    let mut line = String::new();
    if c.read_line(&mut line).unwrap_or(0) == 0 {
        return Answer::Io;
    }
    let Some(status) = line.get(9..12).and_then(|s| s.parse::<u16>().ok()) else {
        return Answer::Io;
    };
    let (mut len, mut proxy, mut close) = (0usize, false, false);
    loop {
        let mut h = String::new();
        if c.read_line(&mut h).unwrap_or(0) == 0 {
            return Answer::Io;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        } else if lower.starts_with("x-lockgate-error:") {
            proxy = true;
        } else if lower.starts_with("connection:") && lower.contains("close") {
            close = true;
        }
    }
    let mut body = vec![0; len];
    if c.read_exact(&mut body).is_err() {
        return Answer::Io;
    }
    if close {
        *conn = None;
    }
    Answer::Status {
        status,
        proxy,
        body: String::from_utf8_lossy(&body).trim().to_string(),
    }
}
