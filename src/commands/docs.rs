//! `lockgate docs` and `lockgate handover`.

use anyhow::Result;

use crate::cli::{GlobalArgs, DocsArgs, HandoverArgs};
use crate::exit::{Exit, UserError};

pub fn run(_g: &GlobalArgs, _a: DocsArgs) -> Result<Exit> {
    Err(UserError::usage("not built yet").into())
}

pub fn handover(_g: &GlobalArgs, _a: HandoverArgs) -> Result<Exit> {
    Err(UserError::usage("not built yet").into())
}

