//! # RDS cluster uses IAM authentication
//!
//! ## What it checks
//! An `aws_rds_cluster` sets `iam_database_authentication_enabled = true`
//! (absent means false). Clusters whose `engine` is known not to support it
//! (anything other than Aurora MySQL/PostgreSQL, MySQL or PostgreSQL) pass;
//! an absent engine is Aurora MySQL, the provider default. Unknown values do
//! not fire.
//!
//! ## Why it matters
//! IAM database authentication replaces long-lived database passwords with
//! short-lived tokens tied to IAM identities, so access is centrally granted,
//! revoked and logged.
//!
//! ## Example
//! ```hcl
//! resource "aws_rds_cluster" "app" {
//!   cluster_identifier = "app"
//!   engine             = "aurora-postgresql"
//! }
//! ```
//!
//! ## Fix
//! Set `iam_database_authentication_enabled = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-018",
    title: "RDS cluster uses IAM authentication",
    severity: Severity::Medium,
    resources: &["aws_rds_cluster"],
    frameworks: &["soc2:CC6.1", "pci-dss:8.3.1", "sox:itgc-access", "hipaa:164.312(d)"],
    equivalent: &["CKV_AWS_162"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("engine") {
        g if g.is_unknown() => return Outcome::Unknown,
        g => match g.str() {
            None | Some("aurora" | "aurora-mysql" | "aurora-postgresql" | "mysql" | "postgres") => {}
            Some(_) => return Outcome::Pass,
        },
    }
    expect_bool(
        r,
        "iam_database_authentication_enabled",
        true,
        false,
        "iam_database_authentication_enabled is not true: access relies on static database passwords",
    )
}
