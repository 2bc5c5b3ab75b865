//! # Security groups do not allow SSH from the internet
//!
//! ## What it checks
//! Ingress rules of `aws_security_group` (inline `ingress` blocks, also from
//! `dynamic` blocks), `aws_security_group_rule` with `type = "ingress"` and
//! `aws_vpc_security_group_ingress_rule` that open TCP port 22 to
//! `0.0.0.0/0` or `::/0`.
//!
//! ## Why it matters
//! An SSH port open to the whole internet is scanned within minutes and
//! brute-forced continuously; administrative access belongs behind a VPN, a
//! bastion with a fixed source range, or AWS Systems Manager Session Manager.
//!
//! ## Example
//! ```hcl
//! resource "aws_security_group" "web" {
//!   ingress {
//!     from_port   = 22
//!     to_port     = 22
//!     protocol    = "tcp"
//!     cidr_blocks = ["0.0.0.0/0"]
//!   }
//! }
//! ```
//!
//! ## Fix
//! Restrict `cidr_blocks` to the administrators' network, or remove the rule
//! and use Session Manager.
//!
//! ## References
//! - CIS AWS Foundations Benchmark 5.2
//! - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};

use crate::policy::rules::common::open_ingress;

pub static RULE: Rule = Rule {
    id: "LG-AWS-002",
    title: "Security groups do not allow SSH from the internet",
    severity: Severity::High,
    resources: &["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
    frameworks: &["cis-aws:5.2", "pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AWS_24", "AVD-AWS-0107", "aws-ec2-no-public-ingress-sgr"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    open_ingress(r, 22, "SSH (port 22)")
}
