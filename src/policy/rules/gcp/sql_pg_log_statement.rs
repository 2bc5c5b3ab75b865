//! # Cloud SQL PostgreSQL instances log SQL statements
//!
//! ## What it checks
//! A PostgreSQL `google_sql_database_instance` (`database_version`
//! starting with `POSTGRES`) has a `settings.database_flags` block with
//! `name = "log_statement"` and its value is `"ddl"`, `"mod"` or `"all"`. The flag must be set explicitly;
//! instances of other engines are skipped, and a flag name or value known only
//! at apply time is not reported.
//!
//! ## Why it matters
//! With log_statement at its default none, PostgreSQL records no schema changes or data modifications. Logging at least DDL gives an audit trail of changes to the database structure and permissions, which change-management and forensic reviews rely on.
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
//!     name  = "log_statement"
//!     value = "ddl"
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/flags
//! - CIS Google Cloud Platform Foundation Benchmark 6.2.4
//!
//! ## Differences from Checkov
//! Checkov does not evaluate `dynamic "database_flags"` blocks fed from
//! locals or variables and reports such instances; this rule expands them.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::pg_flag;

pub static RULE: Rule = Rule {
    id: "LG-GCP-010",
    title: "Cloud SQL PostgreSQL instances log SQL statements",
    severity: Severity::Medium,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "cis-gcp:6.2.4",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_111"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    pg_flag(
        r,
        "log_statement",
        &["ddl", "mod", "all"],
        "schema and data changes are not logged",
    )
}
