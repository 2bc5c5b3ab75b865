//! # Cloud SQL MySQL instances disable local_infile
//!
//! ## What it checks
//! A MySQL `google_sql_database_instance` (`database_version` starting
//! with `MYSQL`) must not have a `settings.database_flags` block with
//! `name = "local_infile"` and value `"on"`. An absent flag passes, as in
//! Checkov: the instance keeps its version's server default, so CIS's
//! recommendation to write `value = "off"` explicitly is the safer fix.
//! Instances of other engines are skipped, and a flag name or value known
//! only at apply time is not reported.
//!
//! ## Why it matters
//! With local_infile on, LOAD DATA LOCAL lets a client (or an attacker who controls a query through SQL injection) make the server read files from the client host, and a malicious server can read files from connecting clients. CIS requires it off.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "db" {
//!   database_version = "MYSQL_8_0"
//!   settings {
//!     tier = "db-custom-2-7680"
//!     database_flags {
//!       name  = "local_infile"
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
//! - https://cloud.google.com/sql/docs/mysql/flags
//! - CIS Google Cloud Platform Foundation Benchmark 6.1.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::sql_flag_not;

pub static RULE: Rule = Rule {
    id: "LG-GCP-039",
    title: "Cloud SQL MySQL instances disable local_infile",
    severity: Severity::Medium,
    resources: &["google_sql_database_instance"],
    frameworks: &["cis-gcp:6.1.3", "pci-dss:2.2.4", "soc2:CC6.1", "hipaa:164.312(a)(1)"],
    equivalent: &["CKV_GCP_50"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    sql_flag_not(
        r,
        "MYSQL",
        "local_infile",
        &["on"],
        "clients can make the server read local files with LOAD DATA LOCAL",
    )
}
