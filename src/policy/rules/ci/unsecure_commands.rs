//! # Workflows do not allow unsecure commands
//!
//! ## What it checks
//! `ACTIONS_ALLOW_UNSECURE_COMMANDS` set to `true` in the `env` of a GitHub
//! workflow, one of its jobs or one of its steps.
//!
//! ## Why it matters
//! The variable re-enables the deprecated `::set-env` and `::add-path`
//! workflow commands, which any text printed to the log can trigger: a
//! file, a test name or an issue title that prints `::set-env
//! name=LD_PRELOAD::…` takes over the following steps (CVE-2020-15228).
//!
//! ## Example
//! ```yaml
//! env:
//!   ACTIONS_ALLOW_UNSECURE_COMMANDS: true
//! ```
//!
//! ## Fix
//! Remove the variable and write to `$GITHUB_ENV` and `$GITHUB_PATH`
//! instead.
//!
//! ## Differences from Checkov
//! CKV_GHA_1 looks at job and step `env`; this rule also reads the
//! workflow's top-level `env`.
//!
//! ## References
//! - https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/
//! - https://github.com/advisories/GHSA-mfwh-5m23-j46w

use crate::policy::model::{Body, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{gha_jobs, gha_steps};

pub static RULE: Rule = Rule {
    id: "LG-CI-008",
    title: "Workflows do not allow unsecure commands",
    severity: Severity::High,
    resources: &["github.workflow"],
    frameworks: &["slsa:build-l3", "pci-dss:6.2.4", "soc2:CC8.1"],
    equivalent: &["CKV_GHA_1"],
    check,
};

fn enabled(b: &Body) -> Option<crate::policy::model::Span> {
    let a = b.block("env")?.body.attr("ACTIONS_ALLOW_UNSECURE_COMMANDS")?;
    let on = a.value.as_bool() == Some(true) || a.value.as_str().is_some_and(|s| s.trim().eq_ignore_ascii_case("true"));
    if on { Some(a.span) } else { None }
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if let Some(s) = enabled(&r.body) {
        return fail(Some(s), "the workflow sets ACTIONS_ALLOW_UNSECURE_COMMANDS");
    }
    for job in gha_jobs(r) {
        if let Some(s) = enabled(&job.body) {
            return fail(
                Some(s),
                format!("job `{}` sets ACTIONS_ALLOW_UNSECURE_COMMANDS", job.ident),
            );
        }
        for step in gha_steps(job) {
            if let Some(s) = enabled(&step.body) {
                return fail(
                    Some(s),
                    format!("a step of job `{}` sets ACTIONS_ALLOW_UNSECURE_COMMANDS", job.ident),
                );
            }
        }
    }
    Outcome::Pass
}
