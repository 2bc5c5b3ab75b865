//! The `if:` condition of a pipeline job.
//!
//! ```text
//! branch == "main"
//! branch != "main" && env.DEPLOY == "yes"
//! startsWith(branch, "release/") || event == "tag"
//! !env.SKIP_SLOW_TESTS
//! ```
//!
//! Values are strings (`"…"` or `'…'`) and booleans; a string is true when it
//! is not empty. Variables: `branch`, `commit`, `event` (`run` locally, or
//! what the server sets), `os`, `env.NAME` (empty when unset). Functions:
//! `startsWith(a, b)`, `endsWith(a, b)`, `contains(a, b)`. Operators: `==`,
//! `!=`, `&&`, `||`, `!`, parentheses.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Bool(bool),
    Var(Vec<String>),
    Call(String, Vec<Expr>),
    Not(Box<Expr>),
    Eq(Box<Expr>, Box<Expr>),
    Ne(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// A syntax error at a character offset of the condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

const VARIABLES: &[&str] = &["branch", "commit", "event", "os"];
const FUNCTIONS: &[&str] = &["startsWith", "endsWith", "contains"];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Ident(String),
    Op(&'static str),
}

fn lex(s: &str) -> Result<Vec<(usize, Tok)>, ConditionError> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == '"' || c == '\'' {
            let mut v = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                v.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err(ConditionError {
                    offset: start,
                    message: "unterminated string".into(),
                });
            }
            i += 1;
            out.push((start, Tok::Str(v)));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut v = String::new();
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                v.push(chars[i]);
                i += 1;
            }
            out.push((start, Tok::Ident(v)));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = match two.as_str() {
                "==" => Some("=="),
                "!=" => Some("!="),
                "&&" => Some("&&"),
                "||" => Some("||"),
                _ => None,
            };
            if let Some(op) = op {
                out.push((start, Tok::Op(op)));
                i += 2;
                continue;
            }
            let op = match c {
                '!' => "!",
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '=' => {
                    return Err(ConditionError {
                        offset: start,
                        message: "`=` is not an operator; compare with `==`".into(),
                    });
                }
                other => {
                    return Err(ConditionError {
                        offset: start,
                        message: format!("unexpected character `{other}`"),
                    });
                }
            };
            out.push((start, Tok::Op(op)));
            i += 1;
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.len, |(o, _)| *o)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ConditionError> {
        Err(ConditionError {
            offset: self.offset(),
            message: message.into(),
        })
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        let mut e = self.and()?;
        while self.eat("||") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        let mut e = self.unary()?;
        while self.eat("&&") {
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, ConditionError> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        let left = self.atom()?;
        if self.eat("==") {
            return Ok(Expr::Eq(Box::new(left), Box::new(self.atom()?)));
        }
        if self.eat("!=") {
            return Ok(Expr::Ne(Box::new(left), Box::new(self.atom()?)));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, ConditionError> {
        let Some((start, tok)) = self.toks.get(self.pos).cloned() else {
            return self.err("the condition ends too early");
        };
        self.pos += 1;
        match tok {
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Op("(") => {
                let e = self.or()?;
                if !self.eat(")") {
                    return self.err("expected `)`");
                }
                Ok(e)
            }
            Tok::Ident(id) if id == "true" => Ok(Expr::Bool(true)),
            Tok::Ident(id) if id == "false" => Ok(Expr::Bool(false)),
            Tok::Ident(id) => {
                if self.eat("(") {
                    if !FUNCTIONS.contains(&id.as_str()) {
                        self.pos -= 2;
                        return self.err(format!("unknown function `{id}`; use {}", FUNCTIONS.join(", ")));
                    }
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.or()?);
                            if self.eat(")") {
                                break;
                            }
                            if !self.eat(",") {
                                return self.err("expected `,` or `)`");
                            }
                        }
                    }
                    if args.len() != 2 {
                        return Err(ConditionError {
                            offset: start,
                            message: format!("`{id}` takes 2 arguments, got {}", args.len()),
                        });
                    }
                    return Ok(Expr::Call(id, args));
                }
                let parts: Vec<String> = id.split('.').map(str::to_string).collect();
                let known = match parts.as_slice() {
                    [v] => VARIABLES.contains(&v.as_str()),
                    [env, name] => env == "env" && !name.is_empty(),
                    _ => false,
                };
                if !known {
                    self.pos -= 1;
                    return self.err(format!(
                        "unknown variable `{id}`; use {}, or env.NAME",
                        VARIABLES.join(", ")
                    ));
                }
                Ok(Expr::Var(parts))
            }
            Tok::Op(op) => {
                self.pos -= 1;
                self.err(format!("unexpected `{op}`"))
            }
        }
    }
}

/// Parses a condition.
pub fn parse(s: &str) -> Result<Expr, ConditionError> {
    let toks = lex(s)?;
    if toks.is_empty() {
        return Err(ConditionError {
            offset: 0,
            message: "the condition is empty".into(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        len: s.chars().count(),
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return p.err("unexpected text after the condition; combine conditions with `&&` or `||`");
    }
    Ok(e)
}

/// What a condition can see.
pub trait Context {
    fn var(&self, name: &str) -> String;
    fn env(&self, name: &str) -> String;
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    S(String),
    B(bool),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::S(s) => !s.is_empty(),
            Val::B(b) => *b,
        }
    }

    fn text(&self) -> String {
        match self {
            Val::S(s) => s.clone(),
            Val::B(b) => b.to_string(),
        }
    }
}

fn eval_val(e: &Expr, cx: &dyn Context) -> Val {
    match e {
        Expr::Str(s) => Val::S(s.clone()),
        Expr::Bool(b) => Val::B(*b),
        Expr::Var(parts) => match parts.as_slice() {
            [env, name] if env == "env" => Val::S(cx.env(name)),
            [v] => Val::S(cx.var(v)),
            _ => Val::S(String::new()),
        },
        Expr::Call(f, args) => {
            let a = eval_val(&args[0], cx).text();
            let b = eval_val(&args[1], cx).text();
            Val::B(match f.as_str() {
                "startsWith" => a.starts_with(&b),
                "endsWith" => a.ends_with(&b),
                _ => a.contains(&b),
            })
        }
        Expr::Not(x) => Val::B(!eval_val(x, cx).truthy()),
        Expr::Eq(a, b) => Val::B(eval_val(a, cx).text() == eval_val(b, cx).text()),
        Expr::Ne(a, b) => Val::B(eval_val(a, cx).text() != eval_val(b, cx).text()),
        Expr::And(a, b) => Val::B(eval_val(a, cx).truthy() && eval_val(b, cx).truthy()),
        Expr::Or(a, b) => Val::B(eval_val(a, cx).truthy() || eval_val(b, cx).truthy()),
    }
}

/// Evaluates a parsed condition.
pub fn eval(e: &Expr, cx: &dyn Context) -> bool {
    eval_val(e, cx).truthy()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Cx;
    impl Context for Cx {
        fn var(&self, name: &str) -> String {
            match name {
                "branch" => "release/1.2".into(),
                "event" => "run".into(),
                _ => String::new(),
            }
        }
        fn env(&self, name: &str) -> String {
            if name == "DEPLOY" { "yes".into() } else { String::new() }
        }
    }

    #[test]
    fn evaluates() {
        let cases = [
            ("branch == \"main\"", false),
            ("branch != 'main'", true),
            ("startsWith(branch, \"release/\") && env.DEPLOY == \"yes\"", true),
            ("!env.MISSING", true),
            ("env.MISSING || event == \"run\"", true),
            ("(true && false) || contains(branch, '1.')", true),
            ("endsWith(branch, \"3\")", false),
        ];
        for (src, want) in cases {
            assert_eq!(eval(&parse(src).unwrap(), &Cx), want, "{src}");
        }
    }

    #[test]
    fn errors_point_at_the_problem() {
        let cases = [
            ("branch = \"main\"", 7, "`=` is not an operator"),
            ("brnch == \"x\"", 0, "unknown variable `brnch`"),
            ("branch == \"x", 10, "unterminated string"),
            ("branch ==", 9, "ends too early"),
            ("branch \"x\"", 7, "unexpected text"),
            ("lower(branch) == 'x'", 0, "unknown function `lower`"),
            ("startsWith(branch)", 0, "takes 2 arguments"),
            ("", 0, "empty"),
        ];
        for (src, offset, needle) in cases {
            let e = parse(src).unwrap_err();
            assert!(e.message.contains(needle), "{src}: {}", e.message);
            assert_eq!(e.offset, offset, "{src}: {}", e.message);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }
    }
}
