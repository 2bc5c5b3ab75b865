//! `lockgate monitoring export`.

use anyhow::Result;

use crate::cli::{GlobalArgs, MonitoringCommand};
use crate::exit::{Exit, UserError};

pub fn run(_g: &GlobalArgs, _a: MonitoringCommand) -> Result<Exit> {
    Err(UserError::usage("not built yet").into())
}

