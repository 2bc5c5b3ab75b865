//! # Cloud SQL PostgreSQL instances log session ends
//!
//! ## What it checks
//! A PostgreSQL `google_sql_database_instance` (`database_version`
//! starting with `POSTGRES`) has a `settings.database_flags` block with
//! `name = "log_disconnections"` and its value is `"on"`. The flag must be set explicitly;
//! instances of other engines are skipped, and a flag name or value known only
//! at apply time is not reported.
//!
//! ## Why it matters
//! Disconnection logs record the end and duration of every session; together with connection logs they show who was connected when. Without them, investigators cannot bound the window of a suspicious session.
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
//!     name  = "log_disconnections"
//!     value = "on"
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/flags
//! - CIS Google Cloud Platform Foundation Benchmark 6.2.3
//!
//! ## Differences from Checkov
//! Checkov does not evaluate `dynamic "database_flags"` blocks fed from
//! locals or variables and reports such instances; this rule expands them.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::pg_flag;

pub static RULE: Rule = Rule {
    id: "LG-GCP-007",
    title: "Cloud SQL PostgreSQL instances log session ends",
    severity: Severity::Medium,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "cis-gcp:6.2.3",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_53", "google-sql-pg-log-disconnections"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    pg_flag(
        r,
        "log_disconnections",
        &["on"],
        "session ends and durations are not logged",
    )
}
