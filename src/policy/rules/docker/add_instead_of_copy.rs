//! # COPY is used instead of ADD for local files
//!
//! ## What it checks
//! `ADD` instructions whose sources are local files or directories. (ADD of
//! remote URLs is LG-DOCKER-006.)
//!
//! ## Why it matters
//! `ADD` does more than copy: it silently unpacks local archives and can
//! fetch URLs, so what ends up in the image is less obvious than with
//! `COPY`. Files added by mistake (archives, secrets) are extracted into the
//! image layers, where they stay even if a later step deletes them.
//!
//! ## Example
//! ```dockerfile
//! ADD secret.txt /root/secret.txt
//! ```
//!
//! ## Fix
//! ```dockerfile
//! COPY app.conf /etc/app/app.conf
//! ```
//!
//! ## Differences from Checkov
//! CKV_DOCKER_4 fails on every ADD; ADD of a URL is reported by LG-DOCKER-006
//! instead (and passes with `--checksum`).
//!
//! ## References
//! - CIS Docker Benchmark 4.9
//! - https://docs.docker.com/build/building/best-practices/#add-or-copy

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{add_sources, is_remote_source};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-005",
    title: "COPY is used instead of ADD for local files",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.9", "soc2:CC8.1"],
    equivalent: &["CKV_DOCKER_4", "DL3020", "AVD-DS-0005"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for b in r.body.blocks("add") {
        let (_, sources) = add_sources(b);
        if let Some(s) = sources.iter().find(|s| !is_remote_source(s)) {
            return fail(Some(b.span), format!("ADD copies the local `{s}`: use COPY"));
        }
    }
    Outcome::Pass
}
