//! # IAM password policy requires at least 14 characters
//!
//! ## What it checks
//! An `aws_iam_account_password_policy` sets `minimum_password_length` to 14
//! or more. Absent means the AWS default of 8 characters, which fails.
//! Unknown values do not fire.
//!
//! ## Why it matters
//! Short passwords fall quickly to guessing and offline cracking. CIS and
//! PCI DSS require a minimum length for console passwords; the account
//! password policy is the only place AWS enforces it.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_account_password_policy" "strict" {
//!   minimum_password_length = 8
//! }
//! ```
//!
//! ## Fix
//! Set `minimum_password_length = 14` (or more).
//!
//! ## References
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
//! - CIS AWS Foundations Benchmark 1.8

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_at_least, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-036",
    title: "IAM password policy requires at least 14 characters",
    severity: Severity::Medium,
    resources: &["aws_iam_account_password_policy"],
    frameworks: &[
        "cis-aws:1.8",
        "pci-dss:8.3.6",
        "soc2:CC6.1",
        "sox:itgc-access",
        "hipaa:164.308(a)(5)(ii)(D)",
    ],
    equivalent: &["CKV_AWS_10", "AVD-AWS-0063", "aws-iam-set-minimum-password-length"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.get("minimum_password_length").is_missing() {
        return fail(
            None,
            "minimum_password_length is not set: the AWS default allows 8-character passwords",
        );
    }
    expect_at_least(
        r,
        "minimum_password_length",
        14.0,
        Some(8.0),
        "minimum_password_length is below 14: console passwords can be short",
    )
}
