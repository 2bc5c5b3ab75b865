//! # RDS database instance storage is encrypted
//!
//! ## What it checks
//! An `aws_db_instance` sets `storage_encrypted = true`. Absent means false
//! (the provider default), unless the instance is a read replica
//! (`replicate_source_db`) or restored from a snapshot (`snapshot_identifier`),
//! which inherit the source's encryption and are not judged. Unknown values
//! do not fire.
//!
//! ## Why it matters
//! An unencrypted database leaves its storage, automated backups, read
//! replicas and snapshots readable to anyone who obtains a copy, for example
//! through a snapshot shared by mistake. Encryption cannot be switched on
//! later without a restore into a new instance.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "db" {
//!   engine            = "mysql"
//!   instance_class    = "db.t3.micro"
//!   storage_encrypted = false
//! }
//! ```
//!
//! ## Fix
//! Set `storage_encrypted = true` (and `kms_key_id` for a customer-managed key).
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html
//! - CIS AWS Foundations Benchmark 2.3.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-011",
    title: "RDS database instance storage is encrypted",
    severity: Severity::High,
    resources: &["aws_db_instance"],
    frameworks: &[
        "cis-aws:2.3.1",
        "pci-dss:3.5.1",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_16", "AVD-AWS-0080", "aws-rds-encrypt-instance-storage-data"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if !r.get("replicate_source_db").is_missing() || !r.get("snapshot_identifier").is_missing() {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "storage_encrypted",
        true,
        false,
        "storage_encrypted is not true: the database is stored unencrypted",
    )
}
