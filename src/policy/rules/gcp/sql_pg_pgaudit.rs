//! # Cloud SQL PostgreSQL instances enable pgAudit
//!
//! ## What it checks
//! A PostgreSQL `google_sql_database_instance` (`database_version`
//! starting with `POSTGRES`) has a `settings.database_flags` block with
//! `name = "cloudsql.enable_pgaudit"` and its value is `"on"`. The flag must be set explicitly;
//! instances of other engines are skipped, and a flag name or value known only
//! at apply time is not reported.
//!
//! ## Why it matters
//! pgAudit produces detailed session and object audit records (who read or changed which table) in Cloud Logging. Ordinary PostgreSQL logs cannot show access to individual objects, which auditors require for databases that hold regulated data.
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
//!     name  = "cloudsql.enable_pgaudit"
//!     value = "on"
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/flags
//! - CIS Google Cloud Platform Foundation Benchmark 6.2.8
//!
//! ## Differences from Checkov
//! Checkov does not evaluate `dynamic "database_flags"` blocks fed from
//! locals or variables and reports such instances; this rule expands them.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::pg_flag;

pub static RULE: Rule = Rule {
    id: "LG-GCP-009",
    title: "Cloud SQL PostgreSQL instances enable pgAudit",
    severity: Severity::Medium,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "cis-gcp:6.2.8",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_110"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    pg_flag(
        r,
        "cloudsql.enable_pgaudit",
        &["on"],
        "pgAudit session and object audit logging is unavailable",
    )
}
