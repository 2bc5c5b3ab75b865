//! Checks shared by the Dockerfile rules.

use crate::policy::model::{Block, Resource};

/// The instructions of the final stage (what the image runs).
pub fn final_stage(r: &Resource) -> Vec<&Block> {
    let last = r
        .body
        .blocks
        .iter()
        .filter(|b| b.ident == "from")
        .count()
        .saturating_sub(1)
        .to_string();
    r.body
        .blocks
        .iter()
        .filter(|b| b.labels.first() == Some(&last))
        .collect()
}

/// The instruction's text after the keyword.
pub fn args(b: &Block) -> &str {
    b.body.get("args").str().unwrap_or("")
}
