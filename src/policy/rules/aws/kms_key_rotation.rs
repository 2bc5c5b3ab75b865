//! # KMS keys have automatic rotation enabled
//!
//! ## What it checks
//! A symmetric `aws_kms_key` (no `customer_master_key_spec`, or
//! `SYMMETRIC_DEFAULT`) sets `enable_key_rotation = true` (absent means
//! false). Asymmetric and HMAC keys cannot rotate automatically and are not
//! judged. Unknown values do not fire.
//!
//! ## Why it matters
//! Rotation limits how much data is protected by one key version and how
//! long a compromised key stays useful; PCI DSS and CIS require
//! cryptographic keys to be changed periodically.
//!
//! ## Example
//! ```hcl
//! resource "aws_kms_key" "logs" {
//!   description = "logs"
//! }
//! ```
//!
//! ## Fix
//! Set `enable_key_rotation = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
//! - CIS AWS Foundations Benchmark 3.8 (v1.4; 3.6 in v3)

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-032",
    title: "KMS keys have automatic rotation enabled",
    severity: Severity::Medium,
    resources: &["aws_kms_key"],
    frameworks: &["cis-aws:3.8", "pci-dss:3.7.4", "hipaa:164.312(a)(2)(iv)", "soc2:CC6.1"],
    equivalent: &["CKV_AWS_7", "AVD-AWS-0065", "aws-kms-auto-rotate-keys"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("customer_master_key_spec") {
        g if g.is_unknown() => return Outcome::Unknown,
        g => match g.str() {
            None | Some("SYMMETRIC_DEFAULT") => {}
            Some(_) => return Outcome::Pass,
        },
    }
    expect_bool(
        r,
        "enable_key_rotation",
        true,
        false,
        "enable_key_rotation is not true: the key material is never rotated",
    )
}
