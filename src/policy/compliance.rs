//! Compliance frameworks as data, and the report an auditor asks for.
//!
//! A framework file (`assets/frameworks/*.yaml` built in, or a user's own)
//! lists controls; each control is evidenced by the scanner rules whose
//! `frameworks` tag names it (`pci-dss:1.3.1`), by extra rule ids it lists,
//! and by lockgate's own process evidence (the audit ledger verifies,
//! approvals with segregation of duties, gated deployments, …). A control
//! is **failing** when a rule has an open finding or process evidence is
//! missing or broken, **passing** when every rule that applied found
//! nothing and every process check holds (and at least one of them
//! applied), and **not evidenced** otherwise.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::rule::Rule;
use super::{Finding, Location, ScanReport, rules};

/// Process evidence a control may name.
pub const PROCESS: &[(&str, &str)] = &[
    (
        "audit-trail",
        "The audit ledger exists and verifies against the pinned key (hash chain, Merkle tree, signed checkpoints)",
    ),
    (
        "change-approval",
        "Deployments to a protected environment need recorded approvals",
    ),
    ("segregation-of-duties", "The author of a change cannot approve it"),
    (
        "gated-deployments",
        "Promotion to an environment goes through quality gates recorded in the ledger",
    ),
    (
        "scan-in-pipeline",
        "The pipeline runs the policy scan and a gate blocks on its findings",
    ),
    ("tests-in-pipeline", "A gate requires the test suite to pass"),
];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub process: Vec<String>,
    #[serde(default)]
    pub rules: Vec<String>,
}

/// Problems in a framework file that do not stop the report.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub file: String,
    pub message: String,
}

pub fn builtin() -> Vec<(String, Result<Framework, String>)> {
    rules::FRAMEWORK_FILES
        .iter()
        .map(|(name, text)| (name.to_string(), parse(name, text)))
        .collect()
}

pub fn parse(name: &str, text: &str) -> Result<Framework, String> {
    serde_saphyr::from_str::<Framework>(text).map_err(|e| format!("{name}: {e}"))
}

/// Unknown rule ids and process ids, duplicate control ids.
pub fn check(file: &str, f: &Framework) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in &f.controls {
        if !seen.insert(&c.id) {
            out.push(Problem {
                file: file.into(),
                message: format!("control {} is listed twice", c.id),
            });
        }
        for r in &c.rules {
            if rules::find(r).is_none() {
                out.push(Problem {
                    file: file.into(),
                    message: format!(
                        "control {}: no rule has the id {r} (it is ignored; `lockgate rules list` shows the ids)",
                        c.id
                    ),
                });
            }
        }
        for p in &c.process {
            if !PROCESS.iter().any(|(id, _)| id == p) {
                out.push(Problem {
                    file: file.into(),
                    message: format!(
                        "control {}: unknown process evidence {p:?} (known: {})",
                        c.id,
                        PROCESS.iter().map(|(id, _)| *id).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passing,
    Failing,
    NotEvidenced,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Passing => "passing",
            Status::Failing => "failing",
            Status::NotEvidenced => "not evidenced",
        }
    }
}

/// One process check's result: `Some(true)` holds, `Some(false)` broken or
/// missing, `None` cannot be told (no project here).
#[derive(Debug, Clone, Serialize)]
pub struct ProcessFact {
    pub ok: Option<bool>,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct RuleResult {
    pub id: String,
    pub title: String,
    /// Resources the rule was checked on.
    pub checked: usize,
    pub open_findings: usize,
}

#[derive(Debug, Serialize)]
pub struct ProcessResult {
    pub id: String,
    pub description: String,
    pub ok: Option<bool>,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: Status,
    pub rules: Vec<RuleResult>,
    pub process: Vec<ProcessResult>,
    pub findings: Vec<FindingRef>,
}

#[derive(Debug, Serialize)]
pub struct FindingRef {
    pub rule: String,
    pub severity: super::rule::Severity,
    pub message: String,
    pub resource: String,
    pub location: Location,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub framework: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub generated: String,
    pub scanned: Vec<String>,
    pub summary: Summary,
    pub controls: Vec<ControlResult>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub controls: usize,
    pub passing: usize,
    pub failing: usize,
    pub not_evidenced: usize,
    /// Passing controls as a share of all controls.
    pub percent_passing: f64,
    /// Passing as a share of the controls with evidence either way.
    pub percent_of_evidenced: f64,
}

/// Evaluate `f` against a scan and the process facts.
pub fn evaluate(
    f: &Framework,
    scan: &ScanReport,
    facts: &BTreeMap<String, ProcessFact>,
    scanned: Vec<String>,
    generated: String,
    problems: Vec<Problem>,
) -> Report {
    let mut controls = Vec::new();
    for c in &f.controls {
        let tag = format!("{}:{}", f.id, c.id);
        let mut rule_list: Vec<&'static Rule> = rules::all()
            .iter()
            .copied()
            .filter(|r| r.frameworks.iter().any(|t| t.eq_ignore_ascii_case(&tag)))
            .collect();
        for extra in &c.rules {
            if let Some(e) = rules::find(extra)
                && !rule_list.iter().any(|r| r.id == e.rule.id)
            {
                rule_list.push(e.rule);
            }
        }
        rule_list.sort_by_key(|r| r.id);
        let open: Vec<&Finding> = scan
            .findings
            .iter()
            .filter(|x| x.suppressed.is_none() && rule_list.iter().any(|r| r.id == x.rule))
            .collect();
        let rules: Vec<RuleResult> = rule_list
            .iter()
            .map(|r| RuleResult {
                id: r.id.into(),
                title: r.title.into(),
                checked: scan.evaluated.get(r.id).copied().unwrap_or(0),
                open_findings: open.iter().filter(|x| x.rule == r.id).count(),
            })
            .collect();
        let process: Vec<ProcessResult> = c
            .process
            .iter()
            .filter_map(|p| {
                let desc = PROCESS.iter().find(|(id, _)| id == p)?.1;
                let fact = facts.get(p);
                Some(ProcessResult {
                    id: p.clone(),
                    description: desc.into(),
                    ok: fact.and_then(|x| x.ok),
                    detail: fact.map(|x| x.detail.clone()).unwrap_or_else(|| "not checked".into()),
                })
            })
            .collect();
        let failing = !open.is_empty() || process.iter().any(|p| p.ok == Some(false));
        let evidenced = rules.iter().any(|r| r.checked > 0) || process.iter().any(|p| p.ok.is_some());
        let all_process_ok = process.iter().all(|p| p.ok != Some(false));
        let status = if failing {
            Status::Failing
        } else if evidenced && all_process_ok {
            Status::Passing
        } else {
            Status::NotEvidenced
        };
        controls.push(ControlResult {
            id: c.id.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            status,
            rules,
            process,
            findings: open
                .iter()
                .map(|x| FindingRef {
                    rule: x.rule.clone(),
                    severity: x.severity,
                    message: x.message.clone(),
                    resource: x.resource.clone(),
                    location: x.location.clone(),
                })
                .collect(),
        });
    }
    let count = |s: Status| controls.iter().filter(|c| c.status == s).count();
    let (passing, failing, not_evidenced) = (
        count(Status::Passing),
        count(Status::Failing),
        count(Status::NotEvidenced),
    );
    let total = controls.len();
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            (1000.0 * a as f64 / b as f64).round() / 10.0
        }
    };
    Report {
        framework: f.id.clone(),
        title: f.title.clone(),
        url: f.url.clone(),
        generated,
        scanned,
        summary: Summary {
            controls: total,
            passing,
            failing,
            not_evidenced,
            percent_passing: pct(passing, total),
            percent_of_evidenced: pct(passing, passing + failing),
        },
        controls,
        problems,
    }
}

pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# {} — compliance report\n", r.title);
    let _ = writeln!(
        o,
        "Generated {} by lockgate {} from a scan of {}.\n",
        r.generated,
        env!("CARGO_PKG_VERSION"),
        r.scanned.join(", ")
    );
    let s = &r.summary;
    let _ = writeln!(
        o,
        "**{} of {} controls passing ({} %)**; {} failing, {} not evidenced ({} % of evidenced controls pass).\n",
        s.passing, s.controls, s.percent_passing, s.failing, s.not_evidenced, s.percent_of_evidenced
    );
    let _ = writeln!(o, "| Control | Title | Status | Evidence |\n|---|---|---|---|");
    for c in &r.controls {
        let applied = c.rules.iter().filter(|x| x.checked > 0).count();
        let open: usize = c.rules.iter().map(|x| x.open_findings).sum();
        let mut evidence: Vec<String> = Vec::new();
        if applied > 0 {
            evidence.push(format!("{applied} rule(s) applied, {open} open finding(s)"));
        }
        evidence.extend(c.process.iter().map(|p| {
            let mark = match p.ok {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "?",
            };
            format!("{mark} {}", p.id)
        }));
        let _ = writeln!(
            o,
            "| [{id}](#{anchor}) | {} | {} | {} |",
            md(&c.title),
            status_md(c.status),
            if evidence.is_empty() {
                "—".into()
            } else {
                md(&evidence.join(", "))
            },
            id = c.id,
            anchor = anchor(&c.id)
        );
    }
    for c in &r.controls {
        let _ = writeln!(o, "\n## {} {}\n<a id=\"{}\"></a>\n", c.id, md(&c.title), anchor(&c.id));
        let _ = writeln!(o, "Status: **{}**\n", c.status.label());
        if let Some(d) = &c.description {
            let _ = writeln!(o, "{}\n", d.trim());
        }
        if !c.process.is_empty() {
            let _ = writeln!(o, "Process evidence:\n");
            for p in &c.process {
                let mark = match p.ok {
                    Some(true) => "✓",
                    Some(false) => "✗",
                    None => "?",
                };
                let _ = writeln!(o, "- {mark} `{}` — {} ({})", p.id, p.description, md(&p.detail));
            }
            o.push('\n');
        }
        if !c.rules.is_empty() {
            let _ = writeln!(o, "Rules:\n");
            for x in &c.rules {
                let _ = writeln!(
                    o,
                    "- {} {} — checked on {} resource(s), {} open finding(s)",
                    x.id,
                    md(&x.title),
                    x.checked,
                    x.open_findings
                );
            }
            o.push('\n');
        }
        if !c.findings.is_empty() {
            let _ = writeln!(o, "Open findings:\n");
            for f in &c.findings {
                let _ = writeln!(
                    o,
                    "- `{}:{}:{}` {} {} ({}): {}",
                    f.location.file,
                    f.location.line,
                    f.location.column,
                    f.rule,
                    f.severity.as_str(),
                    md(&f.resource),
                    md(&f.message)
                );
            }
            o.push('\n');
        }
    }
    if !r.problems.is_empty() {
        let _ = writeln!(o, "\n## Problems in the framework file\n");
        for p in &r.problems {
            let _ = writeln!(o, "- {}: {}", p.file, md(&p.message));
        }
    }
    o
}

fn status_md(s: Status) -> &'static str {
    match s {
        Status::Passing => "✓ passing",
        Status::Failing => "✗ **failing**",
        Status::NotEvidenced => "– not evidenced",
    }
}

fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained HTML page (no scripts, no external resources).
pub fn html(r: &Report) -> String {
    let e = html_escape;
    let s = &r.summary;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} — compliance report</title>\n<style>body{{font:14px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}}.passing{{color:#176f2c}}.failing{{color:#b00020;font-weight:bold}}.not-evidenced{{color:#666}}code{{font-size:90%}}</style></head><body>\n<h1>{t} — compliance report</h1>\n<p>Generated {g} by lockgate {v} from a scan of {sc}.</p>\n<p><strong>{p} of {n} controls passing ({pp} %)</strong>; {f} failing, {ne} not evidenced ({pe} % of evidenced controls pass).</p>\n",
        t = e(&r.title),
        g = e(&r.generated),
        v = env!("CARGO_PKG_VERSION"),
        sc = e(&r.scanned.join(", ")),
        p = s.passing,
        n = s.controls,
        pp = s.percent_passing,
        f = s.failing,
        ne = s.not_evidenced,
        pe = s.percent_of_evidenced
    );
    o.push_str(
        "<table><thead><tr><th>Control</th><th>Title</th><th>Status</th><th>Evidence</th></tr></thead><tbody>\n",
    );
    for c in &r.controls {
        let class = match c.status {
            Status::Passing => "passing",
            Status::Failing => "failing",
            Status::NotEvidenced => "not-evidenced",
        };
        let mut ev = String::new();
        for x in c.rules.iter().filter(|x| x.checked > 0) {
            let _ = write!(
                ev,
                "<div>{} — {} checked, {} open</div>",
                e(&x.id),
                x.checked,
                x.open_findings
            );
        }
        for p in &c.process {
            let _ = write!(ev, "<div><code>{}</code>: {}</div>", e(&p.id), e(&p.detail));
        }
        for f in &c.findings {
            let _ = write!(
                ev,
                "<div class=\"failing\"><code>{}:{}:{}</code> {} {}: {}</div>",
                e(&f.location.file),
                f.location.line,
                f.location.column,
                e(&f.rule),
                e(&f.resource),
                e(&f.message)
            );
        }
        let _ = writeln!(
            o,
            "<tr id=\"{}\"><td>{}</td><td>{}</td><td class=\"{class}\">{}</td><td>{}</td></tr>",
            anchor(&c.id),
            e(&c.id),
            e(&c.title),
            c.status.label(),
            if ev.is_empty() { "—".into() } else { ev }
        );
    }
    o.push_str("</tbody></table>\n");
    if !r.problems.is_empty() {
        o.push_str("<h2>Problems in the framework file</h2><ul>");
        for p in &r.problems {
            let _ = write!(o, "<li>{}: {}</li>", e(&p.file), e(&p.message));
        }
        o.push_str("</ul>\n");
    }
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in framework parses, names only known rules and process
    /// evidence, and has a control for every tag a rule carries for it.
    #[test]
    fn builtin_frameworks_are_valid_and_cover_every_rule_tag() {
        let mut problems = Vec::new();
        let mut ids = Vec::new();
        for (name, f) in builtin() {
            let f = match f {
                Ok(f) => f,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            problems.extend(
                check(&name, &f)
                    .into_iter()
                    .map(|p| format!("{}: {}", p.file, p.message)),
            );
            for r in rules::all() {
                for tag in r.frameworks {
                    if let Some(ctl) = tag.strip_prefix(&format!("{}:", f.id))
                        && !f.controls.iter().any(|c| c.id == ctl)
                    {
                        problems.push(format!("{name}: {} is tagged {tag}, which has no control", r.id));
                    }
                }
            }
            ids.push(f.id);
        }
        for want in ["pci-dss", "hipaa", "soc2", "sox", "gdpr", "cis-aws"] {
            assert!(ids.iter().any(|i| i == want), "no built-in {want}: {ids:?}");
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
