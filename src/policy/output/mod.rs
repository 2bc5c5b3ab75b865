//! Scan reports: a table for people, JSON, SARIF 2.1.0, JUnit XML and GitHub
//! workflow annotations.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use super::rule::{Rule, Severity};
use super::rules;
use super::{DiagnosticKind, Finding, Summary};

fn sev_style(s: Severity) -> Style {
    match s {
        Severity::Critical => AnsiColor::Magenta.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default().bold(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Cyan.on_default(),
        Severity::Info => Style::new().dimmed(),
    }
}

/// The human table, grouped by file, with the source line of each finding.
pub fn table(findings: &[Finding], summary: &Summary, show_suppressed: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut current = None;
    for f in findings {
        if f.suppressed.is_some() && !show_suppressed {
            continue;
        }
        if current != Some(&f.location.file) {
            current = Some(&f.location.file);
            let _ = writeln!(out, "\n{bold}{}{bold:#}", f.location.file);
        }
        let st = sev_style(f.severity);
        let _ = write!(
            out,
            "  {:>4}:{:<3} {st}{:<8}{st:#} {:<11} {}",
            f.location.line,
            f.location.column,
            f.severity.as_str(),
            f.rule,
            f.message
        );
        if !f.resource.is_empty() {
            let _ = write!(out, "  {dim}{}{dim:#}", f.resource);
        }
        out.push('\n');
        if let Some(x) = &f.excerpt {
            let _ = writeln!(out, "             {dim}│{dim:#} {}", x.trim());
        }
        for v in &f.via {
            let _ = writeln!(
                out,
                "             {dim}via module call at {}:{}:{}{dim:#}",
                v.file, v.line, v.column
            );
        }
        if let Some(s) = &f.suppressed {
            let _ = writeln!(
                out,
                "             {dim}suppressed ({}) at {}:{}{}{dim:#}",
                s.syntax,
                s.location.file,
                s.location.line,
                s.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default()
            );
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(summary));
    out
}

pub fn summary_line(s: &Summary) -> String {
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|sev| {
            format!(
                "{} {}",
                s.by_severity.get(sev.as_str()).copied().unwrap_or(0),
                sev.as_str()
            )
        })
        .collect();
    format!(
        "{} finding{} ({}) in {} file{}, {} resources, {} rules; {} suppressed",
        s.findings,
        if s.findings == 1 { "" } else { "s" },
        counts.join(", "),
        s.files,
        if s.files == 1 { "" } else { "s" },
        s.resources,
        s.rules,
        s.suppressed
    )
}

pub fn json(findings: &[Finding], summary: &Summary) -> String {
    let v = json!({ "version": 1, "tool": "lockgate", "summary": summary, "findings": findings });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// SARIF 2.1.0, as GitHub code scanning accepts it.
pub fn sarif(findings: &[Finding], rules: &[&Rule]) -> String {
    let mut descriptors = Vec::new();
    let mut index = std::collections::HashMap::new();
    for r in rules {
        index.insert(r.id.to_string(), descriptors.len());
        let doc = rules::find(r.id).map(|e| e.doc).unwrap_or("");
        let mut tags = vec!["security".to_string(), "iac".to_string(), "terraform".to_string()];
        tags.extend(r.frameworks.iter().map(|s| s.to_string()));
        descriptors.push(json!({
            "id": r.id,
            "name": pascal(r.title),
            "shortDescription": { "text": r.title },
            "fullDescription": { "text": first_paragraph(doc) },
            "help": { "text": doc, "markdown": doc },
            "defaultConfiguration": { "level": level(r.severity) },
            "properties": {
                "tags": tags,
                "precision": "high",
                "security-severity": r.severity.score(),
                "severity": r.severity.as_str(),
                "equivalent": r.equivalent,
            }
        }));
    }
    for d in DiagnosticKind::ALL {
        index.insert(d.id().to_string(), descriptors.len());
        descriptors.push(json!({
            "id": d.id(),
            "name": pascal(d.title()),
            "shortDescription": { "text": d.title() },
            "defaultConfiguration": { "level": level(d.severity()) },
            "properties": { "severity": d.severity().as_str(), "security-severity": d.severity().score() }
        }));
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [physical(&f.location)],
                "partialFingerprints": { "lockgate/v1": f.fingerprint },
                "properties": { "severity": f.severity.as_str(), "security-severity": f.severity.score() },
            });
            if let Some(i) = index.get(&f.rule) {
                r["ruleIndex"] = json!(i);
            }
            if !f.resource.is_empty() {
                r["properties"]["resource"] = json!(f.resource);
            }
            if !f.via.is_empty() {
                r["relatedLocations"] = Value::Array(
                    f.via
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let mut p = physical(v);
                            p["id"] = json!(i + 1);
                            p["message"] = json!({ "text": "module call" });
                            p
                        })
                        .collect(),
                );
            }
            if let Some(s) = &f.suppressed {
                let mut sup = json!({ "kind": "inSource", "status": "accepted" });
                if let Some(reason) = &s.reason {
                    sup["justification"] = json!(reason);
                }
                r["suppressions"] = json!([sup]);
            }
            r
        })
        .collect();
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "lockgate",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/lockgate",
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

fn physical(l: &super::Location) -> Value {
    let uri = l.file.trim_start_matches("./").to_string();
    let mut region = json!({ "startLine": l.line.max(1), "startColumn": l.column.max(1) });
    if l.end_line >= l.line && l.end_line > 0 {
        region["endLine"] = json!(l.end_line);
        if l.end_column > 0 && (l.end_line > l.line || l.end_column > l.column) {
            region["endColumn"] = json!(l.end_column);
        }
    }
    json!({ "physicalLocation": { "artifactLocation": { "uri": uri }, "region": region } })
}

fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn first_paragraph(doc: &str) -> String {
    doc.lines()
        .skip_while(|l| l.trim().is_empty() || l.starts_with('#'))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn xml(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// JUnit XML: one test case per finding (suppressed ones are skipped).
pub fn junit(findings: &[Finding], summary: &Summary) -> String {
    let failures = findings.iter().filter(|f| f.suppressed.is_none()).count();
    let skipped = findings.len() - failures;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"lockgate scan\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        findings.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"lockgate scan\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"0\">",
        findings.len()
    );
    let _ = writeln!(
        out,
        "    <properties><property name=\"summary\" value=\"{}\"/></properties>",
        xml(&summary_line(summary))
    );
    for f in findings {
        let name = if f.resource.is_empty() {
            f.rule.clone()
        } else {
            format!("{} {}", f.rule, f.resource)
        };
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
            xml(&name),
            xml(&f.location.file),
            xml(&f.location.file),
            f.location.line
        );
        match &f.suppressed {
            Some(s) => {
                let _ = write!(
                    out,
                    "<skipped message=\"suppressed: {}\"/>",
                    xml(s.reason.as_deref().unwrap_or("no reason given"))
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<failure message=\"{}\" type=\"{}\">{}:{}:{} {} [{}] {}</failure>",
                    xml(&f.message),
                    f.severity.as_str(),
                    xml(&f.location.file),
                    f.location.line,
                    f.location.column,
                    xml(&f.title),
                    f.severity.as_str(),
                    xml(&f.message)
                );
            }
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// GitHub Actions workflow commands (`::error file=…,line=…::…`).
pub fn github(findings: &[Finding]) -> String {
    fn prop(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    }
    fn data(s: &str) -> String {
        s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
    }
    let mut out = String::new();
    for f in findings.iter().filter(|f| f.suppressed.is_none()) {
        let cmd = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            _ => "notice",
        };
        let _ = writeln!(
            out,
            "::{cmd} file={},line={},col={},endLine={},title={}::{}",
            prop(&f.location.file),
            f.location.line,
            f.location.column,
            f.location.end_line.max(f.location.line),
            prop(&format!("{} {}", f.rule, f.title)),
            data(&format!("{} ({})", f.message, f.resource))
        );
    }
    out
}
