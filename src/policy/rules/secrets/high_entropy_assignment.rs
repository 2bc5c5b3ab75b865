//! # Credential settings do not hold literal secrets
//!
//! ## What it checks
//! Assignments in every scanned file whose name says it is a credential
//! (`password`, `passwd`, `secret`, `token`, `api_key`, `apikey`,
//! `access_key`, `private_key`, `client_secret`) and whose value is a
//! literal of at least 12 characters that looks random (Shannon entropy of
//! 3 bits per character or more). References (`var.x`, `${…}`,
//! `$(…)`, `{{ … }}`), placeholders (`changeme`, `<…>`, `xxx…`) and
//! booleans are ignored. The value is reported redacted.
//!
//! ## Why it matters
//! A credential written into code is shared with everyone who can read the
//! repository and stays in its history after it is removed.
//!
//! ## Example
//! ```yaml
//! env:
//!   - name: DB_PASSWORD
//!     value: "Xk2u9Qr7tLz3WmPa"
//! ```
//!
//! ## Fix
//! Rotate the credential and read it from a secret store at run time
//! (`valueFrom.secretKeyRef`, `var.db_password` marked `sensitive`, a CI
//! secret).
//!
//! ## References
//! - https://cwe.mitre.org/data/definitions/798.html
//! - PCI DSS v4 8.3.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_secrets::{entropy, redact, span_at, text};

pub static RULE: Rule = Rule {
    id: "LG-SECRET-003",
    title: "Credential settings do not hold literal secrets",
    severity: Severity::High,
    resources: &["file"],
    frameworks: &["pci-dss:8.3.2", "soc2:CC6.1", "hipaa:164.312(d)", "gdpr:art-32"],
    equivalent: &["CKV_SECRET_6"],
    check,
};

const NAMES: &[&str] = &["password", "passwd", "secret", "token", "api_key", "apikey", "access_key", "private_key"];

fn literal(value: &str) -> Option<&str> {
    let v = value.trim().trim_end_matches(',').trim();
    let v = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')).or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\''))).unwrap_or(v);
    let lower = v.to_ascii_lowercase();
    let reference = v.contains("${") || v.contains("$(") || v.contains("{{") || v.starts_with("var.") || v.starts_with("local.")
        || v.starts_with("data.") || v.starts_with('$') || v.starts_with('<') || v.contains(' ');
    let placeholder = ["changeme", "change_me", "example", "dummy", "placeholder", "xxxx", "password", "secret", "redacted"].iter().any(|p| lower.contains(p));
    (!reference && !placeholder && v.len() >= 12 && entropy(v) >= 3.0 && v != "true" && v != "false").then_some(v)
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let t = text(r);
    let mut offset = 0;
    let mut pending_name: Option<String> = None;
    for line in t.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        // `key = value`, `key: value`, `KEY=value`; and the Kubernetes
        // `- name: DB_PASSWORD` / `value: …` pair.
        let Some(sep) = line.find(['=', ':']) else { continue };
        let key = line[..sep].trim().trim_start_matches("- ").trim_matches(['"', '\'']).to_ascii_lowercase();
        let value = &line[sep + 1..];
        if key == "name" {
            let n = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
            pending_name = NAMES.iter().any(|x| n.contains(x)).then_some(n);
            continue;
        }
        let named = NAMES.iter().any(|n| key.contains(n)) || (key == "value" && pending_name.is_some());
        if key != "value" {
            pending_name = None;
        }
        if !named {
            continue;
        }
        if let Some(secret) = literal(value) {
            let at = here + line.find(secret).unwrap_or(sep + 1);
            let shown = if key == "value" { pending_name.clone().unwrap_or(key) } else { key };
            return fail(Some(span_at(r, at, secret.len())), format!("`{shown}` holds a literal secret: {}", redact(secret)));
        }
    }
    Outcome::Pass
}
