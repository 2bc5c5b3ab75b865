//! # Application load balancers drop invalid HTTP headers
//!
//! ## What it checks
//! An `aws_lb` / `aws_alb` of type `application` (the default) sets
//! `drop_invalid_header_fields = true` (absent means false). Network and
//! gateway load balancers are not judged. Unknown values do not fire.
//!
//! ## Why it matters
//! Header fields with invalid names are a building block of HTTP request
//! smuggling and desynchronisation attacks between the load balancer and the
//! targets. Dropping them at the edge removes the ambiguity.
//!
//! ## Example
//! ```hcl
//! resource "aws_lb" "web" {
//!   name               = "web"
//!   load_balancer_type = "application"
//! }
//! ```
//!
//! ## Fix
//! Set `drop_invalid_header_fields = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-065",
    title: "Application load balancers drop invalid HTTP headers",
    severity: Severity::Medium,
    resources: &["aws_lb", "aws_alb"],
    frameworks: &["pci-dss:6.4.1", "soc2:CC6.6"],
    equivalent: &["CKV_AWS_131", "AVD-AWS-0052", "aws-elb-drop-invalid-headers"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("load_balancer_type") {
        g if g.is_unknown() => return Outcome::Unknown,
        g if matches!(g.str(), Some("network" | "gateway")) => return Outcome::Pass,
        _ => {}
    }
    expect_bool(
        r,
        "drop_invalid_header_fields",
        true,
        false,
        "drop_invalid_header_fields is not true: malformed headers reach the targets (request smuggling)",
    )
}
