//! `lockgate serve`, `stop`, `deploy`, `rollout …` and the rollout
//! actions (`promote SERVICE`, `abort`, `pause`, `resume`, `retry`,
//! `rollback`). They talk to the project's controller over its local API.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Value, json};

use crate::cli::{GlobalArgs, RolloutCommand, RolloutTarget};
use crate::delivery::client::Client;
use crate::delivery::controller::service_envs;
use crate::delivery::serve::{self, valid_version};
use crate::delivery::state::DeliveryState;
use crate::exit::{Exit, UserError};
use crate::ledger::Actor;
use crate::ledger::projection::Projected;
use crate::spec::Loaded;

struct Project {
    loaded: Loaded,
    state_dir: PathBuf,
}

fn project(g: &GlobalArgs) -> Result<Project> {
    let path = super::spec_path(g)?;
    let loaded = super::load_spec(g, &path)?;
    let state_dir = loaded.root().join(".lockgate");
    Ok(Project { loaded, state_dir })
}

impl Project {
    /// The environment of `service`: `--env`, or its only one.
    fn env_of(&self, service: &str, env: Option<&str>) -> Result<String> {
        let spec = &self.loaded.spec;
        if spec.services.get(service).is_none() {
            let names: Vec<&str> = spec.services.names().collect();
            return Err(UserError::usage(format!("unknown service `{service}`"))
                .with_hint(if names.is_empty() {
                    "declare it under `services:` in lockgate.yaml".to_string()
                } else {
                    format!("services: {}", names.join(", "))
                })
                .into());
        }
        let envs = service_envs(spec, service);
        match env {
            Some(e) if envs.iter().any(|x| x == e) => Ok(e.to_string()),
            Some(e) => Err(
                UserError::usage(format!("service `{service}` is not deployed to `{e}`"))
                    .with_hint(format!("its environments: {}", envs.join(", ")))
                    .into(),
            ),
            None if envs.len() == 1 => Ok(envs[0].clone()),
            None => Err(
                UserError::usage(format!("service `{service}` runs in several environments"))
                    .with_hint(format!("pass --env ({})", envs.join(", ")))
                    .into(),
            ),
        }
    }
}

pub fn serve(g: &GlobalArgs, detach: bool, listen: std::net::SocketAddr, opts: crate::server::Options) -> Result<Exit> {
    let p = project(g)?;
    crate::server::check_listen(listen, &opts)?;
    if let Some((cert, key)) = &opts.tls {
        crate::server::tls_config(cert, key)?;
    }
    if detach {
        return detach_serve(g, &p, listen, &opts);
    }
    let ledger = super::open_ledger(g)?;
    let mut pg = g.clone();
    pg.config = Some(p.loaded.path.clone());
    serve::run(
        serve::Config {
            root: p.loaded.root().to_path_buf(),
            state_dir: p.state_dir.clone(),
            spec: p.loaded.spec.clone(),
            listen,
            g: pg,
            server: opts,
        },
        ledger,
    )?;
    Ok(Exit::Ok)
}

fn detach_serve(
    g: &GlobalArgs,
    p: &Project,
    listen: std::net::SocketAddr,
    opts: &crate::server::Options,
) -> Result<Exit> {
    use std::os::unix::process::CommandExt as _;
    if let Some(c) = Client::try_connect(&p.state_dir) {
        return Err(UserError::new(
            Exit::Conflict,
            format!(
                "a controller is already running for this project (pid {})",
                c.endpoint.pid
            ),
        )
        .with_hint("stop it with `lockgate stop`")
        .into());
    }
    std::fs::create_dir_all(&p.state_dir)?;
    let log_path = p.state_dir.join("serve.log");
    let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path)?;
    let before = std::fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
    let old = serve::read_endpoint(&p.state_dir).map(|e| e.token);
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("-f")
        .arg(&p.loaded.path)
        .arg("serve")
        .arg("--listen")
        .arg(listen.to_string());
    if let Some((cert, key)) = &opts.tls {
        cmd.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
    }
    if opts.insecure {
        cmd.arg("--insecure");
    }
    if opts.log_json {
        cmd.arg("--log-format").arg("json");
    }
    if let Some(s) = &g.store {
        cmd.arg("--store").arg(s);
    }
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0)
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait()? {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let tail: String = text.get(before as usize..).unwrap_or("").trim().to_string();
            return Err(UserError::new(
                Exit::from_code(status.code().unwrap_or(1)),
                format!(
                    "the controller exited at once: {}",
                    if tail.is_empty() { "no output".into() } else { tail }
                ),
            )
            .with_hint(format!("see {}", crate::diag::display_path(&log_path)))
            .into());
        }
        if let Some(c) = Client::try_connect(&p.state_dir)
            && Some(&c.endpoint.token) != old.as_ref()
        {
            writeln!(
                std::io::stdout(),
                "controller started (pid {}, API http://{}); log: {}",
                c.endpoint.pid,
                c.endpoint.api,
                crate::diag::display_path(&log_path)
            )?;
            return Ok(Exit::Ok);
        }
        if Instant::now() > deadline {
            return Err(UserError::new(Exit::Failed, "the controller did not answer within 30s")
                .with_hint(format!("see {}", crate::diag::display_path(&log_path)))
                .into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn stop(g: &GlobalArgs) -> Result<Exit> {
    let p = project(g)?;
    let c = match Client::connect(&p.state_dir) {
        Ok(c) => c,
        Err(_) => {
            writeln!(std::io::stderr(), "no controller is running for this project")?;
            return Ok(Exit::Ok);
        }
    };
    c.post("/api/v1/shutdown", &json!({}))?;
    let pid = nix::unistd::Pid::from_raw(c.endpoint.pid as i32);
    let deadline = Instant::now() + Duration::from_secs(120);
    while nix::sys::signal::kill(pid, None).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    writeln!(
        std::io::stdout(),
        "controller (pid {}) and its services stopped",
        c.endpoint.pid
    )?;
    Ok(Exit::Ok)
}

pub fn deploy(
    g: &GlobalArgs,
    service: &str,
    env: Option<&str>,
    version: Option<String>,
    set: &[String],
    wait: bool,
    json_out: bool,
) -> Result<Exit> {
    let p = project(g)?;
    let env = p.env_of(service, env)?;
    let mut vars = serde_json::Map::new();
    for kv in set {
        let Some((k, v)) = kv
            .split_once('=')
            .filter(|(k, _)| crate::delivery::controller::valid_var(k))
        else {
            return Err(UserError::usage(format!(
                "`--set {kv}` is not KEY=VALUE with a variable name such as ERROR_RATE"
            ))
            .with_hint("names are letters, digits and `_`; PORT, VERSION and LOCKGATE_* are set by lockgate")
            .into());
        };
        vars.insert(k.to_string(), Value::String(v.to_string()));
    }
    if let Some(v) = &version
        && !valid_version(v)
    {
        return Err(UserError::usage(format!("`{v}` is not a valid version"))
            .with_hint("use letters, digits, `.`, `_`, `-` and `+` (at most 64)")
            .into());
    }
    // Connect first: a missing controller should not cost a gate evaluation.
    let client = Client::connect(&p.state_dir)?;
    let default = super::gate::ensure_deployable(g, &env)?;
    let Some(version) = version.or(default) else {
        return Err(
            UserError::usage("no version to deploy: no pipeline run and no git commit")
                .with_hint("pass --version V")
                .into(),
        );
    };
    let r = client.post(
        &format!("/api/v1/rollouts/{service}/{env}/deploy"),
        &json!({ "version": version, "vars": vars, "actor": Actor::local().to_string() }),
    )?;
    let started = r["started"].as_bool() == Some(true);
    if json_out && !(wait && started) {
        super::print_json(&r)?;
        return Ok(Exit::Ok);
    }
    if !started {
        // Already the stable version: nothing to roll out.
        writeln!(
            std::io::stdout(),
            "{}",
            r["message"].as_str().unwrap_or("nothing to do")
        )?;
        return Ok(Exit::Ok);
    }
    if !wait {
        writeln!(
            std::io::stdout(),
            "rollout {} of {service} {version} to {env} started; follow it with `lockgate rollout status {service} --env {env} --watch`",
            r["rollout"]
        )?;
        return Ok(Exit::Ok);
    }
    follow(&client, service, &env, r["rollout"].as_u64().unwrap_or(0), json_out)
}

/// Prints a rollout's progress until it ends; the exit code says how.
fn follow(client: &Client, service: &str, env: &str, id: u64, json_out: bool) -> Result<Exit> {
    let mut last = String::new();
    let mut analyses = 0u64;
    loop {
        let s = client.get(&format!("/api/v1/rollouts/{service}/{env}"))?;
        let r = &s["rollout"];
        if r["id"].as_u64() != Some(id) {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        let phase = r["phase"].as_str().unwrap_or("");
        let line = format!(
            "{} step {}/{} weight {}%",
            phase,
            (r["step"].as_u64().unwrap_or(0) + 1).min(r["steps"].as_array().map_or(0, |a| a.len() as u64)),
            r["steps"].as_array().map_or(0, |a| a.len()),
            r["weight"].as_f64().unwrap_or(0.0)
        );
        let tally = &r["analysis"]["tally"];
        let n = ["successful", "failed", "inconclusive", "errors"]
            .iter()
            .map(|k| tally[k].as_u64().unwrap_or(0))
            .sum::<u64>();
        if !json_out && (line != last || n != analyses) {
            let mut out = std::io::stdout().lock();
            if line != last {
                writeln!(out, "{service}/{env}: {line}")?;
            }
            if n != analyses
                && let Some(m) = r["analysis"]["last"].as_object()
            {
                writeln!(
                    out,
                    "  analysis: {} ({})",
                    m["outcome"].as_str().unwrap_or(""),
                    crate::delivery::analysis::observed_line(&m["observed"])
                )?;
            }
            last = line;
            analyses = n;
        }
        match phase {
            "completed" => {
                if json_out {
                    super::print_json(&s)?;
                } else {
                    writeln!(
                        std::io::stdout(),
                        "{service} {} is stable in {env}",
                        r["to"].as_str().unwrap_or("")
                    )?;
                }
                return Ok(Exit::Ok);
            }
            "aborted" => {
                if json_out {
                    super::print_json(&s)?;
                }
                return Err(UserError::new(
                    Exit::Failed,
                    format!(
                        "rollout {id} of {service} to {} was aborted: {}",
                        r["to"].as_str().unwrap_or(""),
                        r["reason"].as_str().unwrap_or("")
                    ),
                )
                .with_hint(format!(
                    "traffic is back on {}; `lockgate retry {service} --env {env}` starts it again",
                    s["stable"].as_str().unwrap_or("the stable version")
                ))
                .into());
            }
            "paused" => {
                if json_out {
                    super::print_json(&s)?;
                }
                return Err(UserError::new(Exit::Blocked, format!("rollout {id} of {service} is paused: {}", r["reason"].as_str().unwrap_or("")))
                    .with_hint(format!("`lockgate promote {service} --env {env}` or `lockgate resume {service} --env {env}` continues; `lockgate abort` stops"))
                    .into());
            }
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

pub fn rollout(g: &GlobalArgs, cmd: RolloutCommand) -> Result<Exit> {
    match cmd {
        RolloutCommand::Status {
            service,
            env,
            watch,
            json,
        } => status(g, service.as_deref(), env.as_deref(), watch, json),
        RolloutCommand::Promote { target, full } => action(g, &target, "promote", full),
        RolloutCommand::Abort(t) => action(g, &t, "abort", false),
        RolloutCommand::Pause(t) => action(g, &t, "pause", false),
        RolloutCommand::Resume(t) => action(g, &t, "resume", false),
        RolloutCommand::Retry(t) => action(g, &t, "retry", false),
        RolloutCommand::Rollback(t) => action(g, &t, "rollback", false),
    }
}

/// `lockgate promote X`: an environment goes through its gates; a service's rollout moves on.
pub fn promote(g: &GlobalArgs, target: &str, env: Option<String>, full: bool, json_out: bool) -> Result<Exit> {
    let p = project(g)?;
    let spec = &p.loaded.spec;
    let is_env = spec.environments.get(target).is_some();
    let is_service = spec.services.get(target).is_some();
    match (is_env, is_service) {
        (true, true) => Err(UserError::usage(format!("`{target}` is both an environment and a service"))
            .with_hint(format!("say which: `lockgate gate status` for the environment, or `lockgate rollout promote {target} --env ENV`"))
            .into()),
        (true, false) => {
            if env.is_some() || full {
                return Err(UserError::usage("--env and --full apply to a service's rollout, not to an environment").into());
            }
            super::gate::promote(g, target, json_out)
        }
        _ => action(
            g,
            &RolloutTarget {
                service: target.to_string(),
                env,
                json: json_out,
            },
            "promote",
            full,
        ),
    }
}

pub fn action(g: &GlobalArgs, t: &RolloutTarget, what: &str, full: bool) -> Result<Exit> {
    let p = project(g)?;
    let env = p.env_of(&t.service, t.env.as_deref())?;
    let client = Client::connect(&p.state_dir)?;
    let mut body = json!({ "actor": Actor::local().to_string() });
    if what == "promote" {
        body["full"] = json!(full);
    }
    let r = client.post(&format!("/api/v1/rollouts/{}/{env}/{what}", t.service), &body)?;
    if t.json {
        super::print_json(&r)?;
        return Ok(Exit::Ok);
    }
    let s = if r.get("status").is_some() { &r["status"] } else { &r };
    let msg = match what {
        "rollback" if r["instant"].as_bool() == Some(true) => format!(
            "{} in {env} rolled back; {} takes all traffic now",
            t.service,
            s["stable"].as_str().unwrap_or("the previous version")
        ),
        "rollback" => format!(
            "{} in {env}: the previous version was not warm; redeploying {} (rollout {})",
            t.service,
            s["rollout"]["to"].as_str().unwrap_or("it"),
            s["rollout"]["id"]
        ),
        "retry" => format!(
            "rollout {} of {} to {} started again",
            r["rollout"],
            t.service,
            s["rollout"]["to"].as_str().unwrap_or("")
        ),
        _ => {
            let done = match what {
                "promote" => "promoted",
                "abort" => "aborted",
                "pause" => "paused",
                _ => "resumed",
            };
            format!(
                "{} in {env} {done}: rollout {} is {}{}",
                t.service,
                s["rollout"]["id"],
                s["rollout"]["phase"].as_str().unwrap_or(""),
                if what == "abort" {
                    format!("; all traffic on {}", s["stable"].as_str().unwrap_or("stable"))
                } else {
                    String::new()
                }
            )
        }
    };
    writeln!(std::io::stdout(), "{msg}")?;
    Ok(Exit::Ok)
}

fn status(g: &GlobalArgs, service: Option<&str>, env: Option<&str>, watch: bool, json_out: bool) -> Result<Exit> {
    let p = project(g)?;
    let env = match service {
        Some(s) => match env {
            Some(e) => Some(p.env_of(s, Some(e))?),
            // Every environment of the service (after checking it exists).
            None => {
                let envs = service_envs(&p.loaded.spec, s);
                if envs.len() == 1 {
                    Some(envs[0].clone())
                } else {
                    p.env_of(s, envs.first().map(String::as_str))?;
                    None
                }
            }
        },
        None => env.map(str::to_string),
    };
    loop {
        let units: Vec<Value> = match Client::try_connect(&p.state_dir) {
            Some(c) => c.get("/api/v1/rollouts")?["units"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            None => {
                if watch {
                    return Err(
                        UserError::usage("the lockgate controller is not running for this project")
                            .with_hint("start it with `lockgate serve --detach`")
                            .into(),
                    );
                }
                offline(g, &p)?
            }
        };
        let units: Vec<Value> = units
            .into_iter()
            .filter(|u| service.is_none_or(|s| u["service"] == s) && env.as_deref().is_none_or(|e| u["env"] == e))
            .collect();
        if json_out {
            if service.is_some() && env.is_some() && units.len() == 1 {
                super::print_json(&units[0])?;
            } else {
                super::print_json(&json!({ "units": units }))?;
            }
            return Ok(Exit::Ok);
        }
        let mut text = String::new();
        for u in &units {
            text.push_str(&render(u));
        }
        if units.is_empty() {
            text.push_str("no services declared\n");
        }
        let mut out = std::io::stdout().lock();
        if watch {
            use std::io::IsTerminal as _;
            if std::io::stdout().is_terminal() {
                write!(out, "\x1b[2J\x1b[H{text}")?;
            } else {
                // Piped: one snapshot after another, no screen control.
                write!(out, "--- {}\n{text}", jiff::Timestamp::now().strftime("%H:%M:%S"))?;
            }
            out.flush()?;
            drop(out);
            std::thread::sleep(Duration::from_millis(500));
            continue;
        }
        write!(out, "{text}")?;
        return Ok(Exit::Ok);
    }
}

/// What the ledger says when no controller is running.
fn offline(g: &GlobalArgs, p: &Project) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let cfg = super::ledger_config(g)?;
    let exists = crate::ledger::store::sqlite_path(&cfg.store, &cfg.base).is_none_or(|p| p.exists());
    let mut st: Projected<DeliveryState> = Projected::default();
    if exists {
        st.catch_up(&crate::ledger::Ledger::open_read(cfg)?)?;
    }
    for service in p.loaded.spec.services.names() {
        for env in service_envs(&p.loaded.spec, service) {
            let u = st
                .state
                .units
                .get(&(service.to_string(), env.clone()))
                .cloned()
                .unwrap_or_default();
            out.push(json!({
                "service": service, "env": env, "offline": true, "stable": u.stable,
                "instances": u.instances.values().collect::<Vec<_>>(),
                "rollout": u.rollout.map(|r| json!({
                    "id": r.id, "strategy": r.strategy, "from": r.from, "to": r.to,
                    "phase": crate::delivery::controller::phase_name(r.phase), "reason": r.reason,
                    "step": r.step, "weight": r.weight, "actor": r.actor, "started": r.started.to_string(),
                })),
            }));
        }
    }
    Ok(out)
}

fn render(u: &Value) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let listen = u["listen"]
        .as_str()
        .map(|l| format!(" — http://{l}"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "{} in {}{listen}{}: stable {}",
        u["service"].as_str().unwrap_or(""),
        u["env"].as_str().unwrap_or(""),
        if u["offline"] == true {
            " (controller not running; as recorded)"
        } else {
            ""
        },
        u["stable"].as_str().unwrap_or("none")
    );
    if let Some(e) = u["listen_error"].as_str() {
        let _ = writeln!(s, "  ! {e}");
    }
    if let Some(w) = u["warm"].as_object() {
        let _ = writeln!(
            s,
            "  {} kept warm for instant rollback ({}s left)",
            w["version"].as_str().unwrap_or(""),
            w["for_ms"].as_u64().unwrap_or(0) / 1000
        );
    }
    let r = &u["rollout"];
    if r.is_object() {
        let steps: Vec<&str> = r["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let step = r["step"].as_u64().unwrap_or(0) as usize;
        let next = r["next_step_in_ms"]
            .as_u64()
            .map(|ms| format!(", next step in {:.1}s", ms as f64 / 1000.0))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "  rollout {} ({}) {} -> {}: {}{}",
            r["id"],
            r["strategy"].as_str().unwrap_or(""),
            r["from"].as_str().unwrap_or("nothing"),
            r["to"].as_str().unwrap_or(""),
            r["phase"].as_str().unwrap_or(""),
            r["reason"].as_str().map(|x| format!(" — {x}")).unwrap_or_default()
        );
        if !steps.is_empty() {
            let marked: Vec<String> = steps
                .iter()
                .enumerate()
                .map(|(i, st)| if i == step { format!("[{st}]") } else { st.to_string() })
                .collect();
            let _ = writeln!(
                s,
                "  steps: {}   weight {}%{next}",
                marked.join(" "),
                r["weight"].as_f64().unwrap_or(0.0)
            );
        }
        let a = &r["analysis"];
        if a.is_object() {
            let t = &a["tally"];
            let _ = writeln!(
                s,
                "  analysis every {}: {} successful, {} failed (limit {}), {} inconclusive (limit {}), {} errors",
                a["interval"].as_str().unwrap_or(""),
                t["successful"],
                t["failed"],
                a["failure_limit"],
                t["inconclusive"],
                a["inconclusive_limit"],
                t["errors"]
            );
            for o in a["last"]["observed"].as_array().into_iter().flatten() {
                let verdict = match o["pass"].as_bool() {
                    Some(true) => "ok",
                    Some(false) => "FAIL",
                    None => "?",
                };
                let _ = writeln!(
                    s,
                    "    {:<32} {:>10}  {verdict}",
                    o["condition"].as_str().unwrap_or(""),
                    o["value"].as_str().unwrap_or("-")
                );
            }
        }
    }
    let mut counts: Vec<(String, String, usize)> = Vec::new();
    for i in u["instances"].as_array().into_iter().flatten() {
        let v = i["version"].as_str().unwrap_or("").to_string();
        let st = i["state"]
            .as_str()
            .unwrap_or(if i["ready"] == true { "ready" } else { "starting" })
            .to_string();
        match counts.iter_mut().find(|(a, b, _)| *a == v && *b == st) {
            Some(c) => c.2 += 1,
            None => counts.push((v, st, 1)),
        }
    }
    if !counts.is_empty() {
        let parts: Vec<String> = counts.iter().map(|(v, st, n)| format!("{v} ×{n} {st}")).collect();
        let _ = writeln!(s, "  instances: {}", parts.join(", "));
    }
    if let Some(t) = u["traffic"].as_object() {
        let parts: Vec<String> = t
            .iter()
            .filter(|(_, m)| m["requests"].as_u64().unwrap_or(0) > 0)
            .map(|(v, m)| format!("{v} {} req, {} errors", m["requests"], m["errors"]))
            .collect();
        if !parts.is_empty() {
            let _ = writeln!(s, "  traffic so far: {}", parts.join("; "));
        }
    }
    s
}
