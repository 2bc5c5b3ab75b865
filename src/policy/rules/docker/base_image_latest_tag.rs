//! # Base images use a fixed version tag
//!
//! ## What it checks
//! Every `FROM` of an external image must name a tag other than `latest`,
//! or a digest. `scratch` and references to earlier build stages pass;
//! images built from build arguments (`FROM $BASE`) are not judged.
//!
//! ## Why it matters
//! `latest` (the default when no tag is given) moves: the same Dockerfile
//! builds a different image tomorrow, with new packages, new bugs and
//! possibly a compromised upstream, and builds cannot be reproduced or
//! audited.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:latest
//! ```
//!
//! ## Fix
//! ```dockerfile
//! FROM alpine:3.20
//! ```
//!
//! ## Differences from Checkov
//! CKV_DOCKER_7 treats any `:` as a tag, so `registry:5000/app` passes
//! there; here the registry port is not a tag.
//!
//! ## References
//! - https://docs.docker.com/build/building/best-practices/#from
//! - hadolint DL3006, DL3007

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, fail};
use crate::policy::rules::common_docker::{external_froms, split_image};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-003",
    title: "Base images use a fixed version tag",
    severity: Severity::Medium,
    resources: &["dockerfile"],
    frameworks: &["slsa:build-l2", "sox:itgc-change", "soc2:CC8.1", "pci-dss:6.3.2"],
    equivalent: &["CKV_DOCKER_7", "DL3006", "DL3007", "AVD-DS-0001"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    all(external_froms(r).into_iter().map(|(b, image)| {
        if image.contains('$') {
            return Outcome::Unknown;
        }
        match split_image(image) {
            (_, _, Some(_)) => Outcome::Pass,
            (_, Some(t), None) if !t.eq_ignore_ascii_case("latest") => Outcome::Pass,
            (name, Some(_), None) => fail(Some(b.span), format!("base image `{name}` uses the `latest` tag")),
            (name, None, None) => fail(
                Some(b.span),
                format!("base image `{name}` has no tag: it means `latest`"),
            ),
        }
    }))
}
