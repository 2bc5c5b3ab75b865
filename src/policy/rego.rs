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
//! `gitlab.ci`, `dockerfile`, `project`; docs/scanning.md has each shape).
//! A policy reports with a `deny` rule whose values are strings or objects
//! `{ "id": "ACME-001", "severity": "high", "message": "…", "title": "…" }`.
//!
//! [`check`] sorts the files first: one that does not compile is reported
//! and left out, the others run. A policy that fails on a resource stops
//! only itself.

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
    /// The policy files, to place an evaluation error in one.
    paths: Vec<String>,
}

/// A policy that failed on a resource: where in the policy (when the error
/// says) and why.
pub struct Failure {
    pub at: Option<(String, u32, u32)>,
    pub message: String,
}

/// A policy that does not compile: (file, line, column, message).
pub type CompileError = (String, u32, u32, String);

/// Compile the policies together; any error fails all of them. Callers
/// pass the files [`check`] kept.
pub fn compile(sources: &[Source]) -> Result<Compiled, Vec<CompileError>> {
    let mut engine = Engine::new();
    let mut errors = Vec::new();
    let mut packages: Vec<String> = Vec::new();
    for (path, text) in sources {
        match engine.add_policy(path.clone(), text.clone()) {
            Ok(package) => {
                // A package without `deny` (helper functions) reports nothing;
                // files may share a package: evaluate it once.
                let denies = engine.has_declared_rule_rooted_at(path, "deny").unwrap_or(true);
                if denies && !packages.contains(&package) {
                    packages.push(package);
                }
            }
            Err(e) => errors.push(located(&e.to_string(), path)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Compiled {
        engine,
        packages,
        paths: sources.iter().map(|(p, _)| p.clone()).collect(),
    })
}

/// Sort the policies into those that compile and errors for those that do
/// not, one file at a time: a file that does not parse, or that breaks the
/// set's compilation (an unsafe variable, a conflicting rule, an import of
/// nothing), is reported at its line and left out; every other file is kept.
pub fn check(sources: &[Source]) -> (Vec<Source>, Vec<CompileError>) {
    let mut errors = Vec::new();
    // Parse errors are each file's own. A file named twice (a glob and
    // --rego) is read once.
    let mut good: Vec<Source> = Vec::new();
    for (path, text) in sources {
        if good.iter().any(|(p, _)| p == path) {
            continue;
        }
        match Engine::new().add_policy(path.clone(), text.clone()) {
            Ok(_) => good.push((path.clone(), text.clone())),
            Err(e) => errors.push(located(&e.to_string(), path)),
        }
    }
    // Compilation looks across files (imports, functions, rules of one
    // package in several files): try the set, and take out the file an
    // error names until the rest compiles.
    while !good.is_empty() {
        let Err(msg) = prepare(&good) else { break };
        let named = good.iter().position(|(path, _)| position(&msg, path).is_some());
        let culprit = match named {
            Some(i) => i,
            // The error names no file: the first file that does not compile
            // with the ones before it.
            None => {
                (1..=good.len())
                    .find(|n| prepare(&good[..*n]).is_err())
                    .unwrap_or(good.len())
                    - 1
            }
        };
        let (path, _) = good.remove(culprit);
        errors.push(located(&msg, &path));
    }
    (good, errors)
}

/// Compile `sources` as the scan will, without evaluating a rule.
fn prepare(sources: &[Source]) -> Result<(), String> {
    let mut engine = Engine::new();
    for (path, text) in sources {
        engine
            .add_policy(path.clone(), text.clone())
            .map_err(|e| e.to_string())?;
    }
    engine
        .eval_query("true".into(), false)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// An error message with the place it names in `path` (else line 1).
fn located(msg: &str, path: &str) -> CompileError {
    let (line, col) = position(msg, path).unwrap_or((1, 1));
    (path.to_string(), line, col, first_line(msg))
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
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect();
    if words.is_empty() {
        msg.trim().to_string()
    } else {
        words.join(" ")
    }
}

/// regorus errors name the place as `--> path:line:col`; `path` must be
/// the whole file name there (not the end of a longer one).
fn position(msg: &str, path: &str) -> Option<(u32, u32)> {
    let needle = format!("{path}:");
    let at = msg
        .match_indices(&needle)
        .map(|(i, _)| i)
        .find(|&i| msg[..i].chars().next_back().is_none_or(char::is_whitespace))?
        + needle.len();
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

/// Evaluate every policy's `deny` for one resource: what the policies
/// report, and the errors of those that failed (a failing policy does not
/// keep the others from reporting). regorus finds some mistakes only when
/// it evaluates them (an unsafe variable, an unknown function, conflicting
/// rules): they come here, placed in the policy when the error says where.
pub fn evaluate(c: &mut Compiled, r: &Resource, file: &str) -> (Vec<Custom>, Vec<Failure>) {
    let input = json!({
        "kind": r.kind, "name": r.name, "address": r.address, "file": file, "line": r.span.line,
        "attributes": body_json(&r.body),
    });
    let value = match regorus::Value::from_json_str(&input.to_string()) {
        Ok(v) => v,
        Err(e) => {
            return (
                Vec::new(),
                vec![Failure {
                    at: None,
                    message: e.to_string(),
                }],
            );
        }
    };
    c.engine.set_input(value);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in c.packages.clone() {
        let pkg = p.strip_prefix("data.").unwrap_or(&p);
        let v = match c.engine.eval_rule(format!("data.{pkg}.deny")) {
            Ok(v) => v,
            Err(e) => {
                let msg = e.to_string();
                let at = c
                    .paths
                    .iter()
                    .find_map(|path| position(&msg, path).map(|(line, col)| (path.clone(), line, col)));
                errors.push(Failure {
                    at,
                    message: format!("package {pkg}: {}", first_line(&msg)),
                });
                continue;
            }
        };
        let j: J = v
            .to_json_str()
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(J::Null);
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
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(path: &str, text: &str) -> Source {
        (path.to_string(), text.to_string())
    }

    #[test]
    fn a_policy_that_does_not_parse_is_left_out_and_the_others_kept() {
        let good = src(
            "p/tags.rego",
            "package tags\nimport rego.v1\ndeny contains \"x\" if input.kind == \"a\"\n",
        );
        let broken = src(
            "p/broken.rego",
            "package broken\nimport rego.v1\ndeny contains x if {\n  x := \n}\n",
        );
        let helpers = src("p/helpers.rego", "package helpers\nimport rego.v1\nf(x) := x\n");
        let (kept, errors) = check(&[good.clone(), broken, helpers.clone(), good.clone()]);
        assert_eq!(kept, [good, helpers], "a file named twice is read once");
        assert_eq!(errors.len(), 1);
        let (path, line, col, msg) = &errors[0];
        assert_eq!((path.as_str(), *line, *col), ("p/broken.rego", 4, 5));
        assert_eq!(msg, "expecting `}` while parsing set");
        let c = compile(&kept).unwrap_or_else(|_| panic!("the kept files compile"));
        assert_eq!(c.packages, ["data.tags"], "a package without deny is not evaluated");
    }

    #[test]
    fn a_file_that_breaks_the_sets_compilation_is_the_one_left_out() {
        let one = src("p/one.rego", "package lib\nimport rego.v1\nf(x) := x\n");
        let two = src(
            "p/two.rego",
            "package lib\nimport rego.v1\nf(x, y) := x\ndeny contains \"q\" if false\n",
        );
        let tags = src(
            "p/tags.rego",
            "package tags\nimport rego.v1\ndeny contains \"x\" if false\n",
        );
        let (kept, errors) = check(&[one.clone(), two, tags.clone()]);
        assert_eq!(kept, [one, tags]);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].0.as_str(), errors[0].1), ("p/two.rego", 3), "{errors:?}");
        assert!(
            errors[0].3.contains("previously defined with 1 arguments"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_policy_failing_on_a_resource_is_placed_and_does_not_stop_the_others() {
        let unsafe_var = src(
            "p/unsafe.rego",
            "package unsafe\nimport rego.v1\ndeny contains msg if {\n  input.kind == \"a\"\n}\n",
        );
        let good = src(
            "p/good.rego",
            "package good\nimport rego.v1\ndeny contains \"found\" if input.kind == \"a\"\n",
        );
        let (kept, errors) = check(&[unsafe_var, good]);
        assert!(errors.is_empty(), "regorus finds this only when it evaluates");
        let mut c = compile(&kept).unwrap_or_else(|_| panic!("compiles"));
        let r = Resource {
            kind: "a".into(),
            name: "n".into(),
            address: "a.n".into(),
            base: "a.n".into(),
            span: Default::default(),
            body: Default::default(),
            via: Vec::new(),
        };
        let (found, failures) = evaluate(&mut c, &r, "main.tf");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "found");
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].at, Some(("p/unsafe.rego".to_string(), 3, 15)));
        assert!(
            failures[0].message.starts_with("package unsafe: var msg is unsafe"),
            "{}",
            failures[0].message
        );
    }

    #[test]
    fn a_position_names_the_whole_file() {
        let msg = "\n--> p/ba.rego:3:1\n  |\nerror: x";
        assert_eq!(position(msg, "a.rego"), None);
        assert_eq!(position(msg, "p/ba.rego"), Some((3, 1)));
    }
}
