//! Evidence: tool output turned into facts a gate can judge.
//!
//! - JUnit XML (cargo-nextest, pytest, Maven Surefire, Jest, bun, gotestsum)
//!   → tests passed / failed / skipped and the failing tests' names;
//! - coverage: LCOV and Cobertura XML (detected from the content) → line and
//!   branch coverage;
//! - SARIF 2.1.0 (lockgate's scanner and third-party tools) → findings by
//!   level, severity and rule.
//!
//! A malformed report is an error naming the file, the line when known and
//! what is wrong — never zero failures.

mod coverage;
mod junit;
#[cfg(test)]
mod proptests;
mod sarif;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Which kind of report a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Junit,
    Coverage,
    Sarif,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Junit => "junit",
            Kind::Coverage => "coverage",
            Kind::Sarif => "sarif",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "junit" => Some(Kind::Junit),
            "coverage" | "lcov" | "cobertura" => Some(Kind::Coverage),
            "sarif" => Some(Kind::Sarif),
            _ => None,
        }
    }
}

/// Facts from a test report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TestFacts {
    pub total: u64,
    pub passed: u64,
    /// Failures and errors.
    pub failed: u64,
    pub skipped: u64,
    pub duration_s: f64,
    /// Names (`class::name`) of failing tests, at most [`MAX_NAMES`].
    pub failing: Vec<String>,
}

/// Facts from a coverage report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CoverageFacts {
    pub format: String,
    pub lines_total: u64,
    pub lines_covered: u64,
    /// Percentage of lines covered (0–100).
    pub lines: f64,
    pub branches_total: u64,
    pub branches_covered: u64,
    /// Percentage of branches covered, when the report has branches.
    pub branches: Option<f64>,
    pub files: u64,
}

/// Facts from a SARIF report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SarifFacts {
    pub tools: Vec<String>,
    pub results: u64,
    pub errors: u64,
    pub warnings: u64,
    pub notes: u64,
    /// Findings by severity: critical, high, medium, low, info.
    pub severity: BTreeMap<String, u64>,
    /// Findings per rule id (the most frequent [`MAX_NAMES`]).
    pub rules: BTreeMap<String, u64>,
}

/// The facts of one report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Facts {
    Tests(TestFacts),
    Coverage(CoverageFacts),
    Sarif(SarifFacts),
}

/// How many names (failing tests, rules) a fact list keeps.
pub const MAX_NAMES: usize = 100;

/// Reports larger than this are refused rather than read into memory.
pub const MAX_REPORT_BYTES: u64 = 1 << 30;

/// A report that could not be read or understood.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize)]
#[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct EvidenceError {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub message: String,
}

impl EvidenceError {
    pub fn new(file: &Path, line: Option<u64>, message: impl Into<String>) -> Self {
        EvidenceError {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(data: &[u8], offset: usize) -> u64 {
    data[..offset.min(data.len())].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// Reads and parses the report at `path`.
pub fn parse_file(kind: Kind, path: &Path) -> Result<Facts, EvidenceError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        EvidenceError::new(
            path,
            None,
            if e.kind() == std::io::ErrorKind::NotFound {
                "the report file does not exist (did the job write it?)".to_string()
            } else {
                format!("cannot read the report: {e}")
            },
        )
    })?;
    if meta.len() > MAX_REPORT_BYTES {
        return Err(EvidenceError::new(
            path,
            None,
            format!(
                "the report is {} bytes; at most {MAX_REPORT_BYTES} are read",
                meta.len()
            ),
        ));
    }
    let data =
        std::fs::read(path).map_err(|e| EvidenceError::new(path, None, format!("cannot read the report: {e}")))?;
    parse(kind, path, &data)
}

/// Parses report bytes (`path` is for messages).
pub fn parse(kind: Kind, path: &Path, data: &[u8]) -> Result<Facts, EvidenceError> {
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(EvidenceError::new(path, None, "the report is empty"));
    }
    match kind {
        Kind::Junit => junit::parse(path, data).map(Facts::Tests),
        Kind::Coverage => coverage::parse(path, data).map(Facts::Coverage),
        Kind::Sarif => sarif::parse(path, data).map(Facts::Sarif),
    }
}

/// Merges several reports of one kind (e.g. one JUnit file per test class).
pub fn merge(all: Vec<Facts>) -> Option<Facts> {
    let mut it = all.into_iter();
    let mut acc = it.next()?;
    for f in it {
        match (&mut acc, f) {
            (Facts::Tests(a), Facts::Tests(b)) => {
                a.total += b.total;
                a.passed += b.passed;
                a.failed += b.failed;
                a.skipped += b.skipped;
                a.duration_s += b.duration_s;
                a.failing.extend(b.failing);
                a.failing.truncate(MAX_NAMES);
            }
            (Facts::Coverage(a), Facts::Coverage(b)) => {
                a.lines_total += b.lines_total;
                a.lines_covered += b.lines_covered;
                a.branches_total += b.branches_total;
                a.branches_covered += b.branches_covered;
                a.files += b.files;
                a.lines = pct(a.lines_covered, a.lines_total);
                a.branches = (a.branches_total > 0).then(|| pct(a.branches_covered, a.branches_total));
                if a.format != b.format {
                    a.format = "mixed".into();
                }
            }
            (Facts::Sarif(a), Facts::Sarif(b)) => {
                a.results += b.results;
                a.errors += b.errors;
                a.warnings += b.warnings;
                a.notes += b.notes;
                for (k, v) in b.severity {
                    *a.severity.entry(k).or_default() += v;
                }
                for (k, v) in b.rules {
                    *a.rules.entry(k).or_default() += v;
                }
                for t in b.tools {
                    if !a.tools.contains(&t) {
                        a.tools.push(t);
                    }
                }
            }
            _ => {}
        }
    }
    Some(acc)
}

/// `covered / total` as a percentage rounded to 0.01; 0 of 0 is 0 %.
pub(crate) fn pct(covered: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (covered as f64 * 10_000.0 / total as f64).round() / 100.0
    }
}
