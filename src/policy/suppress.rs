//! Inline suppressions.
//!
//! - `# lockgate:ignore LG-AWS-001[,LG-AWS-002] reason="…" until=2027-01-01`
//!   on the line above a resource (the whole resource), on the line of the
//!   finding or the line above it. A module call's suppression reaches every
//!   resource of the module.
//! - `#checkov:skip=CKV_AWS_20:reason` anywhere inside the resource block.
//! - `#tfsec:ignore:aws-s3-enable-bucket-encryption[:exp:2025-01-01]` and
//!   `#trivy:ignore:AVD-AWS-0088[:exp:…]` on the line above the resource or
//!   the finding, or trailing the finding's line; several on one line
//!   (`#tfsec:ignore:a tfsec:ignore:b`) each apply.
//!
//! Checkov, tfsec and Trivy ids match rules that list them in `equivalent`.
//! An expired suppression (`until`/`exp` before today) no longer applies and
//! the finding says so; a lockgate or Checkov suppression without a reason is
//! reported as a `suppression-warning`.

use std::collections::HashMap;

use jiff::civil::Date;

use super::model::Span;
use super::rule::Rule;
use super::{Diagnostic, DiagnosticKind, Finding, Location, SourceFile, Suppressed};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Lockgate,
    Checkov,
    Tfsec,
    Trivy,
}

impl Syntax {
    fn name(self) -> &'static str {
        match self {
            Syntax::Lockgate => "lockgate",
            Syntax::Checkov => "checkov",
            Syntax::Tfsec => "tfsec",
            Syntax::Trivy => "trivy",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Suppression {
    pub syntax: Syntax,
    pub line: u32,
    pub column: u32,
    pub ids: Vec<String>,
    pub reason: Option<String>,
    pub until: Option<Date>,
}

/// Parse the first suppression in one line of a file (the text after a `#`
/// or `//`).
pub fn parse_line(text: &str, line: u32) -> Result<Option<Suppression>, String> {
    Ok(parse_all(text, line)?.into_iter().next())
}

/// Parse the suppressions in one line of a file: one lockgate or Checkov
/// comment, or any number of tfsec / Trivy ignores, which both tools accept
/// side by side (`#tfsec:ignore:a tfsec:ignore:b`, `#trivy:ignore:a #trivy:ignore:b`).
pub fn parse_all(text: &str, line: u32) -> Result<Vec<Suppression>, String> {
    for marker in ["#", "//"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(marker) {
            let at = from + i;
            let rest = text[at + marker.len()..].trim_start();
            let column = at as u32 + 1;
            if let Some(r) = rest.strip_prefix("lockgate:ignore") {
                return lockgate(r, line, column).map(|s| vec![s]);
            }
            if let Some(r) = rest.strip_prefix("checkov:skip=") {
                let (id, reason) = match r.split_once(':') {
                    Some((id, reason)) => (id.trim(), Some(reason.trim().to_string()).filter(|s| !s.is_empty())),
                    None => (r.trim(), None),
                };
                let ids = id
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                return Ok(vec![Suppression {
                    syntax: Syntax::Checkov,
                    line,
                    column,
                    ids,
                    reason,
                    until: None,
                }]);
            }
            if ignore_syntax(rest).is_some() {
                // This ignore and any that follow it on the line.
                let mut out = Vec::new();
                for word in rest.split_whitespace() {
                    let word = word.trim_start_matches(['#', '/']);
                    let Some((p, syntax)) = ignore_syntax(word) else {
                        continue;
                    };
                    let r = &word[p.len()..];
                    let (id, until) = match r.split_once(":exp:") {
                        Some((id, d)) => (
                            id,
                            Some(
                                d.parse::<Date>()
                                    .map_err(|_| format!("{p} expiry {d:?} is not a date (YYYY-MM-DD)"))?,
                            ),
                        ),
                        None => (r, None),
                    };
                    out.push(Suppression {
                        syntax,
                        line,
                        column,
                        ids: vec![id.to_string()],
                        reason: None,
                        until,
                    });
                }
                return Ok(out);
            }
            from = at + marker.len();
        }
    }
    Ok(Vec::new())
}

/// The tfsec or Trivy ignore prefix `text` starts with.
fn ignore_syntax(text: &str) -> Option<(&'static str, Syntax)> {
    [("tfsec:ignore:", Syntax::Tfsec), ("trivy:ignore:", Syntax::Trivy)]
        .into_iter()
        .find(|(p, _)| text.starts_with(p))
}

fn lockgate(rest: &str, line: u32, column: u32) -> Result<Suppression, String> {
    let mut ids = Vec::new();
    let mut reason = None;
    let mut until = None;
    let mut s = rest.trim();
    while !s.is_empty() {
        if let Some(r) = s.strip_prefix("reason=") {
            let (value, after) = quoted(r)?;
            reason = Some(value).filter(|v: &String| !v.trim().is_empty());
            s = after.trim_start();
        } else if let Some(r) = s.strip_prefix("until=") {
            let (value, after) = quoted(r)?;
            until = Some(
                value
                    .parse::<Date>()
                    .map_err(|_| format!("until={value:?} is not a date (YYYY-MM-DD)"))?,
            );
            s = after.trim_start();
        } else {
            let end = s.find(char::is_whitespace).unwrap_or(s.len());
            ids.extend(
                s[..end]
                    .split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string),
            );
            s = s[end..].trim_start();
        }
    }
    if ids.is_empty() {
        return Err("lockgate:ignore names no rule id (write `# lockgate:ignore LG-AWS-001 reason=\"…\"`)".into());
    }
    Ok(Suppression {
        syntax: Syntax::Lockgate,
        line,
        column,
        ids,
        reason,
        until,
    })
}

/// A value that is either "quoted" or runs to the next space.
fn quoted(s: &str) -> Result<(String, &str), String> {
    if let Some(r) = s.strip_prefix('"') {
        match r.find('"') {
            Some(end) => Ok((r[..end].to_string(), &r[end + 1..])),
            None => Err("unterminated quote in suppression".into()),
        }
    } else {
        let end = s.find(char::is_whitespace).unwrap_or(s.len());
        Ok((s[..end].to_string(), &s[end..]))
    }
}

/// All suppressions of the scanned files, by file.
pub struct Index {
    by_file: HashMap<u32, Vec<Suppression>>,
}

impl Index {
    pub fn build(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Self {
        let mut by_file: HashMap<u32, Vec<Suppression>> = HashMap::new();
        for f in files {
            // Cheap pre-filter: most files have none.
            if !["lockgate:ignore", "checkov:skip", "tfsec:ignore", "trivy:ignore"]
                .iter()
                .any(|m| f.text.contains(m))
            {
                continue;
            }
            for (i, text) in f.text.lines().enumerate() {
                let line = i as u32 + 1;
                match parse_all(text, line) {
                    Ok(found) => {
                        for s in found {
                            if s.reason.is_none() && matches!(s.syntax, Syntax::Lockgate | Syntax::Checkov) {
                                let col = s.column;
                                diags.push(Diagnostic::new(
                                    DiagnosticKind::Suppression,
                                    Span {
                                        file: f.id,
                                        line,
                                        col,
                                        end_line: line,
                                        end_col: text.chars().count() as u32 + 1,
                                    },
                                    format!(
                                        "suppression of {} has no reason; add reason=\"…\" so reviewers know why",
                                        s.ids.join(", ")
                                    ),
                                ));
                            }
                            by_file.entry(f.id).or_default().push(s);
                        }
                    }
                    Err(msg) => diags.push(Diagnostic::new(
                        DiagnosticKind::Suppression,
                        Span {
                            file: f.id,
                            line,
                            col: 1,
                            end_line: line,
                            end_col: text.chars().count() as u32 + 1,
                        },
                        msg,
                    )),
                }
            }
        }
        Index { by_file }
    }

    /// Mark `f` suppressed when a suppression covers it; note an expired one.
    pub fn apply(&self, f: &mut Finding, rule: &Rule, resource: Span, via: &[Span], files: &[SourceFile], today: Date) {
        let finding_line = f.location.line;
        let finding_file = files.iter().position(|x| x.path == f.location.file).map(|i| i as u32);
        let mut scopes: Vec<(Span, Option<u32>)> = vec![(resource, finding_file.map(|_| finding_line))];
        scopes.extend(via.iter().map(|s| (*s, None)));
        let mut expired: Option<&Suppression> = None;
        for (scope, line) in scopes {
            let Some(list) = self.by_file.get(&scope.file) else {
                continue;
            };
            for s in list {
                if !s.ids.iter().any(|id| {
                    id.eq_ignore_ascii_case(rule.id) || rule.equivalent.iter().any(|e| e.eq_ignore_ascii_case(id))
                }) {
                    continue;
                }
                let above_block = s.line + 1 == scope.line;
                let in_block = s.line >= scope.line && s.line <= scope.end_line;
                let at_line = line.is_some_and(|l| s.line == l || s.line + 1 == l);
                let covers = match s.syntax {
                    Syntax::Lockgate => above_block || s.line == scope.line || at_line || (line.is_none() && in_block),
                    Syntax::Checkov => above_block || in_block,
                    Syntax::Tfsec | Syntax::Trivy => above_block || at_line || (line.is_none() && in_block),
                };
                if !covers {
                    continue;
                }
                if s.until.is_some_and(|d| d < today) {
                    expired = Some(s);
                    continue;
                }
                let file = &files[scope.file as usize];
                f.suppressed = Some(Suppressed {
                    syntax: s.syntax.name(),
                    reason: s.reason.clone(),
                    until: s.until.map(|d| d.to_string()),
                    location: Location {
                        file: file.path.clone(),
                        line: s.line,
                        column: s.column,
                        end_line: s.line,
                        end_column: s.column,
                    },
                });
                return;
            }
        }
        if let Some(s) = expired {
            f.message.push_str(&format!(
                " (a {} suppression on line {} expired on {})",
                s.syntax.name(),
                s.line,
                s.until.map(|d| d.to_string()).unwrap_or_default()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_syntaxes() {
        let s = parse_line(
            r#"  # lockgate:ignore LG-AWS-001,LG-AWS-002 reason="logs bucket" until=2027-01-01"#,
            3,
        )
        .unwrap()
        .unwrap();
        assert_eq!(s.ids, ["LG-AWS-001", "LG-AWS-002"]);
        assert_eq!(s.reason.as_deref(), Some("logs bucket"));
        assert_eq!(s.until.unwrap().to_string(), "2027-01-01");
        assert_eq!(s.column, 3);
        let c = parse_line("  #checkov:skip=CKV_AWS_20:The bucket is a public website", 1)
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.syntax, c.ids[0].as_str(), c.reason.as_deref()),
            (Syntax::Checkov, "CKV_AWS_20", Some("The bucket is a public website"))
        );
        let t = parse_line(
            "acl = \"public-read\" #tfsec:ignore:aws-s3-no-public-access-with-acl",
            1,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (t.syntax, t.ids[0].as_str()),
            (Syntax::Tfsec, "aws-s3-no-public-access-with-acl")
        );
        let v = parse_line("#trivy:ignore:AVD-AWS-0086:exp:2025-01-01", 1)
            .unwrap()
            .unwrap();
        assert_eq!(v.until.unwrap().to_string(), "2025-01-01");
        assert!(parse_line("# lockgate:ignore", 1).is_err());
        assert!(parse_line("# lockgate:ignore LG-AWS-001 until=tomorrow", 1).is_err());
        assert!(parse_line("bucket = \"x\" # a plain comment", 1).unwrap().is_none());
    }

    #[test]
    fn several_tfsec_and_trivy_ignores_on_one_line_each_apply() {
        let all = parse_all(
            "#tfsec:ignore:aws-s3-enable-bucket-encryption tfsec:ignore:aws-s3-enable-bucket-logging:exp:2030-01-01 #trivy:ignore:AVD-AWS-0092 because",
            4,
        )
        .unwrap();
        let got: Vec<(Syntax, &str, Option<String>)> = all
            .iter()
            .map(|s| (s.syntax, s.ids[0].as_str(), s.until.map(|d| d.to_string())))
            .collect();
        assert_eq!(
            got,
            [
                (Syntax::Tfsec, "aws-s3-enable-bucket-encryption", None),
                (Syntax::Tfsec, "aws-s3-enable-bucket-logging", Some("2030-01-01".into())),
                (Syntax::Trivy, "AVD-AWS-0092", None),
            ]
        );
        assert!(all.iter().all(|s| s.line == 4 && s.column == 1));
        assert!(parse_all("#trivy:ignore:AVD-AWS-0088 trivy:ignore:AVD-AWS-0089:exp:soon", 1).is_err());
    }
}
