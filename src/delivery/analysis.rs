//! Analysis: conditions over measurements, the outcome of one measurement,
//! and the limits that turn a series of outcomes into a verdict.
//!
//! ```text
//! error_rate < 1%            5xx answers and failed attempts per request
//! success_rate >= 99%
//! p50_latency < 100ms        also p90_latency, p95_latency, p99_latency
//! request_count >= 50        requests in the last interval
//! request_rate > 5           requests per second in the last interval
//! metric("sum(rate(http_errors{version=\"{{canary}}\"}[1m]))") < 0.5
//! ```
//!
//! Semantics (exact — Argo Rollouts' docs are off by one here):
//! every `interval` after `initial_delay` one measurement is taken.
//! It is **Error** when a value could not be obtained (Prometheus down),
//! **Inconclusive** when fewer than `min_samples` requests reached the new
//! version or Prometheus returned no value, **Failed** when any condition
//! or probe is false, otherwise **Successful**. The rollout aborts when
//! failed measurements *exceed* `failure_limit` (so with the default 0 the
//! first failure aborts), when consecutive errors exceed
//! `consecutive_error_limit`; it pauses for a human when inconclusive
//! measurements exceed `inconclusive_limit`. A continuously bad version is
//! therefore caught after at most `initial_delay + (failure_limit + 1) ×
//! interval`. With `dry_run` results are recorded and nothing else.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::metrics::Snapshot;
use crate::spec::Analysis;
use crate::spec::criteria::{Op, Value};

/// What a condition measures.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    ErrorRate,
    SuccessRate,
    /// Latency quantile in percent (50, 90, 95, 99).
    Latency(u8),
    RequestCount,
    RequestRate,
    /// A PromQL query; `{{canary}}`, `{{stable}}`, `{{service}}`, `{{env}}` are replaced.
    Prometheus(String),
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Measure::ErrorRate => f.write_str("error_rate"),
            Measure::SuccessRate => f.write_str("success_rate"),
            Measure::Latency(q) => write!(f, "p{q}_latency"),
            Measure::RequestCount => f.write_str("request_count"),
            Measure::RequestRate => f.write_str("request_rate"),
            Measure::Prometheus(q) => write!(f, "metric({q:?})"),
        }
    }
}

/// A parsed analysis condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub text: String,
    pub measure: Measure,
    pub op: Op,
    pub threshold: Value,
}

/// A condition that does not parse, with the character offset of the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionError {
    pub offset: usize,
    pub message: String,
    pub hint: String,
}

const MEASURES: &str = "error_rate, success_rate, p50_latency, p90_latency, p95_latency, p99_latency, request_count, request_rate, metric(\"<PromQL>\")";

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, ConditionError> {
        let err = |offset: usize, message: String, hint: &str| ConditionError {
            offset,
            message,
            hint: hint.to_string(),
        };
        let lead = text.len() - text.trim_start().len();
        let s = text.trim();
        if s.is_empty() {
            return Err(err(
                0,
                "empty analysis condition".into(),
                "write e.g. `error_rate < 1%`",
            ));
        }
        let (measure, rest_at) = if let Some(q) = s.strip_prefix("metric(") {
            let q = q.trim_start();
            let Some(body) = q.strip_prefix('"') else {
                return Err(err(
                    lead + 7,
                    "metric(...) takes a quoted PromQL query".into(),
                    "write metric(\"sum(rate(errors[1m]))\")",
                ));
            };
            let mut out = String::new();
            let mut chars = body.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => out.push(c),
                }
            }
            let Some(end) = end else {
                return Err(err(
                    s.len() + lead,
                    "the query has no closing quote".into(),
                    "end the query with `\"` and `)`",
                ));
            };
            let after = &body[end + 1..];
            let Some(after) = after.trim_start().strip_prefix(')') else {
                return Err(err(
                    lead + s.len() - after.len(),
                    "expected `)` after the query".into(),
                    "write metric(\"…\") < 5",
                ));
            };
            if out.trim().is_empty() {
                return Err(err(
                    lead + 7,
                    "the PromQL query is empty".into(),
                    "write metric(\"sum(rate(errors[1m]))\")",
                ));
            }
            (Measure::Prometheus(out), s.len() - after.len())
        } else {
            let end = s
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(s.len());
            let name = &s[..end];
            let m = match name {
                "error_rate" => Measure::ErrorRate,
                "success_rate" => Measure::SuccessRate,
                "request_count" | "requests" => Measure::RequestCount,
                "request_rate" => Measure::RequestRate,
                n => match n
                    .strip_prefix('p')
                    .and_then(|r| r.strip_suffix("_latency"))
                    .and_then(|q| q.parse::<u8>().ok())
                {
                    Some(q @ (50 | 90 | 95 | 99)) => Measure::Latency(q),
                    _ => {
                        return Err(err(
                            lead,
                            format!("unknown measurement `{name}`"),
                            &format!("use one of: {MEASURES}"),
                        ));
                    }
                },
            };
            (m, end)
        };
        let rest = &s[rest_at..];
        let op_at = lead + rest_at + (rest.len() - rest.trim_start().len());
        let rest = rest.trim_start();
        let (op, n) = [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find(|(t, _)| rest.starts_with(t))
        .map(|(t, o)| (o, t.len()))
        .ok_or_else(|| {
            err(
                op_at,
                "expected a comparison (<, <=, >, >=, ==, !=)".into(),
                "write e.g. `error_rate < 1%`",
            )
        })?;
        let lit = rest[n..].trim();
        let lit_at = op_at + n + (rest[n..].len() - rest[n..].trim_start().len());
        if lit.is_empty() {
            return Err(err(
                lit_at,
                "expected a threshold after the comparison".into(),
                "write e.g. `< 1%`, `< 300ms` or `>= 20`",
            ));
        }
        let threshold =
            Value::parse_display(lit).filter(|v| matches!(v, Value::Num(_) | Value::Pct(_) | Value::Dur(_)));
        let Some(threshold) = threshold else {
            return Err(err(
                lit_at,
                format!("`{lit}` is not a threshold"),
                "write a number, a percentage (1%) or a duration (300ms)",
            ));
        };
        let ok = matches!(
            (&measure, &threshold),
            (Measure::ErrorRate | Measure::SuccessRate, Value::Pct(_))
                | (Measure::Latency(_), Value::Dur(_))
                | (Measure::RequestCount | Measure::RequestRate, Value::Num(_))
                | (Measure::Prometheus(_), Value::Num(_) | Value::Pct(_))
        );
        if !ok {
            let want = match measure {
                Measure::ErrorRate | Measure::SuccessRate => "a percentage such as 1%",
                Measure::Latency(_) => "a duration such as 300ms",
                _ => "a number",
            };
            return Err(err(
                lit_at,
                format!("{measure} is compared with {want}, not `{lit}`"),
                &format!("write e.g. `{measure} < …` with {want}"),
            ));
        }
        Ok(Condition {
            text: s.to_string(),
            measure,
            op,
            threshold,
        })
    }
}

/// The outcome of one measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Successful,
    Failed,
    Inconclusive,
    Error,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Successful => "successful",
            Outcome::Failed => "failed",
            Outcome::Inconclusive => "inconclusive",
            Outcome::Error => "error",
        })
    }
}

/// One condition's value in a measurement, for status and the ledger.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observed {
    pub condition: String,
    pub value: Option<String>,
    pub pass: Option<bool>,
}

/// One measurement: its outcome and what was seen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measurement {
    pub outcome: Outcome,
    pub samples: u64,
    pub observed: Vec<Observed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `condition = value, …` of a measurement as recorded (JSON), for one-line reports.
pub fn observed_line(observed: &serde_json::Value) -> String {
    observed
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            format!(
                "{} = {}",
                o["condition"].as_str().unwrap_or(""),
                o["value"].as_str().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inputs of a measurement besides the proxy's counters.
#[derive(Default)]
pub struct External {
    /// Value per PromQL query; `Err` when the query could not be run.
    pub prometheus: Vec<(String, Result<Option<f64>, String>)>,
    /// Probe results: (description, passed, message).
    pub probes: Vec<(String, bool, String)>,
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Num(n) | Value::Pct(n) => *n,
        Value::Dur(d) => d.as_secs_f64(),
        _ => f64::NAN,
    }
}

/// Takes one measurement from the new version's counters over `window`.
pub fn measure(
    conditions: &[Condition],
    window: &Snapshot,
    elapsed: Duration,
    min_samples: u64,
    ext: &External,
) -> Measurement {
    let samples = window.requests;
    let mut observed = Vec::new();
    let mut outcome = Outcome::Successful;
    let mut message = None;
    let worse = |o: &mut Outcome, n: Outcome| {
        let rank = |o: Outcome| match o {
            Outcome::Successful => 0,
            Outcome::Inconclusive => 1,
            Outcome::Failed => 2,
            Outcome::Error => 3,
        };
        if rank(n) > rank(*o) {
            *o = n;
        }
    };
    for (name, pass, msg) in &ext.probes {
        observed.push(Observed {
            condition: name.clone(),
            value: Some(msg.clone()),
            pass: Some(*pass),
        });
        if !pass {
            worse(&mut outcome, Outcome::Failed);
        }
    }
    for c in conditions {
        let value: Result<Option<Value>, String> = match &c.measure {
            Measure::Prometheus(q) => match ext.prometheus.iter().find(|(k, _)| k == q).map(|(_, v)| v) {
                Some(Ok(v)) => Ok(v.map(Value::Num)),
                Some(Err(e)) => Err(e.clone()),
                None => Err("the query was not run".to_string()),
            },
            _ if samples < min_samples => Ok(None),
            Measure::ErrorRate => Ok(window.error_rate().map(Value::Pct)),
            Measure::SuccessRate => Ok(window.error_rate().map(|e| Value::Pct(100.0 - e))),
            Measure::Latency(q) => Ok(window.quantile(f64::from(*q) / 100.0).map(Value::Dur)),
            Measure::RequestCount => Ok(Some(Value::Num(samples as f64))),
            Measure::RequestRate => Ok(Some(Value::Num(samples as f64 / elapsed.as_secs_f64().max(1e-3)))),
        };
        match value {
            Ok(Some(v)) => {
                let pass = c.op.holds(number(&v), number(&c.threshold));
                if !pass {
                    worse(&mut outcome, Outcome::Failed);
                }
                observed.push(Observed {
                    condition: c.text.clone(),
                    value: Some(display(&v)),
                    pass: Some(pass),
                });
            }
            Ok(None) => {
                worse(&mut outcome, Outcome::Inconclusive);
                if message.is_none() && !matches!(c.measure, Measure::Prometheus(_)) {
                    message = Some(format!(
                        "{samples} request(s) reached the new version; {min_samples} needed"
                    ));
                }
                observed.push(Observed {
                    condition: c.text.clone(),
                    value: None,
                    pass: None,
                });
            }
            Err(e) => {
                worse(&mut outcome, Outcome::Error);
                message = Some(e);
                observed.push(Observed {
                    condition: c.text.clone(),
                    value: None,
                    pass: None,
                });
            }
        }
    }
    Measurement {
        outcome,
        samples,
        observed,
        message,
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::Pct(p) => format!("{:.2}%", p),
        Value::Dur(d) => {
            let ms = d.as_secs_f64() * 1000.0;
            if ms < 10.0 {
                format!("{ms:.2}ms")
            } else {
                format!("{ms:.0}ms")
            }
        }
        Value::Num(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Value::Num(n) => format!("{n:.3}"),
        other => other.to_string(),
    }
}

/// Counters of one analysis run and the verdict they lead to.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Tally {
    pub successful: u32,
    pub failed: u32,
    pub inconclusive: u32,
    pub errors: u32,
    pub consecutive_errors: u32,
}

/// What the rollout does after a measurement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Continue,
    Abort(String),
    Pause(String),
}

impl Tally {
    pub fn add(&mut self, o: Outcome, a: &Analysis) -> Verdict {
        match o {
            Outcome::Successful => self.successful += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Inconclusive => self.inconclusive += 1,
            Outcome::Error => self.errors += 1,
        }
        if o == Outcome::Error {
            self.consecutive_errors += 1;
        } else {
            self.consecutive_errors = 0;
        }
        if a.dry_run {
            return Verdict::Continue;
        }
        if self.failed > a.failure_limit {
            return Verdict::Abort(format!(
                "{} failed measurement(s), more than failure_limit {}",
                self.failed, a.failure_limit
            ));
        }
        if self.consecutive_errors > a.consecutive_error_limit {
            return Verdict::Abort(format!(
                "{} consecutive measurement errors, more than consecutive_error_limit {}",
                self.consecutive_errors, a.consecutive_error_limit
            ));
        }
        if self.inconclusive > a.inconclusive_limit {
            return Verdict::Pause(format!(
                "{} inconclusive measurement(s), more than inconclusive_limit {}; `lockgate resume` to go on, `lockgate abort` to stop",
                self.inconclusive, a.inconclusive_limit
            ));
        }
        Verdict::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_every_measure() {
        for (s, m) in [
            ("error_rate < 1%", Measure::ErrorRate),
            ("success_rate >= 99.5%", Measure::SuccessRate),
            ("p99_latency < 300ms", Measure::Latency(99)),
            ("request_count >= 20", Measure::RequestCount),
            ("request_rate > 5", Measure::RequestRate),
            (
                "metric(\"sum(rate(x{v=\\\"{{canary}}\\\"}[1m]))\") < 0.5",
                Measure::Prometheus("sum(rate(x{v=\"{{canary}}\"}[1m]))".into()),
            ),
        ] {
            assert_eq!(Condition::parse(s).unwrap().measure, m, "{s}");
        }
    }

    #[test]
    fn rejects_with_position_and_hint() {
        let e = Condition::parse("eror_rate < 1%").unwrap_err();
        assert_eq!((e.offset, e.message.as_str()), (0, "unknown measurement `eror_rate`"));
        let e = Condition::parse("error_rate < 300ms").unwrap_err();
        assert_eq!(e.offset, 13);
        assert!(e.message.contains("percentage"), "{}", e.message);
        let e = Condition::parse("p99_latency 3").unwrap_err();
        assert_eq!(e.offset, 12);
        assert!(Condition::parse("metric(\"x\"").is_err());
    }

    fn analysis(failure_limit: u32, inconclusive_limit: u32, consecutive_error_limit: u32) -> Analysis {
        Analysis {
            failure_limit,
            inconclusive_limit,
            consecutive_error_limit,
            ..Analysis::default()
        }
    }

    #[test]
    fn aborts_when_failures_exceed_the_limit() {
        let a = analysis(2, 0, 4);
        let mut t = Tally::default();
        assert_eq!(t.add(Outcome::Failed, &a), Verdict::Continue);
        assert_eq!(t.add(Outcome::Successful, &a), Verdict::Continue);
        assert_eq!(t.add(Outcome::Failed, &a), Verdict::Continue);
        assert!(matches!(t.add(Outcome::Failed, &a), Verdict::Abort(_)));
        let mut dry = Tally::default();
        let a = Analysis { dry_run: true, ..a };
        for _ in 0..10 {
            assert_eq!(dry.add(Outcome::Failed, &a), Verdict::Continue);
        }
    }

    #[test]
    fn inconclusive_pauses_and_errors_reset_on_success() {
        let a = analysis(0, 1, 1);
        let mut t = Tally::default();
        assert_eq!(t.add(Outcome::Inconclusive, &a), Verdict::Continue);
        assert!(matches!(t.add(Outcome::Inconclusive, &a), Verdict::Pause(_)));
        let mut t = Tally::default();
        assert_eq!(t.add(Outcome::Error, &a), Verdict::Continue);
        assert_eq!(t.add(Outcome::Successful, &a), Verdict::Continue);
        assert_eq!(t.add(Outcome::Error, &a), Verdict::Continue);
        assert!(matches!(t.add(Outcome::Error, &a), Verdict::Abort(_)));
    }

    #[test]
    fn too_few_samples_are_inconclusive() {
        let c = vec![Condition::parse("error_rate < 1%").unwrap()];
        let w = Snapshot {
            requests: 3,
            ..Snapshot::default()
        };
        let m = measure(&c, &w, Duration::from_secs(1), 20, &External::default());
        assert_eq!(m.outcome, Outcome::Inconclusive);
        let w = Snapshot {
            requests: 100,
            server_errors: 30,
            ..Snapshot::default()
        };
        let m = measure(&c, &w, Duration::from_secs(1), 20, &External::default());
        assert_eq!(m.outcome, Outcome::Failed);
        assert_eq!(m.observed[0].value.as_deref(), Some("30.00%"));
    }

    proptest! {
        /// A version that fails every measurement is aborted at exactly
        /// measurement failure_limit + 1, never earlier.
        #[test]
        fn detection_is_exactly_limit_plus_one(limit in 0u32..20) {
            let a = analysis(limit, 0, 4);
            let mut t = Tally::default();
            for i in 1..=limit + 1 {
                let v = t.add(Outcome::Failed, &a);
                prop_assert_eq!(matches!(v, Verdict::Abort(_)), i == limit + 1);
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Condition::parse(&s);
        }
    }
}
