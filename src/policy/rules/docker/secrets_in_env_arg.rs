//! # Secrets are not set in ENV or ARG
//!
//! ## What it checks
//! `ENV` and `ARG` instructions that give a literal value to a variable
//! named like a credential (`PASSWORD`, `SECRET`, `TOKEN`, `API_KEY`,
//! `ACCESS_KEY`, `PRIVATE_KEY`, `CREDENTIALS`), and any ENV or ARG value
//! that looks like an AWS access key id (`AKIA…`). Values taken from other
//! variables (`$X`, `${X}`) and names ending in `_FILE`, `_PATH`, `_DIR`,
//! `_URL` (pointers to secrets, not secrets) pass.
//!
//! ## Why it matters
//! ENV values are stored in the image configuration and ARG defaults in
//! its history: anyone who can pull the image can read them with
//! `docker inspect` or `docker history`. A credential in the Dockerfile is
//! also a credential in source control.
//!
//! ## Example
//! ```dockerfile
//! ENV API_KEY="k8s-goat-cf658c56a501385205cc6d2dafee8fc1"
//! ```
//!
//! ## Fix
//! Pass secrets at run time (orchestrator secrets, environment injected at
//! deploy) or, for build steps, with BuildKit secret mounts:
//! ```dockerfile
//! RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
//! ```
//!
//! ## References
//! - https://docs.docker.com/build/building/secrets/
//! - CIS Docker Benchmark 4.10

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{args, env_pairs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-007",
    title: "Secrets are not set in ENV or ARG",
    severity: Severity::High,
    resources: &["dockerfile"],
    frameworks: &[
        "cis-docker:4.10",
        "pci-dss:8.3.2",
        "soc2:CC6.1",
        "hipaa:164.312(a)(1)",
        "gdpr:art-32",
    ],
    equivalent: &[],
    check,
};

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

const POINTER_SUFFIXES: &[&str] = &[
    "_FILE", "_PATH", "_DIR", "_URL", "_URI", "_HOST", "_PORT", "_NAME", "_LENGTH",
];

fn secret_name(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| up.contains(w)) && !POINTER_SUFFIXES.iter().any(|s| up.ends_with(s))
}

fn aws_key_id(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(20).any(|w| {
        (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w[4..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    })
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for b in r.body.blocks.iter().filter(|b| b.ident == "env" || b.ident == "arg") {
        let kw = b.ident.to_ascii_uppercase();
        for (name, value) in env_pairs(args(b), b.ident == "env") {
            let Some(value) = value else { continue };
            if aws_key_id(&value) {
                return fail(Some(b.span), format!("{kw} `{name}` holds an AWS access key id"));
            }
            let literal = !value.is_empty()
                && !value.contains('$')
                && !matches!(
                    value.to_ascii_lowercase().as_str(),
                    "true" | "false" | "none" | "null" | "changeme" | ""
                );
            if secret_name(&name) && literal {
                return fail(
                    Some(b.span),
                    format!("{kw} `{name}` sets a literal secret in the image"),
                );
            }
        }
    }
    Outcome::Pass
}
