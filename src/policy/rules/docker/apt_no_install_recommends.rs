//! # apt-get install uses --no-install-recommends
//!
//! ## What it checks
//! Every `apt-get install` (or `apt install`) in a RUN instruction must pass
//! `--no-install-recommends` (or `-o APT::Install-Recommends=false`).
//!
//! ## Why it matters
//! Recommended packages are installed by default: they enlarge the image
//! and, more importantly, its attack surface with software nobody asked for
//! and nobody patches deliberately. CIS asks for images that contain only
//! the packages they need.
//!
//! ## Example
//! ```dockerfile
//! RUN apt-get update && apt-get install -y curl
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
//! ```
//!
//! ## References
//! - CIS Docker Benchmark 4.3
//! - https://docs.docker.com/build/building/best-practices/#apt-get
//!
//! ## Differences from hadolint
//! hadolint's DL3015 looks only at `apt-get install`; this rule also reads
//! `apt install`, which behaves the same way (hadolint reports `apt` itself
//! under DL3027, lockgate under LG-DOCKER-012). On kubernetes-goat the three
//! Dockerfiles that install with `apt install` are therefore reported here
//! and not by hadolint.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::runs;

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-008",
    title: "apt-get install uses --no-install-recommends",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.3", "pci-dss:2.2.4"],
    equivalent: &["DL3015", "AVD-DS-0029"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        for c in &cmds {
            if c.is(&["apt-get", "apt"], &["install"])
                && !c.has_flag(&["--no-install-recommends"])
                && !c
                    .unwrapped()
                    .iter()
                    .any(|w| w.contains("Install-Recommends=false") || w.contains("Install-Recommends=0"))
            {
                return fail(Some(b.span), format!("`{}` installs recommended packages", c.text()));
            }
        }
    }
    Outcome::Pass
}
