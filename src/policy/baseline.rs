//! Baselines: the fingerprints of accepted findings, so a scan reports only
//! what is new. A fingerprint is the rule, the file and the resource address
//! (not the line), so it survives edits that shift lines.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Finding;

pub fn fingerprint(rule: &str, file: &str, resource: &str, extra: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, file, resource, extra] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

#[derive(Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub file: String,
    #[serde(default)]
    pub resource: String,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut findings: Vec<Entry> = findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                file: f.location.file.clone(),
                resource: f.resource.clone(),
            })
            .collect();
        findings.sort_by(|a, b| (&a.file, &a.rule, &a.resource).cmp(&(&b.file, &b.rule, &b.resource)));
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline { version: 1, findings }
    }

    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("baseline {}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
        if b.version != 1 {
            return Err(format!(
                "baseline {}: version {} is not supported (expected 1)",
                path.display(),
                b.version
            ));
        }
        Ok(b)
    }

    pub fn fingerprints(&self) -> HashSet<&str> {
        self.findings.iter().map(|e| e.fingerprint.as_str()).collect()
    }
}
