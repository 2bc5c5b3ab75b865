//! Where instances run, behind one trait. `local` starts processes on this
//! machine; `docker` and `kubernetes` (later) implement the same calls.
//!
//! Every local instance carries `LOCKGATE_INSTANCE` and
//! `LOCKGATE_SERVE_PROJECT` in its environment, so a restarted controller
//! finds its instances again in `/proc` (and tells them apart from a
//! reused process id) — or finds processes it no longer owns and stops them.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Everything needed to start one instance.
#[derive(Clone, Debug)]
pub struct InstanceSpec {
    pub id: String,
    pub service: String,
    pub env: String,
    pub version: String,
    pub script: String,
    pub port: u16,
    pub workdir: PathBuf,
    pub vars: Vec<(String, String)>,
    pub log: PathBuf,
}

/// A started (or re-adopted) instance.
#[derive(Debug)]
pub struct Started {
    pub pid: u32,
    /// Our own child: its exit can be awaited. `None` after re-adoption.
    pub child: Option<tokio::process::Child>,
}

/// A process found on the machine that claims to be one of our instances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub instance: String,
    /// The instance's process group (its leader's pid).
    pub pid: u32,
    pub port: Option<u16>,
}

/// The operations a rollout needs from a platform.
pub trait Target: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// Starts an instance; it is not yet known to be healthy.
    fn start(&self, spec: &InstanceSpec) -> impl Future<Output = std::io::Result<Started>> + Send;
    /// Stops an instance: SIGTERM, then SIGKILL after `grace`.
    fn stop(&self, pid: u32, grace: Duration) -> impl Future<Output = ()> + Send;
    /// Is the instance's process still there?
    fn alive(&self, pid: u32) -> bool;
    /// Instances of `project` running on the platform.
    fn discover(&self, project: &str) -> Vec<Found>;
}

/// Processes on this machine, each in its own process group.
pub struct Local {
    /// Identifies this project's instances among all processes.
    pub project: String,
}

impl Target for Local {
    fn name(&self) -> &'static str {
        "local"
    }

    async fn start(&self, spec: &InstanceSpec) -> std::io::Result<Started> {
        if let Some(dir) = spec.log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&spec.log)?;
        let mut c = tokio::process::Command::new("sh");
        c.arg("-c")
            .arg(&spec.script)
            .current_dir(&spec.workdir)
            .envs(spec.vars.iter().map(|(k, v)| (k, v)))
            .env("PORT", spec.port.to_string())
            .env("VERSION", &spec.version)
            .env("LOCKGATE_SERVICE", &spec.service)
            .env("LOCKGATE_ENV", &spec.env)
            .env("LOCKGATE_INSTANCE", &spec.id)
            .env("LOCKGATE_SERVE_PROJECT", &self.project)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .kill_on_drop(false);
        let child = c.spawn()?;
        let pid = child.id().unwrap_or(0);
        Ok(Started {
            pid,
            child: Some(child),
        })
    }

    async fn stop(&self, pid: u32, grace: Duration) {
        let Ok(pgid) = i32::try_from(pid) else { return };
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGTERM);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if !group_alive(pgid) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }

    fn alive(&self, pid: u32) -> bool {
        i32::try_from(pid).is_ok_and(|p| nix::sys::signal::kill(Pid::from_raw(p), None).is_ok() && !zombie(pid))
    }

    fn discover(&self, project: &str) -> Vec<Found> {
        let mut found = Vec::new();
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return found;
        };
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(raw) = std::fs::read(e.path().join("environ")) else {
                continue;
            };
            let vars: HashMap<&[u8], &[u8]> = raw
                .split(|b| *b == 0)
                .filter_map(|kv| kv.iter().position(|b| *b == b'=').map(|i| (&kv[..i], &kv[i + 1..])))
                .collect();
            if vars.get(&b"LOCKGATE_SERVE_PROJECT"[..]) != Some(&project.as_bytes()) {
                continue;
            }
            // An instance is its process group (the `sh` we started leads
            // it); a member whose leader is gone still names the group.
            let Ok(pgid) = nix::unistd::getpgid(Some(Pid::from_raw(pid as i32))) else {
                continue;
            };
            let pgid = pgid.as_raw() as u32;
            if zombie(pid) || found.iter().any(|f: &Found| f.pid == pgid) {
                continue;
            }
            let Some(instance) = vars
                .get(&b"LOCKGATE_INSTANCE"[..])
                .and_then(|v| std::str::from_utf8(v).ok())
            else {
                continue;
            };
            let port = vars
                .get(&b"PORT"[..])
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(|p| p.parse().ok());
            found.push(Found {
                instance: instance.to_string(),
                pid: pgid,
                port,
            });
        }
        found
    }
}

fn group_alive(pgid: i32) -> bool {
    killpg(Pid::from_raw(pgid), None).is_ok() && !zombie(pgid as u32)
}

/// A process that exited but was not reaped yet counts as gone.
fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

/// A port on loopback that was free a moment ago.
pub fn free_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// The answer to one plain HTTP/1.1 GET.
#[derive(Debug)]
pub struct Probed {
    pub status: u16,
    pub body: String,
}

/// Sends `GET path` to `addr` and reads the answer (status and up to 64 KiB of body).
pub async fn http_get(addr: SocketAddr, path: &str, timeout: Duration) -> std::io::Result<Probed> {
    let work = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: lockgate\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await?;
        let mut buf = Vec::new();
        (&mut s).take(64 * 1024 + 4096).read_to_end(&mut buf).await?;
        let split = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(buf.len(), |i| i + 4);
        let head = String::from_utf8_lossy(&buf[..split]);
        let status = head
            .strip_prefix("HTTP/1.")
            .and_then(|r| r.get(2..5))
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP response"))?;
        let chunked = head.lines().any(|l| {
            let l = l.to_ascii_lowercase();
            l.starts_with("transfer-encoding:") && l.contains("chunked")
        });
        let raw = &buf[split..];
        let body = if chunked { dechunk(raw) } else { raw.to_vec() };
        let body = String::from_utf8_lossy(&body).into_owned();
        Ok(Probed { status, body })
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out")))
}

/// The payload of a chunked HTTP/1.1 body (bytes: a chunk may end inside a character).
fn dechunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = s.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&s[..eol]);
        let Ok(n) = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16) else {
            break;
        };
        let rest = &s[eol + 2..];
        if n == 0 || rest.len() < n {
            break;
        }
        out.extend_from_slice(&rest[..n]);
        s = rest[n..].strip_prefix(b"\r\n").unwrap_or(&rest[n..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dechunks_across_characters() {
        assert_eq!(
            dechunk(b"3\r\n\xc3\xa9a\r\n1\r\n\xc3\r\n1\r\n\xa9\r\n0\r\n\r\n"),
            "éaé".as_bytes()
        );
    }

    proptest! {
        #[test]
        fn dechunk_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = dechunk(&bytes);
        }
    }
}
