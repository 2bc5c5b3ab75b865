//! # VPC flow logging is enabled
//!
//! ## What it checks
//! Every `aws_vpc` has an `aws_flow_log` whose `vpc_id` refers to it. When a
//! flow log's `vpc_id` is known only at apply time, the rule does not fire.
//!
//! ## Why it matters
//! Flow logs record the accepted and rejected connections in the VPC. They
//! are the evidence for detecting scanning, lateral movement and data
//! exfiltration, and for reconstructing what a compromised host talked to.
//!
//! ## Example
//! ```hcl
//! resource "aws_vpc" "main" {
//!   cidr_block = "10.0.0.0/16"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! resource "aws_flow_log" "main" {
//!   vpc_id               = aws_vpc.main.id
//!   traffic_type         = "ALL"
//!   log_destination_type = "s3"
//!   log_destination      = aws_s3_bucket.flow_logs.arn
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
//! - CIS AWS Foundations Benchmark 3.9

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_aws::companion;

pub static RULE: Rule = Rule {
    id: "LG-AWS-040",
    title: "VPC flow logging is enabled",
    severity: Severity::Medium,
    resources: &["aws_vpc"],
    frameworks: &[
        "cis-aws:3.9",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &[
        "CKV2_AWS_11",
        "AVD-AWS-0178",
        "aws-ec2-require-vpc-flow-logs-for-all-vpcs",
    ],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    companion(
        r,
        cx,
        "aws_flow_log",
        "vpc_id",
        |_| Outcome::Pass,
        "the VPC has no flow log: its network traffic is not recorded",
    )
}
