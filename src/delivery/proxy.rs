//! The weighted L7 proxy in front of every service: one listener per
//! service and environment, HTTP/1.1 and HTTP/2 (cleartext) towards
//! clients, pooled HTTP/1.1 towards instances.
//!
//! A request goes to the canary with probability `weight` %, unless a
//! forcing header or a sticky cookie decides. A route change swaps one
//! pointer, so requests already on their way finish on the backend they
//! started with (draining), and an attempt that was not sent (refused, or
//! its pooled connection closed first) is retried on another backend — the
//! client never sees it.
//! Errors say whose fault they were in `x-lockgate-error`: `upstream`
//! (502 refused / reset, 504 timed out), `proxy` (503 no ready instance)
//! or `client` (413 body too large).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode, Uri, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};
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
    /// The counters of this backend's version (shared by its instances).
    metrics: Arc<VersionMetrics>,
}

impl Backend {
    /// A backend whose requests count towards `proxy`'s metrics of `version`.
    pub fn new(proxy: &Proxy, instance: impl Into<String>, version: impl Into<String>, addr: SocketAddr) -> Arc<Self> {
        let version = version.into();
        Arc::new(Backend {
            instance: instance.into(),
            metrics: proxy.metrics(&version),
            version,
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

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// What one proxy thread keeps to itself, so that the hot path touches no
/// cache line another thread writes: keep-alive connections to instances
/// (a connection goes back when its response has ended) and its own copy of
/// the route and options, refreshed when the proxy's generation changes.
#[derive(Default)]
pub struct Shard {
    idle: Mutex<HashMap<SocketAddr, Vec<(Sender, Instant)>>>,
    view: Mutex<Option<(u64, Arc<View>)>>,
}

pub type Pool = Arc<Shard>;

/// A thread's copy of the route and options.
pub struct View {
    route: Route,
    options: Options,
}

/// Idle connections kept per instance.
const MAX_IDLE: usize = 512;
/// An idle connection older than this is closed rather than reused (servers
/// commonly close keep-alive connections after 5 s).
const MAX_IDLE_AGE: Duration = Duration::from_secs(4);
/// Idle longer than this, a connection may be closed under a request.
const STALE: Duration = Duration::from_secs(1);

fn idempotent(m: &hyper::Method) -> bool {
    use hyper::Method;
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

impl Shard {
    /// The route and options as of the proxy's current generation.
    fn view(&self, proxy: &Proxy) -> Arc<View> {
        let generation = proxy.generation.load(std::sync::atomic::Ordering::Acquire);
        let mut v = self.view.lock().unwrap_or_else(|e| e.into_inner());
        match &*v {
            Some((g, view)) if *g == generation => view.clone(),
            _ => {
                let view = Arc::new(View {
                    route: (*proxy.route()).clone(),
                    options: (*proxy.options.read().unwrap_or_else(|e| e.into_inner()))
                        .as_ref()
                        .clone(),
                });
                *v = Some((generation, view.clone()));
                // Connections to instances that left the route go now.
                let live: Vec<SocketAddr> = view.route.backends().map(|b| b.addr).collect();
                self.idle
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .retain(|addr, _| live.contains(addr));
                view
            }
        }
    }

    /// A connection to `addr` and how long it had been idle (zero when new).
    async fn checkout(&self, addr: SocketAddr) -> std::io::Result<(Sender, Duration)> {
        loop {
            let idle = {
                let mut m = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                match m.get_mut(&addr) {
                    Some(v) => match v.pop() {
                        // The newest is too old: so are all the others.
                        Some((_, since)) if since.elapsed() > MAX_IDLE_AGE => {
                            v.clear();
                            None
                        }
                        other => other,
                    },
                    None => None,
                }
            };
            let Some((mut s, since)) = idle else { break };
            if !s.is_closed() && s.ready().await.is_ok() {
                return Ok((s, since.elapsed()));
            }
        }
        let stream = tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))??;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(std::io::Error::other)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok((sender, Duration::ZERO))
    }

    fn put(&self, addr: SocketAddr, s: Sender) {
        if s.is_closed() {
            return;
        }
        let mut m = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let v = m.entry(addr).or_default();
        if v.len() < MAX_IDLE {
            v.push((s, Instant::now()));
        }
    }
}
pub type ProxyBody = Either<Tracked<Incoming>, Full<Bytes>>;

/// The proxy of one service in one environment.
pub struct Proxy {
    service: String,
    cookie: String,
    route: RwLock<Arc<Route>>,
    options: RwLock<Arc<Options>>,
    /// Bumped on every route or options change (threads refresh their view).
    generation: AtomicU64,
    metrics: Mutex<HashMap<String, Arc<VersionMetrics>>>,
}

impl Proxy {
    pub fn new(service: &str, options: Options) -> Arc<Self> {
        Arc::new(Proxy {
            service: service.to_string(),
            cookie: format!(
                "lockgate_{}",
                service.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            ),
            route: RwLock::new(Arc::new(Route::default())),
            options: RwLock::new(Arc::new(options)),
            generation: AtomicU64::new(1),
            metrics: Mutex::new(HashMap::new()),
        })
    }

    /// Every version's counters now (`/metrics`).
    pub fn snapshots(&self) -> Vec<(String, super::metrics::Snapshot)> {
        let m = self.metrics.lock().unwrap_or_else(|e| e.into_inner());
        m.iter().map(|(v, c)| (v.clone(), c.snapshot())).collect()
    }

    /// Replaces the route in one step; requests in flight are not affected.
    pub fn set_route(&self, route: Route) {
        *self.route.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(route);
        self.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
    }

    pub fn route(&self) -> Arc<Route> {
        self.route.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The live counters of `version` (created on first use).
    pub fn metrics(&self, version: &str) -> Arc<VersionMetrics> {
        let mut m = self.metrics.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(version.to_string()).or_default().clone()
    }

    /// A well-spread number per call (splitmix64 of a per-thread counter:
    /// no shared cache line between the proxy's threads).
    fn dice(&self) -> u64 {
        thread_local! {
            static STATE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
        }
        let mut z = STATE.with(|s| {
            // Threads start from different points: the cell's own address.
            let v = if s.get() == 0 { s as *const _ as u64 } else { s.get() }.wrapping_add(0x9E37_79B9_7F4A_7C15);
            s.set(v);
            v
        });
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
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
        let to_canary =
            canary_ok && (route.stable.is_empty() || ((self.dice() % 10_000) as f64) < route.weight * 100.0);
        if to_canary {
            (&route.canary, true)
        } else {
            (&route.stable, false)
        }
    }

    /// Serves one client request; `xff` is the client's address as a header value.
    pub async fn handle(
        self: Arc<Self>,
        pool: Pool,
        req: Request<Incoming>,
        xff: HeaderValue,
    ) -> Result<Response<ProxyBody>, Infallible> {
        let (mut parts, body) = req.into_parts();
        // Bodies are buffered so that a refused attempt can be sent again.
        let body = if body.is_end_stream() {
            Bytes::new()
        } else {
            match Limited::new(body, MAX_BODY).collect().await {
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
            }
        };
        // The route is read once the request is complete: a slow upload
        // does not carry a route that changed meanwhile.
        let view = pool.view(&self);
        let opts = &view.options;
        strip_hop_by_hop(&mut parts.headers);
        if !parts.headers.contains_key(header::HOST)
            && let Some(a) = parts.uri.authority()
            && let Ok(v) = HeaderValue::from_str(a.as_str())
        {
            parts.headers.insert(header::HOST, v);
        }
        let xff = match parts.headers.get(X_FORWARDED_FOR).and_then(|v| v.to_str().ok()) {
            Some(prev) => HeaderValue::from_str(&format!("{prev}, {}", xff.to_str().unwrap_or(""))).unwrap_or(xff),
            None => xff,
        };
        parts.headers.insert(X_FORWARDED_FOR, xff);
        parts
            .headers
            .insert(X_FORWARDED_PROTO, HeaderValue::from_static("http"));
        let path = parts.uri.path_and_query().cloned();

        let route = &view.route;
        let (group, canary) = self.choose(route, &parts.headers, opts);
        if group.is_empty() {
            return Ok(fault(
                StatusCode::SERVICE_UNAVAILABLE,
                "proxy",
                format!("no ready instance of `{}`", self.service),
            ));
        }
        let start = self.dice() as usize;
        // Candidates: the chosen group from a random start, then the other group.
        let other: &[Arc<Backend>] = if canary { &route.stable } else { &route.canary };
        let attempts = (group.len() + other.len()).min(ATTEMPTS);
        let sticky_cookie = opts
            .sticky
            .then(|| cookie(&parts.headers, &self.cookie).map(str::to_string));
        let mut up = Request::new(Full::new(body));
        *up.method_mut() = parts.method;
        *up.uri_mut() = path.map_or_else(|| Uri::from_static("/"), Uri::from);
        *up.version_mut() = Version::HTTP_11;
        *up.headers_mut() = parts.headers;
        let mut last_error = String::new();
        for n in 0..attempts {
            let backend = if n < group.len() {
                &group[(start + n) % group.len()]
            } else {
                &other[n - group.len()]
            };
            let metrics = &backend.metrics;
            let began = Instant::now();
            // Counted before the connection is chosen, so a draining
            // instance is not stopped under a request on its way to it.
            backend.inflight.fetch_add(1, Relaxed);
            let guard = Inflight(backend.clone());
            let (mut sender, idle_for) = match pool.checkout(backend.addr).await {
                Ok(s) => s,
                Err(e) => {
                    // Refused: nothing was sent, the next backend gets the request.
                    metrics.record_failure(began.elapsed());
                    last_error = format!("{}@{} ({}): {e}", self.service, backend.version, backend.addr);
                    continue;
                }
            };
            // A connection idle for a while may be closed by the instance just
            // as the request goes out; keep what it takes to send an
            // idempotent request again (rare: a busy pool is never idle long).
            let again = (idle_for > STALE && idempotent(up.method())).then(|| {
                let mut r = Request::new(up.body().clone());
                *r.method_mut() = up.method().clone();
                *r.uri_mut() = up.uri().clone();
                *r.version_mut() = up.version();
                *r.headers_mut() = up.headers().clone();
                r
            });
            let sent = sender.try_send_request(up);
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
                    if let Some(had) = &sticky_cookie
                        && had.as_deref() != Some(backend.version.as_str())
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
                            reuse: Some((pool.clone(), backend.addr, sender)),
                        }),
                    ));
                }
                Err(mut e) => {
                    metrics.record_failure(began.elapsed());
                    drop(guard);
                    last_error = format!(
                        "{}@{} ({}): {}",
                        self.service,
                        backend.version,
                        backend.addr,
                        error_chain(e.error())
                    );
                    // The request comes back when it was not sent (the
                    // connection closed first): safe to send elsewhere.
                    match e.take_message().or(again) {
                        Some(m) => up = m,
                        None => break,
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

/// The value of cookie `name` (also the server's session cookie).
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// Headers that belong to one connection, never forwarded (RFC 9110 7.6.1).
const HOP_BY_HOP: [HeaderName; 9] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

fn strip_hop_by_hop(h: &mut HeaderMap) {
    if h.contains_key(header::CONNECTION) {
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
    }
    for n in &HOP_BY_HOP {
        if h.contains_key(n) {
            h.remove(n);
        }
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

/// A response body that keeps its request counted as in flight and gives
/// its connection back to the pool when it ended.
pub struct Tracked<B: Body> {
    inner: B,
    _guard: Inflight,
    reuse: Option<(Pool, SocketAddr, Sender)>,
}

impl<B: Body> Drop for Tracked<B> {
    fn drop(&mut self) {
        // A body dropped half-way leaves its connection unusable.
        if self.inner.is_end_stream()
            && let Some((pool, addr, s)) = self.reuse.take()
        {
            pool.put(addr, s);
        }
    }
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

/// The proxy's threads: how many connections each serves, and where to hand
/// a connection to another thread.
struct Threads {
    active: Vec<AtomicU64>,
    handoff: Vec<tokio::sync::mpsc::UnboundedSender<std::net::TcpStream>>,
}

/// Starts the proxy on `addr`: one thread per core, each with its own
/// single-threaded runtime and upstream pool, so a request never changes
/// thread. All threads accept from one listening socket; a thread that
/// already serves more connections than another hands the new one over, so
/// long-lived keep-alive connections end up evenly spread. Returns the bound
/// address; the threads stop when `shutdown` turns true.
pub fn listen(addr: SocketAddr, proxy: Arc<Proxy>, shutdown: watch::Receiver<bool>) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let n = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let mut receivers = Vec::new();
    let mut handoff = Vec::new();
    for _ in 0..n {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        handoff.push(tx);
        receivers.push(rx);
    }
    let threads = Arc::new(Threads {
        active: (0..n).map(|_| AtomicU64::new(0)).collect(),
        handoff,
    });
    for (i, rx) in receivers.into_iter().enumerate() {
        let l = listener.try_clone()?;
        let (proxy, shutdown, threads) = (proxy.clone(), shutdown.clone(), threads.clone());
        std::thread::Builder::new()
            .name(format!("lockgate-proxy-{i}"))
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                    return;
                };
                rt.block_on(async move {
                    let Ok(l) = TcpListener::from_std(l) else { return };
                    serve(l, rx, i, threads, proxy, shutdown).await;
                });
            })?;
    }
    Ok(bound)
}

/// Accepts connections (and those other threads hand over) until `shutdown` turns true.
async fn serve(
    listener: TcpListener,
    mut handed: tokio::sync::mpsc::UnboundedReceiver<std::net::TcpStream>,
    me: usize,
    threads: Arc<Threads>,
    proxy: Arc<Proxy>,
    mut shutdown: watch::Receiver<bool>,
) {
    let pool = Pool::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: back off briefly.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let (least, load) = threads
                    .active
                    .iter()
                    .map(|a| a.load(Relaxed))
                    .enumerate()
                    .min_by_key(|(_, n)| *n)
                    .unwrap_or((me, 0));
                if least != me && threads.active[me].load(Relaxed) > load {
                    let Ok(std) = stream.into_std() else { continue };
                    // Counted now, so the next accept sees it.
                    threads.active[least].fetch_add(1, Relaxed);
                    if threads.handoff[least].send(std).is_err() {
                        threads.active[least].fetch_sub(1, Relaxed);
                    }
                    continue;
                }
                threads.active[me].fetch_add(1, Relaxed);
                stream
            }
            Some(std) = handed.recv() => match TcpStream::from_std(std) {
                Ok(s) => s,
                Err(_) => {
                    threads.active[me].fetch_sub(1, Relaxed);
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let Ok(peer) = stream.peer_addr() else {
            threads.active[me].fetch_sub(1, Relaxed);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (proxy, pool, threads) = (proxy.clone(), pool.clone(), threads.clone());
        let xff = HeaderValue::from_str(&peer.ip().to_string()).unwrap_or(HeaderValue::from_static("unknown"));
        let svc = hyper::service::service_fn(move |req| proxy.clone().handle(pool.clone(), req, xff.clone()));
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // HTTP/2 with prior knowledge starts with its preface
            // ("PRI * HTTP/2.0"); anything else is HTTP/1.x. Peeking once
            // per connection keeps HTTP/1 on hyper's direct path.
            let mut head = [0u8; 3];
            let h2 = matches!(stream.peek(&mut head).await, Ok(3)) && &head == b"PRI";
            if h2 {
                let conn = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc);
                let _ = watcher.watch(conn).await;
            } else {
                let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
                let _ = watcher.watch(conn).await;
            }
            threads.active[me].fetch_sub(1, Relaxed);
        });
    }
    // Let open connections finish what they are doing, briefly.
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}
