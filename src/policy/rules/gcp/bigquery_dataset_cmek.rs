//! # BigQuery datasets are encrypted with a customer-managed key
//!
//! ## What it checks
//! A `google_bigquery_dataset` has
//! `default_encryption_configuration { kms_key_name = ... }`, so new tables
//! are encrypted with a Cloud KMS key. A value known only at apply time is
//! not reported.
//!
//! ## Why it matters
//! With Google-managed keys the organisation cannot disable, rotate on its
//! own schedule or audit the use of the key protecting analytics data.
//! A customer-managed key allows revoking access to the whole dataset and
//! records every use of the key in Cloud Audit Logs.
//!
//! ## Example
//! ```hcl
//! resource "google_bigquery_dataset" "ds" {
//!   dataset_id = "analytics"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! resource "google_bigquery_dataset" "ds" {
//!   dataset_id = "analytics"
//!   default_encryption_configuration {
//!     kms_key_name = google_kms_crypto_key.bq.id
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/bigquery/docs/customer-managed-encryption
//! - CIS Google Cloud Platform Foundation Benchmark 7.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-GCP-033",
    title: "BigQuery datasets are encrypted with a customer-managed key",
    severity: Severity::Low,
    resources: &["google_bigquery_dataset"],
    frameworks: &["cis-gcp:7.3", "pci-dss:3.6.1", "hipaa:164.312(a)(2)(iv)", "gdpr:art-32"],
    equivalent: &["CKV_GCP_81", "google-bigquery-dataset-encryption-customer-key"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "default_encryption_configuration.kms_key_name",
        "no default_encryption_configuration.kms_key_name: tables are encrypted with a Google-managed key",
    )
}
