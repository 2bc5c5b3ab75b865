//! # Cloud KMS keys are not accessible to everyone
//!
//! ## What it checks
//! `google_kms_crypto_key_iam_member`, `google_kms_crypto_key_iam_binding`,
//! `google_kms_key_ring_iam_member` and `google_kms_key_ring_iam_binding`
//! whose `member` or `members` name `allUsers` or `allAuthenticatedUsers`.
//! Members known only at apply time are not reported.
//!
//! ## Why it matters
//! A public grant on a key lets anyone on the internet (or any Google
//! account) use or administer the key: decrypt data protected with it,
//! encrypt with it, or destroy key versions and so make the data
//! unrecoverable.
//!
//! ## Example
//! ```hcl
//! resource "google_kms_crypto_key_iam_member" "public" {
//!   crypto_key_id = google_kms_crypto_key.key.id
//!   role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
//!   member        = "allUsers"
//! }
//! ```
//!
//! ## Fix
//! Grant the role to the service accounts that need the key
//! (`serviceAccount:app@my-project.iam.gserviceaccount.com`).
//!
//! ## References
//! - https://cloud.google.com/kms/docs/iam
//! - CIS Google Cloud Platform Foundation Benchmark 1.9
//!
//! ## Differences from Checkov
//! CKV_GCP_112 covers crypto-key IAM only; this rule also checks key-ring
//! IAM resources, whose grants apply to every key in the ring.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::iam_public_members;

pub static RULE: Rule = Rule {
    id: "LG-GCP-044",
    title: "Cloud KMS keys are not accessible to everyone",
    severity: Severity::Critical,
    resources: &[
        "google_kms_crypto_key_iam_member",
        "google_kms_crypto_key_iam_binding",
        "google_kms_key_ring_iam_member",
        "google_kms_key_ring_iam_binding",
    ],
    frameworks: &[
        "cis-gcp:1.9",
        "pci-dss:3.6.1",
        "hipaa:164.312(a)(1)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_GCP_112"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    iam_public_members(r, "anyone can use the key")
}
