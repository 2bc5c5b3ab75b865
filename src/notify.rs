//! Webhook notifications: one JSON POST over HTTP/1.1, plain or TLS
//! (rustls with ring, Mozilla's roots), with a deadline. Blocking: call it
//! off async workers. The URL may carry a secret, so only its host is
//! ever shown or recorded.

use std::io::Write as _;
use std::net::{TcpStream, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::Duration;

/// A URL split into what a request needs.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Parses `http(s)://host[:port][/path]`.
pub fn parse(url: &str) -> Result<Target, String> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("the webhook is not an http:// or https:// URL".into());
    };
    // The authority ends at the path, the query or the fragment.
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], &rest[i..]),
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let path = path.split('#').next().unwrap_or("/").to_string();
    if authority.is_empty() || authority.contains('@') || authority.contains(char::is_whitespace) {
        return Err("the webhook URL has no usable host".into());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            let port = p
                .parse::<u16>()
                .map_err(|_| "the webhook URL's port is not a number".to_string())?;
            (h.trim_start_matches('[').trim_end_matches(']').to_string(), port)
        }
        _ => (authority.to_string(), if tls { 443 } else { 80 }),
    };
    if host.is_empty() || path.contains(['\r', '\n', ' ']) {
        return Err("the webhook URL is malformed".into());
    }
    Ok(Target { tls, host, port, path })
}

/// Reads the start of the answer: enough for the status line, within one
/// overall deadline, at most 4 KiB.
fn read_head(s: &mut impl std::io::Read, raw: &mut Vec<u8>, timeout: Duration) {
    let deadline = std::time::Instant::now() + timeout;
    let mut buf = [0u8; 1024];
    while raw.len() < 4096 && std::time::Instant::now() < deadline && !raw.windows(2).any(|w| w == b"\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
}

/// The host of a URL, for messages and the ledger.
pub fn host_of(url: &str) -> String {
    parse(url).map(|t| t.host).unwrap_or_else(|_| "(invalid URL)".into())
}

/// POSTs `body` as JSON; the answer's status code.
pub fn post_json(url: &str, body: &serde_json::Value, timeout: Duration) -> Result<u16, String> {
    let t = parse(url)?;
    let addr = (t.host.as_str(), t.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", t.host))?
        .next()
        .ok_or_else(|| format!("{} has no address", t.host))?;
    let sock = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("cannot connect to {}: {e}", t.host))?;
    sock.set_read_timeout(Some(timeout)).ok();
    sock.set_write_timeout(Some(timeout)).ok();
    let payload = body.to_string();
    let host_header = if (t.tls && t.port == 443) || (!t.tls && t.port == 80) {
        t.host.clone()
    } else {
        format!("{}:{}", t.host, t.port)
    };
    let req = format!(
        "POST {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: lockgate/{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        t.path,
        env!("CARGO_PKG_VERSION"),
        payload.len()
    );
    let mut raw = Vec::new();
    if t.tls {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        #[allow(deprecated)] // ring: the graph's one TLS backend
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(t.host.clone()).map_err(|e| format!("TLS name: {e}"))?;
        let conn = rustls::ClientConnection::new(Arc::new(cfg), name).map_err(|e| format!("TLS: {e}"))?;
        let mut s = rustls::StreamOwned::new(conn, sock);
        s.write_all(req.as_bytes())
            .map_err(|e| format!("sending to {}: {e}", t.host))?;
        read_head(&mut s, &mut raw, timeout);
    } else {
        let mut s = sock;
        s.write_all(req.as_bytes())
            .map_err(|e| format!("sending to {}: {e}", t.host))?;
        read_head(&mut s, &mut raw, timeout);
    }
    let head = String::from_utf8_lossy(&raw[..raw.len().min(64)]).into_owned();
    head.get(9..12)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("{} did not answer HTTP", t.host))
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn urls_parse() {
        assert_eq!(
            parse("https://hooks.example.com/services/T/B/x").unwrap(),
            Target {
                tls: true,
                host: "hooks.example.com".into(),
                port: 443,
                path: "/services/T/B/x".into()
            }
        );
        assert_eq!(parse("http://127.0.0.1:8080").unwrap().port, 8080);
        assert_eq!(parse("http://[::1]:9/x").unwrap().host, "::1");
        for bad in [
            "ftp://x",
            "http://",
            "http://user:pw@x/",
            "http://x:port/",
            "https://x/a b",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(host_of("https://hooks.example.com/secret-token"), "hooks.example.com");
        assert_eq!(host_of("https://hooks.example.com?key=SECRET"), "hooks.example.com");
        assert_eq!(parse("https://h.example#frag?x").unwrap().path, "/");
        assert_eq!(parse("http://h.example?key=1").unwrap().path, "/?key=1");
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,200}") {
            let _ = parse(&s);
            let _ = host_of(&s);
        }
    }

    #[test]
    fn posts_to_a_real_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let h = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = vec![0u8; 8192];
            let mut got = Vec::new();
            while !String::from_utf8_lossy(&got).contains("\"gate\"") {
                let n = s.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                .unwrap();
            String::from_utf8_lossy(&got).into_owned()
        });
        let code = post_json(
            &format!("http://{addr}/hook"),
            &serde_json::json!({ "gate": "release" }),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(code, 204);
        let req = h.join().unwrap();
        assert!(
            req.starts_with("POST /hook HTTP/1.1\r\n") && req.contains("Content-Type: application/json"),
            "{req}"
        );
    }
}
