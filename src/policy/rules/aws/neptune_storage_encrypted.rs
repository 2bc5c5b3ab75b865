//! # Neptune cluster storage is encrypted
//!
//! ## What it checks
//! An `aws_neptune_cluster` sets `storage_encrypted = true` (absent means
//! false). Unknown values do not fire.
//!
//! ## Why it matters
//! A graph database typically holds relationship data about people and
//! systems; unencrypted, its storage, backups and snapshots are readable by
//! anyone who obtains a copy. Encryption can only be chosen at creation.
//!
//! ## Example
//! ```hcl
//! resource "aws_neptune_cluster" "graph" {
//!   cluster_identifier = "graph"
//!   storage_encrypted  = false
//! }
//! ```
//!
//! ## Fix
//! Set `storage_encrypted = true` and `kms_key_arn` to a customer-managed key.
//!
//! ## References
//! - https://docs.aws.amazon.com/neptune/latest/userguide/encrypt.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-059",
    title: "Neptune cluster storage is encrypted",
    severity: Severity::High,
    resources: &["aws_neptune_cluster"],
    frameworks: &["pci-dss:3.5.1", "hipaa:164.312(a)(2)(iv)", "soc2:CC6.1", "gdpr:art-32"],
    equivalent: &["CKV_AWS_44", "AVD-AWS-0076", "aws-neptune-enable-storage-encryption"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "storage_encrypted",
        true,
        false,
        "storage_encrypted is not true: the graph database is stored unencrypted",
    )
}
