//! # Container images are pinned by digest
//!
//! ## What it checks
//! Every container of a workload: `image` must include a digest
//! (`name@sha256:…`).
//!
//! ## Why it matters
//! Tags are mutable: whoever can push to the repository can change what
//! `app:1.4.2` means, and the next pull runs it. A digest names exactly one
//! image, so what was reviewed and scanned is what runs.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Reference images by digest (`registry.example/app:1.4.2@sha256:…`); let a
//! bot such as Renovate keep the digests current.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/containers/images/#image-names
//! - https://slsa.dev/spec/v1.0/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-032",
    title: "Container images are pinned by digest",
    severity: Severity::Low,
    resources: WORKLOADS,
    frameworks: &["slsa:build-l2", "soc2:CC8.1", "sox:itgc-change", "pci-dss:6.3.2"],
    equivalent: &["CKV_K8S_43"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("image");
        match g.str() {
            Some(i) if i.contains('@') || i.contains("{{") => Outcome::Pass,
            Some(i) => fail(
                g.span(),
                format!("container `{}` uses the image `{i}` without a digest", name(c)),
            ),
            None if g.is_missing() => fail(Some(c.span), format!("container `{}` sets no image", name(c))),
            None => Outcome::Unknown,
        }
    })
}
