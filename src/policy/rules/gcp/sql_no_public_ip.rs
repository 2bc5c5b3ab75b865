//! # Cloud SQL instances have no public IP address
//!
//! ## What it checks
//! A `google_sql_database_instance` sets
//! `settings.ip_configuration.ipv4_enabled = false`. Cloud SQL assigns a
//! public IPv4 address by default, so an absent setting fails too. A value
//! known only at apply time is not reported.
//!
//! ## Why it matters
//! A public IP puts the database endpoint on the internet, where it is
//! reachable by anything an authorized network admits and is exposed to
//! credential attacks. Private IP over VPC peering (or Private Service
//! Connect) keeps database traffic off the internet.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "db" {
//!   database_version = "POSTGRES_15"
//!   settings {
//!     tier = "db-f1-micro"
//!     ip_configuration { ipv4_enabled = true }
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! ip_configuration {
//!   ipv4_enabled    = false
//!   private_network = google_compute_network.vpc.id
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/configure-private-ip
//! - CIS Google Cloud Platform Foundation Benchmark 6.6
//!
//! ## Differences from Checkov
//! CKV_GCP_60 fails only when `ipv4_enabled = true` is written out. Cloud SQL
//! enables public IP when the setting is absent, so this rule also fails an
//! instance that omits it.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-GCP-004",
    title: "Cloud SQL instances have no public IP address",
    severity: Severity::High,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "cis-gcp:6.6",
        "pci-dss:1.4.1",
        "soc2:CC6.6",
        "hipaa:164.312(e)(1)",
        "gdpr:art-25",
    ],
    equivalent: &["CKV_GCP_60"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "settings.ip_configuration.ipv4_enabled",
        false,
        true,
        "ipv4_enabled is not false: the instance has a public IP address",
    )
}
