//! # Public Cloud DNS zones have DNSSEC enabled
//!
//! ## What it checks
//! A public `google_dns_managed_zone` (`visibility` absent or `"public"`)
//! has `dnssec_config { state = "on" }` (or `"transfer"` during a
//! migration). Private zones are skipped. A value known only at apply time is
//! not reported.
//!
//! ## Why it matters
//! Without DNSSEC, resolvers cannot verify that answers for the domain came
//! from its authoritative servers, so cache poisoning and spoofing can send
//! users and systems to attacker-controlled hosts, for example to harvest
//! credentials.
//!
//! ## Example
//! ```hcl
//! resource "google_dns_managed_zone" "zone" {
//!   name     = "example"
//!   dns_name = "example.com."
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! dnssec_config {
//!   state = "on"
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/dns/docs/dnssec-config
//! - CIS Google Cloud Platform Foundation Benchmark 3.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-GCP-038",
    title: "Public Cloud DNS zones have DNSSEC enabled",
    severity: Severity::Medium,
    resources: &["google_dns_managed_zone"],
    frameworks: &["cis-gcp:3.3", "soc2:CC6.6", "pci-dss:4.2.1"],
    equivalent: &["CKV_GCP_16", "google-dns-enable-dnssec"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let vis = r.get("visibility");
    if vis.is_unknown() {
        return Outcome::Unknown;
    }
    if vis.str().is_some_and(|v| v.eq_ignore_ascii_case("private")) {
        return Outcome::Pass;
    }
    expect_one_of(
        r,
        "dnssec_config.state",
        &["on", "transfer"],
        Some("off"),
        "DNSSEC is not on: answers for the zone cannot be authenticated",
    )
}
