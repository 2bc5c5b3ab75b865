//! # RUN does not use sudo
//!
//! ## What it checks
//! RUN instructions that call `sudo`.
//!
//! ## Why it matters
//! Build steps already run as the current `USER`; `sudo` in a Dockerfile
//! means the image ships sudo and a sudoers configuration, a ready-made
//! privilege escalation path for anyone who gets a shell in the container,
//! and its TTY and signal behaviour is unpredictable in builds. Switch with
//! `USER root` for the steps that need it, then back.
//!
//! ## Example
//! ```dockerfile
//! USER app
//! RUN sudo apt-get install -y curl
//! ```
//!
//! ## Fix
//! ```dockerfile
//! USER root
//! RUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
//! USER app
//! ```
//!
//! ## References
//! - https://docs.docker.com/build/building/best-practices/#user
//! - hadolint DL3004

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{base_name, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-018",
    title: "RUN does not use sudo",
    severity: Severity::Medium,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.1", "soc2:CC6.1", "pci-dss:2.2.1"],
    equivalent: &["DL3004", "CKV2_DOCKER_1", "AVD-DS-0010"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        if cmds
            .iter()
            .any(|c| c.invocation().first().is_some_and(|p| base_name(p) == "sudo"))
        {
            return fail(Some(b.span), "RUN uses sudo");
        }
    }
    Outcome::Pass
}
