//! # Subnets do not assign public IP addresses by default
//!
//! ## What it checks
//! An `aws_subnet` does not set `map_public_ip_on_launch = true` (absent
//! means false). Unknown values do not fire.
//!
//! ## Why it matters
//! With `map_public_ip_on_launch`, every instance launched in the subnet gets
//! a public address, so one permissive security group is enough to expose
//! it. Public addresses should be a deliberate choice per load balancer or
//! bastion, not a subnet default.
//!
//! ## Example
//! ```hcl
//! resource "aws_subnet" "app" {
//!   vpc_id                  = aws_vpc.main.id
//!   cidr_block              = "10.0.1.0/24"
//!   map_public_ip_on_launch = true
//! }
//! ```
//!
//! ## Fix
//! Remove `map_public_ip_on_launch`, place workloads in private subnets and
//! expose them through a load balancer.
//!
//! ## References
//! - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-031",
    title: "Subnets do not assign public IP addresses by default",
    severity: Severity::Medium,
    resources: &["aws_subnet"],
    frameworks: &["pci-dss:1.4.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AWS_130", "AVD-AWS-0164", "aws-ec2-no-public-ip-subnet"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "map_public_ip_on_launch",
        false,
        false,
        "map_public_ip_on_launch is true: every instance in the subnet gets a public address",
    )
}
