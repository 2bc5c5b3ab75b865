//! # EC2 instance volumes are encrypted
//!
//! ## What it checks
//! An `aws_instance` or `aws_launch_configuration` declares a
//! `root_block_device`, and every `root_block_device` and `ebs_block_device`
//! sets `encrypted = true` or comes from a `snapshot_id`. A missing
//! `root_block_device` or `encrypted` means an unencrypted volume (the
//! provider default), unless the same configuration enables
//! `aws_ebs_encryption_by_default`. Unknown values do not fire.
//!
//! ## Why it matters
//! The root volume holds the operating system, application secrets, logs and
//! often cached data; unencrypted, it and every snapshot or AMI made from it
//! can be read by anyone who obtains a copy.
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami           = "ami-123"
//!   instance_type = "t3.micro"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! root_block_device {
//!   encrypted = true
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html
//! - CIS AWS Foundations Benchmark 2.2.1
//!
//! ## Differences from Checkov
//! CKV_AWS_8 treats a block without `encrypted` as unknown; the provider
//! creates such a volume unencrypted, so this rule fails it. It also passes
//! when `aws_ebs_encryption_by_default` is enabled in the same configuration.

use crate::policy::model::{Body, Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-AWS-028",
    title: "EC2 instance volumes are encrypted",
    severity: Severity::High,
    resources: &["aws_instance", "aws_launch_configuration"],
    frameworks: &[
        "cis-aws:2.2.1",
        "pci-dss:3.5.1",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &[
        "CKV_AWS_8",
        "AVD-AWS-0131",
        "aws-ec2-enable-at-rest-encryption",
        "AVD-AWS-0008",
        "aws-autoscaling-enable-at-rest-encryption",
    ],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if cx
        .of_kind("aws_ebs_encryption_by_default")
        .any(|d| d.get("enabled").bool() != Some(false))
    {
        return Outcome::Pass;
    }
    let mut unknown = false;
    let mut has_root = false;
    for name in ["root_block_device", "ebs_block_device"] {
        if let Some(a) = r.body.attr(name) {
            if a.value.has_unknown() {
                unknown = true;
            }
            if name == "root_block_device" {
                has_root = true;
            }
            for item in a.value.as_list().unwrap_or_default() {
                if let Val::Map(m) = item {
                    let snap = m.get("snapshot_id").is_some_and(|v| *v != Val::Null);
                    if !snap && m.get("encrypted").and_then(Val::as_bool) != Some(true) && !item.has_unknown() {
                        return fail(Some(a.span), format!("{name} is not encrypted"));
                    }
                }
            }
        }
        for b in r.body.blocks(name) {
            if name == "root_block_device" {
                has_root = true;
            }
            match block_encrypted(&b.body) {
                Some(true) => {}
                Some(false) => return fail(Some(b.span), format!("{name} is not encrypted: encrypted is not true")),
                None => unknown = true,
            }
        }
    }
    if unknown {
        return Outcome::Unknown;
    }
    if !has_root {
        return fail(
            None,
            "no root_block_device with encrypted = true: the root volume is created unencrypted",
        );
    }
    Outcome::Pass
}

fn block_encrypted(b: &Body) -> Option<bool> {
    if !b.get("snapshot_id").is_missing() {
        return Some(true);
    }
    match b.get("encrypted") {
        Get::Unknown(_) => None,
        g if g.is_missing() => Some(false),
        g => g.bool(),
    }
}
