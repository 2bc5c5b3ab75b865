//! `lockgate schema`: the JSON Schema of lockgate.yaml, generated from the types.

use std::io::Write as _;

use anyhow::{Context as _, Result};

use crate::cli::{GlobalArgs, SchemaArgs};
use crate::exit::Exit;

pub fn run(_g: &GlobalArgs, args: SchemaArgs) -> Result<Exit> {
    let schema = if args.openapi {
        crate::server::openapi::document()
    } else if args.markdown {
        crate::spec::reference::markdown()
    } else {
        crate::spec::json_schema()
    };
    match args.output {
        Some(path) => std::fs::write(&path, schema).with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(schema.as_bytes())?,
    }
    Ok(Exit::Ok)
}
