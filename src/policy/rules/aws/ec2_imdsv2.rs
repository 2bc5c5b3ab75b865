//! # EC2 instances require IMDSv2
//!
//! ## What it checks
//! An `aws_instance`, `aws_launch_template` or `aws_launch_configuration`
//! has a `metadata_options` block with `http_tokens = "required"`, or with
//! `http_endpoint = "disabled"`. Without the block, the instance metadata
//! service accepts IMDSv1 (the provider's default for most AMIs). Unknown
//! values do not fire.
//!
//! ## Why it matters
//! IMDSv1 answers plain GET requests, so a server-side request forgery flaw
//! in any application on the instance lets an attacker read the instance
//! role's temporary credentials (the Capital One breach). IMDSv2 requires a
//! session token obtained with a PUT, which SSRF cannot usually send.
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami           = "ami-123"
//!   instance_type = "t3.micro"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! metadata_options {
//!   http_endpoint = "enabled"
//!   http_tokens   = "required"
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
//! - CIS AWS Foundations Benchmark 5.6

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-025",
    title: "EC2 instances require IMDSv2",
    severity: Severity::High,
    resources: &["aws_instance", "aws_launch_template", "aws_launch_configuration"],
    frameworks: &["cis-aws:5.6", "pci-dss:2.2.1", "soc2:CC6.1", "sox:itgc-access"],
    equivalent: &[
        "CKV_AWS_79",
        "AVD-AWS-0028",
        "aws-ec2-enforce-http-token-imds",
        "AVD-AWS-0130",
        "aws-ec2-enforce-launch-config-http-token-imds",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mo = r.get("metadata_options");
    if mo.is_unknown() {
        return Outcome::Unknown;
    }
    if mo.is_missing() {
        return fail(
            None,
            "no metadata_options: the instance metadata service accepts IMDSv1 requests",
        );
    }
    let ep = r.get("metadata_options.http_endpoint");
    if ep.is_unknown() {
        return Outcome::Unknown;
    }
    if ep.str() == Some("disabled") {
        return Outcome::Pass;
    }
    expect_one_of(
        r,
        "metadata_options.http_tokens",
        &["required"],
        None,
        "metadata_options.http_tokens is not \"required\": IMDSv1 credentials are reachable through SSRF",
    )
}
