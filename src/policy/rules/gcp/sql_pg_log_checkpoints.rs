//! # Cloud SQL PostgreSQL instances log checkpoints
//!
//! ## What it checks
//! A PostgreSQL `google_sql_database_instance` (`database_version`
//! starting with `POSTGRES`) has a `settings.database_flags` block with
//! `name = "log_checkpoints"` and its value is `"on"`. The flag must be set explicitly;
//! instances of other engines are skipped, and a flag name or value known only
//! at apply time is not reported.
//!
//! ## Why it matters
//! Checkpoint logs record when and how much data PostgreSQL flushed to disk, which is what an investigator needs to tell I/O incidents and crash recovery apart from tampering. Without them the database's own activity history has gaps.
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
//!     name  = "log_checkpoints"
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
    id: "LG-GCP-005",
    title: "Cloud SQL PostgreSQL instances log checkpoints",
    severity: Severity::Low,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_51", "google-sql-pg-log-checkpoints"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    pg_flag(r, "log_checkpoints", &["on"], "checkpoints are not logged")
}
