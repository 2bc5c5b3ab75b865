//! # Private keys are not stored in the repository
//!
//! ## What it checks
//! Every scanned file (Terraform, YAML, Dockerfiles, manifests) for a PEM
//! private key block: `-----BEGIN … PRIVATE KEY-----` (RSA, EC, DSA,
//! OpenSSH, PGP, PKCS#8 and encrypted ones).
//!
//! ## Why it matters
//! A private key in version control is readable by everyone with access to
//! the repository, its forks and its history, forever: rotating the key is
//! the only fix once it has been pushed.
//!
//! ## Example
//! ```yaml
//! data:
//!   tls.key: |
//!     -----BEGIN RSA PRIVATE KEY-----
//! ```
//!
//! ## Fix
//! Remove the key, rotate it, and load it at deploy time from a secrets
//! manager (Vault, AWS Secrets Manager, sealed secrets, SOPS).
//!
//! ## References
//! - https://cwe.mitre.org/data/definitions/798.html
//! - PCI DSS v4 3.6.1, 8.3.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_secrets::{span_at, text};

pub static RULE: Rule = Rule {
    id: "LG-SECRET-001",
    title: "Private keys are not stored in the repository",
    severity: Severity::Critical,
    resources: &["file"],
    frameworks: &["pci-dss:3.6.1", "pci-dss:8.3.2", "soc2:CC6.1", "hipaa:164.312(a)(1)", "gdpr:art-32"],
    equivalent: &["CKV_SECRET_13", "CKV_SECRET_4"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let t = text(r);
    let mut from = 0;
    while let Some(i) = t[from..].find("-----BEGIN ").map(|i| from + i) {
        from = i + 11;
        let line_end = t[i..].find('\n').map_or(t.len(), |e| i + e);
        let header = &t[i..line_end];
        if header.contains("PRIVATE KEY-----") {
            let kind = header.trim_start_matches("-----BEGIN ").trim_end_matches("-----").trim();
            return fail(Some(span_at(r, i, header.len())), format!("the file holds a private key ({kind})"));
        }
    }
    Outcome::Pass
}
