//! # Cloud SQL instances have automated backups enabled
//!
//! ## What it checks
//! A `google_sql_database_instance` has
//! `settings.backup_configuration.enabled = true`; the provider's default is
//! false, so an absent block fails. Read replicas (`master_instance_name`
//! set) are skipped: Cloud SQL does not back them up.
//!
//! ## Why it matters
//! Automated backups are the recovery point for accidental deletion,
//! corruption and ransomware. Without them an incident becomes permanent data
//! loss, and availability and integrity controls cannot be evidenced.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "db" {
//!   database_version = "POSTGRES_15"
//!   settings {
//!     tier = "db-f1-micro"
//!     backup_configuration { enabled = false }
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! backup_configuration {
//!   enabled                        = true
//!   point_in_time_recovery_enabled = true
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/sql/docs/postgres/backup-recovery/backups
//! - CIS Google Cloud Platform Foundation Benchmark 6.7

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-GCP-003",
    title: "Cloud SQL instances have automated backups enabled",
    severity: Severity::Medium,
    resources: &["google_sql_database_instance"],
    frameworks: &[
        "cis-gcp:6.7",
        "soc2:A1.2",
        "hipaa:164.308(a)(7)(ii)(A)",
        "sox:itgc-operations",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_GCP_14", "google-sql-enable-backup"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let replica = r.get("master_instance_name");
    if replica.is_unknown() || !replica.is_missing() {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "settings.backup_configuration.enabled",
        true,
        false,
        "backup_configuration.enabled is not true: the instance has no automated backups",
    )
}
