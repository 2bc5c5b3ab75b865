//! # Lambda environment variables contain no secrets
//!
//! ## What it checks
//! The `environment { variables = { … } }` of an `aws_lambda_function`
//! holds no AWS access key id or secret access key, and no literal value for
//! a variable whose name says it is a secret (`*secret*`, `*password*`,
//! `*passwd*`, `*token*`, `*api_key*`, `*private_key*`). Names that point to
//! a secret (`*_arn`, `*_name`, `*_path`, `*_id`, `*_url`, …) and values
//! that are ARNs, URLs or parameter paths are not secrets. Values known only
//! at apply time (references to Secrets Manager, SSM or resources) do not
//! fire.
//!
//! ## Why it matters
//! Environment variables are shown in the console and returned by
//! `lambda:GetFunctionConfiguration` to anyone with read access, and they are
//! stored in Terraform state and version control. Secrets belong in Secrets
//! Manager or SSM Parameter Store, fetched at run time.
//!
//! ## Example
//! ```hcl
//! environment {
//!   variables = {
//!     access_key = "AKIAIOSFODNN7EXAMPLE"
//!   }
//! }
//! ```
//!
//! ## Fix
//! Store the secret in Secrets Manager, pass its ARN in an environment
//! variable and read it at start-up; prefer the function's execution role
//! over access keys.
//!
//! ## References
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
//! - https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_aws::{looks_like_access_key, looks_like_secret_key};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-AWS-045",
    title: "Lambda environment variables contain no secrets",
    severity: Severity::High,
    resources: &["aws_lambda_function"],
    frameworks: &["pci-dss:8.3.2", "soc2:CC6.1", "hipaa:164.312(a)(1)", "sox:itgc-access"],
    equivalent: &["CKV_AWS_45"],
    check,
};

const SECRET_NAMES: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "token",
    "api_key",
    "apikey",
    "private_key",
];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let g = r.get("environment.variables");
    if g.is_unknown() {
        return Outcome::Unknown;
    }
    let Some(Val::Map(vars)) = g.val() else {
        return Outcome::Pass;
    };
    let mut unknown = false;
    for (k, v) in vars {
        let Val::Str(s) = v else {
            unknown |= v.has_unknown();
            continue;
        };
        let lk = k.to_ascii_lowercase();
        if looks_like_access_key(s) || looks_like_secret_key(s) {
            return fail(
                g.span(),
                format!("environment variable {k} holds an AWS credential in plain text"),
            );
        }
        if s.len() >= 4
            && SECRET_NAMES.iter().any(|n| lk.contains(n))
            && !REFERENCE_SUFFIXES.iter().any(|x| lk.ends_with(x))
            && !["arn:", "http://", "https://", "/", "{{", "ssm:", "secretsmanager:"]
                .iter()
                .any(|p| s.starts_with(p))
        {
            return fail(
                g.span(),
                format!("environment variable {k} holds a secret in plain text"),
            );
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}

/// Names that hold a pointer to a secret, not the secret itself.
const REFERENCE_SUFFIXES: &[&str] = &[
    "_arn",
    "_url",
    "_uri",
    "_name",
    "_path",
    "_id",
    "_ssm",
    "_param",
    "_parameter",
    "_endpoint",
];
