//! # RDS database instance uses IAM authentication
//!
//! ## What it checks
//! An `aws_db_instance` with a MySQL or PostgreSQL `engine` (the engines that
//! support it) sets `iam_database_authentication_enabled = true` (absent
//! means false). Other or unknown engines and unknown values do not fire.
//!
//! ## Why it matters
//! IAM database authentication replaces long-lived database passwords with
//! short-lived tokens tied to IAM identities, so access is centrally granted,
//! revoked, and logged in CloudTrail, and no shared password sits in
//! application configuration.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "db" {
//!   engine         = "postgres"
//!   instance_class = "db.t3.micro"
//! }
//! ```
//!
//! ## Fix
//! Set `iam_database_authentication_enabled = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-017",
    title: "RDS database instance uses IAM authentication",
    severity: Severity::Medium,
    resources: &["aws_db_instance"],
    frameworks: &["soc2:CC6.1", "pci-dss:8.3.1", "sox:itgc-access", "hipaa:164.312(d)"],
    equivalent: &["CKV_AWS_161"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("engine").str() {
        Some("mysql" | "postgres") => {}
        _ => return Outcome::Unknown,
    }
    expect_bool(
        r,
        "iam_database_authentication_enabled",
        true,
        false,
        "iam_database_authentication_enabled is not true: access relies on static database passwords",
    )
}
