//! # GitLab CI does not enable debug tracing
//!
//! ## What it checks
//! `CI_DEBUG_TRACE` or `CI_DEBUG_SERVICES` set to `true` in the
//! `variables` of a GitLab CI pipeline or one of its jobs.
//!
//! ## Why it matters
//! Debug tracing prints every command and every environment variable of
//! the job to the log, including all masked CI/CD variables: tokens,
//! deploy keys, cloud credentials. Anyone who can read the job log (often
//! every project member, sometimes the public) then holds them.
//!
//! ## Example
//! ```yaml
//! variables:
//!   CI_DEBUG_TRACE: "true"
//! ```
//!
//! ## Fix
//! Remove the variable; enable tracing temporarily from a manual pipeline
//! run if needed, and rotate the secrets afterwards.
//!
//! ## References
//! - https://docs.gitlab.com/ee/ci/variables/#enable-debug-logging
//! - PCI DSS 8.3.2

use crate::policy::model::{Body, Resource, Span};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::gitlab_jobs;

pub static RULE: Rule = Rule {
    id: "LG-CI-011",
    title: "GitLab CI does not enable debug tracing",
    severity: Severity::High,
    resources: &["gitlab.ci"],
    frameworks: &["pci-dss:8.3.2", "soc2:CC6.1", "sox:itgc-access", "gdpr:art-32"],
    equivalent: &[],
    check,
};

fn enabled(b: &Body) -> Option<(Span, &'static str)> {
    let vars = &b.block("variables")?.body;
    for name in ["CI_DEBUG_TRACE", "CI_DEBUG_SERVICES"] {
        // `NAME: value`, or `NAME: {value: …, description: …}`.
        let a = match vars.block(name) {
            Some(v) => v.body.attr("value"),
            None => vars.attr(name),
        };
        let Some(a) = a else { continue };
        let on =
            a.value.as_bool() == Some(true) || a.value.as_str().is_some_and(|s| s.trim().eq_ignore_ascii_case("true"));
        if on {
            return Some((a.span, name));
        }
    }
    None
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if let Some((s, name)) = enabled(&r.body) {
        return fail(
            Some(s),
            format!("the pipeline sets {name}: masked variables are printed to job logs"),
        );
    }
    for j in gitlab_jobs(r) {
        if let Some((s, name)) = enabled(&j.body) {
            return fail(
                Some(s),
                format!("job `{}` sets {name}: masked variables are printed to its log", j.ident),
            );
        }
    }
    Outcome::Pass
}
