//! # Security groups do not allow RDP from the internet
//!
//! ## What it checks
//! Ingress rules of `aws_security_group` (inline `ingress` blocks, also from
//! `dynamic` blocks), `aws_security_group_rule` with `type = "ingress"` and
//! `aws_vpc_security_group_ingress_rule` that open TCP port 3389 to
//! `0.0.0.0/0` or `::/0` (including all-protocol and port-range rules).
//! Unknown ports or CIDRs do not fire.
//!
//! ## Why it matters
//! Remote Desktop exposed to the internet is brute-forced continuously and
//! has a long history of pre-authentication vulnerabilities (BlueKeep);
//! it is a leading initial-access vector for ransomware.
//!
//! ## Example
//! ```hcl
//! resource "aws_security_group" "win" {
//!   ingress {
//!     from_port   = 3389
//!     to_port     = 3389
//!     protocol    = "tcp"
//!     cidr_blocks = ["0.0.0.0/0"]
//!   }
//! }
//! ```
//!
//! ## Fix
//! Restrict `cidr_blocks` to the administrators' network, or use Session
//! Manager / Fleet Manager for remote access.
//!
//! ## References
//! - CIS AWS Foundations Benchmark 5.2
//! - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common::open_ingress;

pub static RULE: Rule = Rule {
    id: "LG-AWS-037",
    title: "Security groups do not allow RDP from the internet",
    severity: Severity::High,
    resources: &[
        "aws_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
    ],
    frameworks: &["cis-aws:5.2", "pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AWS_25"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    open_ingress(r, 3389, "RDP (port 3389)")
}
