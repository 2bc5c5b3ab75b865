//! `lockgate logs [RUN] [JOB]`: stored job logs (secrets already masked).

use std::io::Write as _;

use anyhow::Result;

use crate::cli::GlobalArgs;
use crate::exit::{Exit, UserError};
use crate::pipeline::cache::Cache;

pub fn run(g: &GlobalArgs, which: Option<String>, job: Option<String>) -> Result<Exit> {
    let h = super::runs::history(g)?;
    let r = super::runs::pick(&h, which.as_deref())?;
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
    let mut out = std::io::stdout().lock();
    for j in &jobs {
        if job.is_none() {
            writeln!(out, "==> {j} <==")?;
        }
        match job_log(g, r, j)? {
            JobLog::Cached(Some(bytes)) => {
                writeln!(out, "(cached; log of the run that produced it)")?;
                out.write_all(&bytes)?;
            }
            JobLog::Cached(None) => writeln!(out, "(cached; its original log is no longer in the cache)")?,
            JobLog::Log(bytes) => out.write_all(&bytes)?,
            JobLog::None(why) => writeln!(out, "(no log: {why})")?,
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

/// A job's stored log.
pub enum JobLog {
    Log(Vec<u8>),
    /// A cached result: the log of the run that produced it, if still cached.
    Cached(Option<Vec<u8>>),
    /// No log, and why.
    None(String),
}

pub fn log_path(g: &GlobalArgs, run: u64, job: &str) -> Result<std::path::PathBuf> {
    let root = super::ledger_config(g)?.base;
    Ok(root
        .join(".lockgate/runs")
        .join(run.to_string())
        .join(format!("{job}.log")))
}

/// The stored log of `job` in run `r` (secrets already masked).
pub fn job_log(g: &GlobalArgs, r: &crate::pipeline::history::RunInfo, job: &str) -> Result<JobLog> {
    let root = super::ledger_config(g)?.base;
    let info = r.results.get(job);
    if info.is_some_and(|i| i.cached) {
        let cache = Cache::new(root.join(".lockgate/cache"));
        let key = info
            .and_then(|i| i.reason.as_deref())
            .and_then(|r| r.split("(key ").nth(1))
            .map(|k| k.trim_end_matches(')'));
        return Ok(JobLog::Cached(
            key.and_then(|prefix| find_cached_log(&cache, &root, prefix)),
        ));
    }
    match std::fs::read(log_path(g, r.run, job)?) {
        Ok(bytes) => Ok(JobLog::Log(bytes)),
        Err(_) => Ok(JobLog::None(
            info.and_then(|i| i.reason.clone())
                .unwrap_or_else(|| "the job did not run".into()),
        )),
    }
}
