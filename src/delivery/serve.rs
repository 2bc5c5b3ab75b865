//! `lockgate serve`: the long-running controller of one project. It owns
//! the units (service × environment), serves a local JSON API for the CLI
//! on loopback, and stops cleanly on SIGTERM / Ctrl-C / `lockgate stop`.
//!
//! The API's address and a random bearer token are written to
//! `.lockgate/serve.json` (mode 0600): only the project's owner can drive
//! the controller. Requests without the token are refused and the refusal
//! is recorded in the ledger.

use std::collections::{BTreeMap, HashSet};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::watch;

use super::controller::{Command, Shared, Unit, service_envs};
use super::state::{self, DeliveryState};
use super::target::{Local, Target};
use crate::exit::{Exit, UserError};
use crate::ledger::committer::Committer;
use crate::ledger::projection::Projected;
use crate::ledger::{Actor, Ledger, NewEvent};
use crate::spec::Spec;

/// What `lockgate serve` writes for the CLI to find it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    pub pid: u32,
    pub api: SocketAddr,
    pub token: String,
    pub started: String,
}

pub fn endpoint_path(state_dir: &Path) -> PathBuf {
    state_dir.join("serve.json")
}

/// A stable identifier of the project on this machine (its root's path hash).
pub fn project_id(root: &Path) -> String {
    use sha2::Digest as _;
    let canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    hex::encode(&sha2::Sha256::digest(canon.as_os_str().as_encoded_bytes())[..8])
}

pub struct Config {
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub spec: Spec,
    pub listen: SocketAddr,
    /// Global arguments pointing at this project, for the engine functions.
    pub g: crate::cli::GlobalArgs,
    pub server: crate::server::Options,
}

/// Runs the controller until it is told to stop.
pub fn run(cfg: Config, ledger: Ledger) -> Result<()> {
    std::fs::create_dir_all(&cfg.state_dir)?;
    let lock_path = cfg.state_dir.join("serve.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        let pid = read_endpoint(&cfg.state_dir)
            .map(|e| e.pid.to_string())
            .unwrap_or_else(|| "?".into());
        return Err(UserError::new(
            Exit::Conflict,
            format!("a controller is already running for this project (pid {pid})"),
        )
        .with_hint("use it, or stop it with `lockgate stop`")
        .into());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("lockgate-serve")
        .build()?;
    let result = rt.block_on(serve(cfg, ledger));
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    drop(lock);
    result
}

async fn serve(cfg: Config, ledger: Ledger) -> Result<()> {
    let mut projected = Projected::new(DeliveryState::default());
    projected.catch_up(&ledger)?;
    let recorded = projected.state;
    let committer = Committer::start(ledger, 256);
    let project = project_id(&cfg.root);
    let target = Arc::new(Local {
        project: project.clone(),
    });
    let sh = Shared {
        appender: committer.appender(),
        target: target.clone(),
        root: cfg.root.clone(),
        state_dir: cfg.state_dir.clone(),
        project: project.clone(),
    };
    let found = target.discover(&project);
    // Processes of ours that no unit owns any more are stopped: never two
    // versions running without an owner.
    let mut owned = HashSet::new();
    let mut units = BTreeMap::new();
    for service in cfg.spec.services.names() {
        for env in service_envs(&cfg.spec, service) {
            let rec = recorded
                .units
                .get(&(service.to_string(), env.clone()))
                .cloned()
                .unwrap_or_default();
            owned.extend(rec.instances.keys().cloned());
            let h = Unit::start(sh.clone(), &cfg.spec, service, &env, rec, &found).await;
            units.insert((service.to_string(), env), h);
        }
    }
    let mut orphans = 0;
    for f in found.iter().filter(|f| !owned.contains(&f.instance)) {
        orphans += 1;
        target.stop(f.pid, std::time::Duration::from_secs(5)).await;
        let (service, env) = split_instance(&f.instance);
        let _ = sh.record(
            &Actor::system(),
            state::INSTANCE_STOPPED,
            &service,
            &env,
            json!({ "instance": f.instance, "pid": f.pid, "reason": "orphan: running but owned by no rollout" }),
        );
    }

    crate::server::check_listen(cfg.listen, &cfg.server)?;
    let tls = match &cfg.server.tls {
        Some((cert, key)) => Some(crate::server::tls_config(cert, key)?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(cfg.listen).await.map_err(|e| {
        UserError::new(
            Exit::Failed,
            format!("cannot listen on {}: {}", cfg.listen, crate::commands::io_reason(&e)),
        )
        .with_hint("pass another `--listen` address")
    })?;
    let public_addr = listener.local_addr()?;
    // Under TLS the project owner's CLI gets a plain listener of its own on
    // loopback (it has no certificate to trust); otherwise it shares one.
    let local_listener = match &tls {
        Some(_) => Some(tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?),
        None => None,
    };
    let api_addr = match &local_listener {
        Some(l) => l.local_addr()?,
        None => public_addr,
    };
    let mut raw = [0u8; 24];
    getrandom::fill(&mut raw).map_err(|e| anyhow::anyhow!("no randomness for the API token: {e}"))?;
    let token = hex::encode(raw);
    let endpoint = Endpoint {
        pid: std::process::id(),
        api: api_addr,
        token: token.clone(),
        started: jiff::Timestamp::now().to_string(),
    };
    write_endpoint(&cfg.state_dir, &endpoint)?;
    let (stop, mut stopped) = watch::channel(false);
    let units = Arc::new(units);
    let app = Arc::new(crate::server::Ctx::new(
        cfg.g.clone(),
        cfg.root.clone(),
        cfg.state_dir.clone(),
        cfg.spec.clone(),
        units.clone(),
        sh.clone(),
        stop.clone(),
        token,
        &cfg.server,
    ));
    let names: Vec<String> = units.keys().map(|(s, e)| format!("{s}/{e}")).collect();
    let _ = tokio::task::block_in_place(|| {
        sh.appender.append(vec![NewEvent::json(
            Actor::local(),
            state::SERVE_STARTED,
            "serve",
            json!({ "pid": endpoint.pid, "api": public_addr.to_string(), "tls": tls.is_some(), "units": names, "adopted": found.len() - orphans, "orphans_stopped": orphans }),
        )])
    });
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!(
        "lockgate serve: controller {} on {scheme}://{public_addr} (pid {})",
        names.join(", "),
        endpoint.pid
    );
    for h in units.values() {
        if let Ok(v) = h.call(Command::Status, Actor::system()).await {
            match (v["listen"].as_str(), v["listen_error"].as_str()) {
                (Some(l), _) => eprintln!("  {}/{}: proxy on http://{l}", h.service, h.env),
                (None, Some(e)) => eprintln!("  {}/{}: {e}", h.service, h.env),
                _ => {}
            }
        }
    }

    let router = crate::server::api::router(app.clone());
    app.ready.store(true, std::sync::atomic::Ordering::Relaxed);
    let local_server =
        local_listener.map(|l| tokio::spawn(crate::server::serve_http(l, router.clone(), None, stopped.clone())));
    let server = tokio::spawn(crate::server::serve_http(listener, router, tls, stopped.clone()));

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = stopped.wait_for(|v| *v) => {}
    }
    let _ = stop.send(true);
    app.ready.store(false, std::sync::atomic::Ordering::Relaxed);
    eprintln!("lockgate serve: stopping {} unit(s)", units.len());
    for h in units.values() {
        h.shutdown().await;
    }
    let _ = server.await;
    if let Some(l) = local_server {
        let _ = l.await;
    }
    let _ = tokio::task::block_in_place(|| {
        sh.appender.append(vec![NewEvent::json(
            Actor::system(),
            state::SERVE_STOPPED,
            "serve",
            json!({ "pid": endpoint.pid }),
        )])
    });
    let _ = std::fs::remove_file(endpoint_path(&cfg.state_dir));
    app.close();
    drop(sh);
    drop(units);
    drop(app);
    tokio::task::block_in_place(|| committer.shutdown())?;
    Ok(())
}

fn split_instance(id: &str) -> (String, String) {
    let mut it = id.splitn(3, '.');
    (it.next().unwrap_or("").to_string(), it.next().unwrap_or("").to_string())
}

fn write_endpoint(dir: &Path, e: &Endpoint) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let tmp = dir.join("serve.json.tmp");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(serde_json::to_string_pretty(e)?.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, endpoint_path(dir))?;
    Ok(())
}

pub fn read_endpoint(dir: &Path) -> Option<Endpoint> {
    serde_json::from_str(&std::fs::read_to_string(endpoint_path(dir)).ok()?).ok()
}

/// A version names a build: letters, digits, `.`, `_`, `-`, `+` (at most 64).
pub fn valid_version(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
}
