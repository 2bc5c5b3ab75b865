//! # EC2 user data contains no AWS credentials
//!
//! ## What it checks
//! The `user_data` of an `aws_instance`, `aws_launch_template` or
//! `aws_launch_configuration`, when known, contains no AWS access key id
//! (`AKIA…`/`ASIA…`) and no assignment of a 40-character secret access key.
//! Base64 user data (`user_data_base64`, or a launch template's `user_data`)
//! is decoded first. User data known only at apply time is not judged.
//!
//! ## Why it matters
//! User data is readable by anyone with `ec2:DescribeInstanceAttribute` and
//! from inside the instance through the metadata service; it is also stored in
//! Terraform state and version control. Credentials placed there leak far
//! beyond the instance. Use an instance profile instead.
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami           = "ami-123"
//!   instance_type = "t3.micro"
//!   user_data     = "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"
//! }
//! ```
//!
//! ## Fix
//! Remove the keys, rotate them, and attach an `iam_instance_profile` whose
//! role grants what the instance needs.
//!
//! ## References
//! - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html

use base64::Engine;

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_aws::contains_aws_secret;

pub static RULE: Rule = Rule {
    id: "LG-AWS-029",
    title: "EC2 user data contains no AWS credentials",
    severity: Severity::Critical,
    resources: &["aws_instance", "aws_launch_template", "aws_launch_configuration"],
    frameworks: &["pci-dss:8.3.2", "soc2:CC6.1", "hipaa:164.312(a)(1)", "sox:itgc-access"],
    equivalent: &["CKV_AWS_46", "AVD-AWS-0029", "aws-ec2-no-secrets-in-user-data"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut unknown = false;
    for key in ["user_data", "user_data_base64"] {
        let g = r.get(key);
        if g.is_unknown() {
            unknown = true;
            continue;
        }
        let Some(text) = g.str() else { continue };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        if contains_aws_secret(text) || decoded.as_deref().is_some_and(contains_aws_secret) {
            return fail(g.span(), format!("{key} contains AWS credentials in plain text"));
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}
