//! # WORKDIR uses absolute paths
//!
//! ## What it checks
//! `WORKDIR` instructions must name an absolute path (`/app`, `C:\app`);
//! paths starting with a variable are not judged.
//!
//! ## Why it matters
//! A relative WORKDIR is resolved against whatever the previous working
//! directory was, including one inherited from the base image: a change
//! upstream silently moves where files are written and where commands run.
//! Absolute paths keep the layout explicit and reviewable.
//!
//! ## Example
//! ```dockerfile
//! WORKDIR app
//! ```
//!
//! ## Fix
//! ```dockerfile
//! WORKDIR /app
//! ```
//!
//! ## References
//! - https://docs.docker.com/reference/dockerfile/#workdir
//! - hadolint DL3000

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::args;

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-019",
    title: "WORKDIR uses absolute paths",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["sox:itgc-change"],
    equivalent: &["CKV_DOCKER_10", "DL3000", "AVD-DS-0013"],
    check,
};

fn absolute(p: &str) -> bool {
    let p = p.trim().trim_matches(['"', '\'']);
    let b = p.as_bytes();
    p.starts_with('/') || p.starts_with('$') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for b in r.body.blocks("workdir") {
        let p = args(b).trim();
        if !p.is_empty() && !absolute(p) {
            return fail(Some(b.span), format!("WORKDIR `{p}` is a relative path"));
        }
    }
    Outcome::Pass
}
