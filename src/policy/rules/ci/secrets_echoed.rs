//! # Workflow scripts do not print secrets
//!
//! ## What it checks
//! Lines of `run:` scripts that `echo` or `printf` an expression reading
//! `secrets` (`${{ secrets.NAME }}`, `${{ toJSON(secrets) }}`) to the log:
//! lines that send the output to a file or another command (`> key.pem`,
//! `| docker login --password-stdin`) pass.
//!
//! ## Why it matters
//! GitHub masks secret values in logs only when they appear verbatim; a
//! secret printed in another encoding, split across lines, or as part of
//! JSON leaks into build logs that every reader of the repository (for a
//! public project, everyone) can open, and that are kept for months.
//!
//! ## Example
//! ```yaml
//! - run: echo "token is ${{ secrets.DEPLOY_TOKEN }}"
//! ```
//!
//! ## Fix
//! ```yaml
//! - env:
//!     DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}
//!   run: ./deploy.sh   # reads $DEPLOY_TOKEN, never prints it
//! ```
//!
//! ## References
//! - https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#using-secrets-in-a-workflow
//! - PCI DSS 8.3.2, 3.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{gha_expressions, gha_jobs, gha_steps};

pub static RULE: Rule = Rule {
    id: "LG-CI-006",
    title: "Workflow scripts do not print secrets",
    severity: Severity::High,
    resources: &["github.workflow"],
    frameworks: &["pci-dss:8.3.2", "soc2:CC6.1", "sox:itgc-access", "gdpr:art-32"],
    equivalent: &[],
    check,
};

fn reads_secrets(expr: &str) -> bool {
    let e: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    e.contains("secrets.") || e.contains("secrets[") || e.contains("(secrets)")
}

fn prints(line: &str) -> bool {
    let t = line.trim_start();
    let starts = ["echo ", "printf ", "echo\t"];
    let cmd_at = starts
        .iter()
        .filter_map(|s| {
            if t.starts_with(s) {
                Some(0)
            } else {
                [" ", ";", "&", "("].iter().find_map(|p| t.find(&format!("{p}{s}")))
            }
        })
        .min();
    let Some(at) = cmd_at else { return false };
    // Output redirected to a file or piped to another command stays out of the log.
    let rest = &t[at..];
    !rest.contains('>') && !rest.contains('|')
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for job in gha_jobs(r) {
        for step in gha_steps(job) {
            let g = step.body.get("run");
            let Some(text) = g.str() else { continue };
            for line in text.lines() {
                if prints(line) && gha_expressions(line).into_iter().any(reads_secrets) {
                    return fail(
                        g.span(),
                        format!("job `{}` prints a secret to the build log", job.ident),
                    );
                }
            }
        }
    }
    Outcome::Pass
}
