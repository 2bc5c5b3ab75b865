//! `lockgate demo-service` (hidden): a tiny HTTP service for the demo,
//! the tests and the benchmarks. `GET /` answers with its version;
//! `--error-rate 0.3` makes exactly 3 in 10 answers a 500;
//! `GET /healthz` is its health check.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::cli::DemoServiceArgs;
use crate::exit::{Exit, UserError};

pub fn run(a: DemoServiceArgs) -> Result<Exit> {
    if let Some(code) = a.crash {
        eprintln!("demo-service {}: crashing on purpose (exit {code})", a.version);
        std::process::exit(code);
    }
    if !(0.0..=1.0).contains(&a.error_rate) {
        return Err(UserError::usage(format!("--error-rate {} is not between 0 and 1", a.error_rate)).into());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(serve(a))
}

async fn serve(a: DemoServiceArgs) -> Result<Exit> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", a.port))
        .await
        .map_err(|e| {
            UserError::new(
                Exit::Failed,
                format!("cannot listen on 127.0.0.1:{}: {}", a.port, super::io_reason(&e)),
            )
        })?;
    eprintln!("demo-service {} listening on 127.0.0.1:{}", a.version, a.port);
    let a = Arc::new(a);
    let counter = Arc::new(AtomicU64::new(0));
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let (a, counter) = (a.clone(), counter.clone());
                let svc = hyper::service::service_fn(move |req| answer(a.clone(), counter.clone(), req));
                let conn = builder.serve_connection(TokioIo::new(stream), svc).into_owned();
                tokio::spawn(async move { let _ = conn.await; });
            }
            _ = term.recv() => {
                eprintln!("demo-service {}: SIGTERM, bye", a.version);
                return Ok(Exit::Ok);
            }
        }
    }
}

async fn answer(
    a: Arc<DemoServiceArgs>,
    counter: Arc<AtomicU64>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let reply = |status: StatusCode, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        r
    };
    if req.uri().path() == "/healthz" {
        return Ok(if a.unhealthy {
            reply(StatusCode::SERVICE_UNAVAILABLE, "unhealthy\n".into())
        } else {
            reply(StatusCode::OK, "ok\n".into())
        });
    }
    let latency = a.latency.as_std();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    // Exactly `error_rate` of the answers fail, spread evenly.
    let n = counter.fetch_add(1, Relaxed);
    let fail = ((n + 1) as f64 * a.error_rate).floor() > (n as f64 * a.error_rate).floor();
    Ok(if fail {
        reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("shop {} failed\n", a.version),
        )
    } else {
        reply(StatusCode::OK, format!("hello from shop {}\n", a.version))
    })
}
