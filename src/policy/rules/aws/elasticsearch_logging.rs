//! # Elasticsearch/OpenSearch domain publishes logs to CloudWatch
//!
//! ## What it checks
//! An `aws_elasticsearch_domain` or `aws_opensearch_domain` has at least one
//! `log_publishing_options` block with a `cloudwatch_log_group_arn` that is
//! not `enabled = false`. Unknown values do not fire.
//!
//! ## Why it matters
//! Search and index slow logs, error logs and audit logs show who queried
//! or changed the domain's data and how; without them a data exposure
//! through the domain cannot be investigated.
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
//! log_publishing_options {
//!   log_type                 = "AUDIT_LOGS"
//!   cloudwatch_log_group_arn = aws_cloudwatch_log_group.search.arn
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/opensearch-service/latest/developerguide/createdomain-configure-slow-logs.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-057",
    title: "Elasticsearch/OpenSearch domain publishes logs to CloudWatch",
    severity: Severity::Medium,
    resources: &["aws_elasticsearch_domain", "aws_opensearch_domain"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_84", "AVD-AWS-0042", "aws-elastic-search-enable-domain-logging"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut unknown = r
        .body
        .attr("log_publishing_options")
        .is_some_and(|a| a.value.has_unknown());
    for b in r.body.blocks("log_publishing_options") {
        let (arn, en) = (b.body.get("cloudwatch_log_group_arn"), b.body.get("enabled"));
        if en.is_unknown() {
            unknown = true;
            continue;
        }
        if en.bool() == Some(false) {
            continue;
        }
        if arn.is_unknown() || !arn.is_missing() {
            return Outcome::Pass;
        }
    }
    if unknown {
        return Outcome::Unknown;
    }
    fail(
        None,
        "no enabled log_publishing_options: the domain's logs are not published",
    )
}
