//! # RUN uses apt-get, not apt
//!
//! ## What it checks
//! RUN instructions that call the `apt` command line tool.
//!
//! ## Why it matters
//! `apt` is meant for people at a terminal: its interface and output are
//! not stable between releases and it warns so when used in scripts. Builds
//! should use `apt-get` and `apt-cache`, whose behaviour is stable, so that
//! an image builds the same way after a base image update.
//!
//! ## Example
//! ```dockerfile
//! RUN apt update && apt install -y curl
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN apt-get update && apt-get install -y --no-install-recommends curl
//! ```
//!
//! ## Differences from Checkov
//! CKV_DOCKER_9 looks for the text ` apt ` anywhere in a RUN (also inside
//! quoted strings and comments); this rule looks at the commands run.
//!
//! ## References
//! - https://manpages.debian.org/bookworm/apt/apt.8.en.html (script usage)
//! - hadolint DL3027

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::runs;

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-012",
    title: "RUN uses apt-get, not apt",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["sox:itgc-change"],
    equivalent: &["CKV_DOCKER_9", "DL3027"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        if let Some(c) = cmds.iter().find(|c| c.program() == Some("apt")) {
            return fail(Some(b.span), format!("`{}` uses apt: use apt-get", c.text()));
        }
    }
    Outcome::Pass
}
