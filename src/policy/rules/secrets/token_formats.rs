//! # Access tokens of known services are not stored in the repository
//!
//! ## What it checks
//! Every scanned file for tokens whose format identifies the service: AWS
//! access key ids (`AKIA…`, `ASIA…`), GitHub tokens (`ghp_`, `gho_`, `ghu_`,
//! `ghs_`, `ghr_`, `github_pat_`), GitLab personal tokens (`glpat-`), Slack
//! tokens (`xoxb-`, `xoxp-`, …), Google API keys (`AIza…`) and Stripe live
//! keys (`sk_live_`). The value is reported redacted.
//!
//! ## Why it matters
//! These tokens are scraped from public and leaked repositories within
//! minutes and used at once; each grants the access of its owner.
//!
//! ## Example
//! ```hcl
//! provider "github" {
//!   token = "ghp_1234567890abcdefghijklmnopqrstuvwxyz"
//! }
//! ```
//!
//! ## Fix
//! Revoke the token at the service, then pass a new one through the
//! environment or a secrets manager (`token = var.github_token` with the
//! value from `TF_VAR_github_token` in CI).
//!
//! ## References
//! - https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns
//! - https://cwe.mitre.org/data/definitions/798.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_secrets::{redact, span_at, text, tokens};

pub static RULE: Rule = Rule {
    id: "LG-SECRET-002",
    title: "Access tokens of known services are not stored in the repository",
    severity: Severity::Critical,
    resources: &["file"],
    frameworks: &["pci-dss:8.3.2", "pci-dss:8.6.2", "soc2:CC6.1", "hipaa:164.312(d)", "gdpr:art-32"],
    equivalent: &["CKV_SECRET_2", "CKV_SECRET_43", "CKV_SECRET_14"],
    check,
};

fn upper_digit(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}
fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// (prefix, what it is, minimum length after the prefix, allowed characters)
type Format = (&'static str, &'static str, usize, fn(char) -> bool);

const FORMATS: &[Format] = &[
    ("AKIA", "an AWS access key id", 16, upper_digit),
    ("ASIA", "an AWS temporary access key id", 16, upper_digit),
    ("ghp_", "a GitHub personal access token", 36, alnum),
    ("gho_", "a GitHub OAuth token", 36, alnum),
    ("ghu_", "a GitHub user-to-server token", 36, alnum),
    ("ghs_", "a GitHub server-to-server token", 36, alnum),
    ("ghr_", "a GitHub refresh token", 36, alnum),
    ("github_pat_", "a GitHub fine-grained token", 40, token_char),
    ("glpat-", "a GitLab personal access token", 20, token_char),
    ("xoxb-", "a Slack bot token", 20, token_char),
    ("xoxp-", "a Slack user token", 20, token_char),
    ("xoxa-", "a Slack app token", 20, token_char),
    ("AIza", "a Google API key", 35, token_char),
    ("sk_live_", "a Stripe live secret key", 20, alnum),
];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let t = text(r);
    let mut first: Option<(usize, &str, &str)> = None;
    let mut count = 0;
    for (prefix, what, min, body) in FORMATS {
        for (at, token) in tokens(t, prefix, *min, *body) {
            count += 1;
            if first.is_none_or(|(a, _, _)| at < a) {
                first = Some((at, token, what));
            }
        }
    }
    match first {
        Some((at, token, what)) => {
            let more = if count > 1 { format!(" (and {} more)", count - 1) } else { String::new() };
            fail(Some(span_at(r, at, token.len())), format!("{what} is stored in the file: {}{more}", redact(token)))
        }
        None => Outcome::Pass,
    }
}
