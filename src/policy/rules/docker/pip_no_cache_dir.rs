//! # pip install uses --no-cache-dir
//!
//! ## What it checks
//! Every `pip install` in a RUN instruction must pass `--no-cache-dir`,
//! unless the Dockerfile sets `PIP_NO_CACHE_DIR` or the RUN keeps pip's
//! cache in a BuildKit cache mount.
//!
//! ## Why it matters
//! pip keeps every downloaded wheel in `~/.cache/pip`; in an image that
//! cache is dead weight in a layer forever, adding size and stale
//! third-party code to everything that ships and gets scanned.
//!
//! ## Example
//! ```dockerfile
//! RUN pip install flask==3.0.3
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN pip install --no-cache-dir flask==3.0.3
//! ```
//!
//! ## References
//! - https://pip.pypa.io/en/stable/topics/caching/
//! - hadolint DL3042

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{args, pip_install_args, run_flags, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-014",
    title: "pip install uses --no-cache-dir",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.3"],
    equivalent: &["DL3042"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let env_set = r
        .body
        .blocks
        .iter()
        .any(|b| (b.ident == "env" || b.ident == "arg") && args(b).contains("PIP_NO_CACHE_DIR"));
    if env_set {
        return Outcome::Pass;
    }
    for (b, cmds) in runs(r) {
        if run_flags(b).iter().any(|f| f.contains("type=cache")) {
            continue;
        }
        for c in &cmds {
            if let Some(a) = pip_install_args(c)
                && !c.has_flag(&["--no-cache-dir"])
                && !a.is_empty()
            {
                return fail(
                    Some(b.span),
                    format!("`{}` keeps pip's download cache in the layer", c.text()),
                );
            }
        }
    }
    Outcome::Pass
}
