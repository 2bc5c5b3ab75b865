//! The criteria language of gate checks.
//!
//! ```text
//! tests.failed == 0
//! coverage.lines >= 80%
//! sarif.errors == 0 && sarif.warnings < 10
//! policy.failed{severity>=high} == 0
//! run.job("build").status == success
//! deploy("staging").status == succeeded
//! age(evidence("dr-drill")) < 30d
//! metric("error_rate", env="staging") < 1%
//! audit.verified == true
//! ```
//!
//! Every reference has a type — count, percentage, duration, boolean,
//! status — and a comparison must compare like with like; `lockgate
//! validate` reports a mismatch (`coverage.lines >= "high"`) or an unknown
//! reference with its position before anything runs.

use std::fmt;

/// The type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Count,
    Percent,
    Duration,
    Bool,
    Status,
    Text,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::Count => "a number",
            Ty::Percent => "a percentage",
            Ty::Duration => "a duration",
            Ty::Bool => "true/false",
            Ty::Status => "a status",
            Ty::Text => "text",
        })
    }
}

/// A value during evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Num(f64),
    Pct(f64),
    Dur(std::time::Duration),
    Bool(bool),
    Status(String),
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(n) if n.fract() == 0.0 => write!(f, "{}", *n as i64),
            Value::Num(n) => write!(f, "{n}"),
            Value::Pct(p) => write!(f, "{p}%"),
            Value::Dur(d) => write!(f, "{}", crate::spec::Duration(*d)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Status(s) => f.write_str(s),
            Value::Text(s) => write!(f, "\"{s}\""),
        }
    }
}

/// Statuses a job, run or deployment can have.
pub const STATUSES: &[&str] = &[
    "success",
    "failure",
    "succeeded",
    "failed",
    "skipped",
    "cancelled",
    "running",
    "pending",
    "aborted",
    "rolled_back",
];

/// A reference to a fact.
#[derive(Clone, Debug, PartialEq)]
pub enum Ref {
    /// `tests.failed`, `coverage.lines`, `sarif.errors`, `audit.verified`, `run.status`.
    Path(String),
    /// `policy.failed{severity>=high}` / `sarif.findings{severity>=high}`: findings at or above a severity.
    Findings { at_least: String },
    /// `run.job("build").status`
    JobStatus(String),
    /// `deploy("staging").status`
    DeployStatus(String),
    /// `age(evidence("dr-drill"))`
    EvidenceAge(String),
    /// `metric("error_rate", env="staging")`
    Metric { name: String, env: Option<String> },
}

impl Ref {
    pub fn ty(&self) -> Ty {
        match self {
            Ref::Path(p) => path_type(p).unwrap_or(Ty::Count),
            Ref::Findings { .. } => Ty::Count,
            Ref::JobStatus(_) | Ref::DeployStatus(_) => Ty::Status,
            Ref::EvidenceAge(_) => Ty::Duration,
            Ref::Metric { name, .. } => {
                if name.ends_with("_rate") || name.ends_with("ratio") {
                    Ty::Percent
                } else if name.contains("latency") || name.contains("duration") {
                    Ty::Duration
                } else {
                    Ty::Count
                }
            }
        }
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Path(p) => f.write_str(p),
            Ref::Findings { at_least } => write!(f, "findings{{severity>={at_least}}}"),
            Ref::JobStatus(j) => write!(f, "run.job(\"{j}\").status"),
            Ref::DeployStatus(e) => write!(f, "deploy(\"{e}\").status"),
            Ref::EvidenceAge(e) => write!(f, "age(evidence(\"{e}\"))"),
            Ref::Metric { name, env: Some(e) } => write!(f, "metric(\"{name}\", env=\"{e}\")"),
            Ref::Metric { name, env: None } => write!(f, "metric(\"{name}\")"),
        }
    }
}

/// Dotted references and their types.
pub const PATHS: &[(&str, Ty)] = &[
    ("tests.failed", Ty::Count),
    ("tests.passed", Ty::Count),
    ("tests.skipped", Ty::Count),
    ("tests.total", Ty::Count),
    ("coverage.lines", Ty::Percent),
    ("coverage.branches", Ty::Percent),
    ("sarif.errors", Ty::Count),
    ("sarif.warnings", Ty::Count),
    ("sarif.notes", Ty::Count),
    ("sarif.results", Ty::Count),
    ("policy.failed", Ty::Count),
    ("audit.verified", Ty::Bool),
    ("run.status", Ty::Status),
];

fn path_type(p: &str) -> Option<Ty> {
    PATHS.iter().find(|(n, _)| *n == p).map(|(_, t)| *t)
}

pub const SEVERITIES: &[&str] = &["info", "low", "medium", "high", "critical"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Lit(Value),
    Ref(Ref),
    /// `baseline(+10%)`: the median of the other side's values in recent
    /// passing evaluations, scaled by the given percentage.
    Baseline(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Cmp {
        left: Operand,
        op: Op,
        right: Operand,
        offset: usize,
    },
    /// A bare boolean reference: `audit.verified`.
    Truth(Ref),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// A problem in a criterion, at a character offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriteriaError {
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, CriteriaError> {
    Err(CriteriaError {
        offset,
        message: message.into(),
        hint: None,
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64, Option<String>),
    Str(String),
    Ident(String),
    Op(&'static str),
}

fn lex(s: &str) -> Result<Vec<(usize, Tok)>, CriteriaError> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let mut num = String::new();
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                num.push(chars[i]);
                i += 1;
            }
            let mut unit = String::new();
            while i < chars.len() && (chars[i].is_ascii_alphabetic() || chars[i] == '%') {
                unit.push(chars[i]);
                i += 1;
                if unit == "%" {
                    break;
                }
            }
            let v: f64 = num.parse().map_err(|_| CriteriaError {
                offset: start,
                message: format!("`{num}` is not a number"),
                hint: None,
            })?;
            out.push((start, Tok::Num(v, (!unit.is_empty()).then_some(unit))));
        } else if c == '"' || c == '\'' {
            let mut v = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                v.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return err(start, "unterminated string");
            }
            i += 1;
            out.push((start, Tok::Str(v)));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut v = String::new();
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-') {
                v.push(chars[i]);
                i += 1;
            }
            out.push((start, Tok::Ident(v)));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op: Option<&'static str> = match two.as_str() {
                "==" => Some("=="),
                "!=" => Some("!="),
                "<=" => Some("<="),
                ">=" => Some(">="),
                "&&" => Some("&&"),
                "||" => Some("||"),
                _ => None,
            };
            if let Some(op) = op {
                out.push((start, Tok::Op(op)));
                i += 2;
                continue;
            }
            let op: &'static str = match c {
                '<' => "<",
                '>' => ">",
                '!' => "!",
                '(' => "(",
                ')' => ")",
                '{' => "{",
                '}' => "}",
                ',' => ",",
                '.' => ".",
                '=' => "=",
                '+' => "+",
                '-' => "-",
                other => return err(start, format!("unexpected character `{other}`")),
            };
            out.push((start, Tok::Op(op)));
            i += 1;
        }
    }
    Ok(out)
}

struct P {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(o, _)| *o)
    }
    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, op: &str) -> Result<(), CriteriaError> {
        if self.eat(op) {
            Ok(())
        } else {
            err(self.offset(), format!("expected `{op}`"))
        }
    }
    fn string(&mut self, what: &str) -> Result<String, CriteriaError> {
        match self.toks.get(self.pos).cloned() {
            Some((_, Tok::Str(s))) => {
                self.pos += 1;
                Ok(s)
            }
            _ => err(self.offset(), format!("expected {what} in quotes")),
        }
    }

    fn or(&mut self) -> Result<Expr, CriteriaError> {
        let mut e = self.and()?;
        while self.eat("||") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, CriteriaError> {
        let mut e = self.not()?;
        while self.eat("&&") {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }
    fn not(&mut self) -> Result<Expr, CriteriaError> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        if self.eat("(") {
            let e = self.or()?;
            self.expect(")")?;
            return Ok(e);
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Expr, CriteriaError> {
        let offset = self.offset();
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Tok::Op("==")) => Op::Eq,
            Some(Tok::Op("!=")) => Op::Ne,
            Some(Tok::Op("<")) => Op::Lt,
            Some(Tok::Op("<=")) => Op::Le,
            Some(Tok::Op(">")) => Op::Gt,
            Some(Tok::Op(">=")) => Op::Ge,
            Some(Tok::Op("=")) => return err(self.offset(), "`=` is not a comparison; write `==`"),
            _ => {
                return match left {
                    Operand::Ref(r) => Ok(Expr::Truth(r)),
                    Operand::Lit(_) | Operand::Baseline(_) => err(
                        offset,
                        "a value alone is not a condition; compare it, e.g. `tests.failed == 0`",
                    ),
                };
            }
        };
        self.pos += 1;
        let right = self.operand()?;
        Ok(Expr::Cmp {
            left,
            op,
            right,
            offset,
        })
    }
    fn operand(&mut self) -> Result<Operand, CriteriaError> {
        let Some((start, tok)) = self.toks.get(self.pos).cloned() else {
            return err(self.end, "the condition ends too early");
        };
        self.pos += 1;
        match tok {
            Tok::Num(v, None) => Ok(Operand::Lit(Value::Num(v))),
            Tok::Num(v, Some(u)) if u == "%" => Ok(Operand::Lit(Value::Pct(v))),
            Tok::Num(v, Some(u)) => {
                let text = format!(
                    "{}{u}",
                    if v.fract() == 0.0 {
                        format!("{}", v as u64)
                    } else {
                        v.to_string()
                    }
                );
                crate::spec::Duration::parse(&text)
                    .map(|d| Operand::Lit(Value::Dur(d.as_std())))
                    .or_else(|e| err(start, e))
            }
            Tok::Str(s) => Ok(Operand::Lit(Value::Text(s))),
            Tok::Ident(id) => self.reference(start, id),
            Tok::Op(op) => err(start, format!("unexpected `{op}`")),
        }
    }
    fn reference(&mut self, start: usize, id: String) -> Result<Operand, CriteriaError> {
        match id.as_str() {
            "true" => return Ok(Operand::Lit(Value::Bool(true))),
            "false" => return Ok(Operand::Lit(Value::Bool(false))),
            s if STATUSES.contains(&s) => return Ok(Operand::Lit(Value::Status(id))),
            "deploy" => {
                self.expect("(")?;
                let env = self.string("an environment name")?;
                self.expect(")")?;
                self.expect(".")?;
                self.field("status")?;
                return Ok(Operand::Ref(Ref::DeployStatus(env)));
            }
            "age" => {
                self.expect("(")?;
                match self.toks.get(self.pos).cloned() {
                    Some((_, Tok::Ident(e))) if e == "evidence" => self.pos += 1,
                    _ => return err(self.offset(), "`age(…)` takes `evidence(\"name\")`"),
                }
                self.expect("(")?;
                let name = self.string("an evidence name")?;
                self.expect(")")?;
                self.expect(")")?;
                return Ok(Operand::Ref(Ref::EvidenceAge(name)));
            }
            "baseline" => {
                self.expect("(")?;
                let mut pct = 0.0;
                if !self.eat(")") {
                    let sign = if self.eat("-") {
                        -1.0
                    } else {
                        let _ = self.eat("+");
                        1.0
                    };
                    match self.toks.get(self.pos).cloned() {
                        Some((_, Tok::Num(v, Some(u)))) if u == "%" => {
                            self.pos += 1;
                            pct = sign * v;
                        }
                        _ => return err(self.offset(), "write baseline(+10%), baseline(-5%) or baseline()"),
                    }
                    self.expect(")")?;
                }
                return Ok(Operand::Baseline(pct));
            }
            "metric" => {
                self.expect("(")?;
                let name = self.string("a metric name")?;
                let mut env = None;
                if self.eat(",") {
                    match self.toks.get(self.pos).cloned() {
                        Some((_, Tok::Ident(k))) if k == "env" => self.pos += 1,
                        _ => return err(self.offset(), "expected `env=\"…\"`"),
                    }
                    self.expect("=")?;
                    env = Some(self.string("an environment name")?);
                }
                self.expect(")")?;
                return Ok(Operand::Ref(Ref::Metric { name, env }));
            }
            _ => {}
        }
        // Dotted path: ident(.ident)* with `run.job("x").status` and `{severity>=x}`.
        let mut path = id;
        loop {
            if self.eat(".") {
                match self.toks.get(self.pos).cloned() {
                    Some((_, Tok::Ident(part))) => {
                        self.pos += 1;
                        if path == "run" && part == "job" {
                            self.expect("(")?;
                            let job = self.string("a job name")?;
                            self.expect(")")?;
                            self.expect(".")?;
                            self.field("status")?;
                            return Ok(Operand::Ref(Ref::JobStatus(job)));
                        }
                        path = format!("{path}.{part}");
                    }
                    _ => return err(self.offset(), "expected a name after `.`"),
                }
            } else if self.eat("{") {
                let f_off = self.offset();
                match self.toks.get(self.pos).cloned() {
                    Some((_, Tok::Ident(k))) if k == "severity" => self.pos += 1,
                    _ => return err(f_off, "only `{severity>=LEVEL}` filters exist"),
                }
                if !self.eat(">=") {
                    return err(self.offset(), "write `{severity>=LEVEL}`");
                }
                let l_off = self.offset();
                let level = match self.toks.get(self.pos).cloned() {
                    Some((_, Tok::Ident(l))) if SEVERITIES.contains(&l.as_str()) => l,
                    _ => return err(l_off, format!("expected a severity: {}", SEVERITIES.join(", "))),
                };
                self.pos += 1;
                self.expect("}")?;
                if path != "policy.failed" && path != "sarif.findings" {
                    return err(
                        start,
                        format!("`{path}` cannot be filtered by severity; use policy.failed{{severity>=…}}"),
                    );
                }
                return Ok(Operand::Ref(Ref::Findings { at_least: level }));
            } else {
                break;
            }
        }
        if path_type(&path).is_none() {
            let names: Vec<&str> = PATHS.iter().map(|(n, _)| *n).collect();
            let hint = match crate::spec::did_you_mean(&path, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "known evidence: {}, policy.failed{{severity>=high}}, run.job(\"x\").status, deploy(\"env\").status, age(evidence(\"x\")), metric(\"name\", env=\"x\")",
                    names.join(", ")
                ),
            };
            return Err(CriteriaError {
                offset: start,
                message: format!("unknown evidence `{path}`"),
                hint: Some(hint),
            });
        }
        Ok(Operand::Ref(Ref::Path(path)))
    }
    fn field(&mut self, want: &str) -> Result<(), CriteriaError> {
        match self.toks.get(self.pos).cloned() {
            Some((_, Tok::Ident(f))) if f == want => {
                self.pos += 1;
                Ok(())
            }
            _ => err(self.offset(), format!("expected `.{want}`")),
        }
    }
}

fn operand_ty(o: &Operand) -> Ty {
    match o {
        Operand::Ref(r) => r.ty(),
        Operand::Baseline(_) => Ty::Count,
        Operand::Lit(Value::Num(_)) => Ty::Count,
        Operand::Lit(Value::Pct(_)) => Ty::Percent,
        Operand::Lit(Value::Dur(_)) => Ty::Duration,
        Operand::Lit(Value::Bool(_)) => Ty::Bool,
        Operand::Lit(Value::Status(_)) => Ty::Status,
        Operand::Lit(Value::Text(_)) => Ty::Text,
    }
}

fn check(e: &Expr) -> Result<(), CriteriaError> {
    match e {
        Expr::Cmp {
            left,
            op,
            right,
            offset,
        } => {
            let (l, r) = (operand_ty(left), operand_ty(right));
            // A plain number against a percentage means that many percent.
            let compatible = l == r || matches!((l, r), (Ty::Percent, Ty::Count) | (Ty::Count, Ty::Percent));
            if !compatible {
                let hint = match (l, r) {
                    (Ty::Percent, _) | (_, Ty::Percent) => "write a percentage such as `80%`",
                    (Ty::Duration, _) | (_, Ty::Duration) => "write a duration such as `30d` or `300ms`",
                    (Ty::Status, _) | (_, Ty::Status) => {
                        "compare with a status: success, failure, succeeded, failed, …"
                    }
                    (Ty::Bool, _) | (_, Ty::Bool) => "compare with true or false",
                    _ => "compare with a number",
                };
                return Err(CriteriaError {
                    offset: *offset,
                    message: format!("cannot compare {l} with {r}"),
                    hint: Some(hint.to_string()),
                });
            }
            if matches!(l, Ty::Status | Ty::Bool | Ty::Text) && !matches!(op, Op::Eq | Op::Ne) {
                return err(*offset, format!("{l} can only be compared with == or !="));
            }
            if !matches!(left, Operand::Ref(_)) && !matches!(right, Operand::Ref(_)) {
                return err(
                    *offset,
                    "this compares two fixed values; one side must be evidence such as `tests.failed`",
                );
            }
            Ok(())
        }
        Expr::Truth(r) => {
            if r.ty() == Ty::Bool {
                Ok(())
            } else {
                err(
                    0,
                    format!("`{r}` is {}, not true/false; compare it, e.g. `{r} == 0`", r.ty()),
                )
            }
        }
        Expr::Not(x) => check(x),
        Expr::And(a, b) | Expr::Or(a, b) => {
            check(a)?;
            check(b)
        }
    }
}

/// Parses and type-checks a criterion.
pub fn parse(s: &str) -> Result<Expr, CriteriaError> {
    let toks = lex(s)?;
    if toks.is_empty() {
        return err(0, "the check is empty");
    }
    let mut p = P {
        toks,
        pos: 0,
        end: s.chars().count(),
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return err(
            p.offset(),
            "unexpected text after the condition; combine conditions with `&&` or `||`",
        );
    }
    check(&e)?;
    Ok(e)
}

/// Where values come from when a criterion is evaluated.
pub trait Facts {
    /// The value of `r`, or `None` when there is no evidence for it.
    fn value(&self, r: &Ref) -> Option<Value>;
    /// Values `r` had in recent passing evaluations, oldest first.
    fn history(&self, _r: &Ref) -> Vec<Value> {
        Vec::new()
    }
}

/// How many recent passing values make a baseline.
pub const BASELINE_RUNS: usize = 5;

/// The median of the last [`BASELINE_RUNS`] values, scaled by `pct` percent.
pub fn baseline(history: &[Value], pct: f64) -> Option<Value> {
    let recent = &history[history.len().saturating_sub(BASELINE_RUNS)..];
    let mut nums: Vec<f64> = recent.iter().filter_map(num).collect();
    if nums.is_empty() {
        return None;
    }
    nums.sort_by(|a, b| a.total_cmp(b));
    let mid = nums.len() / 2;
    let median = if nums.len().is_multiple_of(2) {
        (nums[mid - 1] + nums[mid]) / 2.0
    } else {
        nums[mid]
    };
    let v = median * (1.0 + pct / 100.0);
    Some(match recent.last()? {
        Value::Pct(_) => Value::Pct(v),
        Value::Dur(_) => Value::Dur(std::time::Duration::from_secs_f64(v.max(0.0))),
        _ => Value::Num(v),
    })
}

impl Value {
    /// Reads a value back from how it is displayed (`83.5%`, `12`, `1h2m`, `true`).
    pub fn parse_display(s: &str) -> Option<Value> {
        let s = s.trim();
        if let Some(p) = s.strip_suffix('%') {
            return p.parse().ok().map(Value::Pct);
        }
        if let Ok(n) = s.parse::<f64>() {
            return Some(Value::Num(n));
        }
        if let Ok(d) = crate::spec::Duration::parse(s) {
            return Some(Value::Dur(d.as_std()));
        }
        match s {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        }
    }
}

/// The outcome of evaluating a criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// `None`: some evidence is missing.
    pub pass: Option<bool>,
    /// `ref = value` for every reference used, for reports.
    pub observed: Vec<(String, Option<String>)>,
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) | Value::Pct(n) => Some(*n),
        Value::Dur(d) => Some(d.as_secs_f64()),
        _ => None,
    }
}

fn status_eq(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        match s {
            "succeeded" => "success",
            "failed" => "failure",
            other => other,
        }
        .to_string()
    };
    norm(a) == norm(b)
}

fn compare(l: &Value, op: Op, r: &Value) -> bool {
    match (l, r) {
        (Value::Status(a), Value::Status(b)) => status_eq(a, b) == (op == Op::Eq),
        (Value::Bool(a), Value::Bool(b)) => (a == b) == (op == Op::Eq),
        (Value::Text(a), Value::Text(b)) => (a == b) == (op == Op::Eq),
        _ => match (num(l), num(r)) {
            (Some(a), Some(b)) => op.holds(a, b),
            _ => false,
        },
    }
}

impl Op {
    /// `a op b` for numbers, with a tolerance for equality.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Eq => (a - b).abs() < 1e-9,
            Op::Ne => (a - b).abs() >= 1e-9,
            Op::Lt => a < b,
            Op::Le => a <= b + 1e-9,
            Op::Gt => a > b,
            Op::Ge => a + 1e-9 >= b,
        }
    }
}

/// Evaluates `e`. Missing evidence makes the result `None` unless the
/// rest of an `||` / `&&` decides it.
pub fn eval(e: &Expr, facts: &dyn Facts) -> Outcome {
    let mut observed = Vec::new();
    let pass = eval_inner(e, facts, &mut observed);
    Outcome { pass, observed }
}

fn resolve(o: &Operand, facts: &dyn Facts, observed: &mut Vec<(String, Option<String>)>) -> Option<Value> {
    match o {
        Operand::Lit(v) => Some(v.clone()),
        Operand::Ref(r) => {
            let v = facts.value(r);
            observed.push((r.to_string(), v.as_ref().map(|v| v.to_string())));
            v
        }
        Operand::Baseline(_) => None,
    }
}

fn eval_inner(e: &Expr, facts: &dyn Facts, observed: &mut Vec<(String, Option<String>)>) -> Option<bool> {
    match e {
        Expr::Cmp { left, op, right, .. } => {
            if let Some((other, _)) = match (left, right) {
                (o, Operand::Baseline(p)) | (Operand::Baseline(p), o) => Some((o, p)),
                _ => None,
            } && let Operand::Ref(r) = other
                && facts.history(r).is_empty()
            {
                // The first evaluation sets the baseline: it passes when the
                // evidence exists.
                let v = resolve(other, facts, observed);
                observed.push((
                    format!("baseline of {r}"),
                    Some("none yet (this evaluation sets it)".into()),
                ));
                return v.map(|_| true);
            }
            let base = |other: &Operand, pct: f64, observed: &mut Vec<(String, Option<String>)>| {
                let Operand::Ref(r) = other else { return None };
                let v = baseline(&facts.history(r), pct);
                observed.push((format!("baseline of {r}"), v.as_ref().map(|v| v.to_string())));
                v
            };
            let (l, r) = match (left, right) {
                (other, Operand::Baseline(p)) => (resolve(other, facts, observed), base(other, *p, observed)),
                (Operand::Baseline(p), other) => {
                    let b = base(other, *p, observed);
                    (b, resolve(other, facts, observed))
                }
                _ => (resolve(left, facts, observed), resolve(right, facts, observed)),
            };
            Some(compare(&l?, *op, &r?))
        }
        Expr::Truth(r) => {
            let v = facts.value(r);
            observed.push((r.to_string(), v.as_ref().map(|v| v.to_string())));
            match v? {
                Value::Bool(b) => Some(b),
                _ => Some(false),
            }
        }
        Expr::Not(x) => eval_inner(x, facts, observed).map(|b| !b),
        Expr::And(a, b) => match (eval_inner(a, facts, observed), eval_inner(b, facts, observed)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Expr::Or(a, b) => match (eval_inner(a, facts, observed), eval_inner(b, facts, observed)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct F(HashMap<String, Value>);
    impl Facts for F {
        fn value(&self, r: &Ref) -> Option<Value> {
            self.0.get(&r.to_string()).cloned()
        }
    }

    fn facts() -> F {
        let mut m = HashMap::new();
        m.insert("tests.failed".into(), Value::Num(0.0));
        m.insert("coverage.lines".into(), Value::Pct(83.5));
        m.insert("sarif.errors".into(), Value::Num(2.0));
        m.insert("findings{severity>=high}".into(), Value::Num(1.0));
        m.insert("run.job(\"build\").status".into(), Value::Status("success".into()));
        m.insert("audit.verified".into(), Value::Bool(true));
        m.insert(
            "age(evidence(\"dr-drill\"))".into(),
            Value::Dur(std::time::Duration::from_secs(86_400 * 12)),
        );
        F(m)
    }

    #[test]
    fn table_of_evaluations() {
        let f = facts();
        let cases: &[(&str, Option<bool>)] = &[
            ("tests.failed == 0", Some(true)),
            ("coverage.lines >= 80%", Some(true)),
            ("coverage.lines >= 90", Some(false)),
            ("sarif.errors == 0", Some(false)),
            ("policy.failed{severity>=high} == 0", Some(false)),
            ("run.job(\"build\").status == succeeded", Some(true)),
            ("run.job('build').status != failure", Some(true)),
            ("audit.verified", Some(true)),
            ("audit.verified == false", Some(false)),
            ("age(evidence(\"dr-drill\")) < 30d", Some(true)),
            ("age(evidence(\"dr-drill\")) < 7d", Some(false)),
            ("deploy(\"staging\").status == succeeded", None),
            (
                "deploy(\"staging\").status == succeeded || tests.failed == 0",
                Some(true),
            ),
            (
                "deploy(\"staging\").status == succeeded && sarif.errors == 0",
                Some(false),
            ),
            ("!(sarif.errors == 0)", Some(true)),
            ("metric(\"error_rate\", env=\"staging\") < 1%", None),
        ];
        for (src, want) in cases {
            let e = parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
            assert_eq!(eval(&e, &f).pass, *want, "{src}");
        }
    }

    #[test]
    fn baselines_compare_with_recent_passing_values() {
        struct H;
        impl Facts for H {
            fn value(&self, _: &Ref) -> Option<Value> {
                Some(Value::Pct(85.0))
            }
            fn history(&self, _: &Ref) -> Vec<Value> {
                [70.0, 80.0, 82.0, 84.0, 90.0, 86.0]
                    .iter()
                    .map(|v| Value::Pct(*v))
                    .collect()
            }
        }
        // The last five are 80, 82, 84, 90, 86: median 84.
        let within = parse("coverage.lines >= baseline(-5%)").unwrap();
        assert_eq!(eval(&within, &H).pass, Some(true));
        let above = parse("coverage.lines >= baseline(+10%)").unwrap();
        let out = eval(&above, &H);
        assert_eq!(out.pass, Some(false));
        assert!(
            out.observed
                .iter()
                .any(|(r, v)| r == "baseline of coverage.lines" && v.as_deref() == Some("92.4%")),
            "{out:?}"
        );
        // No history yet: the first evaluation sets the baseline.
        assert_eq!(eval(&above, &facts()).pass, Some(true));
        assert!(parse("run.status == baseline()").is_err());
        assert_eq!(Value::parse_display("83.5%"), Some(Value::Pct(83.5)));
        assert_eq!(
            Value::parse_display("1h2m"),
            Some(Value::Dur(std::time::Duration::from_secs(3720)))
        );
    }

    #[test]
    fn type_and_reference_errors_with_positions() {
        let cases: &[(&str, usize, &str)] = &[
            ("coverage.lines >= \"high\"", 0, "cannot compare a percentage with text"),
            ("tests.faild == 0", 0, "unknown evidence `tests.faild`"),
            ("tests.failed = 0", 13, "write `==`"),
            (
                "run.job(\"build\").status > success",
                0,
                "only be compared with == or !=",
            ),
            ("age(evidence(\"x\")) < 5", 0, "cannot compare a duration with a number"),
            ("coverage.lines{severity>=high} == 0", 0, "cannot be filtered"),
            ("policy.failed{severity>=urgent} == 0", 24, "expected a severity"),
            ("tests.failed", 0, "not true/false"),
            ("1 == 1", 0, "two fixed values"),
            ("tests.failed == 0 tests.passed > 1", 18, "unexpected text"),
            ("", 0, "empty"),
        ];
        for (src, offset, needle) in cases {
            let e = parse(src).unwrap_err();
            assert!(e.message.contains(needle), "{src}: {}", e.message);
            assert_eq!(e.offset, *offset, "{src}: {}", e.message);
        }
        assert_eq!(
            parse("tests.faild == 0").unwrap_err().hint.as_deref(),
            Some("did you mean `tests.failed`?")
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }
    }
}
