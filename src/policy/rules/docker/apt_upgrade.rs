//! # Images do not run apt-get upgrade
//!
//! ## What it checks
//! RUN instructions that run `apt-get upgrade`, `apt-get dist-upgrade` or
//! `apt upgrade` / `apt full-upgrade`.
//!
//! ## Why it matters
//! Upgrading every package inside the build makes the image's content
//! depend on the day of the build and hides which versions ship; many
//! essential packages cannot be upgraded inside an unprivileged container
//! anyway. Security fixes belong in the base image: rebuild on a newer,
//! pinned base, and pin the packages you add.
//!
//! ## Example
//! ```dockerfile
//! RUN apt-get update && apt-get -y upgrade
//! ```
//!
//! ## Fix
//! ```dockerfile
//! FROM debian:12.8-slim
//! RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
//! ```
//!
//! ## References
//! - https://docs.docker.com/build/building/best-practices/#apt-get
//! - hadolint DL3005

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::runs;

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-011",
    title: "Images do not run apt-get upgrade",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["sox:itgc-change", "soc2:CC8.1"],
    equivalent: &["DL3005"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        if let Some(c) = cmds
            .iter()
            .find(|c| c.is(&["apt-get", "apt"], &["upgrade", "dist-upgrade", "full-upgrade"]))
        {
            return fail(
                Some(b.span),
                format!("`{}` upgrades every package during the build", c.text()),
            );
        }
    }
    Outcome::Pass
}
