//! # apt lists are removed in the same RUN
//!
//! ## What it checks
//! In the final stage, every RUN instruction that runs `apt-get update` or
//! `apt-get install` (or `apt`) must also remove `/var/lib/apt/lists`
//! (`rm -rf /var/lib/apt/lists/*`), unless it keeps them in a BuildKit
//! cache mount (`--mount=type=cache,target=/var/lib/apt…`).
//!
//! ## Why it matters
//! Package indexes left in a layer bloat every copy of the image and freeze
//! a stale view of the archive into it; deleting them in a later RUN does
//! not shrink the earlier layer. Smaller images have less to scan, ship and
//! attack.
//!
//! ## Example
//! ```dockerfile
//! RUN apt-get update && apt-get install -y --no-install-recommends curl
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN apt-get update && apt-get install -y --no-install-recommends curl \
//!     && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## References
//! - https://docs.docker.com/build/building/best-practices/#apt-get
//! - CIS Docker Benchmark 4.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{final_stage, run_commands, run_flags};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-010",
    title: "apt lists are removed in the same RUN",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.3"],
    equivalent: &["DL3009"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for b in final_stage(r).into_iter().filter(|b| b.ident == "run") {
        let cmds = run_commands(b);
        let uses_apt = cmds.iter().any(|c| c.is(&["apt-get", "apt"], &["update", "install"]));
        if !uses_apt {
            continue;
        }
        let cleans = cmds
            .iter()
            .any(|c| c.program() == Some("rm") && c.unwrapped().iter().any(|w| w.starts_with("/var/lib/apt/lists")));
        let cached = run_flags(b)
            .iter()
            .any(|f| f.contains("type=cache") && f.contains("/var/lib/apt"));
        if !cleans && !cached {
            return fail(
                Some(b.span),
                "this RUN installs apt packages but leaves /var/lib/apt/lists in the layer",
            );
        }
    }
    Outcome::Pass
}
