//! # Images do not run as root
//!
//! ## What it checks
//! The final stage of a Dockerfile: its last `USER` instruction must name a
//! user other than `root` (or UID 0). A final stage without `USER` runs as
//! root, the default.
//!
//! ## Why it matters
//! A process running as root inside the container is root on the host's
//! kernel; one container escape gives away the node. Running as an
//! unprivileged user is the first line of the CIS Docker Benchmark.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12-slim
//! COPY app /usr/local/bin/app
//! CMD ["app"]
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN useradd --system --uid 10001 app
//! USER 10001
//! ```
//!
//! ## References
//! - CIS Docker Benchmark 4.1
//! - https://docs.docker.com/reference/dockerfile/#user

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{args, final_stage};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-001",
    title: "Images do not run as root",
    severity: Severity::High,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.1", "pci-dss:2.2.1", "soc2:CC6.1", "nsa-k8s:non-root"],
    equivalent: &["CKV_DOCKER_3", "DL3002", "AVD-DS-0002"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let stage = final_stage(r);
    match stage.iter().rev().find(|b| b.ident == "user") {
        Some(u) => {
            let user = args(u).split(':').next().unwrap_or("").trim();
            if user == "root" || user == "0" {
                fail(Some(u.span), format!("the image runs as {user}"))
            } else if user.starts_with('$') {
                Outcome::Unknown
            } else {
                Outcome::Pass
            }
        }
        None => fail(stage.first().map(|b| b.span), "the final stage has no USER instruction: the image runs as root"),
    }
}
