//! Custom policies in Rego, evaluated in-process with regorus.
//!
//! Each policy is evaluated once per resource with this input:
//!
//! ```json
//! { "kind": "aws_s3_bucket", "name": "logs", "address": "module.x.aws_s3_bucket.logs",
//!   "file": "infra/s3.tf", "line": 12, "attributes": { … } }
//! ```
//!
//! `attributes` is the resource's evaluated body: settings as values
//! (unknown values are `null`), a nested block as an object, repeated
//! blocks as an array. Kubernetes objects, workflows and Dockerfiles come
//! the same way (`kind` is `k8s.Deployment`, `github.workflow`,
//! `dockerfile`, `project`). A policy reports with a `deny` rule whose
//! values are strings or objects
//! `{ "id": "ACME-001", "severity": "high", "message": "…", "title": "…" }`.

use std::collections::HashMap;

use regorus::Engine;
use serde_json::{Value as J, json};

use super::model::{Body, Resource};
use super::rule::Severity;

/// One policy file: (path as shown, text).
pub type Source = (String, String);

/// What a policy reported about a resource.
pub struct Custom {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub message: String,
}

/// The compiled policies and the packages that define `deny`.
pub struct Compiled {
    pub engine: Engine,
    pub packages: Vec<String>,
}

/// Compile the policies; errors are (file, line, column, message).
pub fn compile(sources: &[Source]) -> Result<Compiled, Vec<(String, u32, u32, String)>> {
    let mut engine = Engine::new();
    let mut errors = Vec::new();
    for (path, text) in sources {
        if let Err(e) = engine.add_policy(path.clone(), text.clone()) {
            let msg = e.to_string();
            let (line, col) = position(&msg, path).unwrap_or((1, 1));
            errors.push((path.clone(), line, col, first_line(&msg)));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let packages = engine.get_packages().map_err(|e| {
        vec![(
            sources.first().map(|s| s.0.clone()).unwrap_or_default(),
            1,
            1,
            e.to_string(),
        )]
    })?;
    Ok(Compiled { engine, packages })
}

/// The error's own words: regorus prints `--> file:line:col`, the source
/// line and a caret; keep the lines that say what is wrong.
fn first_line(msg: &str) -> String {
    let words: Vec<&str> = msg
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("-->")
                && !l.starts_with('|')
                && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .collect();
    if words.is_empty() {
        msg.trim().to_string()
    } else {
        words.join(" ")
    }
}

/// regorus errors start `path:line:col: …`.
fn position(msg: &str, path: &str) -> Option<(u32, u32)> {
    let at = msg.find(&format!("{path}:"))? + path.len() + 1;
    let mut nums = msg[at..].split(':').map(|p| {
        p.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse::<u32>()
    });
    Some((nums.next()?.ok()?, nums.next().and_then(Result::ok).unwrap_or(1)))
}

/// A body as JSON for policies.
pub fn body_json(b: &Body) -> J {
    let mut m = serde_json::Map::new();
    for (k, a) in &b.attrs {
        m.insert(k.clone(), a.value.to_json());
    }
    let mut groups: HashMap<&str, Vec<J>> = HashMap::new();
    let mut order = Vec::new();
    for blk in &b.blocks {
        if !groups.contains_key(blk.ident.as_str()) {
            order.push(blk.ident.as_str());
        }
        groups.entry(&blk.ident).or_default().push(body_json(&blk.body));
    }
    for ident in order {
        if m.contains_key(ident) {
            continue; // YAML lists are already attributes
        }
        let mut v = groups.remove(ident).unwrap_or_default();
        m.insert(ident.to_string(), if v.len() == 1 { v.remove(0) } else { J::Array(v) });
    }
    J::Object(m)
}

/// Evaluate every policy's `deny` for one resource.
pub fn evaluate(c: &mut Compiled, r: &Resource, file: &str) -> Result<Vec<Custom>, String> {
    let input = json!({
        "kind": r.kind, "name": r.name, "address": r.address, "file": file, "line": r.span.line,
        "attributes": body_json(&r.body),
    });
    let value = regorus::Value::from_json_str(&input.to_string()).map_err(|e| e.to_string())?;
    c.engine.set_input(value);
    let mut out = Vec::new();
    for p in c.packages.clone() {
        let pkg = p.strip_prefix("data.").unwrap_or(&p);
        let v = c
            .engine
            .eval_rule(format!("data.{pkg}.deny"))
            .map_err(|e| first_line(&e.to_string()))?;
        let j: J = serde_json::from_str(&v.to_json_str().map_err(|e| e.to_string())?).unwrap_or(J::Null);
        let items = match j {
            J::Array(a) => a,
            J::Null => Vec::new(),
            other => vec![other],
        };
        for item in items {
            out.push(match item {
                J::String(s) => Custom {
                    id: format!("REGO.{pkg}"),
                    title: s.clone(),
                    severity: Severity::Medium,
                    message: s,
                },
                J::Object(o) => {
                    let s = |k: &str| o.get(k).and_then(J::as_str).map(str::to_string);
                    let message = s("message")
                        .or_else(|| s("msg"))
                        .unwrap_or_else(|| "denied by policy".into());
                    Custom {
                        id: s("id").unwrap_or_else(|| format!("REGO.{pkg}")),
                        title: s("title").unwrap_or_else(|| message.clone()),
                        severity: s("severity")
                            .and_then(|x| Severity::parse(&x))
                            .unwrap_or(Severity::Medium),
                        message,
                    }
                }
                _ => continue,
            });
        }
    }
    Ok(out)
}
