//! # Cloud SQL PostgreSQL instances log connection attempts
//!
//! ## What it checks
//! A PostgreSQL `google_sql_database_instance` (`database_version`
//! starting with `POSTGRES`) has a `settings.database_flags` block with
//! `name = "log_connections"` and its value is `"on"`. The flag must be set explicitly;
//! instances of other engines are skipped, and a flag name or value known only
//! at apply time is not reported.
//!
//! ## Why it matters
//! PostgreSQL does not log connection attempts by default. Without these records, unauthorised access, brute-force attempts and the origin of a session cannot be reconstructed during an investigation, and access-logging requirements of PCI DSS and HIPAA are not met.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "db" {
//!   database_version = "POSTGRES_15"
//!   settings {
//!     tier = "db-custom-1-3840"
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! settings {
//!   database_flags {
//!     name  = "log_connections"
//!     value = "on"
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/flags
//! - CIS Google Cloud Platform Foundation Benchmark 6.2.2
//!
//! ## Differences from Checkov
//! Checkov does not evaluate `dynamic "database_flags"` blocks fed from
//! locals or variables and reports such instances; this rule expands them.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::pg_flag;

pub static RULE: Rule = Rule {
    id: "LG-GCP-006",
    title: "Cloud SQL PostgreSQL instances log connection attempts",
    severity: Severity::Medium,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "cis-gcp:6.2.2",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_52", "google-sql-pg-log-connections"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    pg_flag(r, "log_connections", &["on"], "connection attempts are not logged")
}
