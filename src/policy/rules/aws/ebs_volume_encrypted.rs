//! # EBS volume is encrypted
//!
//! ## What it checks
//! An `aws_ebs_volume` sets `encrypted = true` (absent means false) or is
//! created from a snapshot (`snapshot_id`, which decides its encryption).
//! When the same configuration enables account-wide default encryption
//! (`aws_ebs_encryption_by_default` with `enabled = true`, the default), the
//! volume passes. Unknown values do not fire.
//!
//! ## Why it matters
//! An unencrypted volume leaves its data, and every snapshot taken of it,
//! readable to anyone who obtains a copy, for example a snapshot shared
//! publicly by mistake. Encryption cannot be switched on for an existing volume.
//!
//! ## Example
//! ```hcl
//! resource "aws_ebs_volume" "data" {
//!   availability_zone = "eu-west-1a"
//!   size              = 100
//! }
//! ```
//!
//! ## Fix
//! Set `encrypted = true` (and `kms_key_id`), or enable
//! `aws_ebs_encryption_by_default` for the account and region.
//!
//! ## References
//! - https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html
//! - CIS AWS Foundations Benchmark 2.2.1
//!
//! ## Differences from Checkov
//! CKV_AWS_3 ignores `aws_ebs_encryption_by_default` and `snapshot_id`.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-024",
    title: "EBS volume is encrypted",
    severity: Severity::High,
    resources: &["aws_ebs_volume"],
    frameworks: &[
        "cis-aws:2.2.1",
        "pci-dss:3.5.1",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_3", "AVD-AWS-0026", "aws-ebs-enable-volume-encryption"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if !r.get("snapshot_id").is_missing() || ebs_default_encryption(cx) {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "encrypted",
        true,
        false,
        "encrypted is not true: the volume is stored unencrypted",
    )
}

fn ebs_default_encryption(cx: &Ctx) -> bool {
    cx.of_kind("aws_ebs_encryption_by_default")
        .any(|d| d.get("enabled").bool() != Some(false))
}
