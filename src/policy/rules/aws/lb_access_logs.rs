//! # Load balancers have access logging enabled
//!
//! ## What it checks
//! A Classic `aws_elb` has an `access_logs` block (whose `enabled` defaults
//! to true); an `aws_lb` / `aws_alb` of type `application` or `network` has
//! `access_logs { enabled = true }` (there `enabled` defaults to false).
//! Gateway load balancers, which have no access logs, are not judged.
//! Unknown values do not fire.
//!
//! ## Why it matters
//! Access logs record every request (client address, path, status, TLS
//! details) reaching the load balancer, the entry point of the application.
//! They are needed to investigate attacks, abuse and data exposure.
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
//! ```hcl
//! access_logs {
//!   bucket  = aws_s3_bucket.lb_logs.id
//!   enabled = true
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-043",
    title: "Load balancers have access logging enabled",
    severity: Severity::Medium,
    resources: &["aws_elb", "aws_lb", "aws_alb"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_92", "CKV_AWS_91"],
    check,
};

const MSG: &str = "access logging is not enabled: requests to the load balancer are not recorded";

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.kind == "aws_elb" {
        let g = r.get("access_logs");
        if g.is_unknown() {
            return Outcome::Unknown;
        }
        if g.is_missing() {
            return fail(None, MSG);
        }
        return expect_bool(r, "access_logs.enabled", true, true, MSG);
    }
    match r.get("load_balancer_type") {
        g if g.is_unknown() => return Outcome::Unknown,
        g if g.str() == Some("gateway") => return Outcome::Pass,
        _ => {}
    }
    expect_bool(r, "access_logs.enabled", true, false, MSG)
}
