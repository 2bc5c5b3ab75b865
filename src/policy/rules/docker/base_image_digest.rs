//! # Base images are pinned by digest
//!
//! ## What it checks
//! Every `FROM` of an external image must carry a content digest
//! (`image:tag@sha256:…`). `scratch`, earlier build stages and images built
//! from build arguments are not judged.
//!
//! ## Why it matters
//! Tags, even version tags, are mutable: the publisher (or whoever takes
//! over the account) can push different content under `3.20`. A digest
//! names exactly one image, so builds are reproducible and a swapped base
//! image is detected. SLSA and most supply-chain guidance ask for pinned
//! dependencies.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! ```
//!
//! ## Fix
//! ```dockerfile
//! FROM python:3.12-slim@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8
//! ```
//! Tools such as Renovate or Dependabot keep digests up to date.
//!
//! ## References
//! - https://docs.docker.com/build/building/best-practices/#pin-base-image-versions
//! - https://slsa.dev/spec/v1.0/requirements

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, fail};
use crate::policy::rules::common_docker::{external_froms, split_image};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-004",
    title: "Base images are pinned by digest",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["slsa:build-l3", "sox:itgc-change", "soc2:CC8.1"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    all(external_froms(r).into_iter().map(|(b, image)| {
        if image.contains('$') {
            return Outcome::Unknown;
        }
        match split_image(image) {
            (_, _, Some(_)) => Outcome::Pass,
            (name, _, None) => fail(Some(b.span), format!("base image `{name}` is not pinned by digest")),
        }
    }))
}
