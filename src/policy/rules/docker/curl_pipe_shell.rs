//! # Downloaded scripts are not piped into a shell
//!
//! ## What it checks
//! RUN instructions that pipe `curl` or `wget` output straight into a
//! shell or interpreter (`curl … | sh`, `wget -qO- … | bash`,
//! `curl … | python3`), or run it through a substitution
//! (`bash <(curl …)`, `bash -c "$(curl …)"`).
//!
//! ## Why it matters
//! Whatever the server returns is executed with the build's privileges,
//! unverified: a compromised download site, a hijacked domain or a
//! truncated transfer becomes code in the image. Download the file, check
//! its hash or signature, then run it.
//!
//! ## Example
//! ```dockerfile
//! RUN curl -fsSL https://get.example.com/install.sh | sh
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN curl -fsSLo /tmp/install.sh https://get.example.com/install.sh \
//!     && echo "3b1f…  /tmp/install.sh" | sha256sum -c - \
//!     && sh /tmp/install.sh
//! ```
//!
//! ## References
//! - https://slsa.dev/spec/v1.0/requirements
//! - CIS Docker Benchmark 4.11

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{pipes_download_to_shell, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-013",
    title: "Downloaded scripts are not piped into a shell",
    severity: Severity::Medium,
    resources: &["dockerfile"],
    frameworks: &["slsa:build-l3", "cis-docker:4.11", "pci-dss:6.3.2", "soc2:CC8.1"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        if let Some(p) = pipes_download_to_shell(&cmds) {
            return fail(
                Some(b.span),
                format!("`{p}` runs a downloaded script without verifying it"),
            );
        }
    }
    Outcome::Pass
}
