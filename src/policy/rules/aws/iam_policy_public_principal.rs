//! # Resource policies do not grant access to any AWS principal
//!
//! ## What it checks
//! Policy statements that `Allow` the principal `"*"` (or `{"AWS": "*"}`)
//! without any `Condition`: in `data.aws_iam_policy_document` (`principals`
//! blocks of type `AWS` with identifier `"*"`) and in the JSON policies of
//! `aws_s3_bucket_policy`, `aws_sqs_queue_policy`, `aws_sns_topic_policy`,
//! `aws_ecr_repository_policy`, `aws_elasticsearch_domain_policy`,
//! `aws_opensearch_domain_policy` and `aws_kms_key`. Policies known only at
//! apply time are not judged.
//!
//! ## Why it matters
//! A resource policy with principal `"*"` and no condition grants its actions
//! to every AWS account and, for most services, to anonymous callers on the
//! internet. This is how buckets, queues, search domains and keys end up
//! publicly readable or writable.
//!
//! ## Example
//! ```hcl
//! data "aws_iam_policy_document" "es" {
//!   statement {
//!     actions   = ["es:*"]
//!     resources = ["*"]
//!     principals {
//!       type        = "AWS"
//!       identifiers = ["*"]
//!     }
//!   }
//! }
//! ```
//!
//! ## Fix
//! Name the account or role ARNs that need access, or add a `condition`
//! (`aws:SourceVpce`, `aws:PrincipalOrgID`, `aws:SourceArn`) that limits it.
//!
//! ## References
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_aws::policy_statements;

pub static RULE: Rule = Rule {
    id: "LG-AWS-034",
    title: "Resource policies do not grant access to any AWS principal",
    severity: Severity::High,
    resources: &[
        "data.aws_iam_policy_document",
        "aws_s3_bucket_policy",
        "aws_sqs_queue_policy",
        "aws_sns_topic_policy",
        "aws_ecr_repository_policy",
        "aws_elasticsearch_domain_policy",
        "aws_opensearch_domain_policy",
        "aws_kms_key",
    ],
    frameworks: &["pci-dss:7.2.1", "soc2:CC6.1", "hipaa:164.312(a)(1)", "gdpr:art-32"],
    equivalent: &["CKV_AWS_283"],
    check,
};

const MSG: &str = "a statement allows any AWS principal (\"*\") without a condition";

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.kind == "data.aws_iam_policy_document" {
        let mut unknown = false;
        for st in r.body.blocks("statement") {
            if st.body.block("condition").is_some() {
                continue;
            }
            match st.body.get("effect") {
                Get::Unknown(_) => {
                    unknown = true;
                    continue;
                }
                g if g.str() == Some("Deny") => continue,
                _ => {}
            }
            for p in st.body.blocks("principals") {
                let (t, ids) = (p.body.get("type"), p.body.get("identifiers"));
                if t.is_unknown() || ids.is_unknown() {
                    unknown = true;
                    continue;
                }
                if t.str() == Some("AWS") && ids.strs().is_some_and(|v| v.contains(&"*")) {
                    return fail(Some(p.span), MSG);
                }
            }
        }
        return if unknown { Outcome::Unknown } else { Outcome::Pass };
    }
    let key = if r.body.attr("access_policies").is_some() {
        "access_policies"
    } else {
        "policy"
    };
    let g = r.get(key);
    let Some(v) = g.val() else {
        return if g.is_unknown() {
            Outcome::Unknown
        } else {
            Outcome::Pass
        };
    };
    let Some(statements) = policy_statements(v) else {
        return Outcome::Unknown;
    };
    for st in &statements {
        if st.get("Effect").and_then(|e| e.as_str()) == Some("Deny") || st.get("Condition").is_some() {
            continue;
        }
        let public = match st.get("Principal") {
            Some(serde_json::Value::String(s)) => s == "*",
            Some(serde_json::Value::Object(o)) => match o.get("AWS") {
                Some(serde_json::Value::String(s)) => s == "*",
                Some(serde_json::Value::Array(a)) => a.iter().any(|x| x.as_str() == Some("*")),
                _ => false,
            },
            _ => false,
        };
        if public {
            return fail(g.span(), MSG);
        }
    }
    Outcome::Pass
}
