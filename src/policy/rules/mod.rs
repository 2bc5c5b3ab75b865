//! The registry: every rule file under this folder, collected by `build.rs`.

use super::rule::Rule;

pub mod common;
pub mod common_aws;
pub mod common_azure;
pub mod common_docker;
pub mod common_gcp;
pub mod common_k8s;
pub mod common_secrets;

include!(concat!(env!("OUT_DIR"), "/policy_rules.rs"));

/// A rule with its documentation and where it lives.
pub struct Entry {
    pub rule: &'static Rule,
    /// The module doc comment of the rule's file, as Markdown.
    pub doc: &'static str,
    /// `aws/s3_bucket_encryption` (fixtures live at
    /// `tests/fixtures/policy/<this>/{pass,fail}.tf`).
    pub file: &'static str,
}

/// Every rule, in id order.
pub fn all() -> &'static [&'static Rule] {
    static ALL: std::sync::OnceLock<Vec<&'static Rule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&Rule> = ENTRIES.iter().map(|e| e.rule).collect();
        v.sort_by_key(|r| r.id);
        v
    })
}

pub fn entries() -> &'static [Entry] {
    ENTRIES
}

pub fn find(id: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.rule.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests;
