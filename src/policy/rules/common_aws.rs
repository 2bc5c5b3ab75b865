//! Checks shared by several aws rules.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, any, fail};
use crate::policy::terraform::value::Val;

/// A setting that lives in a separate companion resource (AWS provider v4+
/// style): pass when a linked `kind` (through `attr`) satisfies `ok`,
/// unknown when the link is not known, else fail with `message`.
pub fn companion(
    r: &Resource,
    cx: &Ctx,
    kind: &str,
    attr: &str,
    ok: fn(&Resource) -> Outcome,
    message: &str,
) -> Outcome {
    let linked: Vec<&Resource> = cx.linked(r, kind, attr).collect();
    if !linked.is_empty() {
        return any(linked.into_iter().map(ok));
    }
    if cx.maybe_linked(kind, attr) {
        return Outcome::Unknown;
    }
    fail(None, message)
}

/// An inline setting that is present and true: `Some(Pass)`; unknown:
/// `Some(Unknown)`; otherwise `None` (look elsewhere).
pub fn inline_true(r: &Resource, path: &str) -> Option<Outcome> {
    match r.get(path) {
        Get::Unknown(_) => Some(Outcome::Unknown),
        g => match g.val() {
            Some(Val::Unknown) => Some(Outcome::Unknown),
            Some(v) if v.as_bool() == Some(true) => Some(Outcome::Pass),
            Some(v) if v.as_bool().is_none() && v.has_unknown() => Some(Outcome::Unknown),
            _ => None,
        },
    }
}

/// The statements of an IAM policy given as a JSON string (heredoc,
/// `jsonencode`) or an object. `None` when unknown.
pub fn policy_statements(v: &Val) -> Option<Vec<serde_json::Value>> {
    let doc = match v {
        Val::Str(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(j) => j,
            Err(_) => return None,
        },
        Val::Map(_) if !v.has_unknown() => v.to_json(),
        Val::Null => return Some(Vec::new()),
        _ => return None,
    };
    Some(match doc.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(o @ serde_json::Value::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    })
}

/// A JSON string or list of strings as strings.
pub fn json_strs(v: Option<&serde_json::Value>) -> Vec<String> {
    match v {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// Whether text contains an AWS access key id (`AKIA…`/`ASIA…`) or an
/// assignment of a secret access key.
pub fn contains_aws_secret(text: &str) -> bool {
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(19) {
        if (b[i..].starts_with(b"AKIA") || b[i..].starts_with(b"ASIA"))
            && b[i + 4..i + 20]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b.get(i + 20).is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            return true;
        }
    }
    let lower = text.to_ascii_lowercase();
    for key in ["aws_secret_access_key", "secret_access_key", "aws_secret_key"] {
        let mut from = 0;
        while let Some(p) = lower[from..].find(key) {
            let rest = &text[from + p + key.len()..];
            let rest = rest.trim_start_matches(['"', '\'', ' ', ':', '=']);
            let tok: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '+')
                .collect();
            if tok.len() == 40 {
                return true;
            }
            from += p + key.len();
        }
    }
    false
}

/// Whether a string looks like an AWS secret access key (40 base64 chars
/// with a mix of cases and digits or slashes).
pub fn looks_like_secret_key(s: &str) -> bool {
    s.len() == 40
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
        && s.chars().any(|c| c.is_ascii_lowercase())
        && s.chars().any(|c| c.is_ascii_uppercase())
}

/// Whether a string is an AWS access key id.
pub fn looks_like_access_key(s: &str) -> bool {
    s.len() == 20
        && (s.starts_with("AKIA") || s.starts_with("ASIA"))
        && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}
