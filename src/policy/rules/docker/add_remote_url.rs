//! # Remote files are not fetched with ADD without a checksum
//!
//! ## What it checks
//! `ADD` instructions whose source is an `http(s)://` URL or a git
//! repository, unless the instruction verifies the download with
//! `--checksum=sha256:…`.
//!
//! ## Why it matters
//! ADD downloads at build time without verifying what it received: a
//! compromised or hijacked server, or a man in the middle on a plain-HTTP
//! URL, puts arbitrary content into the image. Downloading in a RUN step
//! and checking a known hash, or `ADD --checksum`, makes the content
//! verifiable.
//!
//! ## Example
//! ```dockerfile
//! ADD https://example.com/tool.tar.gz /opt/
//! ```
//!
//! ## Fix
//! ```dockerfile
//! ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
//! ```
//!
//! ## References
//! - https://docs.docker.com/reference/dockerfile/#add---checksum
//! - https://slsa.dev/spec/v1.0/requirements

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{add_sources, is_remote_source};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-006",
    title: "Remote files are not fetched with ADD without a checksum",
    severity: Severity::Medium,
    resources: &["dockerfile"],
    frameworks: &["slsa:build-l3", "cis-docker:4.9", "pci-dss:6.3.2", "soc2:CC8.1"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for b in r.body.blocks("add") {
        let (flags, sources) = add_sources(b);
        if flags.iter().any(|f| f.starts_with("--checksum=")) {
            continue;
        }
        if let Some(s) = sources.iter().find(|s| is_remote_source(s)) {
            return fail(
                Some(b.span),
                format!("ADD downloads `{s}` without verifying a checksum"),
            );
        }
    }
    Outcome::Pass
}
