//! # Load balancer listeners use HTTPS
//!
//! ## What it checks
//! An `aws_lb_listener` / `aws_alb_listener` with `protocol = "HTTP"` (the
//! default for application load balancers when no certificate is given)
//! fails unless its `default_action` redirects to HTTPS. `HTTPS`, `TLS` and
//! the layer-4 protocols (`TCP`, `UDP`, `TCP_UDP`) pass. Unknown values do
//! not fire.
//!
//! ## Why it matters
//! A plain HTTP listener serves the application, its cookies and any
//! credentials typed into it unencrypted across the internet. The only
//! acceptable HTTP listener is one that redirects to HTTPS.
//!
//! ## Example
//! ```hcl
//! resource "aws_lb_listener" "web" {
//!   load_balancer_arn = aws_lb.web.arn
//!   port              = 80
//!   protocol          = "HTTP"
//!   default_action {
//!     type             = "forward"
//!     target_group_arn = aws_lb_target_group.web.arn
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! default_action {
//!   type = "redirect"
//!   redirect {
//!     port        = "443"
//!     protocol    = "HTTPS"
//!     status_code = "HTTP_301"
//!   }
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-064",
    title: "Load balancer listeners use HTTPS",
    severity: Severity::High,
    resources: &["aws_lb_listener", "aws_alb_listener"],
    frameworks: &["pci-dss:4.2.1", "hipaa:164.312(e)(1)", "soc2:CC6.7", "gdpr:art-32"],
    equivalent: &["CKV_AWS_2", "AVD-AWS-0054", "aws-elb-http-not-used"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let p = r.get("protocol");
    if p.is_unknown() {
        return Outcome::Unknown;
    }
    let proto = p.str().map(str::to_ascii_uppercase);
    match proto.as_deref() {
        Some("HTTPS" | "TLS" | "TCP" | "UDP" | "TCP_UDP") => return Outcome::Pass,
        Some("HTTP") => {}
        // Absent: HTTPS when a certificate is set, else HTTP (ALB) or TCP (NLB).
        None if !r.get("certificate_arn").is_missing() => return Outcome::Pass,
        None => return Outcome::Unknown,
        Some(_) => return Outcome::Unknown,
    }
    let mut unknown = false;
    for a in r.body.blocks("default_action") {
        let t = a.body.get("type");
        let rp = a.body.get("redirect.protocol");
        if t.is_unknown() || rp.is_unknown() {
            unknown = true;
        } else if t.str() == Some("redirect") && rp.str() == Some("HTTPS") {
            return Outcome::Pass;
        }
    }
    if unknown {
        return Outcome::Unknown;
    }
    fail(p.span(), "the listener serves plain HTTP without redirecting to HTTPS")
}
