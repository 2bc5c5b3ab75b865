//! # ElastiCache replication groups encrypt traffic in transit
//!
//! ## What it checks
//! An `aws_elasticache_replication_group` sets
//! `transit_encryption_enabled = true` (absent means false). Unknown values
//! do not fire.
//!
//! ## Why it matters
//! Without TLS, cache traffic (session tokens, personal data, the AUTH
//! token itself) crosses the network in plain text and can be read or
//! altered by anything able to capture traffic in the VPC.
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
//! Set `transit_encryption_enabled = true` (with `auth_token` or RBAC user groups).
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-062",
    title: "ElastiCache replication groups encrypt traffic in transit",
    severity: Severity::High,
    resources: &["aws_elasticache_replication_group"],
    frameworks: &["pci-dss:4.2.1", "hipaa:164.312(e)(1)", "soc2:CC6.7", "gdpr:art-32"],
    equivalent: &[
        "CKV_AWS_30",
        "AVD-AWS-0051",
        "aws-elasticache-enable-in-transit-encryption",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "transit_encryption_enabled",
        true,
        false,
        "transit_encryption_enabled is not true: cache traffic is sent in plain text",
    )
}
