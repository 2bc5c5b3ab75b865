//! # Images define a HEALTHCHECK
//!
//! ## What it checks
//! The final stage of a Dockerfile must contain a `HEALTHCHECK` instruction
//! other than `HEALTHCHECK NONE`.
//!
//! ## Why it matters
//! Without a health check the container engine only knows whether the
//! process is alive, not whether it still serves. A hung or compromised
//! service keeps receiving traffic and is never restarted; the CIS Docker
//! Benchmark asks for a health check in every image.
//!
//! ## Example
//! ```dockerfile
//! FROM nginx:1.27
//! COPY site /usr/share/nginx/html
//! ```
//!
//! ## Fix
//! ```dockerfile
//! HEALTHCHECK --interval=30s --timeout=3s CMD curl -fs http://localhost/ || exit 1
//! ```
//!
//! ## Differences from Checkov
//! CKV_DOCKER_2 passes when any stage has a `HEALTHCHECK` (even `NONE`);
//! this rule looks at the final stage, the one that becomes the image.
//!
//! ## References
//! - CIS Docker Benchmark 4.6
//! - https://docs.docker.com/reference/dockerfile/#healthcheck

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{args, final_stage};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-002",
    title: "Images define a HEALTHCHECK",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.6", "soc2:CC7.2"],
    equivalent: &["CKV_DOCKER_2", "AVD-DS-0026"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let stage = final_stage(r);
    let Some(from) = stage.first() else {
        return Outcome::Pass;
    };
    match stage.iter().rev().find(|b| b.ident == "healthcheck") {
        Some(h) if args(h).trim().eq_ignore_ascii_case("none") => fail(
            Some(h.span),
            "the final stage disables the health check (HEALTHCHECK NONE)",
        ),
        Some(_) => Outcome::Pass,
        None => fail(Some(from.span), "the final stage has no HEALTHCHECK instruction"),
    }
}
