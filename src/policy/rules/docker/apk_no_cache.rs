//! # apk add uses --no-cache
//!
//! ## What it checks
//! Every `apk add` in a RUN instruction must pass `--no-cache`, unless the
//! same RUN removes `/var/cache/apk` or keeps it in a BuildKit cache mount.
//!
//! ## Why it matters
//! Without `--no-cache`, apk stores the package index in
//! `/var/cache/apk` and the layer keeps it forever: a larger image with a
//! stale index that serves no purpose at run time.
//!
//! ## Example
//! ```dockerfile
//! RUN apk add --update curl
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN apk add --no-cache curl=8.9.1-r2
//! ```
//!
//! ## References
//! - https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper
//! - hadolint DL3019

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{run_flags, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-016",
    title: "apk add uses --no-cache",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.3"],
    equivalent: &["DL3019", "AVD-DS-0025"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        let cleans = cmds
            .iter()
            .any(|c| c.program() == Some("rm") && c.unwrapped().iter().any(|w| w.starts_with("/var/cache/apk")));
        let cached = run_flags(b)
            .iter()
            .any(|f| f.contains("type=cache") && f.contains("/var/cache/apk"));
        if cleans || cached {
            continue;
        }
        if let Some(c) = cmds
            .iter()
            .find(|c| c.is(&["apk"], &["add"]) && !c.has_flag(&["--no-cache"]))
        {
            return fail(
                Some(b.span),
                format!("`{}` leaves the apk cache in the layer", c.text()),
            );
        }
    }
    Outcome::Pass
}
