//! # RDS database instance has enhanced monitoring
//!
//! ## What it checks
//! An `aws_db_instance` sets `monitoring_interval` above 0 (absent means 0,
//! disabled). Unknown values do not fire.
//!
//! ## Why it matters
//! Enhanced monitoring collects OS-level metrics (processes, memory, disk
//! I/O) every few seconds; without them capacity problems and abnormal
//! activity on the database host go unnoticed until an outage.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "db" {
//!   engine              = "mysql"
//!   instance_class      = "db.t3.micro"
//!   monitoring_interval = 0
//! }
//! ```
//!
//! ## Fix
//! Set `monitoring_interval = 60` (or 1, 5, 10, 15, 30) and `monitoring_role_arn`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_at_least};

pub static RULE: Rule = Rule {
    id: "LG-AWS-020",
    title: "RDS database instance has enhanced monitoring",
    severity: Severity::Low,
    resources: &["aws_db_instance"],
    frameworks: &["soc2:CC7.2", "sox:itgc-operations", "hipaa:164.312(b)"],
    equivalent: &["CKV_AWS_118"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_at_least(
        r,
        "monitoring_interval",
        1.0,
        Some(0.0),
        "monitoring_interval is 0: enhanced monitoring is disabled",
    )
}
