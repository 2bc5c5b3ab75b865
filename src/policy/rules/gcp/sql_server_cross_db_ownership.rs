//! # Cloud SQL Server instances disable cross-database ownership chaining
//!
//! ## What it checks
//! A SQL Server `google_sql_database_instance` (`database_version` starting
//! with `SQLSERVER`) must not have a `settings.database_flags` block with
//! `name = "cross db ownership chaining"` and value `"on"`. The flag is off by default, so an
//! absent flag passes; instances of other engines are skipped, and a flag
//! name or value known only at apply time is not reported.
//!
//! ## Why it matters
//! Cross-database ownership chaining skips permission checks when an object in one database refers to an object in another with the same owner, so a user who can create objects in one database can read or change data in others. CIS requires it off.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "db" {
//!   database_version = "SQLSERVER_2019_STANDARD"
//!   settings {
//!     tier = "db-custom-2-7680"
//!     database_flags {
//!       name  = "cross db ownership chaining"
//!       value = "on"
//!     }
//!   }
//! }
//! ```
//!
//! ## Fix
//! Remove the flag or set its value to `"off"`.
//!
//! ## References
//! - https://cloud.google.com/sql/docs/sqlserver/flags
//! - CIS Google Cloud Platform Foundation Benchmark 6.3.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::sql_flag_not;

pub static RULE: Rule = Rule {
    id: "LG-GCP-040",
    title: "Cloud SQL Server instances disable cross-database ownership chaining",
    severity: Severity::Medium,
    resources: &["google_sql_database_instance"],
    frameworks: &["cis-gcp:6.3.2", "pci-dss:2.2.4", "soc2:CC6.1", "hipaa:164.312(a)(1)"],
    equivalent: &["CKV_GCP_58"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    sql_flag_not(
        r,
        "SQLSERVER",
        "cross db ownership chaining",
        &["on"],
        "objects in one database can reach another database without a permission check",
    )
}
