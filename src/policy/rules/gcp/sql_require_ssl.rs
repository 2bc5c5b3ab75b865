//! # Cloud SQL instances require TLS for all incoming connections
//!
//! ## What it checks
//! A `google_sql_database_instance` has, in `settings.ip_configuration`,
//! either `ssl_mode = "ENCRYPTED_ONLY"` or
//! `"TRUSTED_CLIENT_CERTIFICATE_REQUIRED"`, or (older providers)
//! `require_ssl = true`. `ssl_mode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"`, or
//! neither setting, fails: Cloud SQL then accepts plaintext connections. A
//! value known only at apply time is not reported.
//!
//! ## Why it matters
//! Without enforced TLS, credentials and query results cross the network in
//! clear text whenever a client does not opt in to encryption. Encryption in
//! transit is a baseline requirement for cardholder, health and personal
//! data.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "db" {
//!   database_version = "POSTGRES_15"
//!   settings {
//!     tier = "db-f1-micro"
//!     ip_configuration { ipv4_enabled = false }
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! ip_configuration {
//!   ipv4_enabled    = false
//!   private_network = google_compute_network.vpc.id
//!   ssl_mode        = "ENCRYPTED_ONLY"
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/configure-ssl-instance
//! - CIS Google Cloud Platform Foundation Benchmark 6.4
//!
//! ## Differences from Checkov
//! CKV_GCP_6 accepts only `TRUSTED_CLIENT_CERTIFICATE_REQUIRED` for MySQL and
//! PostgreSQL; this rule also accepts `ENCRYPTED_ONLY`, which enforces TLS for
//! every connection (the CIS requirement) without requiring client
//! certificates.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::sub;

pub static RULE: Rule = Rule {
    id: "LG-GCP-001",
    title: "Cloud SQL instances require TLS for all incoming connections",
    severity: Severity::High,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "cis-gcp:6.4",
        "pci-dss:4.2.1",
        "hipaa:164.312(e)(1)",
        "soc2:CC6.7",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_GCP_6", "google-sql-encrypt-in-transit-data"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(ip) = sub(&r.body, &["settings", "ip_configuration"]) else {
        if r.get("settings").is_unknown() {
            return Outcome::Unknown;
        }
        return fail(
            None,
            "no ip_configuration enforces TLS: the instance accepts unencrypted connections",
        );
    };
    match ip.get("ssl_mode") {
        Get::Unknown(_) => return Outcome::Unknown,
        g if !g.is_missing() => {
            return match g.str() {
                Some(m)
                    if m.eq_ignore_ascii_case("ENCRYPTED_ONLY")
                        || m.eq_ignore_ascii_case("TRUSTED_CLIENT_CERTIFICATE_REQUIRED") =>
                {
                    Outcome::Pass
                }
                Some(m) => fail(
                    g.span(),
                    format!("ssl_mode is {m:?}: the instance accepts unencrypted connections"),
                ),
                None => Outcome::Unknown,
            };
        }
        _ => {}
    }
    match ip.get("require_ssl") {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => fail(
            None,
            "neither ssl_mode nor require_ssl enforces TLS: the instance accepts unencrypted connections",
        ),
        g => match g.bool() {
            Some(true) => Outcome::Pass,
            Some(false) => fail(
                g.span(),
                "require_ssl is false: the instance accepts unencrypted connections",
            ),
            None => Outcome::Unknown,
        },
    }
}
