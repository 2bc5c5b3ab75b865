//! `lockgate cache prune`.

use std::io::Write as _;

use anyhow::Result;

use crate::cli::{CacheCommand, GlobalArgs};
use crate::exit::{Exit, UserError};
use crate::pipeline::cache::Cache;

pub fn run(g: &GlobalArgs, cmd: CacheCommand) -> Result<Exit> {
    match cmd {
        CacheCommand::Prune { older_than, all } => {
            let age = match (&older_than, all) {
                (_, true) => None,
                (Some(s), false) => Some(
                    crate::spec::Duration::parse(s)
                        .map_err(|e| UserError::usage(e).with_hint("e.g. --older-than 7d"))?
                        .as_std(),
                ),
                (None, false) => {
                    return Err(UserError::usage("say what to prune")
                        .with_hint("--older-than 7d, or --all")
                        .into());
                }
            };
            let root = super::ledger_config(g)?.base;
            let p = Cache::new(root.join(".lockgate/cache")).prune(age)?;
            writeln!(
                std::io::stdout(),
                "removed {} cache entries and {} blobs ({} bytes)",
                p.entries,
                p.blobs,
                p.bytes
            )?;
            Ok(Exit::Ok)
        }
    }
}
