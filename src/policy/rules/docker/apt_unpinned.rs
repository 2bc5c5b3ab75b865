//! # apt-get install pins package versions
//!
//! ## What it checks
//! Every package named by `apt-get install` (or `apt install`) in a RUN
//! instruction must carry a version (`curl=7.88.1-10+deb12u8`). Local
//! `.deb` files and packages given through variables are not judged.
//!
//! ## Why it matters
//! Unpinned packages make a build depend on the day it runs: a rebuild can
//! pull a new, broken or compromised version without any change to the
//! Dockerfile, and what is in production cannot be reconstructed from
//! source control. Change management needs builds that only change when
//! their inputs do.
//!
//! ## Example
//! ```dockerfile
//! RUN apt-get install -y --no-install-recommends curl
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
//! ```
//!
//! ## References
//! - https://docs.docker.com/build/building/best-practices/#apt-get
//! - https://slsa.dev/spec/v1.0/requirements
//!
//! ## Differences from hadolint
//! hadolint's DL3008 looks only at `apt-get install`; this rule also reads
//! `apt install`, which behaves the same way (hadolint reports `apt` itself
//! under DL3027, lockgate under LG-DOCKER-012). On kubernetes-goat the three
//! Dockerfiles that install with `apt install` are therefore reported here
//! and not by hadolint.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{package_args, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-009",
    title: "apt-get install pins package versions",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["slsa:build-l3", "sox:itgc-change", "soc2:CC8.1"],
    equivalent: &["DL3008"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        for c in &cmds {
            if !c.is(&["apt-get", "apt"], &["install"]) {
                continue;
            }
            let pkgs = package_args(c, "install", &["-o", "-t", "--target-release", "-c", "--config-file"]);
            if let Some(p) = pkgs.iter().find(|p| {
                !p.contains('=')
                    && !p.contains('$')
                    && !p.ends_with(".deb")
                    && !p.starts_with('/')
                    && !p.starts_with('.')
            }) {
                return fail(Some(b.span), format!("apt package `{p}` is not pinned to a version"));
            }
        }
    }
    Outcome::Pass
}
