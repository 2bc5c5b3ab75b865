//! # Package index updates are combined with installs
//!
//! ## What it checks
//! RUN instructions that refresh a package index (`apt-get update`,
//! `apt update`, `apk update`, `yum makecache`, `dnf makecache`) without
//! installing anything in the same instruction.
//!
//! ## Why it matters
//! Docker caches each RUN as a layer: an `apt-get update` on its own is
//! cached once and reused, so a later `apt-get install` keeps installing
//! from an index that may be months old and misses security updates. The
//! update and the install must live in the same RUN.
//!
//! ## Example
//! ```dockerfile
//! RUN apt-get update
//! RUN apt-get install -y --no-install-recommends curl
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN apt-get update && apt-get install -y --no-install-recommends curl \
//!     && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Differences from Checkov
//! CKV_DOCKER_5 counts the words `update`, `install` and `add` across all
//! RUN instructions of the file; this rule checks each RUN on its own.
//!
//! ## References
//! - https://docs.docker.com/build/building/best-practices/#apt-get
//! - CIS Docker Benchmark 4.7

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::runs;

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-026",
    title: "Package index updates are combined with installs",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.7"],
    equivalent: &["CKV_DOCKER_5", "AVD-DS-0017"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        let update = cmds.iter().find(|c| {
            c.is(&["apt-get", "apt", "apk"], &["update"]) || c.is(&["yum", "dnf", "microdnf"], &["makecache"])
        });
        let install = cmds.iter().any(|c| {
            c.is(
                &["apt-get", "apt"],
                &["install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep"],
            ) || c.is(&["apk"], &["add", "upgrade"])
                || c.is(
                    &["yum", "dnf", "microdnf"],
                    &["install", "update", "upgrade", "groupinstall"],
                )
        });
        if let Some(u) = update
            && !install
        {
            return fail(
                Some(b.span),
                format!("`{}` runs alone: its cached index goes stale", u.text()),
            );
        }
    }
    Outcome::Pass
}
