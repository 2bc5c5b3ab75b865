//! SARIF 2.1.0: findings by level (`error`, `warning`, `note`), severity and
//! rule.
//!
//! Severity comes from `properties.security-severity` (the CVSS-style score
//! GitHub code scanning uses: 9 and above critical, 7 high, 4 medium, above 0
//! low) on the result or its rule, else from lockgate's own
//! `properties.severity`, else from the level (error is high, warning medium,
//! note low, none info). A result without a level takes its rule's
//! `defaultConfiguration.level`, else `warning` (SARIF §3.27.10).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{EvidenceError, MAX_NAMES, SarifFacts};

#[derive(Deserialize)]
struct Log {
    version: Option<String>,
    runs: Option<Vec<Run>>,
}

#[derive(Deserialize)]
struct Run {
    tool: Option<Tool>,
    #[serde(default)]
    results: Option<Vec<SarifResult>>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Option<Component>,
}

#[derive(Deserialize)]
struct Component {
    name: Option<String>,
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    id: Option<String>,
    #[serde(rename = "defaultConfiguration")]
    default_configuration: Option<Config>,
    properties: Option<HashMap<String, Value>>,
}

#[derive(Deserialize)]
struct Config {
    level: Option<String>,
}

#[derive(Deserialize)]
struct SarifResult {
    #[serde(rename = "ruleId")]
    rule_id: Option<String>,
    #[serde(rename = "ruleIndex")]
    rule_index: Option<usize>,
    rule: Option<RuleRef>,
    level: Option<String>,
    kind: Option<String>,
    properties: Option<HashMap<String, Value>>,
}

#[derive(Deserialize)]
struct RuleRef {
    id: Option<String>,
    index: Option<usize>,
}

fn score(props: Option<&HashMap<String, Value>>) -> Option<f64> {
    let v = props?.get("security-severity")?;
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn named(props: Option<&HashMap<String, Value>>) -> Option<String> {
    let s = props?.get("severity")?.as_str()?.to_ascii_lowercase();
    matches!(s.as_str(), "critical" | "high" | "medium" | "low" | "info").then_some(s)
}

fn band(score: f64) -> &'static str {
    if score >= 9.0 {
        "critical"
    } else if score >= 7.0 {
        "high"
    } else if score >= 4.0 {
        "medium"
    } else if score > 0.0 {
        "low"
    } else {
        "info"
    }
}

pub fn parse(path: &Path, data: &[u8]) -> Result<SarifFacts, EvidenceError> {
    let log: Log = serde_json::from_slice(data).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line() as u64);
        EvidenceError::new(path, line, format!("not a SARIF JSON document: {e}"))
    })?;
    match log.version.as_deref() {
        Some("2.1.0") => {}
        Some(v) => {
            return Err(EvidenceError::new(
                path,
                None,
                format!("SARIF version {v}; lockgate reads SARIF 2.1.0"),
            ));
        }
        None => return Err(EvidenceError::new(path, None, "no `version`: this is not a SARIF log")),
    }
    let runs = log
        .runs
        .ok_or_else(|| EvidenceError::new(path, None, "no `runs` array: this is not a SARIF log"))?;
    let mut f = SarifFacts::default();
    for run in runs {
        let driver = run.tool.and_then(|t| t.driver);
        let (tool, rules) = match driver {
            Some(d) => (d.name.unwrap_or_else(|| "unknown".into()), d.rules),
            None => ("unknown".into(), Vec::new()),
        };
        if !f.tools.contains(&tool) {
            f.tools.push(tool);
        }
        let by_id: HashMap<&str, &Rule> = rules.iter().filter_map(|r| r.id.as_deref().map(|id| (id, r))).collect();
        for r in run.results.unwrap_or_default() {
            // Only `fail` results are findings (`pass`, `open`, `review`, … are not).
            if r.kind.as_deref().is_some_and(|k| k != "fail") {
                continue;
            }
            let index = r.rule_index.or(r.rule.as_ref().and_then(|x| x.index));
            let id = r.rule_id.clone().or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()));
            let rule = index
                .and_then(|i| rules.get(i))
                .or_else(|| id.as_deref().and_then(|i| by_id.get(i).copied()));
            let level = r
                .level
                .clone()
                .or_else(|| {
                    rule.and_then(|x| x.default_configuration.as_ref())
                        .and_then(|c| c.level.clone())
                })
                .unwrap_or_else(|| "warning".into());
            match level.as_str() {
                "error" => f.errors += 1,
                "warning" => f.warnings += 1,
                "note" => f.notes += 1,
                "none" => {}
                other => {
                    return Err(EvidenceError::new(
                        path,
                        None,
                        format!("result level `{other}` is not one of error, warning, note, none"),
                    ));
                }
            }
            let severity = score(r.properties.as_ref())
                .or_else(|| score(rule.and_then(|x| x.properties.as_ref())))
                .map(|s| band(s).to_string())
                .or_else(|| named(r.properties.as_ref()))
                .or_else(|| named(rule.and_then(|x| x.properties.as_ref())))
                .unwrap_or_else(|| {
                    match level.as_str() {
                        "error" => "high",
                        "warning" => "medium",
                        "note" => "low",
                        _ => "info",
                    }
                    .to_string()
                });
            *f.severity.entry(severity).or_default() += 1;
            *f.rules
                .entry(
                    id.or_else(|| rule.and_then(|x| x.id.clone()))
                        .unwrap_or_else(|| "(no rule)".into()),
                )
                .or_default() += 1;
            f.results += 1;
        }
    }
    if f.rules.len() > MAX_NAMES {
        let mut v: Vec<(String, u64)> = std::mem::take(&mut f.rules).into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(MAX_NAMES);
        f.rules = v.into_iter().collect::<BTreeMap<_, _>>();
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<SarifFacts, EvidenceError> {
        parse(Path::new("scan.sarif"), s.as_bytes())
    }

    #[test]
    fn levels_severities_and_rules() {
        let f = p(
            r#"{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{
            "tool":{"driver":{"name":"checkov","rules":[
                {"id":"CKV_AWS_20","defaultConfiguration":{"level":"error"},"properties":{"security-severity":"9.1"}},
                {"id":"CKV_AWS_18"}]}},
            "results":[
                {"ruleId":"CKV_AWS_20","ruleIndex":0,"message":{"text":"public bucket"}},
                {"ruleId":"CKV_AWS_18","level":"note","message":{"text":"no logging"}},
                {"ruleId":"CKV_AWS_18","message":{"text":"no logging"}},
                {"ruleId":"X","kind":"pass","level":"none","message":{"text":"ok"}},
                {"ruleId":"LG-1","level":"warning","properties":{"severity":"critical"},"message":{"text":"m"}}]}]}"#,
        )
        .unwrap();
        assert_eq!((f.results, f.errors, f.warnings, f.notes), (4, 1, 2, 1));
        assert_eq!(f.severity.get("critical"), Some(&2));
        assert_eq!(f.severity.get("medium"), Some(&1));
        assert_eq!(f.severity.get("low"), Some(&1));
        assert_eq!(f.rules.get("CKV_AWS_18"), Some(&2));
        assert_eq!(f.tools, vec!["checkov".to_string()]);
    }

    #[test]
    fn not_sarif_is_an_error() {
        assert!(
            p(r#"{"version":"2.0.0","runs":[]}"#)
                .unwrap_err()
                .message
                .contains("2.1.0")
        );
        assert!(p(r#"{"runs":[]}"#).unwrap_err().message.contains("no `version`"));
        let e = p("{\"version\":\"2.1.0\",\n\"runs\": [ {\"results\": [ { ] } ] }").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(p(r#"{"version":"2.1.0"}"#).unwrap_err().message.contains("no `runs`"));
    }
}
