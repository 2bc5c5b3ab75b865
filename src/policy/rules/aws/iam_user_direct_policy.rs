//! # IAM policies are attached to groups or roles, not users
//!
//! ## What it checks
//! Fires on every `aws_iam_user_policy` (an inline policy on a user), every
//! `aws_iam_user_policy_attachment`, and every `aws_iam_policy_attachment`
//! whose `users` list is not empty. Unknown `users` lists do not fire.
//!
//! ## Why it matters
//! Permissions granted user by user drift apart and are hard to review or
//! revoke when people change jobs; granting them through groups or roles
//! keeps access reviews to a short list of roles and makes least privilege
//! auditable.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_user_policy_attachment" "alice" {
//!   user       = aws_iam_user.alice.name
//!   policy_arn = aws_iam_policy.deploy.arn
//! }
//! ```
//!
//! ## Fix
//! Attach the policy to a group (`aws_iam_group_policy_attachment`) and add
//! the user to the group, or let the user assume a role.
//!
//! ## References
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#use-groups-for-permissions
//! - CIS AWS Foundations Benchmark 1.15
//!
//! ## Differences from Checkov
//! Checkov 3.3.30's CKV_AWS_40 flags `aws_iam_user_policy` with a literal
//! `user`, but passes it when `user` is an interpolation it cannot resolve
//! (terragoat's `user = "${aws_iam_user.user.name}"`, whose name depends on a
//! data source). The policy is attached to a user either way, so this rule
//! fires.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-035",
    title: "IAM policies are attached to groups or roles, not users",
    severity: Severity::Low,
    resources: &[
        "aws_iam_user_policy",
        "aws_iam_user_policy_attachment",
        "aws_iam_policy_attachment",
    ],
    frameworks: &["cis-aws:1.15", "soc2:CC6.3", "sox:itgc-access", "pci-dss:7.2.2"],
    equivalent: &["CKV_AWS_40", "AVD-AWS-0143", "aws-iam-no-user-attached-policies"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.kind == "aws_iam_policy_attachment" {
        let g = r.get("users");
        if g.is_unknown() {
            return Outcome::Unknown;
        }
        return match g.val().and_then(|v| v.as_list()) {
            Some(l) if !l.is_empty() => fail(g.span(), "the policy is attached directly to users"),
            _ => Outcome::Pass,
        };
    }
    let what = if r.kind == "aws_iam_user_policy" {
        "an inline policy is defined directly on an IAM user"
    } else {
        "a managed policy is attached directly to an IAM user"
    };
    fail(r.get("user").span(), format!("{what} instead of a group or role"))
}
