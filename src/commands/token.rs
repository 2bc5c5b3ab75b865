//! `lockgate token …` and `lockgate user …`: the server's identities.
//! Every change is a ledger event; the running server sees it on its
//! next request.

use std::io::{BufRead as _, Write as _};

use anyhow::Result;
use serde_json::json;

use crate::cli::{GlobalArgs, TokenCommand, UserCommand};
use crate::exit::{Exit, UserError};
use crate::ledger::Actor;
use crate::ledger::projection::Projected;
use crate::server::identity::{self, Identities, UserInfo};

fn identities(g: &GlobalArgs) -> Result<Identities> {
    let ledger = super::open_ledger_read(g)?;
    let mut p: Projected<Identities> = Projected::default();
    p.catch_up(&ledger)?;
    Ok(p.state)
}

fn check_scope(g: &GlobalArgs, envs: &[String], gates: &[String], role: identity::Role) -> Result<()> {
    if (!envs.is_empty() || !gates.is_empty()) && role != identity::Role::Approver {
        return Err(UserError::usage("--env and --gate narrow an approver's scope")
            .with_hint("use them with --role approver")
            .into());
    }
    let path = super::spec_path(g)?;
    let loaded = super::load_spec(g, &path)?;
    for e in envs {
        if loaded.spec.environments.get(e).is_none() {
            let names: Vec<&str> = loaded.spec.environments.names().collect();
            return Err(UserError::usage(format!("unknown environment `{e}`"))
                .with_hint(format!("environments: {}", names.join(", ")))
                .into());
        }
    }
    for gname in gates {
        if !loaded.spec.gates.contains(gname) {
            let names: Vec<&str> = loaded.spec.gates.names().collect();
            return Err(UserError::usage(format!("unknown gate `{gname}`"))
                .with_hint(format!("gates: {}", names.join(", ")))
                .into());
        }
    }
    Ok(())
}

pub fn run(g: &GlobalArgs, cmd: TokenCommand) -> Result<Exit> {
    match cmd {
        TokenCommand::Create {
            name,
            role,
            agent,
            environments,
            gates,
            expires,
            json,
        } => {
            let actor = identity::actor_of(&name, agent)?;
            check_scope(g, &environments, &gates, role)?;
            let expires = identity::parse_expiry(&expires, crate::ledger::now())?;
            let t = identity::new_token(&actor, role, environments, gates, expires, &Actor::local())?;
            let mut ledger = super::open_ledger(g)?;
            let ev = ledger.append(t.event)?;
            if json {
                super::print_json(&json!({ "token": t.token, "info": t.info, "event": ev.seq() }))?;
            } else {
                let mut out = std::io::stdout().lock();
                writeln!(out, "{}", t.token)?;
                writeln!(std::io::stderr())?;
                eprintln!(
                    "token {} for {actor} ({role}{}), expires {}; recorded as event {}",
                    t.info.id,
                    scope_text(&t.info.environments, &t.info.gates),
                    t.info.expires.as_deref().unwrap_or("never"),
                    ev.seq()
                );
                eprintln!("this is the only time the token is shown: store it in a secret manager");
            }
            Ok(Exit::Ok)
        }
        TokenCommand::List { json } => {
            let ids = identities(g)?;
            if json {
                super::print_json(&ids.tokens.values().collect::<Vec<_>>())?;
                return Ok(Exit::Ok);
            }
            let mut out = std::io::stdout().lock();
            if ids.tokens.is_empty() {
                writeln!(
                    out,
                    "no tokens; create one with `lockgate token create --name NAME --role ROLE`"
                )?;
            }
            let now = crate::ledger::now();
            for t in ids.tokens.values() {
                let state = if t.revoked {
                    "revoked"
                } else if t
                    .expires
                    .as_deref()
                    .is_some_and(|e| e.parse::<jiff::Timestamp>().is_ok_and(|e| e <= now))
                {
                    "expired"
                } else {
                    "active"
                };
                writeln!(
                    out,
                    "{}  {:<8} {:<9} {}{}  expires {}",
                    t.id,
                    state,
                    t.role.as_str(),
                    crate::diag::sanitize(&t.actor),
                    scope_text(&t.environments, &t.gates),
                    t.expires.as_deref().unwrap_or("never")
                )?;
            }
            Ok(Exit::Ok)
        }
        TokenCommand::Revoke { id } => {
            let ids = identities(g)?;
            let Some(t) = ids.tokens.get(&id) else {
                return Err(UserError::usage(format!("no token `{}`", crate::diag::sanitize(&id)))
                    .with_hint("`lockgate token list` shows the ids")
                    .into());
            };
            if t.revoked {
                writeln!(std::io::stdout(), "token {id} was already revoked")?;
                return Ok(Exit::Ok);
            }
            let mut ledger = super::open_ledger(g)?;
            let ev = ledger.append(identity::revoke_event(&id, &Actor::local()))?;
            writeln!(
                std::io::stdout(),
                "token {id} of {} revoked; recorded as event {}",
                t.actor,
                ev.seq()
            )?;
            Ok(Exit::Ok)
        }
    }
}

fn scope_text(envs: &[String], gates: &[String]) -> String {
    let mut s = String::new();
    if !envs.is_empty() {
        s.push_str(&format!(" for {}", envs.join(", ")));
    }
    if !gates.is_empty() {
        s.push_str(&format!(" on gates {}", gates.join(", ")));
    }
    s
}

fn read_password(from_stdin: bool) -> Result<String> {
    let mut line = String::new();
    if !from_stdin {
        use std::io::IsTerminal as _;
        if !std::io::stdin().is_terminal() {
            return Err(UserError::usage("no password given")
                .with_hint("pipe it in with --password-stdin")
                .into());
        }
        eprint!("password (input is shown; prefer --password-stdin from a secret manager): ");
        std::io::stderr().flush()?;
    }
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.chars().count() < 12 {
        return Err(UserError::usage("the password is shorter than 12 characters")
            .with_hint("use a long passphrase")
            .into());
    }
    if pw.len() > 1024 {
        return Err(UserError::usage("the password is longer than 1024 bytes").into());
    }
    Ok(pw)
}

pub fn user(g: &GlobalArgs, cmd: UserCommand) -> Result<Exit> {
    let state_dir = super::ledger_config(g)?.base.join(".lockgate");
    match cmd {
        UserCommand::Add {
            name,
            role,
            environments,
            gates,
            password_stdin,
        } => {
            let actor = identity::actor_of(&name, false)?;
            let plain = actor.trim_start_matches("user:").to_string();
            check_scope(g, &environments, &gates, role)?;
            let pw = read_password(password_stdin)?;
            let hash = identity::hash_password(&pw)?;
            let mut pws = identity::read_passwords(&state_dir);
            pws.insert(plain.clone(), hash);
            identity::write_passwords(&state_dir, &pws)?;
            let info = UserInfo {
                name: plain.clone(),
                actor: actor.clone(),
                role,
                environments,
                gates,
            };
            let mut ledger = super::open_ledger(g)?;
            let ev = ledger.append(identity::user_event(&info, &Actor::local()))?;
            writeln!(
                std::io::stdout(),
                "web user {plain} ({role}{}) saved; recorded as event {} (the password is kept only as an Argon2 hash)",
                scope_text(&info.environments, &info.gates),
                ev.seq()
            )?;
            Ok(Exit::Ok)
        }
        UserCommand::List { json } => {
            let ids = identities(g)?;
            if json {
                super::print_json(&ids.users.values().collect::<Vec<_>>())?;
                return Ok(Exit::Ok);
            }
            let mut out = std::io::stdout().lock();
            if ids.users.is_empty() {
                writeln!(out, "no web users; add one with `lockgate user add NAME --role ROLE`")?;
            }
            for u in ids.users.values() {
                writeln!(
                    out,
                    "{:<32} {}{}",
                    crate::diag::sanitize(&u.name),
                    u.role.as_str(),
                    scope_text(&u.environments, &u.gates)
                )?;
            }
            Ok(Exit::Ok)
        }
        UserCommand::Remove { name } => {
            let plain = name.trim_start_matches("user:").to_string();
            let ids = identities(g)?;
            if !ids.users.contains_key(&plain) {
                return Err(
                    UserError::usage(format!("no web user `{}`", crate::diag::sanitize(&plain)))
                        .with_hint("`lockgate user list` shows them")
                        .into(),
                );
            }
            let mut pws = identity::read_passwords(&state_dir);
            pws.remove(&plain);
            identity::write_passwords(&state_dir, &pws)?;
            let mut ledger = super::open_ledger(g)?;
            let ev = ledger.append(identity::user_removed_event(&plain, &Actor::local()))?;
            writeln!(
                std::io::stdout(),
                "web user {plain} removed; recorded as event {}",
                ev.seq()
            )?;
            Ok(Exit::Ok)
        }
    }
}

/// `lockgate mcp`: the stdio MCP server, as `agent:NAME` (operator) or as
/// the identity of `LOCKGATE_TOKEN`.
pub fn mcp(g: &GlobalArgs, agent: &str) -> Result<Exit> {
    let path = super::spec_path(g)?;
    let loaded = super::load_spec(g, &path)?;
    let root = loaded.root().to_path_buf();
    let mut pg = g.clone();
    pg.config = Some(loaded.path.clone());
    let identity = match std::env::var("LOCKGATE_TOKEN").ok().filter(|t| !t.trim().is_empty()) {
        Some(tok) => {
            let ids = identities(&pg)?;
            ids.by_token(tok.trim(), crate::ledger::now()).map_err(|r| {
                UserError::usage(format!("LOCKGATE_TOKEN is not accepted: {}", r.as_str()))
                    .with_hint("create one with `lockgate token create --name NAME --agent --role operator`")
            })?
        }
        None => crate::server::identity::Identity {
            actor: {
                let a = identity::actor_of(agent, true)?;
                if !a.starts_with("agent:") {
                    return Err(UserError::usage(format!("`{agent}` is not an agent name"))
                        .with_hint("give the agent's own name, e.g. --agent claude (recorded as agent:claude)")
                        .into());
                }
                a
            },
            role: identity::Role::Operator,
            environments: vec![],
            gates: vec![],
            via: "stdio".into(),
            token: None,
        },
    };
    if !identity.actor.starts_with("agent:") {
        eprintln!("lockgate mcp: acting as {} (not an agent identity)", identity.actor);
    }
    crate::mcp::run_stdio(pg, root.clone(), root.join(".lockgate"), identity)?;
    Ok(Exit::Ok)
}
