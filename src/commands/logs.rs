//! `lockgate logs [RUN] [JOB]`: stored job logs (secrets already masked).

use std::io::Write as _;

use anyhow::Result;

use crate::cli::GlobalArgs;
use crate::exit::{Exit, UserError};
use crate::pipeline::cache::Cache;

pub fn run(g: &GlobalArgs, which: Option<String>, job: Option<String>) -> Result<Exit> {
    let h = super::runs::history(g)?;
    let r = super::runs::pick(&h, which.as_deref())?;
    let root = super::ledger_config(g)?.base;
    let dir = root.join(".lockgate/runs").join(r.run.to_string());
    let jobs: Vec<String> = match &job {
        Some(j) => {
            if !r.jobs.contains(j) {
                return Err(UserError::usage(format!("run {} has no job `{j}`", r.run))
                    .with_hint(format!("its jobs: {}", r.jobs.join(", ")))
                    .into());
            }
            vec![j.clone()]
        }
        None => r.jobs.clone(),
    };
    let cache = Cache::new(root.join(".lockgate/cache"));
    let mut out = std::io::stdout().lock();
    for j in &jobs {
        if job.is_none() {
            writeln!(out, "==> {j} <==")?;
        }
        let info = r.results.get(j);
        if info.is_some_and(|i| i.cached) {
            // The log of the run that produced the cached result.
            let key = info
                .and_then(|i| i.reason.as_deref())
                .and_then(|r| r.split("(key ").nth(1))
                .map(|k| k.trim_end_matches(')'));
            let log = key.and_then(|prefix| find_cached_log(&cache, &root, prefix));
            match log {
                Some(bytes) => {
                    writeln!(out, "(cached; log of the run that produced it)")?;
                    out.write_all(&bytes)?;
                }
                None => writeln!(out, "(cached; its original log is no longer in the cache)")?,
            }
            continue;
        }
        match std::fs::read(dir.join(format!("{j}.log"))) {
            Ok(bytes) => out.write_all(&bytes)?,
            Err(_) => writeln!(
                out,
                "(no log: {})",
                info.and_then(|i| i.reason.clone())
                    .unwrap_or_else(|| "the job did not run".into())
            )?,
        }
    }
    Ok(Exit::Ok)
}

fn find_cached_log(cache: &Cache, root: &std::path::Path, prefix: &str) -> Option<Vec<u8>> {
    let entries = root.join(".lockgate/cache/entries");
    let name = std::fs::read_dir(entries)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(prefix))?;
    let key = name.trim_end_matches(".json");
    cache.lookup(key).and_then(|m| cache.log(&m))
}
