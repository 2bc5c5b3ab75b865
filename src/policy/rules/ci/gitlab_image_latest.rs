//! # GitLab CI images use a fixed version tag
//!
//! ## What it checks
//! The `image` and `services` of a GitLab CI pipeline (top level,
//! `default`, and every job) must name a tag other than `latest`, or a
//! digest. Images built from CI variables (`$CI_REGISTRY_IMAGE:…`) are not
//! judged.
//!
//! ## Why it matters
//! A job that runs in `image:latest` runs different tools every time the
//! image is republished: builds stop being reproducible, and a compromised
//! or broken upstream image reaches the pipeline, with its credentials,
//! without any change in the repository.
//!
//! ## Example
//! ```yaml
//! build:
//!   image: node:latest
//!   script: npm ci
//! ```
//!
//! ## Fix
//! ```yaml
//! build:
//!   image: node:22.11-alpine@sha256:b64ced2e7cd0a4816699fe308ce6e8a08ccba463c757c00c14cd372e3d2c763e
//! ```
//!
//! ## References
//! - https://docs.gitlab.com/ee/ci/yaml/#image
//! - https://slsa.dev/spec/v1.0/requirements

use crate::policy::model::{Body, Resource, Span};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{gitlab_jobs, split_image};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-CI-010",
    title: "GitLab CI images use a fixed version tag",
    severity: Severity::Medium,
    resources: &["gitlab.ci"],
    frameworks: &["slsa:build-l3", "sox:itgc-change", "soc2:CC8.1", "pci-dss:6.3.2"],
    equivalent: &[],
    check,
};

/// The images of a body: `image` (string or `name:`) and `services`.
fn images(b: &Body) -> Vec<(String, Option<Span>)> {
    let mut out = Vec::new();
    for key in ["image", "image.name"] {
        let g = b.get(key);
        if let Some(s) = g.str() {
            out.push((s.to_string(), g.span()));
        }
    }
    let g = b.get("services");
    if let Some(Val::List(l)) = g.val() {
        for v in l {
            match v {
                Val::Str(s) => out.push((s.clone(), g.span())),
                Val::Map(m) => {
                    if let Some(Val::Str(s)) = m.get("name") {
                        out.push((s.clone(), g.span()));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut bodies: Vec<(&Body, String)> = vec![(&r.body, "the pipeline".into())];
    if let Some(d) = r.body.block("default") {
        bodies.push((&d.body, "the default job settings".into()));
    }
    bodies.extend(
        gitlab_jobs(r)
            .into_iter()
            .map(|j| (&j.body, format!("job `{}`", j.ident))),
    );
    for (b, who) in bodies {
        for (image, span) in images(b) {
            if image.contains('$') {
                continue;
            }
            match split_image(image.trim()) {
                (_, _, Some(_)) => {}
                (_, Some(t), None) if !t.eq_ignore_ascii_case("latest") => {}
                (name, _, None) => return fail(span, format!("{who} uses image `{name}` without a fixed version tag")),
            }
        }
    }
    Outcome::Pass
}
