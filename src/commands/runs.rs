//! `lockgate runs`: pipeline runs, from the ledger.

use std::io::Write as _;

use anyhow::Result;

use crate::cli::GlobalArgs;
use crate::exit::{Exit, UserError};
use crate::ledger::projection::Projected;
use crate::pipeline::history::{RunHistory, RunInfo};

/// Every run recorded in the ledger.
pub fn history(g: &GlobalArgs) -> Result<RunHistory> {
    let ledger = super::open_ledger_read(g)?;
    let mut h: Projected<RunHistory> = Projected::default();
    h.catch_up(&ledger)?;
    Ok(h.state)
}

/// `last` or a number → the run.
pub fn pick<'a>(h: &'a RunHistory, which: Option<&str>) -> Result<&'a RunInfo> {
    let found = match which {
        None | Some("last") | Some("latest") => h.runs.values().next_back(),
        Some(n) => match n.parse::<u64>() {
            Ok(id) => h.runs.get(&id),
            Err(_) => {
                return Err(UserError::usage(format!("`{n}` is not a run id"))
                    .with_hint("use a number from `lockgate runs`, or `last`")
                    .into());
            }
        },
    };
    found.ok_or_else(|| {
        UserError::usage(match which {
            Some(n) if n != "last" && n != "latest" => format!("there is no run {n}"),
            _ => "there are no runs yet".to_string(),
        })
        .with_hint("`lockgate run` starts one; `lockgate runs` lists them")
        .into()
    })
}

pub fn run(g: &GlobalArgs, limit: usize, json: bool) -> Result<Exit> {
    let h = history(g)?;
    let runs: Vec<&RunInfo> = h.runs.values().rev().take(limit).collect();
    if json {
        super::print_json(&runs)?;
        return Ok(Exit::Ok);
    }
    let mut out = anstream::stdout().lock();
    if runs.is_empty() {
        writeln!(out, "no runs yet; start one with `lockgate run`")?;
        return Ok(Exit::Ok);
    }
    writeln!(
        out,
        "{:>6}  {:<19}  {:<10}  {:>8}  {:<9}  {:<12}  TRIGGER",
        "RUN", "STARTED (UTC)", "STATUS", "TIME", "JOBS", "COMMIT"
    )?;
    for r in runs {
        let ok = r.results.values().filter(|j| j.conclusion == "success").count();
        let time = r
            .duration_ms
            .map(|d| format!("{:.1}s", d as f64 / 1000.0))
            .unwrap_or_else(|| "-".into());
        let commit = r
            .commit
            .as_deref()
            .map(|c| format!("{}{}", &c[..c.len().min(10)], if r.dirty { "+" } else { "" }))
            .unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{:>6}  {:<19}  {:<10}  {:>8}  {:<9}  {:<12}  {}",
            r.run,
            r.started.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            r.status,
            time,
            format!("{ok}/{}", r.jobs.len()),
            commit,
            crate::diag::sanitize(&r.trigger)
        )?;
    }
    Ok(Exit::Ok)
}
