//! # CloudWatch log groups retain logs for at least a year
//!
//! ## What it checks
//! An `aws_cloudwatch_log_group` does not set `retention_in_days` to a value
//! below 365. Absent or `0` means logs never expire, which passes. Unknown
//! values do not fire.
//!
//! ## Why it matters
//! Investigations often start months after an intrusion began; PCI DSS
//! requires audit logs to be kept for at least twelve months. A short
//! retention silently deletes the evidence.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_group" "app" {
//!   name              = "/app/prod"
//!   retention_in_days = 30
//! }
//! ```
//!
//! ## Fix
//! Set `retention_in_days = 365` (or longer), or export the logs to an
//! archive with a year's retention.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention
//!
//! ## Differences from Checkov
//! CKV_AWS_338 fails a log group without `retention_in_days`; such a group
//! keeps its logs forever, which meets a one-year minimum, so this rule
//! passes it.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-054",
    title: "CloudWatch log groups retain logs for at least a year",
    severity: Severity::Low,
    resources: &["aws_cloudwatch_log_group"],
    frameworks: &[
        "pci-dss:10.5.1",
        "hipaa:164.316(b)(2)(i)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_338"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("retention_in_days") {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => Outcome::Pass,
        g => match g.num() {
            Some(n) if n == 0.0 || n >= 365.0 => Outcome::Pass,
            Some(n) => fail(
                g.span(),
                format!("retention_in_days is {n}: logs are deleted before a year has passed"),
            ),
            None => Outcome::Unknown,
        },
    }
}
