//! # CI scripts do not pipe downloads into a shell
//!
//! ## What it checks
//! GitHub workflow `run:` scripts and GitLab CI `script`, `before_script`
//! and `after_script` lines that pipe `curl` or `wget` output straight into
//! a shell or interpreter (`curl -sSL https://… | bash`), or run it through
//! a substitution (`bash <(curl …)`, `bash -c "$(curl …)"`).
//!
//! ## Why it matters
//! The pipeline executes whatever the server returns, unverified, with the
//! pipeline's credentials and deploy rights: a compromised download site
//! (Codecov's bash uploader, 2021) becomes a compromised pipeline and every
//! secret in it.
//!
//! ## Example
//! ```yaml
//! - run: curl -sSL https://example.com/install.sh | bash
//! ```
//!
//! ## Fix
//! Download to a file, verify its checksum or signature, then run it; or
//! use a pinned action or image that contains the tool.
//! ```yaml
//! - run: |
//!     curl -sSLo install.sh https://example.com/install.sh
//!     echo "3b1f0c…  install.sh" | sha256sum -c -
//!     bash install.sh
//! ```
//!
//! ## References
//! - https://about.codecov.io/security-update/
//! - https://slsa.dev/spec/v1.0/requirements

use crate::policy::model::{Body, Resource, Span};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{
    commands, gha_jobs, gha_steps, gitlab_jobs, gitlab_scripts, pipes_download_to_shell,
};

pub static RULE: Rule = Rule {
    id: "LG-CI-009",
    title: "CI scripts do not pipe downloads into a shell",
    severity: Severity::Medium,
    resources: &["github.workflow", "gitlab.ci"],
    frameworks: &["slsa:build-l3", "pci-dss:6.3.2", "sox:itgc-change", "soc2:CC8.1"],
    equivalent: &[],
    check,
};

fn scripts(r: &Resource) -> Vec<(String, Option<Span>, String)> {
    let mut out = Vec::new();
    if r.kind == "github.workflow" {
        for job in gha_jobs(r) {
            for step in gha_steps(job) {
                let g = step.body.get("run");
                if let Some(t) = g.str() {
                    out.push((t.to_string(), g.span(), format!("job `{}`", job.ident)));
                }
            }
        }
    } else {
        let mut bodies: Vec<(&Body, String)> = vec![(&r.body, "the pipeline".to_string())];
        if let Some(d) = r.body.block("default") {
            bodies.push((&d.body, "the default job settings".to_string()));
        }
        bodies.extend(
            gitlab_jobs(r)
                .into_iter()
                .map(|j| (&j.body, format!("job `{}`", j.ident))),
        );
        for (b, who) in bodies {
            for (t, s) in gitlab_scripts(b) {
                out.push((t, s, who.clone()));
            }
        }
    }
    out
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (text, span, who) in scripts(r) {
        if let Some(p) = pipes_download_to_shell(&commands(&text)) {
            return fail(
                span,
                format!("{who} runs `{p}`, a downloaded script, without verifying it"),
            );
        }
    }
    Outcome::Pass
}
