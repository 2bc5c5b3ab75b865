//! # Secrets Manager secrets rotate automatically
//!
//! ## What it checks
//! Every `aws_secretsmanager_secret` has an
//! `aws_secretsmanager_secret_rotation` whose `secret_id` refers to it (or,
//! with AWS provider v3, an inline `rotation_lambda_arn`). When a rotation's
//! `secret_id` is known only at apply time, the rule does not fire.
//!
//! ## Why it matters
//! A secret that never changes stays valid for as long as any copy of it
//! exists, in old laptops, logs or former employees' notes. Automatic
//! rotation bounds the useful life of a leaked credential, as PCI DSS and
//! CIS password-age controls require.
//!
//! ## Example
//! ```hcl
//! resource "aws_secretsmanager_secret" "db" {
//!   name = "db-password"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! resource "aws_secretsmanager_secret_rotation" "db" {
//!   secret_id           = aws_secretsmanager_secret.db.id
//!   rotation_lambda_arn = aws_lambda_function.rotate.arn
//!   rotation_rules { automatically_after_days = 30 }
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_aws::companion;

pub static RULE: Rule = Rule {
    id: "LG-AWS-066",
    title: "Secrets Manager secrets rotate automatically",
    severity: Severity::Medium,
    resources: &["aws_secretsmanager_secret"],
    frameworks: &[
        "pci-dss:8.3.9",
        "soc2:CC6.1",
        "sox:itgc-access",
        "hipaa:164.308(a)(5)(ii)(D)",
    ],
    equivalent: &["CKV2_AWS_57"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if !r.get("rotation_lambda_arn").is_missing() {
        return Outcome::Pass;
    }
    companion(
        r,
        cx,
        "aws_secretsmanager_secret_rotation",
        "secret_id",
        |_| Outcome::Pass,
        "the secret has no aws_secretsmanager_secret_rotation: it is never rotated",
    )
}
