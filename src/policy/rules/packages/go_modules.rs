//! # Go projects use Go modules
//!
//! ## What it checks
//! A directory with Go dependency files (`Gopkg.toml`/`Gopkg.lock` from dep,
//! `glide.yaml`) or a `vendor/` folder must have a `go.mod`: GOPATH-mode
//! and vendoring-only builds are reported.
//!
//! ## Why it matters
//! Go modules record exact versions and checksums (`go.sum`) that the
//! toolchain verifies against the public checksum database; dep and glide
//! are unmaintained and GOPATH builds depend on whatever is on the
//! builder's disk.
//!
//! ## Example
//! ```text
//! svc/Gopkg.toml
//! svc/Gopkg.lock             # and no go.mod
//! ```
//!
//! ## Fix
//! `go mod init <module path>` then `go mod tidy` (it reads Gopkg.lock);
//! commit `go.mod` and `go.sum`, delete the dep or glide files.
//!
//! ## References
//! - https://go.dev/ref/mod
//! - https://go.dev/blog/migrating-to-go-modules

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-PKG-003",
    title: "Go projects use Go modules",
    severity: Severity::Medium,
    resources: &["project"],
    frameworks: &["sox:itgc-change", "soc2:CC8.1", "slsa:build-l3"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(files) = r.get("files").strs() else { return Outcome::Unknown };
    if files.contains(&"go.mod") {
        return Outcome::Pass;
    }
    let legacy: Vec<&str> = files.iter().copied().filter(|f| f.starts_with("Gopkg") || *f == "glide.yaml").collect();
    if !legacy.is_empty() {
        return fail(
            r.get("files").span(),
            format!("{} without go.mod: a GOPATH-mode build — run `go mod init` and `go mod tidy`, then delete them", legacy.join(", ")),
        );
    }
    Outcome::Pass
}
