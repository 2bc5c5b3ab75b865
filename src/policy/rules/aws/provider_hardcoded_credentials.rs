//! # AWS provider has no hard-coded credentials
//!
//! ## What it checks
//! A `provider "aws"` block does not set `access_key` to an AWS access key id
//! or `secret_key` to a literal secret access key. Values known only at apply
//! time (variables without defaults, data sources) do not fire.
//!
//! ## Why it matters
//! Keys written into Terraform code end up in version control, CI logs and
//! every clone of the repository, where they are routinely harvested.
//! Providers should take credentials from the environment, a profile, or an
//! assumed role.
//!
//! ## Example
//! ```hcl
//! provider "aws" {
//!   region     = "us-west-1"
//!   access_key = "AKIAIOSFODNN7EXAMPLE"
//!   secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
//! }
//! ```
//!
//! ## Fix
//! Remove `access_key`/`secret_key`, rotate the keys, and use
//! `AWS_PROFILE`, environment variables or `assume_role`.
//!
//! ## References
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-configuration

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_aws::{looks_like_access_key, looks_like_secret_key};

pub static RULE: Rule = Rule {
    id: "LG-AWS-030",
    title: "AWS provider has no hard-coded credentials",
    severity: Severity::Critical,
    resources: &["provider.aws"],
    frameworks: &["pci-dss:8.3.2", "soc2:CC6.1", "hipaa:164.312(a)(1)", "sox:itgc-access"],
    equivalent: &["CKV_AWS_41"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let ak = r.get("access_key");
    if ak.str().is_some_and(looks_like_access_key) {
        return fail(ak.span(), "access_key is a hard-coded AWS access key id");
    }
    let sk = r.get("secret_key");
    if sk.str().is_some_and(looks_like_secret_key) {
        return fail(sk.span(), "secret_key is a hard-coded AWS secret access key");
    }
    if ak.is_unknown() || sk.is_unknown() {
        return Outcome::Unknown;
    }
    Outcome::Pass
}
