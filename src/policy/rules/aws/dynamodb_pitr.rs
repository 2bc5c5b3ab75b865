//! # DynamoDB tables have point-in-time recovery
//!
//! ## What it checks
//! An `aws_dynamodb_table` has `point_in_time_recovery { enabled = true }`
//! (absent means disabled). Unknown values do not fire.
//!
//! ## Why it matters
//! Point-in-time recovery keeps continuous backups for 35 days, so a table can
//! be restored to any second before an accidental bulk delete, a faulty
//! deployment or a malicious overwrite. Without it only manual backups, if
//! any, exist.
//!
//! ## Example
//! ```hcl
//! resource "aws_dynamodb_table" "orders" {
//!   name     = "orders"
//!   hash_key = "id"
//!   attribute {
//!     name = "id"
//!     type = "S"
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! point_in_time_recovery { enabled = true }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-052",
    title: "DynamoDB tables have point-in-time recovery",
    severity: Severity::Medium,
    resources: &["aws_dynamodb_table"],
    frameworks: &[
        "soc2:A1.2",
        "hipaa:164.308(a)(7)(ii)(A)",
        "sox:itgc-operations",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_28", "AVD-AWS-0024", "aws-dynamodb-enable-recovery"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "point_in_time_recovery.enabled",
        true,
        false,
        "point_in_time_recovery is not enabled: the table cannot be restored to an earlier point",
    )
}
