//! # ElastiCache replication groups are encrypted at rest
//!
//! ## What it checks
//! An `aws_elasticache_replication_group` sets
//! `at_rest_encryption_enabled = true`. Absent means false for the Redis
//! engine (the default engine); Valkey groups default to encrypted and pass.
//! Unknown values do not fire.
//!
//! ## Why it matters
//! Caches hold session tokens, user profiles and query results copied from
//! the primary database. Without encryption at rest, the nodes' disks (swap,
//! persistence files) and backups in S3 hold that data in the clear.
//! Encryption can only be chosen when the group is created.
//!
//! ## Example
//! ```hcl
//! resource "aws_elasticache_replication_group" "sessions" {
//!   replication_group_id = "sessions"
//!   description          = "sessions"
//!   node_type            = "cache.t4g.small"
//! }
//! ```
//!
//! ## Fix
//! Set `at_rest_encryption_enabled = true` (and `kms_key_id` for a customer-managed key).
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-061",
    title: "ElastiCache replication groups are encrypted at rest",
    severity: Severity::High,
    resources: &["aws_elasticache_replication_group"],
    frameworks: &["pci-dss:3.5.1", "hipaa:164.312(a)(2)(iv)", "soc2:CC6.1", "gdpr:art-32"],
    equivalent: &[
        "CKV_AWS_29",
        "AVD-AWS-0045",
        "aws-elasticache-enable-at-rest-encryption",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let default = match r.get("engine") {
        g if g.is_unknown() => return Outcome::Unknown,
        g => g.str() == Some("valkey"),
    };
    expect_bool(
        r,
        "at_rest_encryption_enabled",
        true,
        default,
        "at_rest_encryption_enabled is not true: cached data and backups are stored unencrypted",
    )
}
