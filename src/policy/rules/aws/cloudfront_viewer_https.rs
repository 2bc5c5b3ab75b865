//! # CloudFront distributions require HTTPS from viewers
//!
//! ## What it checks
//! The `default_cache_behavior` and every `ordered_cache_behavior` of an
//! `aws_cloudfront_distribution` set `viewer_protocol_policy` to
//! `redirect-to-https` or `https-only`, not `allow-all`. Unknown values do
//! not fire.
//!
//! ## Why it matters
//! With `allow-all`, viewers can use plain HTTP: cookies, tokens and page
//! content travel unencrypted and can be read or injected on any network
//! between the user and CloudFront.
//!
//! ## Example
//! ```hcl
//! default_cache_behavior {
//!   viewer_protocol_policy = "allow-all"
//! }
//! ```
//!
//! ## Fix
//! Set `viewer_protocol_policy = "redirect-to-https"` in every cache behavior.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-063",
    title: "CloudFront distributions require HTTPS from viewers",
    severity: Severity::High,
    resources: &["aws_cloudfront_distribution"],
    frameworks: &["pci-dss:4.2.1", "hipaa:164.312(e)(1)", "soc2:CC6.7", "gdpr:art-32"],
    equivalent: &["CKV_AWS_34", "AVD-AWS-0012", "aws-cloudfront-enforce-https"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut unknown = false;
    for kind in ["default_cache_behavior", "ordered_cache_behavior"] {
        for b in r.body.blocks(kind) {
            let g = b.body.get("viewer_protocol_policy");
            if g.is_unknown() {
                unknown = true;
            } else if g.str() == Some("allow-all") {
                return fail(
                    g.span(),
                    format!("{kind} viewer_protocol_policy is allow-all: viewers may use plain HTTP"),
                );
            }
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}
