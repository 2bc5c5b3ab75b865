//! # RDS databases keep automated backups
//!
//! ## What it checks
//! An `aws_db_instance` or `aws_rds_cluster` does not set
//! `backup_retention_period` to 0. Absent means the AWS default of one day,
//! which passes. Unknown values do not fire.
//!
//! ## Why it matters
//! A retention period of 0 disables automated backups and point-in-time
//! recovery: a bad migration, an accidental `DROP` or ransomware leaves no way
//! back. Recovery objectives in business-continuity plans assume backups exist.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "db" {
//!   engine                  = "mysql"
//!   instance_class          = "db.t3.micro"
//!   backup_retention_period = 0
//! }
//! ```
//!
//! ## Fix
//! Set `backup_retention_period` to the days your recovery policy requires (7 or more).
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_at_least};

pub static RULE: Rule = Rule {
    id: "LG-AWS-014",
    title: "RDS databases keep automated backups",
    severity: Severity::Medium,
    resources: &["aws_db_instance", "aws_rds_cluster"],
    frameworks: &[
        "soc2:A1.2",
        "hipaa:164.308(a)(7)(ii)(A)",
        "pci-dss:12.10.1",
        "sox:itgc-operations",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_133", "AVD-AWS-0077", "aws-rds-specify-backup-retention"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if !r.get("replicate_source_db").is_missing() {
        return Outcome::Pass;
    }
    expect_at_least(
        r,
        "backup_retention_period",
        1.0,
        Some(1.0),
        "backup_retention_period is 0: automated backups and point-in-time recovery are disabled",
    )
}
