//! `${VAR}` interpolation of `lockgate.yaml` values from the environment.
//!
//! Forms (a subset of POSIX shell and Docker Compose, chosen so that a value
//! means the same in the file as in a shell):
//!
//! | form              | VAR unset          | VAR empty          | VAR set    |
//! |-------------------|--------------------|--------------------|------------|
//! | `${VAR}`          | error              | `""`               | value      |
//! | `${VAR-default}`  | `default`          | `""`               | value      |
//! | `${VAR:-default}` | `default`          | `default`          | value      |
//! | `${VAR?message}`  | error with message | `""`               | value      |
//! | `${VAR:?message}` | error with message | error with message | value      |
//! | `$$`              | a literal `$`      |                    |            |
//!
//! A `$` followed by anything else (including `$VAR` without braces) stays
//! literal. Defaults may themselves contain `${...}` references.
//!
//! Shell scripts (`run:` of jobs and services) are *not* interpolated when
//! the file is loaded: the shell expands them at run time, with the job's
//! environment, which is how `${PORT}` reaches a service.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpError {
    pub message: String,
    pub hint: String,
}

/// Variables visible to interpolation while a spec is being parsed.
pub type Vars = HashMap<String, String>;

thread_local! {
    static VARS: RefCell<Option<Rc<Vars>>> = const { RefCell::new(None) };
}

/// Runs `f` with `vars` as the interpolation environment of this thread.
/// Outside such a scope values are taken literally.
pub fn scoped<R>(vars: Vars, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rc<Vars>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            VARS.with(|v| *v.borrow_mut() = prev);
        }
    }
    let prev = VARS.with(|v| v.borrow_mut().replace(Rc::new(vars)));
    let _restore = Restore(prev);
    f()
}

/// Interpolates `s` with the scoped variables (if any).
pub fn interpolate_scoped(s: &str) -> Result<String, InterpError> {
    let vars = VARS.with(|v| v.borrow().clone());
    match vars {
        Some(vars) => interpolate(s, &|name| vars.get(name).cloned()),
        None => Ok(s.to_owned()),
    }
}

const MAX_DEPTH: usize = 8;

/// Interpolates `s`, looking variables up with `lookup`.
pub fn interpolate(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, InterpError> {
    expand(s, lookup, 0)
}

fn expand(s: &str, lookup: &dyn Fn(&str) -> Option<String>, depth: usize) -> Result<String, InterpError> {
    if depth > MAX_DEPTH {
        return Err(InterpError {
            message: "`${...}` defaults are nested too deeply".into(),
            hint: format!("nest at most {MAX_DEPTH} levels"),
        });
    }
    if !s.contains('$') {
        return Ok(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body_start) = after.strip_prefix('{') {
            let end = matching_brace(body_start).ok_or_else(|| InterpError {
                message: format!("unclosed `${{` in `{}`", truncate(s)),
                hint: "close it with `}`, or write `$$` for a literal `$`".into(),
            })?;
            let body = &body_start[..end];
            out.push_str(&substitute(body, lookup, depth)?);
            rest = &body_start[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Index of the `}` closing a `${` whose body starts at `s`.
fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn substitute(body: &str, lookup: &dyn Fn(&str) -> Option<String>, depth: usize) -> Result<String, InterpError> {
    let name_len = body
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(body.len(), |(i, _)| i);
    let name = &body[..name_len];
    if name.is_empty() {
        return Err(InterpError {
            message: format!("`${{{body}}}` does not start with a variable name"),
            hint: "names are letters, digits and `_`, e.g. `${DB_HOST}`; write `$$` for a literal `$`".into(),
        });
    }
    let op = &body[name_len..];
    let value = lookup(name);
    let (colon, op) = match op.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, op),
    };
    let unset_or_empty = |v: &Option<String>| v.is_none() || (colon && v.as_deref() == Some(""));
    match op.chars().next() {
        None if !colon => value.ok_or_else(|| InterpError {
            message: format!("environment variable `{name}` is not set"),
            hint: format!("set {name}, or give a default: `${{{name}:-default}}`"),
        }),
        Some('-') => {
            if unset_or_empty(&value) {
                expand(&op[1..], lookup, depth + 1)
            } else {
                Ok(value.unwrap_or_default())
            }
        }
        Some('?') => {
            if unset_or_empty(&value) {
                let msg = expand(&op[1..], lookup, depth + 1).unwrap_or_else(|_| op[1..].to_owned());
                let state = if value.is_none() { "not set" } else { "empty" };
                Err(InterpError {
                    message: format!("environment variable `{name}` is {state}"),
                    hint: if msg.is_empty() { format!("set {name}") } else { msg },
                })
            } else {
                Ok(value.unwrap_or_default())
            }
        }
        _ => Err(InterpError {
            message: format!("unsupported form `${{{body}}}`"),
            hint: "use `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` or `${VAR?message}`".into(),
        }),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn table_of_forms() {
        let e = env(&[("SET", "v"), ("EMPTY", "")]);
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("plain", Ok("plain")),
            ("${SET}", Ok("v")),
            ("a-${SET}-b", Ok("a-v-b")),
            ("${EMPTY}", Ok("")),
            ("${UNSET}", Err("environment variable `UNSET` is not set")),
            ("${UNSET-d}", Ok("d")),
            ("${EMPTY-d}", Ok("")),
            ("${UNSET:-d}", Ok("d")),
            ("${EMPTY:-d}", Ok("d")),
            ("${SET:-d}", Ok("v")),
            ("${UNSET:-${SET}}", Ok("v")),
            ("${UNSET:-${ALSO:-x}}", Ok("x")),
            ("${UNSET?need it}", Err("environment variable `UNSET` is not set")),
            ("${EMPTY?need it}", Ok("")),
            ("${EMPTY:?need it}", Err("environment variable `EMPTY` is empty")),
            ("$$", Ok("$")),
            ("$${SET}", Ok("${SET}")),
            ("$SET", Ok("$SET")),
            ("cost: 5$", Ok("cost: 5$")),
            ("${", Err("unclosed `${` in `${`")),
            ("${1X}", Err("`${1X}` does not start with a variable name")),
            ("${SET/x/y}", Err("unsupported form `${SET/x/y}`")),
        ];
        for (input, want) in cases {
            let got = interpolate(input, &e);
            match (got, want) {
                (Ok(g), Ok(w)) => assert_eq!(&g, w, "input {input}"),
                (Err(g), Err(w)) => assert_eq!(&g.message, w, "input {input}"),
                (g, w) => panic!("input {input}: got {g:?}, want {w:?}"),
            }
        }
    }

    #[test]
    fn required_message_becomes_the_hint() {
        let err = interpolate("${TOKEN:?create one with `gh auth token`}", &env(&[])).unwrap_err();
        assert_eq!(err.hint, "create one with `gh auth token`");
    }

    #[test]
    fn scoped_vars_apply_only_inside_the_scope() {
        let vars: Vars = [("A".to_string(), "1".to_string())].into();
        assert_eq!(scoped(vars, || interpolate_scoped("${A}")).unwrap(), "1");
        assert_eq!(interpolate_scoped("${A}").unwrap(), "${A}");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_is_identity_without_dollar(s in "\\PC*") {
            let r = interpolate(&s, &|_| Some("x".into()));
            if !s.contains('$') {
                proptest::prop_assert_eq!(r.unwrap(), s);
            }
        }

        #[test]
        fn escaped_dollars_round_trip(s in "[a-z ${}]*") {
            let escaped = s.replace('$', "$$");
            proptest::prop_assert_eq!(interpolate(&escaped, &|_| None).unwrap(), s);
        }
    }
}
