//! # The default security group of every VPC restricts all traffic
//!
//! ## What it checks
//! Every `aws_vpc` has an `aws_default_security_group` referring to it
//! (through `vpc_id`) that declares no `ingress` and no `egress` rules, which
//! makes Terraform remove AWS's default allow rules. A VPC without one keeps
//! the default group that allows all traffic between its members and all
//! outbound traffic. When the default group's `vpc_id` is unknown, the rule
//! does not fire.
//!
//! ## Why it matters
//! Resources launched without an explicit security group land in the
//! default group; if it allows traffic, they are silently reachable from
//! every other member and can reach anywhere. CIS requires the default group
//! to deny everything so that all access is granted deliberately.
//!
//! ## Example
//! ```hcl
//! resource "aws_vpc" "main" {
//!   cidr_block = "10.0.0.0/16"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! resource "aws_default_security_group" "main" {
//!   vpc_id = aws_vpc.main.id
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
//! - CIS AWS Foundations Benchmark 5.4

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_aws::companion;
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-AWS-039",
    title: "The default security group of every VPC restricts all traffic",
    severity: Severity::Medium,
    resources: &["aws_vpc"],
    frameworks: &["cis-aws:5.4", "pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV2_AWS_12"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    companion(
        r,
        cx,
        "aws_default_security_group",
        "vpc_id",
        |sg| {
            for kind in ["ingress", "egress"] {
                if let Some(b) = sg.body.blocks(kind).next() {
                    return fail(Some(b.span), format!("the default security group has {kind} rules"));
                }
                if let Some(a) = sg.body.attr(kind) {
                    match &a.value {
                        Val::List(l) if l.is_empty() => {}
                        Val::Null => {}
                        v if v.has_unknown() => return Outcome::Unknown,
                        _ => return fail(Some(a.span), format!("the default security group has {kind} rules")),
                    }
                }
            }
            Outcome::Pass
        },
        "the VPC's default security group is not managed: it keeps AWS's allow rules",
    )
}
