//! # Files are not made world-writable
//!
//! ## What it checks
//! `chmod` commands in RUN instructions, and `COPY`/`ADD --chmod`, that make
//! files writable by everyone: octal modes whose last digit grants write
//! (`777`, `666`, `-R 777`) or symbolic modes such as `o+w`, `a+rwx`.
//! Directories with the sticky bit (`1777`, like `/tmp`) pass.
//!
//! ## Why it matters
//! A world-writable binary, script or configuration file lets any process
//! in the container, whatever its user, replace what the application runs:
//! a non-root compromise becomes code execution as the service (or as root
//! on the next start).
//!
//! ## Example
//! ```dockerfile
//! RUN chmod -R 777 /app
//! ```
//!
//! ## Fix
//! ```dockerfile
//! RUN chown -R app:app /app && chmod -R 755 /app
//! ```
//!
//! ## References
//! - CIS Docker Benchmark 4.8
//! - https://docs.docker.com/reference/dockerfile/#copy---chmod

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{add_sources, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-023",
    title: "Files are not made world-writable",
    severity: Severity::Medium,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.8", "pci-dss:2.2.1", "soc2:CC6.1"],
    equivalent: &[],
    check,
};

/// Whether a chmod mode grants write to others (sticky-bit modes excepted).
fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        let sticky = mode.len() == 4 && mode.as_bytes()[0].wrapping_sub(b'0') & 1 == 1;
        let last = mode.as_bytes()[mode.len() - 1] - b'0';
        return last & 2 != 0 && !sticky;
    }
    mode.split(',').any(|clause| {
        let (who, perm) = match clause.find(['+', '=']) {
            Some(i) => (&clause[..i], &clause[i + 1..]),
            None => return false,
        };
        (who.contains('o') || who.contains('a')) && perm.contains('w') && !perm.contains('t')
    })
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        for c in &cmds {
            if c.program() != Some("chmod") {
                continue;
            }
            if let Some(m) = c.unwrapped()[1..].iter().find(|w| !w.starts_with('-'))
                && world_writable(m)
            {
                return fail(Some(b.span), format!("`{}` makes files writable by everyone", c.text()));
            }
        }
    }
    for b in r.body.blocks.iter().filter(|b| b.ident == "copy" || b.ident == "add") {
        let (flags, _) = add_sources(b);
        if let Some(m) = flags.iter().find_map(|f| f.strip_prefix("--chmod="))
            && world_writable(m)
        {
            return fail(
                Some(b.span),
                format!(
                    "{} --chmod={m} makes files writable by everyone",
                    b.ident.to_ascii_uppercase()
                ),
            );
        }
    }
    Outcome::Pass
}
