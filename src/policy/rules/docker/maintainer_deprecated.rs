//! # MAINTAINER is not used
//!
//! ## What it checks
//! `MAINTAINER` instructions (deprecated since Docker 1.13).
//!
//! ## Why it matters
//! Ownership metadata belongs in labels (`org.opencontainers.image.authors`)
//! that registries, scanners and inventory tools read; MAINTAINER is
//! ignored by most of them, so images lose their owner in asset inventories
//! and incident response.
//!
//! ## Example
//! ```dockerfile
//! MAINTAINER Jane Doe <jane@example.com>
//! ```
//!
//! ## Fix
//! ```dockerfile
//! LABEL org.opencontainers.image.authors="jane@example.com"
//! ```
//!
//! ## References
//! - https://docs.docker.com/reference/dockerfile/#maintainer-deprecated
//! - hadolint DL4000

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-022",
    title: "MAINTAINER is not used",
    severity: Severity::Info,
    resources: &["dockerfile"],
    frameworks: &["soc2:CC2.1"],
    equivalent: &["CKV_DOCKER_6", "DL4000", "AVD-DS-0022"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.body.block("maintainer") {
        Some(b) => fail(
            Some(b.span),
            "MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors",
        ),
        None => Outcome::Pass,
    }
}
