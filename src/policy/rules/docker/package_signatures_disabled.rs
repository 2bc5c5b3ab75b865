//! # Package managers verify signatures
//!
//! ## What it checks
//! RUN instructions that install packages without signature checks:
//! `apk --allow-untrusted`, `apt-get --allow-unauthenticated`,
//! `--force-yes` or `-o APT::Get::AllowUnauthenticated=true`, apt sources
//! marked `[trusted=yes]`, `yum`/`dnf --nogpgcheck`, and `rpm --nodigest`,
//! `--nosignature`, `--noverify` or `--nofiledigest`.
//!
//! ## Why it matters
//! Package signatures are what ties a package to its distribution. Without
//! them a mirror, proxy or attacker on the network can serve any package
//! under a trusted name, and the image runs it.
//!
//! ## Example
//! ```dockerfile
//! RUN apk add --allow-untrusted ./custom.apk
//! ```
//!
//! ## Fix
//! Sign internal packages and install their public key
//! (`/etc/apk/keys`, `signed-by=` for apt, `rpm --import`), then install
//! normally.
//!
//! ## References
//! - CIS Docker Benchmark 4.11
//! - https://wiki.debian.org/SecureApt

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{Cmd, run_script, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-025",
    title: "Package managers verify signatures",
    severity: Severity::High,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.11", "slsa:build-l3", "pci-dss:6.3.2", "soc2:CC8.1"],
    equivalent: &[
        "CKV2_DOCKER_7",
        "CKV2_DOCKER_8",
        "CKV2_DOCKER_9",
        "CKV2_DOCKER_10",
        "CKV2_DOCKER_11",
    ],
    check,
};

fn unsigned(c: &Cmd) -> Option<String> {
    let w = c.unwrapped();
    let args = w.get(1..).unwrap_or(&[]);
    let bad: &[&str] = match c.program()? {
        "apk" => &["--allow-untrusted"],
        "apt-get" | "apt" => &[
            "--allow-unauthenticated",
            "--force-yes",
            "APT::Get::AllowUnauthenticated=true",
        ],
        "yum" | "dnf" | "microdnf" => &["--nogpgcheck"],
        "rpm" => &["--nodigest", "--nosignature", "--noverify", "--nofiledigest"],
        _ => return None,
    };
    args.iter()
        .find(|a| bad.iter().any(|b| a.eq_ignore_ascii_case(b)))
        .map(|a| format!("{} {a}", c.program().unwrap_or("")))
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        if let Some(what) = cmds.iter().find_map(unsigned) {
            return fail(
                Some(b.span),
                format!("`{what}` installs packages without verifying signatures"),
            );
        }
        if run_script(b).contains("[trusted=yes]") {
            return fail(
                Some(b.span),
                "an apt source is marked [trusted=yes]: its packages are not verified",
            );
        }
    }
    Outcome::Pass
}
