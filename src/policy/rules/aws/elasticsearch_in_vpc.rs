//! # Elasticsearch/OpenSearch domain is deployed in a VPC
//!
//! ## What it checks
//! An `aws_elasticsearch_domain` or `aws_opensearch_domain` has a
//! `vpc_options` block. Without it the domain gets a public endpoint.
//! Unknown values do not fire.
//!
//! ## Why it matters
//! A public domain endpoint is reachable from the internet, and its only
//! protection is the access policy; a single permissive policy (principal
//! `"*"`) then publishes every index. Open Elasticsearch clusters are among
//! the most common causes of large data leaks.
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
//! vpc_options {
//!   subnet_ids         = [aws_subnet.private.id]
//!   security_group_ids = [aws_security_group.search.id]
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AWS-067",
    title: "Elasticsearch/OpenSearch domain is deployed in a VPC",
    severity: Severity::High,
    resources: &["aws_elasticsearch_domain", "aws_opensearch_domain"],
    frameworks: &["pci-dss:1.4.1", "hipaa:164.312(e)(1)", "soc2:CC6.6", "gdpr:art-32"],
    equivalent: &["CKV_AWS_137"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(r, "vpc_options", "no vpc_options: the domain has a public endpoint")
}
