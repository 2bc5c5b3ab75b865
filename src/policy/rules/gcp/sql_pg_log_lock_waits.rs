//! # Cloud SQL PostgreSQL instances log long lock waits
//!
//! ## What it checks
//! A PostgreSQL `google_sql_database_instance` (`database_version`
//! starting with `POSTGRES`) has a `settings.database_flags` block with
//! `name = "log_lock_waits"` and its value is `"on"`. The flag must be set explicitly;
//! instances of other engines are skipped, and a flag name or value known only
//! at apply time is not reported.
//!
//! ## Why it matters
//! Lock-wait logs identify sessions blocked longer than the deadlock timeout, the usual sign of contention and of denial-of-service conditions. Without them, availability incidents on the database are hard to diagnose.
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
//!     name  = "log_lock_waits"
//!     value = "on"
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/flags
//! - CIS Google Cloud Platform Foundation Benchmark v1.x, PostgreSQL database flags (section 6.2)
//!
//! ## Differences from Checkov
//! Checkov does not evaluate `dynamic "database_flags"` blocks fed from
//! locals or variables and reports such instances; this rule expands them.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::pg_flag;

pub static RULE: Rule = Rule {
    id: "LG-GCP-008",
    title: "Cloud SQL PostgreSQL instances log long lock waits",
    severity: Severity::Low,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_54", "google-sql-pg-log-lock-waits"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    pg_flag(
        r,
        "log_lock_waits",
        &["on"],
        "sessions waiting on locks longer than deadlock_timeout are not logged",
    )
}
