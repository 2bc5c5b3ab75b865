//! Compliance frameworks as data, and the report an auditor asks for.
//!
//! A framework file (`assets/frameworks/*.yaml` built in, or a user's own)
//! lists controls, and for each the scanner rules that evidence it
//! (`rules:`) and lockgate's own process evidence (`process:` — the audit
//! ledger verifies, recorded approvals with segregation of duties, gated
//! deployments, …). The built-in files list exactly the rules whose
//! `frameworks` tag names the control (`pci-dss:1.3.1`); a test keeps the
//! two equal, so the mapping is data a user can read, copy and edit. A control
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
    /// The line the problem is on, when the file's text is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    /// `file:line` (or just the file).
    pub fn place(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }
}

/// The line (1-based) of the first occurrence of `needle` at or after the
/// line that declares control `control` in a framework file's text.
fn line_of(text: &str, control: &str, needle: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let is_id = |l: &str| {
        let t = l.trim_start();
        t.starts_with("- ") && t[2..].trim_start().starts_with("id:")
    };
    let id_of = |l: &str| {
        let t = l.trim_start().trim_start_matches("- ").trim_start();
        t.strip_prefix("id:")
            .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
    };
    let start = lines.iter().position(|l| id_of(l).as_deref() == Some(control))?;
    // The needle as a whole word (`LG-AWS-1` is not in `LG-AWS-10`), within
    // this control (up to the next `- id:`).
    let word = |l: &str| {
        l.match_indices(needle).any(|(i, _)| {
            let before = l[..i].chars().next_back();
            let after = l[i + needle.len()..].chars().next();
            let part = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            !part(before) && !part(after)
        })
    };
    lines[start..]
        .iter()
        .enumerate()
        .take_while(|(i, l)| *i == 0 || !is_id(l))
        .find(|(_, l)| word(l))
        .map(|(i, _)| start + i + 1)
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

/// Unknown rule ids and process ids, duplicate control ids; `text` is the
/// file's text, for line numbers.
pub fn check(file: &str, text: Option<&str>, f: &Framework) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let line = |control: &str, needle: &str| text.and_then(|t| line_of(t, control, needle));
    for c in &f.controls {
        if !seen.insert(&c.id) {
            out.push(Problem {
                file: file.into(),
                line: None,
                message: format!("control {} is listed twice", c.id),
            });
        }
        for r in &c.rules {
            if rules::find(r).is_none() {
                out.push(Problem {
                    file: file.into(),
                    line: line(&c.id, r),
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
                    line: line(&c.id, p),
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
/// missing, `None` cannot be told (no project here). `events` are the
/// ledger sequence numbers that evidence it (`lockgate audit show N`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProcessFact {
    pub ok: Option<bool>,
    pub detail: String,
    pub events: Vec<u64>,
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
    /// Ledger events that evidence it, by sequence number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<u64>,
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
    /// Findings of the control's rules that a suppression accepted: the
    /// exceptions an auditor reviews (with their reason and expiry).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ExceptionRef>,
}

#[derive(Debug, Serialize)]
pub struct ExceptionRef {
    pub rule: String,
    pub resource: String,
    pub location: Location,
    /// `lockgate`, `checkov`, `tfsec` or `trivy`.
    pub syntax: String,
    pub reason: Option<String>,
    pub until: Option<String>,
}

/// What the report was made from, so it can be tied to a change set.
#[derive(Debug, Default, Serialize)]
pub struct Provenance {
    pub lockgate: String,
    /// `project:` of lockgate.yaml.
    pub project: Option<String>,
    /// The commit checked out when the report was made.
    pub commit: Option<String>,
    /// Uncommitted changes were present.
    pub dirty: bool,
    /// Rules in lockgate's rule set, and how many the framework names.
    pub rules_total: usize,
    pub rules_mapped: usize,
    /// The ledger at the time: events, root hash, newest signed checkpoint.
    pub ledger: Option<LedgerState>,
}

#[derive(Debug, Serialize)]
pub struct LedgerState {
    pub events: u64,
    pub root: String,
    pub verified: bool,
    pub checkpoint: Option<u64>,
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
    pub provenance: Provenance,
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
    mut provenance: Provenance,
) -> Report {
    let mut controls = Vec::new();
    let mut mapped = std::collections::BTreeSet::new();
    for c in &f.controls {
        let mut rule_list: Vec<&'static Rule> = Vec::new();
        for id in &c.rules {
            if let Some(e) = rules::find(id)
                && !rule_list.iter().any(|r| r.id == e.rule.id)
            {
                rule_list.push(e.rule);
                mapped.insert(e.rule.id);
            }
        }
        rule_list.sort_by_key(|r| r.id);
        let of_control = |x: &&Finding| rule_list.iter().any(|r| r.id == x.rule);
        let open: Vec<&Finding> = scan
            .findings
            .iter()
            .filter(of_control)
            .filter(|x| x.suppressed.is_none())
            .collect();
        let exceptions: Vec<ExceptionRef> = scan
            .findings
            .iter()
            .filter(of_control)
            .filter_map(|x| {
                let s = x.suppressed.as_ref()?;
                Some(ExceptionRef {
                    rule: x.rule.clone(),
                    resource: x.resource.clone(),
                    location: x.location.clone(),
                    syntax: s.syntax.to_string(),
                    reason: s.reason.clone(),
                    until: s.until.clone(),
                })
            })
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
                    events: fact.map(|x| x.events.clone()).unwrap_or_default(),
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
            exceptions,
        });
    }
    provenance.lockgate = env!("CARGO_PKG_VERSION").to_string();
    provenance.rules_total = rules::all().len();
    provenance.rules_mapped = mapped.len();
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
        provenance,
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

/// How the report judges, printed in every rendering.
pub const METHOD: &[&str] = &[
    "Each control is judged from two kinds of evidence. **Scanner rules**: lockgate scanned the paths in scope with every rule the framework file lists for the control; a rule *applied* when it checked at least one resource. **Process evidence**: lockgate's own records — the project's lockgate.yaml (the control as designed) and the audit ledger (the control in operation: approvals, refusals, promotions), itself verified against its pinned key.",
    "A control is **failing** when a listed rule has an open (unsuppressed) finding or a process check fails; **passing** when nothing fails and at least one rule applied or one process check holds; **not evidenced** when lockgate has no evidence either way — that control needs other evidence (a policy document, an interview, a sample).",
    "Suppressed findings are not failures: they are listed under the control as exceptions, with the reason and expiry their owner recorded.",
    "Ledger events are cited by sequence number: `lockgate audit show N` prints one, `lockgate audit proof N` proves it is in the signed log, `lockgate audit verify` checks the whole ledger.",
    "A passing control means lockgate found no violation in what it examined. It is evidence for the auditor's judgement, not a certification.",
];

fn mark(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "✓",
        Some(false) => "✗",
        None => "?",
    }
}

fn events_text(events: &[u64]) -> String {
    const SHOWN: usize = 12;
    let mut list: Vec<String> = events.iter().take(SHOWN).map(|e| format!("#{e}")).collect();
    if events.len() > SHOWN {
        list.push(format!("and {} more", events.len() - SHOWN));
    }
    list.join(", ")
}

/// The "what this was made from" rows, shared by Markdown and HTML.
fn provenance_rows(r: &Report) -> Vec<(&'static str, String)> {
    let p = &r.provenance;
    let mut rows = vec![(
        "Framework",
        match &r.url {
            Some(u) => format!("{} (`{}`, {u})", r.title, r.framework),
            None => format!("{} (`{}`)", r.title, r.framework),
        },
    )];
    if let Some(project) = &p.project {
        rows.push(("Project", project.clone()));
    }
    rows.push((
        "Commit",
        match &p.commit {
            Some(c) if p.dirty => format!("{c} with uncommitted changes"),
            Some(c) => c.clone(),
            None => "not a git checkout".into(),
        },
    ));
    rows.push((
        "Scope",
        if r.scanned.is_empty() {
            "no paths scanned".into()
        } else {
            format!("scan of {}", r.scanned.join(", "))
        },
    ));
    rows.push(("Generated", format!("{} by lockgate {}", r.generated, p.lockgate)));
    rows.push((
        "Rule set",
        format!(
            "{} of lockgate's {} rules evidence this framework's controls",
            p.rules_mapped, p.rules_total
        ),
    ));
    rows.push((
        "Audit ledger",
        match &p.ledger {
            Some(l) => format!(
                "{} events, root {}{}",
                l.events,
                l.root,
                match (l.verified, l.checkpoint) {
                    (true, Some(n)) => format!(", verified up to signed checkpoint {n}"),
                    (true, None) => ", verified (no signed checkpoint yet)".into(),
                    (false, _) => ", NOT VERIFIED".into(),
                }
            ),
            None => "none here".into(),
        },
    ));
    rows
}

pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# {} — compliance report\n", r.title);
    let _ = writeln!(o, "| | |\n|---|---|");
    for (k, v) in provenance_rows(r) {
        let _ = writeln!(o, "| {k} | {} |", md(&v));
    }
    let s = &r.summary;
    let _ = writeln!(
        o,
        "\n## Summary\n\n**{} of {} controls passing ({} %)**; {} failing, {} not evidenced ({} % of evidenced controls pass).\n",
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
        if !c.exceptions.is_empty() {
            evidence.push(format!("{} exception(s)", c.exceptions.len()));
        }
        evidence.extend(c.process.iter().map(|p| format!("{} {}", mark(p.ok), p.id)));
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
    let _ = writeln!(o, "\n## Controls");
    for c in &r.controls {
        let _ = writeln!(o, "\n### {} {}\n<a id=\"{}\"></a>\n", c.id, md(&c.title), anchor(&c.id));
        let _ = writeln!(o, "Status: **{}**\n", c.status.label());
        if let Some(d) = &c.description {
            let _ = writeln!(o, "{}\n", d.trim());
        }
        if !c.process.is_empty() {
            let _ = writeln!(o, "Process evidence:\n");
            for p in &c.process {
                let events = if p.events.is_empty() {
                    String::new()
                } else {
                    format!(" — ledger events {}", events_text(&p.events))
                };
                let _ = writeln!(
                    o,
                    "- {} `{}` — {} ({}){events}",
                    mark(p.ok),
                    p.id,
                    p.description,
                    md(&p.detail)
                );
            }
            o.push('\n');
        }
        if !c.rules.is_empty() {
            let _ = writeln!(o, "Rules (`lockgate rules explain ID` describes each):\n");
            for x in c.rules.iter().filter(|x| x.checked > 0) {
                let _ = writeln!(
                    o,
                    "- {} {} — checked on {} resource(s), {} open finding(s)",
                    x.id,
                    md(&x.title),
                    x.checked,
                    x.open_findings
                );
            }
            let idle: Vec<&str> = c
                .rules
                .iter()
                .filter(|x| x.checked == 0)
                .map(|x| x.id.as_str())
                .collect();
            if !idle.is_empty() {
                let _ = writeln!(
                    o,
                    "- not applicable in scope (no resource of their kind): {}",
                    idle.join(", ")
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
        if !c.exceptions.is_empty() {
            let _ = writeln!(o, "Exceptions (findings accepted by a suppression):\n");
            for x in &c.exceptions {
                let _ = writeln!(
                    o,
                    "- `{}:{}` {} ({}) — {}{} [{} comment]",
                    x.location.file,
                    x.location.line,
                    x.rule,
                    md(&x.resource),
                    x.reason
                        .as_deref()
                        .map(|r| format!("reason: {}", md(r)))
                        .unwrap_or_else(|| "NO REASON GIVEN".into()),
                    x.until.as_deref().map(|u| format!(", until {u}")).unwrap_or_default(),
                    x.syntax
                );
            }
            o.push('\n');
        }
    }
    let _ = writeln!(o, "\n## Method\n");
    for m in METHOD {
        let _ = writeln!(o, "{m}\n");
    }
    if !r.problems.is_empty() {
        let _ = writeln!(o, "## Problems in the framework file\n");
        for p in &r.problems {
            let _ = writeln!(o, "- {}: {}", p.place(), md(&p.message));
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

/// `**bold**`, `*em*` and `` `code` `` of the method text, as HTML.
fn inline_html(s: &str) -> String {
    let e = html_escape(s);
    let mut out = String::new();
    let (mut strong, mut em, mut code) = (false, false, false);
    let mut chars = e.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                out.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
            }
            '*' if !code && chars.peek() == Some(&'*') => {
                chars.next();
                out.push_str(if strong { "</strong>" } else { "<strong>" });
                strong = !strong;
            }
            '*' if !code => {
                out.push_str(if em { "</em>" } else { "<em>" });
                em = !em;
            }
            c => out.push(c),
        }
    }
    out
}

/// A self-contained HTML page (no scripts, no external resources).
pub fn html(r: &Report) -> String {
    let e = html_escape;
    let s = &r.summary;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} — compliance report</title>\n<style>body{{font:14px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}}.passing{{color:#176f2c}}.failing{{color:#b00020;font-weight:bold}}.not-evidenced{{color:#666}}.desc{{color:#444;font-size:92%}}code{{font-size:90%}}@media print{{a{{color:inherit}}}}</style></head><body>\n<h1>{t} — compliance report</h1>\n<table class=\"provenance\"><tbody>\n",
        t = e(&r.title),
    );
    for (k, v) in provenance_rows(r) {
        let _ = writeln!(o, "<tr><th scope=\"row\">{k}</th><td>{}</td></tr>", inline_html(&v));
    }
    let _ = write!(
        o,
        "</tbody></table>\n<h2>Summary</h2>\n<p><strong>{p} of {n} controls passing ({pp} %)</strong>; {f} failing, {ne} not evidenced ({pe} % of evidenced controls pass).</p>\n",
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
                "<div>{} {} — {} checked, {} open</div>",
                e(&x.id),
                e(&x.title),
                x.checked,
                x.open_findings
            );
        }
        for p in &c.process {
            let events = if p.events.is_empty() {
                String::new()
            } else {
                format!(" (ledger events {})", events_text(&p.events))
            };
            let _ = write!(
                ev,
                "<div>{} <code>{}</code>: {}{}</div>",
                mark(p.ok),
                e(&p.id),
                e(&p.detail),
                e(&events)
            );
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
        for x in &c.exceptions {
            let _ = write!(
                ev,
                "<div>exception: <code>{}:{}</code> {} {} — {}{}</div>",
                e(&x.location.file),
                x.location.line,
                e(&x.rule),
                e(&x.resource),
                x.reason
                    .as_deref()
                    .map(|r| format!("reason: {}", e(r)))
                    .unwrap_or_else(|| "NO REASON GIVEN".into()),
                x.until
                    .as_deref()
                    .map(|u| format!(", until {}", e(u)))
                    .unwrap_or_default()
            );
        }
        let desc = c
            .description
            .as_deref()
            .map(|d| format!("<div class=\"desc\">{}</div>", e(d.trim())))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "<tr id=\"{}\"><td>{}</td><td>{}{desc}</td><td class=\"{class}\">{}</td><td>{}</td></tr>",
            anchor(&c.id),
            e(&c.id),
            e(&c.title),
            c.status.label(),
            if ev.is_empty() { "—".into() } else { ev }
        );
    }
    o.push_str("</tbody></table>\n<h2>Method</h2>\n");
    for m in METHOD {
        let _ = writeln!(o, "<p>{}</p>", inline_html(m));
    }
    if !r.problems.is_empty() {
        o.push_str("<h2>Problems in the framework file</h2><ul>");
        for p in &r.problems {
            let _ = write!(o, "<li>{}: {}</li>", e(&p.place()), e(&p.message));
        }
        o.push_str("</ul>\n");
    }
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules whose `frameworks` tag names `framework:control`.
    fn tagged(framework: &str, control: &str) -> Vec<&'static str> {
        let tag = format!("{framework}:{control}");
        let mut ids: Vec<&'static str> = rules::all()
            .iter()
            .filter(|r| r.frameworks.iter().any(|t| t.eq_ignore_ascii_case(&tag)))
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// `text` with every control's `rules:` line replaced by the rules
    /// tagged for it (a flow list wrapped at 100 columns).
    fn with_tagged_rules(text: &str, f: &Framework) -> String {
        let mut out = String::new();
        let mut control: Option<String> = None;
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some(id) = line.strip_prefix("  - id: ") {
                control = Some(id.trim().trim_matches('"').to_string());
            }
            if line.starts_with("    rules:") {
                let mut whole = line.to_string();
                while !whole.contains(']') {
                    match lines.next() {
                        Some(l) => whole.push_str(l),
                        None => break,
                    }
                }
                let ids = tagged(&f.id, control.as_deref().unwrap_or(""));
                let mut cur = String::from("    rules: [");
                for (i, id) in ids.iter().enumerate() {
                    let piece = if i + 1 == ids.len() {
                        id.to_string()
                    } else {
                        format!("{id},")
                    };
                    if cur.len() + piece.len() + 1 > 100 {
                        out.push_str(cur.trim_end());
                        out.push('\n');
                        cur = String::from("      ");
                    } else if i > 0 {
                        cur.push(' ');
                    }
                    cur.push_str(&piece);
                }
                cur.push(']');
                out.push_str(&cur);
                out.push('\n');
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Every built-in framework parses, names only known rules and process
    /// evidence, has a control for every tag a rule carries for it, and
    /// lists for each control exactly the rules tagged for it — the
    /// mapping is data. `LOCKGATE_UPDATE_FRAMEWORKS=1` rewrites the lists.
    #[test]
    fn builtin_frameworks_are_valid_and_list_exactly_the_rules_tagged_for_them() {
        let update = std::env::var_os("LOCKGATE_UPDATE_FRAMEWORKS").is_some();
        let mut problems = Vec::new();
        let mut ids = Vec::new();
        for (name, text) in rules::FRAMEWORK_FILES {
            let f = match parse(name, text) {
                Ok(f) => f,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            problems.extend(
                check(name, Some(text), &f)
                    .into_iter()
                    .map(|p| format!("{}: {}", p.place(), p.message)),
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
            let want = with_tagged_rules(text, &f);
            if want != *text {
                if update {
                    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("assets/frameworks")
                        .join(name);
                    std::fs::write(&path, &want).unwrap();
                } else {
                    for c in &f.controls {
                        let mut listed: Vec<&str> = c.rules.iter().map(String::as_str).collect();
                        listed.sort_unstable();
                        let tagged = tagged(&f.id, &c.id);
                        if listed != tagged {
                            problems.push(format!(
                                "{name}: control {} lists {listed:?}, the rules tagged for it are {tagged:?} \
                                 (LOCKGATE_UPDATE_FRAMEWORKS=1 cargo test --lib compliance rewrites the lists)",
                                c.id
                            ));
                        }
                    }
                }
            }
            ids.push(f.id);
        }
        for want in [
            "pci-dss",
            "hipaa",
            "soc2",
            "sox",
            "gdpr",
            "cis-aws",
            "cis-k8s",
            "cis-docker",
        ] {
            assert!(ids.iter().any(|i| i == want), "no built-in {want}: {ids:?}");
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn problems_name_the_line_of_the_unknown_rule() {
        let text = "id: acme\ntitle: t\ncontrols:\n  - id: A\n    title: a\n    rules: [LG-AWS-001]\n  - id: B\n    title: b\n    rules:\n      - LG-NOPE-1\n    process: [telepathy]\n";
        let f = parse("acme.yaml", text).unwrap();
        let p = check("acme.yaml", Some(text), &f);
        let places: Vec<String> = p.iter().map(Problem::place).collect();
        assert_eq!(places, ["acme.yaml:10", "acme.yaml:11"], "{p:?}");
        assert_eq!(
            line_of(text, "A", "LG-AWS-00"),
            None,
            "whole ids only, within the control"
        );
        assert_eq!(line_of(text, "A", "LG-NOPE-1"), None, "not in a later control");
    }

    #[test]
    fn method_markup_becomes_html() {
        assert_eq!(
            inline_html("a **b** *c* `d*e` <x>"),
            "a <strong>b</strong> <em>c</em> <code>d*e</code> &lt;x&gt;"
        );
    }
}
