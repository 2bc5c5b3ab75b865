//! # Cloud SQL instances do not authorize the whole internet
//!
//! ## What it checks
//! The `authorized_networks` blocks (also from `dynamic` blocks) in
//! `settings.ip_configuration` of a `google_sql_database_instance`: none may
//! have a `value` ending in `/0` (`0.0.0.0/0`, `::/0`). Values known only at
//! apply time are not reported.
//!
//! ## Why it matters
//! An authorized network of `0.0.0.0/0` lets any host on the internet open
//! connections to the database's public IP, leaving only the database
//! password between an attacker and the data. Databases should be reached
//! over private IP or the Cloud SQL Auth Proxy.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "db" {
//!   database_version = "POSTGRES_15"
//!   settings {
//!     tier = "db-f1-micro"
//!     ip_configuration {
//!       authorized_networks {
//!         name  = "all"
//!         value = "0.0.0.0/0"
//!       }
//!     }
//!   }
//! }
//! ```
//!
//! ## Fix
//! Remove the authorized network, or restrict `value` to the office or VPN
//! egress range (for example `203.0.113.0/24`); prefer private IP.
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/authorize-networks
//! - CIS Google Cloud Platform Foundation Benchmark 6.5
//!
//! ## Differences from Checkov
//! Checkov does not evaluate `dynamic "authorized_networks"` blocks fed from
//! locals or variables; this rule expands them and reports a `/0` they
//! produce.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::sub;

pub static RULE: Rule = Rule {
    id: "LG-GCP-002",
    title: "Cloud SQL instances do not authorize the whole internet",
    severity: Severity::Critical,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "cis-gcp:6.5",
        "pci-dss:1.3.1",
        "hipaa:164.312(e)(1)",
        "soc2:CC6.6",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_GCP_11", "google-sql-no-public-access"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(ip) = sub(&r.body, &["settings", "ip_configuration"]) else {
        return Outcome::Pass;
    };
    let mut unknown = false;
    for b in ip.blocks("authorized_networks") {
        let v = b.body.get("value");
        match v.str() {
            Some(s) if s.trim().ends_with("/0") => {
                return fail(
                    v.span().or(Some(b.span)),
                    format!("authorized network {s} admits connections from the whole internet"),
                );
            }
            Some(_) => {}
            None => unknown |= v.is_unknown(),
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}
