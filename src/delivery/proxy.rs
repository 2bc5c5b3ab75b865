//! The weighted L7 proxy in front of every service: one listener per
//! service and environment, HTTP/1.1 and HTTP/2 (cleartext) towards
//! clients, pooled HTTP/1.1 towards instances.
//!
//! A request goes to the canary with probability `weight` %, unless a
//! forcing header or a sticky cookie decides. A route change swaps one
//! pointer, so requests already on their way finish on the backend they
//! started with (draining), and an attempt refused by a backend that is
//! going away is retried on another one — the client never sees it.
//! Errors say whose fault they were in `x-lockgate-error`: `upstream`
//! (502 refused / reset, 504 timed out), `proxy` (503 no ready instance)
//! or `client` (413 body too large).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::metrics::VersionMetrics;

/// Largest request body the proxy buffers (bodies are buffered so a
/// refused attempt can be retried on another instance).
pub const MAX_BODY: usize = 8 << 20;
const ATTEMPTS: usize = 3;

/// One instance the proxy can send requests to.
#[derive(Debug)]
pub struct Backend {
    pub instance: String,
    pub version: String,
    pub addr: SocketAddr,
    inflight: AtomicU64,
}

impl Backend {
    pub fn new(instance: impl Into<String>, version: impl Into<String>, addr: SocketAddr) -> Arc<Self> {
        Arc::new(Backend {
            instance: instance.into(),
            version: version.into(),
            addr,
            inflight: AtomicU64::new(0),
        })
    }

    /// Requests sent to this backend whose response has not finished.
    pub fn inflight(&self) -> u64 {
        self.inflight.load(Relaxed)
    }
}

/// Where traffic goes: `weight` % to the canary group, the rest to stable.
#[derive(Clone, Debug, Default)]
pub struct Route {
    pub stable: Vec<Arc<Backend>>,
    pub canary: Vec<Arc<Backend>>,
    pub weight: f64,
}

impl Route {
    pub fn backends(&self) -> impl Iterator<Item = &Arc<Backend>> {
        self.stable.iter().chain(&self.canary)
    }
}

/// Per-service proxy settings.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Requests carrying this header with this value go to the canary.
    pub force_header: Option<(HeaderName, String)>,
    /// Keep a client on the version it first reached (cookie).
    pub sticky: bool,
    /// Time allowed for an instance to send response headers.
    pub timeout: Option<Duration>,
}

impl Options {
    /// Parses `X-Canary: always` (a header without a value matches any value).
    pub fn header(spec: &str) -> Result<(HeaderName, String), String> {
        let (name, value) = spec.split_once(':').unwrap_or((spec, ""));
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("`{}` is not a valid header name", name.trim()))?;
        Ok((name, value.trim().to_string()))
    }
}

type Upstream = Client<HttpConnector, Full<Bytes>>;
pub type ProxyBody = Either<Tracked<Incoming>, Full<Bytes>>;

/// The proxy of one service in one environment.
pub struct Proxy {
    service: String,
    cookie: String,
    route: RwLock<Arc<Route>>,
    options: RwLock<Options>,
    metrics: Mutex<HashMap<String, Arc<VersionMetrics>>>,
    client: Upstream,
    counter: AtomicUsize,
}

impl Proxy {
    pub fn new(service: &str, options: Options) -> Arc<Self> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(2)));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(512)
            .build(connector);
        Arc::new(Proxy {
            service: service.to_string(),
            cookie: format!(
                "lockgate_{}",
                service.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            ),
            route: RwLock::new(Arc::new(Route::default())),
            options: RwLock::new(options),
            metrics: Mutex::new(HashMap::new()),
            client,
            counter: AtomicUsize::new(0),
        })
    }

    /// Replaces the route in one step; requests in flight are not affected.
    pub fn set_route(&self, route: Route) {
        *self.route.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(route);
    }

    pub fn route(&self) -> Arc<Route> {
        self.route.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_options(&self, options: Options) {
        *self.options.write().unwrap_or_else(|e| e.into_inner()) = options;
    }

    /// The live counters of `version` (created on first use).
    pub fn metrics(&self, version: &str) -> Arc<VersionMetrics> {
        let mut m = self.metrics.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(version.to_string()).or_default().clone()
    }

    fn next(&self) -> usize {
        self.counter.fetch_add(1, Relaxed)
    }

    /// A uniformly spread number in 0..10_000 (splitmix64 of a counter).
    fn dice(&self) -> u64 {
        let mut z = (self.next() as u64)
            .wrapping_add(0x9E37_79B9_7F4A_7C15)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % 10_000
    }

    /// Chooses the group for a request: forced header, sticky cookie, weight.
    fn choose<'r>(&self, route: &'r Route, headers: &HeaderMap, opts: &Options) -> (&'r [Arc<Backend>], bool) {
        let canary_ok = !route.canary.is_empty();
        if canary_ok
            && let Some((name, value)) = &opts.force_header
            && let Some(v) = headers.get(name)
            && (value.is_empty() || v.as_bytes().eq_ignore_ascii_case(value.as_bytes()))
        {
            return (&route.canary, true);
        }
        if opts.sticky
            && let Some(version) = cookie(headers, &self.cookie)
        {
            if canary_ok && route.canary[0].version == version {
                return (&route.canary, true);
            }
            if route.stable.first().is_some_and(|b| b.version == version) {
                return (&route.stable, false);
            }
        }
        let to_canary = canary_ok && (route.stable.is_empty() || (self.dice() as f64) < route.weight * 100.0);
        if to_canary {
            (&route.canary, true)
        } else {
            (&route.stable, false)
        }
    }

    /// Serves one client request.
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<ProxyBody>, Infallible> {
        let opts = self.options.read().unwrap_or_else(|e| e.into_inner()).clone();
        let (mut parts, body) = req.into_parts();
        let body = match Limited::new(body, MAX_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                    return Ok(fault(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "client",
                        format!("request body is larger than {} MiB", MAX_BODY >> 20),
                    ));
                }
                return Ok(fault(
                    StatusCode::BAD_REQUEST,
                    "client",
                    "the request body could not be read".to_string(),
                ));
            }
        };
        strip_hop_by_hop(&mut parts.headers);
        if !parts.headers.contains_key(header::HOST)
            && let Some(a) = parts.uri.authority()
            && let Ok(v) = HeaderValue::from_str(a.as_str())
        {
            parts.headers.insert(header::HOST, v);
        }
        let xff = match parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            Some(prev) => format!("{prev}, {}", peer.ip()),
            None => peer.ip().to_string(),
        };
        if let Ok(v) = HeaderValue::from_str(&xff) {
            parts.headers.insert("x-forwarded-for", v);
        }
        parts
            .headers
            .insert("x-forwarded-proto", HeaderValue::from_static("http"));
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        let idempotent = matches!(
            parts.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        );

        let route = self.route();
        let (group, canary) = self.choose(&route, &parts.headers, &opts);
        if group.is_empty() {
            return Ok(fault(
                StatusCode::SERVICE_UNAVAILABLE,
                "proxy",
                format!("no ready instance of `{}`", self.service),
            ));
        }
        let start = self.next();
        // Candidates: the chosen group in round-robin order, then the other group.
        let other: &[Arc<Backend>] = if canary { &route.stable } else { &route.canary };
        let candidates: Vec<&Arc<Backend>> = (0..group.len())
            .map(|i| &group[(start + i) % group.len()])
            .chain(other.iter())
            .take(ATTEMPTS)
            .collect();
        let mut last_error = String::new();
        for backend in candidates {
            let uri: Uri = match format!("http://{}{}", backend.addr, path).parse() {
                Ok(u) => u,
                Err(_) => {
                    return Ok(fault(
                        StatusCode::BAD_REQUEST,
                        "client",
                        "the request target is not a valid path".to_string(),
                    ));
                }
            };
            let mut up = Request::builder()
                .method(parts.method.clone())
                .uri(uri)
                .version(Version::HTTP_11);
            if let Some(h) = up.headers_mut() {
                *h = parts.headers.clone();
            }
            let Ok(up) = up.body(Full::new(body.clone())) else {
                return Ok(fault(
                    StatusCode::BAD_REQUEST,
                    "client",
                    "the request could not be forwarded".to_string(),
                ));
            };
            let metrics = self.metrics(&backend.version);
            backend.inflight.fetch_add(1, Relaxed);
            let guard = Inflight(backend.clone());
            let began = Instant::now();
            let sent = self.client.request(up);
            let result = match opts.timeout {
                Some(t) => match tokio::time::timeout(t, sent).await {
                    Ok(r) => r,
                    Err(_) => {
                        metrics.record_failure(began.elapsed());
                        return Ok(fault(
                            StatusCode::GATEWAY_TIMEOUT,
                            "upstream",
                            format!(
                                "{}@{} ({}) sent no response within {}",
                                self.service,
                                backend.version,
                                backend.addr,
                                crate::spec::Duration(t)
                            ),
                        ));
                    }
                },
                None => sent.await,
            };
            match result {
                Ok(resp) => {
                    let status = resp.status();
                    metrics.record(status.as_u16(), began.elapsed());
                    let (mut rparts, rbody) = resp.into_parts();
                    strip_hop_by_hop(&mut rparts.headers);
                    if opts.sticky
                        && cookie(&parts.headers, &self.cookie) != Some(backend.version.as_str())
                        && let Ok(v) = HeaderValue::from_str(&format!(
                            "{}={}; Path=/; HttpOnly; SameSite=Lax",
                            self.cookie, backend.version
                        ))
                    {
                        rparts.headers.append(header::SET_COOKIE, v);
                    }
                    return Ok(Response::from_parts(
                        rparts,
                        Either::Left(Tracked {
                            inner: rbody,
                            _guard: guard,
                        }),
                    ));
                }
                Err(e) => {
                    metrics.record_failure(began.elapsed());
                    drop(guard);
                    last_error = format!(
                        "{}@{} ({}): {}",
                        self.service,
                        backend.version,
                        backend.addr,
                        error_chain(&e)
                    );
                    if !(e.is_connect() || idempotent) {
                        break;
                    }
                }
            }
        }
        Ok(fault(StatusCode::BAD_GATEWAY, "upstream", last_error))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn strip_hop_by_hop(h: &mut HeaderMap) {
    let named: Vec<HeaderName> = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        h.remove(n);
    }
    for n in HOP_BY_HOP {
        h.remove(*n);
    }
}

/// A response lockgate writes itself, naming whose fault it was.
fn fault(status: StatusCode, party: &'static str, message: String) -> Response<ProxyBody> {
    let mut r = Response::new(Either::Right(Full::new(Bytes::from(format!("lockgate: {message}\n")))));
    *r.status_mut() = status;
    r.headers_mut()
        .insert("x-lockgate-error", HeaderValue::from_static(party));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Counts a request as in flight on its backend until the response body ends.
pub struct Inflight(Arc<Backend>);

impl Drop for Inflight {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Relaxed);
    }
}

/// A response body that keeps its request counted as in flight.
pub struct Tracked<B> {
    inner: B,
    _guard: Inflight,
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Accepts connections on `listener` until `shutdown` turns true.
pub async fn serve(listener: TcpListener, proxy: Arc<Proxy>, mut shutdown: watch::Receiver<bool>) {
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    // Out of file descriptors and the like: back off briefly.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let proxy = proxy.clone();
                let svc = hyper::service::service_fn(move |req| proxy.clone().handle(req, peer));
                let conn = builder.serve_connection(TokioIo::new(stream), svc).into_owned();
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    // Let open connections finish what they are doing, briefly.
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}
