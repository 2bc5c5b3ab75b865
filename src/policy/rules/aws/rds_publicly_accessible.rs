//! # RDS database instance is not publicly accessible
//!
//! ## What it checks
//! An `aws_db_instance` or `aws_rds_cluster_instance` does not set
//! `publicly_accessible = true` (absent means false). Unknown values do not
//! fire.
//!
//! ## Why it matters
//! A publicly accessible instance gets a public DNS name resolving to a public
//! IP address, so the database listener is reachable from the internet
//! whenever a security group allows it. Databases belong in private subnets
//! behind the application tier.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "db" {
//!   engine              = "mysql"
//!   instance_class      = "db.t3.micro"
//!   publicly_accessible = true
//! }
//! ```
//!
//! ## Fix
//! Remove `publicly_accessible` or set it to `false`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html
//! - CIS AWS Foundations Benchmark 2.3.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-013",
    title: "RDS database instance is not publicly accessible",
    severity: Severity::Critical,
    resources: &["aws_db_instance", "aws_rds_cluster_instance"],
    frameworks: &[
        "cis-aws:2.3.3",
        "pci-dss:1.4.1",
        "hipaa:164.312(e)(1)",
        "soc2:CC6.6",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_17", "aws-rds-no-public-db-access"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "publicly_accessible",
        false,
        false,
        "publicly_accessible is true: the database gets a public address reachable from the internet",
    )
}
