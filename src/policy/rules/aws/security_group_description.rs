//! # Security groups and their rules have descriptions
//!
//! ## What it checks
//! An `aws_security_group` has a non-empty `description` and every inline
//! `ingress` and `egress` block has a `description`; an
//! `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule` or
//! `aws_vpc_security_group_egress_rule` has a `description`. A missing group
//! description (which the provider fills with "Managed by Terraform") fails.
//! Unknown values do not fire.
//!
//! ## Why it matters
//! Firewall rule reviews, required by PCI DSS at least every six months, need
//! to know why each opening exists. Undocumented rules are the ones nobody
//! dares to remove, so network exposure only grows.
//!
//! ## Example
//! ```hcl
//! resource "aws_security_group_rule" "db" {
//!   type              = "ingress"
//!   from_port         = 5432
//!   to_port           = 5432
//!   protocol          = "tcp"
//!   cidr_blocks       = ["10.0.0.0/16"]
//!   security_group_id = aws_security_group.db.id
//! }
//! ```
//!
//! ## Fix
//! Add `description = "PostgreSQL from the application subnets"`.
//!
//! ## References
//! - https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
//! - PCI DSS v4.0 requirement 1.2.5 (business justification for allowed services and ports)

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, expect_set, fail};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-AWS-038",
    title: "Security groups and their rules have descriptions",
    severity: Severity::Low,
    resources: &[
        "aws_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
    ],
    frameworks: &["pci-dss:1.2.5", "soc2:CC6.6", "sox:itgc-change"],
    equivalent: &[
        "CKV_AWS_23",
        "AVD-AWS-0099",
        "aws-ec2-add-description-to-security-group",
        "AVD-AWS-0124",
        "aws-ec2-add-description-to-security-group-rule",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let msg = if r.kind == "aws_security_group" {
        "description is missing: the purpose of the security group is undocumented"
    } else {
        "description is missing: the purpose of the rule is undocumented"
    };
    let own = expect_set(r, "description", msg);
    if r.kind != "aws_security_group" {
        return own;
    }
    let mut outcomes = vec![own];
    for kind in ["ingress", "egress"] {
        for b in r.body.blocks(kind) {
            let d = b.body.get("description");
            if d.is_unknown() {
                outcomes.push(Outcome::Unknown);
            } else if d.is_missing() || d.str() == Some("") {
                outcomes.push(fail(Some(b.span), format!("an {kind} rule has no description")));
            }
        }
        if let Some(a) = r.body.attr(kind) {
            for item in a.value.as_list().unwrap_or_default() {
                match item {
                    Val::Map(m) => match m.get("description") {
                        Some(Val::Unknown) => outcomes.push(Outcome::Unknown),
                        Some(Val::Str(s)) if !s.is_empty() => {}
                        _ => outcomes.push(fail(Some(a.span), format!("an {kind} rule has no description"))),
                    },
                    Val::Unknown => outcomes.push(Outcome::Unknown),
                    _ => {}
                }
            }
        }
    }
    all(outcomes)
}
