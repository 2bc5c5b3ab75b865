//! # Elasticsearch/OpenSearch domain is encrypted at rest
//!
//! ## What it checks
//! An `aws_elasticsearch_domain` or `aws_opensearch_domain` has
//! `encrypt_at_rest { enabled = true }` (absent means false). Unknown values
//! do not fire.
//!
//! ## Why it matters
//! Search domains typically hold copies of application data and logs, often
//! including personal data. Without encryption at rest, indices, automated
//! snapshots and swap files are stored in the clear.
//!
//! ## Example
//! ```hcl
//! resource "aws_opensearch_domain" "search" {
//!   domain_name = "search"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! encrypt_at_rest { enabled = true }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-050",
    title: "Elasticsearch/OpenSearch domain is encrypted at rest",
    severity: Severity::High,
    resources: &["aws_elasticsearch_domain", "aws_opensearch_domain"],
    frameworks: &["pci-dss:3.5.1", "hipaa:164.312(a)(2)(iv)", "soc2:CC6.1", "gdpr:art-32"],
    equivalent: &[
        "CKV_AWS_5",
        "AVD-AWS-0048",
        "aws-elastic-search-enable-domain-encryption",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "encrypt_at_rest.enabled",
        true,
        false,
        "encrypt_at_rest.enabled is not true: the domain's indices are stored unencrypted",
    )
}
