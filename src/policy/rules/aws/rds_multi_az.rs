//! # RDS database instance is Multi-AZ
//!
//! ## What it checks
//! An `aws_db_instance` sets `multi_az = true` (absent means false). Read
//! replicas (`replicate_source_db`) are not judged. Unknown values do not
//! fire.
//!
//! ## Why it matters
//! A Multi-AZ deployment keeps a synchronous standby in another availability
//! zone and fails over automatically; a single-AZ instance is down for the
//! whole of an AZ outage or a host failure, and may lose recent writes.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "db" {
//!   engine         = "mysql"
//!   instance_class = "db.t3.micro"
//!   multi_az       = false
//! }
//! ```
//!
//! ## Fix
//! Set `multi_az = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-019",
    title: "RDS database instance is Multi-AZ",
    severity: Severity::Low,
    resources: &["aws_db_instance"],
    frameworks: &["soc2:A1.2", "hipaa:164.308(a)(7)(ii)(C)", "sox:itgc-operations"],
    equivalent: &["CKV_AWS_157"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if !r.get("replicate_source_db").is_missing() {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "multi_az",
        true,
        false,
        "multi_az is not true: the database runs in a single availability zone",
    )
}
