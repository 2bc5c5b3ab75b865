//! # A stage has at most one CMD and one ENTRYPOINT
//!
//! ## What it checks
//! Each build stage may contain at most one `CMD` and at most one
//! `ENTRYPOINT` instruction.
//!
//! ## Why it matters
//! Only the last CMD or ENTRYPOINT of a stage takes effect; the earlier
//! ones are dead code that misleads reviewers about what the container
//! runs, a common source of images that start something other than what
//! was approved.
//!
//! ## Example
//! ```dockerfile
//! CMD ["debug-server"]
//! CMD ["app"]
//! ```
//!
//! ## Fix
//! Keep only the command the image is meant to run.
//!
//! ## References
//! - https://docs.docker.com/reference/dockerfile/#cmd
//! - hadolint DL4003, DL4004

use std::collections::HashMap;

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-020",
    title: "A stage has at most one CMD and one ENTRYPOINT",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["sox:itgc-change"],
    equivalent: &["DL4003", "DL4004", "AVD-DS-0016"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for b in r
        .body
        .blocks
        .iter()
        .filter(|b| b.ident == "cmd" || b.ident == "entrypoint")
    {
        let stage = b.labels.first().map_or("0", String::as_str);
        let n = seen.entry((stage, b.ident.as_str())).or_default();
        *n += 1;
        if *n == 2 {
            return fail(
                Some(b.span),
                format!("stage {stage} has more than one {}", b.ident.to_ascii_uppercase()),
            );
        }
    }
    Outcome::Pass
}
