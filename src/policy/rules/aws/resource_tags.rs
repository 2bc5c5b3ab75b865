//! # Resources carry tags for ownership and cost allocation
//!
//! ## What it checks
//! Common taggable AWS resources (compute, storage, databases, networking,
//! queues, keys, log groups, load balancers, IAM roles and users) have at
//! least one tag in `tags`. A resource with no `tags`, or `tags = {}`, fails
//! unless a `provider "aws"` block in the same configuration sets
//! `default_tags`. Tags known only at apply time do not fire.
//!
//! ## Why it matters
//! Tags are how cost is allocated, how owners are found during an incident,
//! and how data classification and environment are recorded for access
//! policies (ABAC) and audits. Untagged resources become orphaned spend and
//! unreviewed attack surface.
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami           = "ami-123"
//!   instance_type = "t3.micro"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! provider "aws" {
//!   default_tags {
//!     tags = { owner = "team-web", cost-center = "1234", environment = "prod" }
//!   }
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
//! - https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/cost-alloc-tags.html

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-AWS-051",
    title: "Resources carry tags for ownership and cost allocation",
    severity: Severity::Low,
    resources: &[
        "aws_instance",
        "aws_launch_template",
        "aws_ebs_volume",
        "aws_s3_bucket",
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_dynamodb_table",
        "aws_elasticache_replication_group",
        "aws_redshift_cluster",
        "aws_efs_file_system",
        "aws_vpc",
        "aws_subnet",
        "aws_security_group",
        "aws_nat_gateway",
        "aws_lb",
        "aws_alb",
        "aws_elb",
        "aws_lambda_function",
        "aws_ecs_cluster",
        "aws_ecs_service",
        "aws_eks_cluster",
        "aws_ecr_repository",
        "aws_sqs_queue",
        "aws_sns_topic",
        "aws_kms_key",
        "aws_cloudwatch_log_group",
        "aws_elasticsearch_domain",
        "aws_opensearch_domain",
        "aws_iam_role",
        "aws_iam_user",
        "aws_secretsmanager_secret",
    ],
    frameworks: &["soc2:CC6.1", "sox:itgc-operations", "gdpr:art-5"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let mut default_unknown = false;
    for p in cx.of_kind("provider.aws") {
        match p.get("default_tags.tags") {
            Get::Unknown(_) => default_unknown = true,
            Get::Val(Val::Map(m), _) if !m.is_empty() => return Outcome::Pass,
            Get::Val(v, _) if v.has_unknown() => default_unknown = true,
            _ => {}
        }
    }
    let g = r.get("tags");
    match g {
        Get::Unknown(_) => Outcome::Unknown,
        Get::Val(Val::Map(m), _) if !m.is_empty() => Outcome::Pass,
        Get::Val(v, _) if v.has_unknown() => Outcome::Unknown,
        _ if default_unknown => Outcome::Unknown,
        _ => fail(
            g.span(),
            "the resource has no tags: its owner, environment and cost center are unrecorded",
        ),
    }
}
