//! # Self-hosted runners do not run untrusted pull requests
//!
//! ## What it checks
//! GitHub workflows triggered by events outsiders can cause
//! (`pull_request`, `pull_request_target`, `issue_comment`, `issues`,
//! `discussion`, `discussion_comment`, `pull_request_review`,
//! `pull_request_review_comment`) whose jobs run on `self-hosted` runners.
//!
//! ## Why it matters
//! On a public repository, anyone can open a pull request that runs code on
//! the runner. A self-hosted runner is usually not ephemeral: the code can
//! persist on the machine, steal credentials of later jobs and reach the
//! internal network it sits in. GitHub advises against self-hosted runners
//! for public repositories.
//!
//! ## Example
//! ```yaml
//! on: pull_request
//! jobs:
//!   test:
//!     runs-on: [self-hosted, linux]
//! ```
//!
//! ## Fix
//! Run untrusted events on GitHub-hosted runners, or on ephemeral,
//! isolated self-hosted runners reserved for them (and require approval
//! for workflows from outside contributors).
//!
//! ## References
//! - https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/about-self-hosted-runners#self-hosted-runner-security
//! - SLSA Build L3: isolated builds

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{gha_jobs, gha_triggers};

pub static RULE: Rule = Rule {
    id: "LG-CI-007",
    title: "Self-hosted runners do not run untrusted pull requests",
    severity: Severity::High,
    resources: &["github.workflow"],
    frameworks: &["slsa:build-l3", "soc2:CC6.6", "sox:itgc-change", "pci-dss:6.2.4"],
    equivalent: &[],
    check,
};

const PUBLIC: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "pull_request_review",
    "pull_request_review_comment",
];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let triggers = gha_triggers(r);
    let Some(t) = triggers.iter().find(|t| PUBLIC.contains(&t.as_str())) else {
        return Outcome::Pass;
    };
    for job in gha_jobs(r) {
        for path in ["runs-on", "runs-on.labels"] {
            let g = job.body.get(path);
            if g.strs()
                .is_some_and(|l| l.iter().any(|x| x.eq_ignore_ascii_case("self-hosted")))
            {
                return fail(
                    g.span(),
                    format!("job `{}` runs on a self-hosted runner for `{t}` events", job.ident),
                );
            }
        }
    }
    Outcome::Pass
}
