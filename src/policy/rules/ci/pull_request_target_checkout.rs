//! # pull_request_target workflows do not check out the pull request's code
//!
//! ## What it checks
//! Workflows triggered by `pull_request_target` (or `workflow_run`) whose
//! steps check out the pull request's head: `actions/checkout` with a
//! `ref` naming `github.event.pull_request.head.sha`/`.head.ref`,
//! `github.head_ref`, `refs/pull/…`, or the head of a triggering
//! `workflow_run`, or a `repository` naming the pull request's fork.
//!
//! ## Why it matters
//! `pull_request_target` runs in the context of the base repository, with
//! its secrets and a write token, for pull requests from anyone. Checking
//! out and building the fork's code there ("pwn request") lets any outside
//! contributor run code with those secrets: install scripts, build files
//! and test hooks all execute.
//!
//! ## Example
//! ```yaml
//! on: pull_request_target
//! jobs:
//!   test:
//!     runs-on: ubuntu-latest
//!     steps:
//!       - uses: actions/checkout@v4
//!         with:
//!           ref: ${{ github.event.pull_request.head.sha }}
//!       - run: npm ci && npm test
//! ```
//!
//! ## Fix
//! Use the `pull_request` trigger for anything that runs the contributor's
//! code; keep `pull_request_target` for jobs that only label or comment and
//! never check out the head. Pass results between the two through
//! artifacts.
//!
//! ## References
//! - https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/
//! - https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request_target

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{gha_jobs, gha_steps, gha_triggers};

pub static RULE: Rule = Rule {
    id: "LG-CI-002",
    title: "pull_request_target workflows do not check out the pull request's code",
    severity: Severity::Critical,
    resources: &["github.workflow"],
    frameworks: &["slsa:build-l3", "sox:itgc-change", "soc2:CC8.1", "pci-dss:6.2.4"],
    equivalent: &[],
    check,
};

const HEAD_REFS: &[&str] = &[
    "pull_request.head.sha",
    "pull_request.head.ref",
    "github.head_ref",
    "refs/pull/",
    "workflow_run.head_sha",
    "workflow_run.head_branch",
    "pull_request.merge_commit_sha",
    "head.repo.full_name",
];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let triggers = gha_triggers(r);
    if !triggers
        .iter()
        .any(|t| t == "pull_request_target" || t == "workflow_run")
    {
        return Outcome::Pass;
    }
    for job in gha_jobs(r) {
        for step in gha_steps(job) {
            let Some(uses) = step.body.get("uses").str() else {
                continue;
            };
            if !uses.to_ascii_lowercase().starts_with("actions/checkout@") {
                continue;
            }
            for key in ["with.ref", "with.repository"] {
                let g = step.body.get(key);
                if let Some(v) = g.str()
                    && HEAD_REFS.iter().any(|h| v.contains(h))
                {
                    return fail(
                        g.span(),
                        format!(
                            "job `{}` checks out the pull request's code (`{}`) in a privileged workflow",
                            job.ident,
                            v.trim()
                        ),
                    );
                }
            }
        }
    }
    Outcome::Pass
}
