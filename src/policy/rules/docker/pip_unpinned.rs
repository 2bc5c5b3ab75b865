//! # pip install pins package versions
//!
//! ## What it checks
//! Every package named on a `pip install` command line in a RUN
//! instruction must carry a version specifier (`flask==3.0.3`,
//! `requests>=2.32,<3`) or be a local path, wheel, archive or VCS URL.
//! Requirement files (`-r requirements.txt`) pass; their content is not
//! read. Packages given through variables are not judged.
//!
//! ## Why it matters
//! An unpinned package is whatever PyPI serves on the day of the build:
//! new versions can break the image or, as typosquatting and account
//! takeovers show, bring malicious code. Pinned (ideally hashed)
//! requirements make builds reproducible and reviewable.
//!
//! ## Example
//! ```dockerfile
//! RUN pip install --no-cache-dir flask
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN pip install --no-cache-dir flask==3.0.3
//! ```
//!
//! ## References
//! - https://pip.pypa.io/en/stable/topics/repeatable-installs/
//! - hadolint DL3013

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{pip_install_args, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-015",
    title: "pip install pins package versions",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["slsa:build-l3", "sox:itgc-change", "soc2:CC8.1"],
    equivalent: &["DL3013"],
    check,
};

/// pip options that take a value.
const VALUE_OPTS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--cache-dir",
    "--log",
    "--timeout",
    "--retries",
    "--proxy",
    "--cert",
    "--client-cert",
    "--only-binary",
    "--no-binary",
    "--config-settings",
    "-C",
];

fn pinned(p: &str) -> bool {
    p.contains(['=', '<', '>', '~', '@', '$', '/'])
        || p.starts_with('.')
        || p.ends_with(".whl")
        || p.ends_with(".tar.gz")
        || p.ends_with(".zip")
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        for c in &cmds {
            let Some(a) = pip_install_args(c) else { continue };
            let mut i = 0;
            while i < a.len() {
                let x = a[i].as_str();
                if x.starts_with('-') {
                    if VALUE_OPTS.contains(&x) {
                        i += 1;
                    }
                } else if !pinned(x) {
                    return fail(Some(b.span), format!("pip package `{x}` is not pinned to a version"));
                }
                i += 1;
            }
        }
    }
    Outcome::Pass
}
