//! `lockgate metrics` and `lockgate incident`.

use anyhow::Result;

use crate::cli::{GlobalArgs, IncidentCommand, MetricsArgs};
use crate::exit::{Exit, UserError};

pub fn run(_g: &GlobalArgs, _a: MetricsArgs) -> Result<Exit> {
    Err(UserError::usage("not built yet").into())
}

pub fn incident(_g: &GlobalArgs, _a: IncidentCommand) -> Result<Exit> {
    Err(UserError::usage("not built yet").into())
}

