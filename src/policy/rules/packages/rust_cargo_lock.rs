//! # Rust binaries commit Cargo.lock
//!
//! ## What it checks
//! A `Cargo.toml` that builds a binary (`[[bin]]`, or `src/main.rs` beside
//! it) must have a `Cargo.lock` in its directory or in an enclosing
//! workspace directory among the scanned files. A `Cargo.lock` ignored by
//! `.gitignore` is not scanned, so it counts as not committed.
//!
//! ## Why it matters
//! Without a committed lockfile every build of the binary resolves
//! dependencies anew: two builds of the same commit can ship different
//! code, and a compromised new release of a dependency flows straight in.
//!
//! ## Example
//! ```text
//! tool/Cargo.toml
//! tool/src/main.rs           # and Cargo.lock in .gitignore
//! ```
//!
//! ## Fix
//! Remove `Cargo.lock` from `.gitignore`, run `cargo generate-lockfile`,
//! commit it, and build with `cargo build --locked`.
//!
//! ## References
//! - https://doc.rust-lang.org/cargo/faq.html#why-have-cargolock-in-version-control

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-PKG-004",
    title: "Rust binaries commit Cargo.lock",
    severity: Severity::Medium,
    resources: &["project"],
    frameworks: &["sox:itgc-change", "soc2:CC8.1", "slsa:build-l3"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let Some(files) = r.get("files").strs() else { return Outcome::Unknown };
    if !files.contains(&"Cargo.toml") || files.contains(&"Cargo.lock") {
        return Outcome::Pass;
    }
    match r.get("cargo_binary").bool() {
        Some(true) => {}
        Some(false) => return Outcome::Pass,
        None => return Outcome::Unknown,
    }
    // A workspace keeps one Cargo.lock at its root.
    let inside = |dir: &str| dir == "." || r.name.starts_with(&format!("{dir}/"));
    let workspace_lock = cx
        .of_kind("project")
        .filter(|o| o.name != r.name)
        .any(|o| inside(&o.name) && o.get("files").strs().is_some_and(|f| f.contains(&"Cargo.lock")));
    if workspace_lock {
        return Outcome::Pass;
    }
    fail(
        r.get("files").span(),
        "Cargo.toml builds a binary but no Cargo.lock is committed: run `cargo generate-lockfile`, commit it and build with --locked",
    )
}
