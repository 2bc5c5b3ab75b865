//! # Firewall rules do not allow RDP from the internet
//!
//! ## What it checks
//! A `google_compute_firewall` rule that admits TCP port 3389 from the
//! internet: an ingress rule (the default direction) that is not
//! `disabled`, whose `source_ranges` contain `0.0.0.0/0` or `::/0` (or
//! that names no source range, tag or service account at all, which GCP
//! treats as `0.0.0.0/0`), with an `allow` block for `tcp` or `all`
//! whose `ports` include 3389 (single ports and ranges such as `"0-65535"`)
//! or are absent, meaning every port. Values known only at apply time are not
//! reported.
//!
//! ## Why it matters
//! RDP exposed to the whole internet is found by scanners within minutes and
//! attacked continuously with credential stuffing and exploits for the
//! service. Administrative access belongs behind Identity-Aware Proxy TCP
//! forwarding (source `35.235.240.0/20`), a VPN or a bastion with a fixed
//! source range.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_firewall" "admin" {
//!   name          = "admin"
//!   network       = google_compute_network.vpc.id
//!   source_ranges = ["0.0.0.0/0"]
//!   allow {
//!     protocol = "tcp"
//!     ports    = ["3389"]
//!   }
//! }
//! ```
//!
//! ## Fix
//! Restrict `source_ranges` to the administrators' network or to the IAP
//! range `35.235.240.0/20`, and target the rule at tagged instances.
//!
//! ## References
//! - https://cloud.google.com/firewall/docs/firewalls
//! - https://cloud.google.com/iap/docs/using-tcp-forwarding
//! - CIS Google Cloud Platform Foundation Benchmark 3.7
//!
//! ## Differences from Checkov
//! CKV_GCP_3 ignores `direction` and `disabled`, and misses `allow` blocks without
//! `ports` (every port) and rules that name no source (GCP's default
//! `0.0.0.0/0`); this rule handles all four. Checkov also
//! ignores `protocol`, so it reports a UDP-only rule on the port; this rule
//! checks TCP only.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::firewall_open;

pub static RULE: Rule = Rule {
    id: "LG-GCP-017",
    title: "Firewall rules do not allow RDP from the internet",
    severity: Severity::High,
    resources: &["google_compute_firewall"],
    frameworks: &[
        "cis-gcp:3.7",
        "pci-dss:1.3.1",
        "soc2:CC6.6",
        "hipaa:164.312(e)(1)",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_GCP_3"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    firewall_open(r, 3389, "RDP (port 3389)")
}
