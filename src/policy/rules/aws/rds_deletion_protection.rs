//! # RDS database instance has deletion protection
//!
//! ## What it checks
//! An `aws_db_instance` sets `deletion_protection = true` (absent means
//! false). Unknown values do not fire.
//!
//! ## Why it matters
//! Without deletion protection a single API call, or a Terraform plan that
//! replaces the resource, destroys the database. Deletion protection forces a
//! deliberate two-step change for an irreversible operation.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "db" {
//!   engine         = "mysql"
//!   instance_class = "db.t3.micro"
//! }
//! ```
//!
//! ## Fix
//! Set `deletion_protection = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-015",
    title: "RDS database instance has deletion protection",
    severity: Severity::Low,
    resources: &["aws_db_instance"],
    frameworks: &["soc2:A1.2", "sox:itgc-change", "hipaa:164.308(a)(7)(ii)(A)"],
    equivalent: &["CKV_AWS_293"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "deletion_protection",
        true,
        false,
        "deletion_protection is not true: the database can be deleted in one step",
    )
}
