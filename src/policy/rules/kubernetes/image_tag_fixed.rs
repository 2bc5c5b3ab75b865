//! # Container images use a fixed tag, not latest
//!
//! ## What it checks
//! Every container of a workload: `image` must be set and carry a tag other
//! than `latest`, or a digest (`@sha256:…`).
//!
//! ## Why it matters
//! `latest` (or no tag, which means `latest`) names whatever was pushed
//! last: two replicas can run different code, a rollback does not roll back,
//! and nobody can say which version is running. A fixed tag or a digest
//! makes deployments reproducible and reviewable.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:latest
//! ```
//!
//! ## Fix
//! Pin each image to a release tag (`app:1.4.2`), or better a digest
//! (`app@sha256:…`).
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/containers/images/#image-names
//! - CIS Kubernetes Benchmark 5.5.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-031",
    title: "Container images use a fixed tag, not latest",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.5.1",
        "slsa:build-l1",
        "soc2:CC8.1",
        "sox:itgc-change",
        "pci-dss:6.3.2",
    ],
    equivalent: &["CKV_K8S_14", "AVD-KSV-0013"],
    check,
};

/// The tag of an image reference (`""` when there is none).
fn tag(image: &str) -> &str {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map_or("", |(_, t)| t)
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("image");
        let Some(image) = g.str() else {
            return if g.is_missing() {
                fail(Some(c.span), format!("container `{}` sets no image", name(c)))
            } else {
                Outcome::Unknown
            };
        };
        if image.contains('@') || image.contains("{{") || image.contains("${") {
            return Outcome::Pass;
        }
        match tag(image.trim()) {
            "" => fail(
                g.span(),
                format!("container `{}` uses the untagged image `{image}` (latest)", name(c)),
            ),
            "latest" => fail(
                g.span(),
                format!("container `{}` uses the `latest` tag of `{image}`", name(c)),
            ),
            _ => Outcome::Pass,
        }
    })
}
