//! # RDS (Aurora) cluster storage is encrypted
//!
//! ## What it checks
//! An `aws_rds_cluster` sets `storage_encrypted = true`. Absent means false
//! for provisioned clusters; `engine_mode = "serverless"` clusters are always
//! encrypted and pass. Unknown values do not fire.
//!
//! ## Why it matters
//! An unencrypted cluster volume leaves the data, its automated backups and
//! snapshots readable to anyone who obtains a copy. Encryption can only be
//! chosen when the cluster is created.
//!
//! ## Example
//! ```hcl
//! resource "aws_rds_cluster" "app" {
//!   cluster_identifier = "app"
//!   engine             = "aurora-mysql"
//! }
//! ```
//!
//! ## Fix
//! Set `storage_encrypted = true` and `kms_key_id` to a customer-managed key.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html
//! - CIS AWS Foundations Benchmark 2.3.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-012",
    title: "RDS (Aurora) cluster storage is encrypted",
    severity: Severity::High,
    resources: &["aws_rds_cluster"],
    frameworks: &[
        "cis-aws:2.3.1",
        "pci-dss:3.5.1",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_96", "AVD-AWS-0079", "aws-rds-encrypt-cluster-storage-data"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("engine_mode") {
        g if g.is_unknown() => return Outcome::Unknown,
        g if g.str() == Some("serverless") => return Outcome::Pass,
        _ => {}
    }
    expect_bool(
        r,
        "storage_encrypted",
        true,
        false,
        "storage_encrypted is not true: the cluster is stored unencrypted",
    )
}
