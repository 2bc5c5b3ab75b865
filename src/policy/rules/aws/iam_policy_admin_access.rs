//! # IAM policies do not grant full administrative access
//!
//! ## What it checks
//! IAM policy documents in `aws_iam_policy`, `aws_iam_role_policy`,
//! `aws_iam_user_policy`, `aws_iam_group_policy` (the `policy` JSON, from a
//! heredoc, a string or `jsonencode()`) and `data.aws_iam_policy_document`
//! (its `statement` blocks) have no statement that allows action `"*"` (or
//! `"*:*"`) on resource `"*"`. A statement without `Effect` counts as `Allow`. Policies
//! known only at apply time (for example another data source's `.json`) are
//! not judged.
//!
//! ## Why it matters
//! `"Action": "*"` on `"Resource": "*"` is full administrator access: whoever
//! holds the policy can read all data, change any configuration, create new
//! users and remove audit trails. Least privilege requires policies scoped to
//! the actions and resources a role actually needs.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_policy" "admin" {
//!   policy = jsonencode({
//!     Version   = "2012-10-17"
//!     Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
//!   })
//! }
//! ```
//!
//! ## Fix
//! List the specific actions and resource ARNs the principal needs; grant
//! break-glass administrator access through a separately controlled role.
//!
//! ## References
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
//! - CIS AWS Foundations Benchmark 1.16

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_aws::{json_strs, policy_statements};

pub static RULE: Rule = Rule {
    id: "LG-AWS-033",
    title: "IAM policies do not grant full administrative access",
    severity: Severity::High,
    resources: &[
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_user_policy",
        "aws_iam_group_policy",
        "data.aws_iam_policy_document",
    ],
    frameworks: &[
        "cis-aws:1.16",
        "pci-dss:7.2.1",
        "soc2:CC6.3",
        "hipaa:164.308(a)(4)",
        "sox:itgc-access",
        "gdpr:art-25",
    ],
    equivalent: &["CKV_AWS_62", "CKV_AWS_1"],
    check,
};

const MSG: &str = "a statement allows action \"*\" on resource \"*\": full administrative access";

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.kind == "data.aws_iam_policy_document" {
        let mut unknown = false;
        for st in r.body.blocks("statement") {
            let effect = st.body.get("effect");
            if effect.is_unknown() {
                unknown = true;
                continue;
            }
            if effect.str().is_some_and(|e| e != "Allow") {
                continue;
            }
            let (a, res) = (st.body.get("actions"), st.body.get("resources"));
            if matches!(a, Get::Unknown(_)) || matches!(res, Get::Unknown(_)) {
                unknown = true;
                continue;
            }
            let star = |g: Get, any: &str| g.strs().is_some_and(|v| v.iter().any(|x| *x == "*" || *x == any));
            if star(a, "*:*") && star(res, "*") {
                return fail(Some(st.span), MSG);
            }
            if a.val().is_some_and(|v| v.has_unknown()) || res.val().is_some_and(|v| v.has_unknown()) {
                unknown = true;
            }
        }
        return if unknown { Outcome::Unknown } else { Outcome::Pass };
    }
    let g = r.get("policy");
    let Some(v) = g.val() else {
        return if g.is_unknown() {
            Outcome::Unknown
        } else {
            Outcome::Pass
        };
    };
    let Some(statements) = policy_statements(v) else {
        return Outcome::Unknown;
    };
    for st in &statements {
        let effect = st.get("Effect").and_then(|e| e.as_str()).unwrap_or("Allow");
        if effect == "Allow"
            && json_strs(st.get("Action")).iter().any(|a| a == "*" || a == "*:*")
            && json_strs(st.get("Resource")).iter().any(|a| a == "*")
        {
            return fail(g.span(), MSG);
        }
    }
    Outcome::Pass
}
