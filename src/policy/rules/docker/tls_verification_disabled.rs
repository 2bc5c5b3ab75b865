//! # Builds do not disable TLS certificate verification
//!
//! ## What it checks
//! RUN instructions that download without checking certificates
//! (`curl -k`/`--insecure`, `wget --no-check-certificate`,
//! `pip --trusted-host`, `git -c http.sslVerify=false`,
//! `git config … http.sslVerify false`, `npm`/`yarn config set strict-ssl
//! false`), and ENV, ARG or inline assignments that turn verification off
//! for a whole tool: `PYTHONHTTPSVERIFY=0`, `NODE_TLS_REJECT_UNAUTHORIZED=0`,
//! `GIT_SSL_NO_VERIFY`, `NPM_CONFIG_STRICT_SSL=false`, `PIP_TRUSTED_HOST`.
//!
//! ## Why it matters
//! Without certificate verification anyone on the network path (a proxy, a
//! hostile Wi-Fi, a compromised CI network) can swap the downloaded code or
//! packages for their own. Set in ENV, the setting also ships in the image
//! and weakens every connection the application makes at run time.
//!
//! ## Example
//! ```dockerfile
//! RUN curl -ksSL https://example.com/tool.tar.gz | tar xz
//! ENV NODE_TLS_REJECT_UNAUTHORIZED=0
//! ```
//!
//! ## Fix
//! Install the CA the server uses (`COPY corp-ca.crt
//! /usr/local/share/ca-certificates/ && update-ca-certificates`) instead of
//! turning verification off.
//!
//! ## Differences from Checkov
//! Checkov splits this into one check per tool (CKV2_DOCKER_2 to _6, _12 to
//! _14) matching the raw text; this rule reads the commands, so it also
//! finds combined short options such as `curl -fsSLk`, and ignores the
//! words inside quoted strings.
//!
//! ## References
//! - CIS Docker Benchmark 4.11
//! - https://curl.se/docs/sslcerts.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{Cmd, args, env_pairs, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-024",
    title: "Builds do not disable TLS certificate verification",
    severity: Severity::High,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:4.11", "pci-dss:4.2.1", "slsa:build-l3", "soc2:CC6.7"],
    equivalent: &[
        "CKV2_DOCKER_2",
        "CKV2_DOCKER_3",
        "CKV2_DOCKER_4",
        "CKV2_DOCKER_5",
        "CKV2_DOCKER_6",
        "CKV2_DOCKER_12",
        "CKV2_DOCKER_13",
        "CKV2_DOCKER_14",
    ],
    check,
};

/// Whether `NAME=value` turns verification off.
fn insecure_var(name: &str, value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    match name.to_ascii_uppercase().as_str() {
        "PYTHONHTTPSVERIFY" | "NODE_TLS_REJECT_UNAUTHORIZED" => v == "0",
        "NPM_CONFIG_STRICT_SSL" => v == "false",
        "GIT_SSL_NO_VERIFY" | "PIP_TRUSTED_HOST" => !v.is_empty() && v != "0" && v != "false",
        _ => false,
    }
}

/// What in the command disables verification.
fn insecure_cmd(c: &Cmd) -> Option<String> {
    for w in &c.words {
        if let Some((n, v)) = w.split_once('=')
            && insecure_var(n, v)
        {
            return Some(w.clone());
        }
    }
    let w = c.unwrapped();
    let args = w.get(1..).unwrap_or(&[]);
    match c.program()? {
        "curl" => args
            .iter()
            .find(|a| *a == "--insecure" || (a.starts_with('-') && !a.starts_with("--") && a.contains('k')))
            .map(|a| format!("curl {a}")),
        "wget" => args
            .iter()
            .find(|a| *a == "--no-check-certificate")
            .map(|a| format!("wget {a}")),
        p if p.starts_with("pip") || p.starts_with("python") => args
            .iter()
            .find(|a| *a == "--trusted-host" || a.starts_with("--trusted-host="))
            .map(|a| format!("pip {a}")),
        "git" => {
            let l: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
            let inline = l.iter().any(|a| a == "http.sslverify=false");
            let config = l
                .iter()
                .position(|a| a == "http.sslverify")
                .is_some_and(|i| l.get(i + 1).is_some_and(|v| v == "false"));
            (inline || config).then(|| "git http.sslVerify false".to_string())
        }
        "npm" | "yarn" => {
            let l: Vec<&str> = args.iter().map(String::as_str).collect();
            let set = l.iter().position(|a| *a == "set")?;
            let rest = &l[set + 1..];
            let off = (rest.first() == Some(&"strict-ssl") && rest.get(1) == Some(&"false"))
                || rest.first() == Some(&"strict-ssl=false");
            off.then(|| "strict-ssl false".to_string())
        }
        _ => None,
    }
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for b in r.body.blocks.iter().filter(|b| b.ident == "env" || b.ident == "arg") {
        for (name, value) in env_pairs(args(b), b.ident == "env") {
            if let Some(v) = value
                && insecure_var(&name, &v)
            {
                return fail(
                    Some(b.span),
                    format!(
                        "{} `{name}={v}` disables TLS certificate verification",
                        b.ident.to_ascii_uppercase()
                    ),
                );
            }
        }
    }
    for (b, cmds) in runs(r) {
        for c in &cmds {
            if let Some(what) = insecure_cmd(c) {
                return fail(Some(b.span), format!("`{what}` disables TLS certificate verification"));
            }
        }
    }
    Outcome::Pass
}
