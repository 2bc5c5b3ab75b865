//! Terraform's built-in functions, as far as scanning needs them.
//!
//! Supported (see `docs/scanning.md`): abs, alltrue, anytrue, base64decode,
//! base64encode, can, ceil, chunklist, cidrhost, cidrnetmask, cidrsubnet,
//! coalesce, coalescelist, compact, concat, contains, distinct, element,
//! endswith, file (unknown), flatten, floor, format, formatlist, indent,
//! join, jsondecode, jsonencode, keys, length, list, lookup, lower, map, max,
//! merge, min, one, parseint, range, regex (unknown), replace, reverse,
//! setintersection, setproduct (unknown), setsubtract, setunion, signum,
//! slice, sort, split, startswith, strrev, substr, sum, templatefile
//! (unknown), title, tobool, tolist, tomap, tonumber, toset, tostring,
//! transpose, trim, trimprefix, trimspace, trimsuffix, try, upper, values,
//! yamlencode (unknown), zipmap. Anything else evaluates to unknown.

use base64::Engine;
use indexmap::IndexMap;

use super::value::Val;

/// Names of the supported functions (for docs and tests).
pub const SUPPORTED: &[&str] = &[
    "abs",
    "alltrue",
    "anytrue",
    "base64decode",
    "base64encode",
    "can",
    "ceil",
    "chunklist",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "flatten",
    "floor",
    "format",
    "formatlist",
    "indent",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "list",
    "lookup",
    "lower",
    "map",
    "max",
    "merge",
    "min",
    "one",
    "parseint",
    "range",
    "replace",
    "reverse",
    "setintersection",
    "setsubtract",
    "setunion",
    "signum",
    "slice",
    "sort",
    "split",
    "startswith",
    "strrev",
    "substr",
    "sum",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "transpose",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "values",
    "zipmap",
];

fn s(v: &Val) -> Option<String> {
    v.to_string_lossy()
}

fn list(v: &Val) -> Option<&[Val]> {
    v.as_list()
}

pub fn call(name: &str, args: Vec<Val>, _path_module: &str) -> Val {
    // Most functions are unknown when any argument is.
    let lenient = matches!(name, "coalesce" | "merge" | "concat" | "length" | "lookup" | "contains");
    if !lenient && args.iter().any(Val::has_unknown) {
        return Val::Unknown;
    }
    call_known(name, &args).unwrap_or(Val::Unknown)
}

/// Widest padding `format` and `indent` make (a huge width in scanned code
/// must not exhaust memory).
const MAX_PAD: usize = 1 << 16;

fn num(n: f64) -> Val {
    Val::Num(n)
}

fn call_known(name: &str, a: &[Val]) -> Option<Val> {
    let arg = |i: usize| a.get(i);
    Some(match name {
        "lower" => Val::Str(s(arg(0)?)?.to_lowercase()),
        "upper" => Val::Str(s(arg(0)?)?.to_uppercase()),
        "title" => Val::Str(
            s(arg(0)?)?
                .split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "trimspace" => Val::Str(s(arg(0)?)?.trim().to_string()),
        "trim" => {
            let cut: Vec<char> = s(arg(1)?)?.chars().collect();
            Val::Str(s(arg(0)?)?.trim_matches(|c| cut.contains(&c)).to_string())
        }
        "trimprefix" => {
            let (x, p) = (s(arg(0)?)?, s(arg(1)?)?);
            Val::Str(x.strip_prefix(p.as_str()).unwrap_or(&x).to_string())
        }
        "trimsuffix" => {
            let (x, p) = (s(arg(0)?)?, s(arg(1)?)?);
            Val::Str(x.strip_suffix(p.as_str()).unwrap_or(&x).to_string())
        }
        "startswith" => Val::Bool(s(arg(0)?)?.starts_with(&s(arg(1)?)?)),
        "endswith" => Val::Bool(s(arg(0)?)?.ends_with(&s(arg(1)?)?)),
        "strrev" => Val::Str(s(arg(0)?)?.chars().rev().collect()),
        "substr" => {
            let x: Vec<char> = s(arg(0)?)?.chars().collect();
            let off = arg(1)?.as_num()? as i64;
            let len = arg(2)?.as_num()? as i64;
            let start = if off < 0 {
                (x.len() as i64 + off).max(0)
            } else {
                off.min(x.len() as i64)
            } as usize;
            let end = if len < 0 {
                x.len()
            } else {
                start.saturating_add(len as usize).min(x.len())
            };
            Val::Str(x[start..end].iter().collect())
        }
        "replace" => {
            let (x, from, to) = (s(arg(0)?)?, s(arg(1)?)?, s(arg(2)?)?);
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return None; // regular expression replace: unknown
            }
            Val::Str(x.replace(&from, &to))
        }
        "split" => {
            let (sep, x) = (s(arg(0)?)?, s(arg(1)?)?);
            if sep.is_empty() {
                return None;
            }
            Val::List(x.split(sep.as_str()).map(|p| Val::Str(p.to_string())).collect())
        }
        "join" => {
            let sep = s(arg(0)?)?;
            let mut parts = Vec::new();
            for l in &a[1..] {
                for v in list(l)? {
                    parts.push(s(v)?);
                }
            }
            Val::Str(parts.join(&sep))
        }
        "format" => Val::Str(format(&s(arg(0)?)?, &a[1..])?),
        "formatlist" => {
            let f = s(arg(0)?)?;
            let n = a[1..]
                .iter()
                .filter_map(|v| v.as_list().map(<[Val]>::len))
                .max()
                .unwrap_or(1);
            let mut out = Vec::new();
            for i in 0..n {
                let row: Vec<Val> = a[1..]
                    .iter()
                    .map(|v| match v {
                        Val::List(l) => l.get(i).cloned().unwrap_or(Val::Null),
                        x => x.clone(),
                    })
                    .collect();
                out.push(Val::Str(format(&f, &row)?));
            }
            Val::List(out)
        }
        "indent" => {
            let n = arg(0)?.as_num()? as usize;
            if n > MAX_PAD {
                return None;
            }
            let x = s(arg(1)?)?;
            let pad = " ".repeat(n);
            Val::Str(x.replace('\n', &format!("\n{pad}")))
        }
        "tostring" => match arg(0)? {
            Val::Null => Val::Null,
            v => Val::Str(s(v)?),
        },
        "tonumber" => match arg(0)? {
            Val::Null => Val::Null,
            v => Val::Num(v.as_num()?),
        },
        "tobool" => match arg(0)? {
            Val::Null => Val::Null,
            v => Val::Bool(v.as_bool()?),
        },
        "parseint" => {
            let base = arg(1)?.as_num()? as u32;
            if !(2..=62).contains(&base) {
                return None;
            }
            Val::Num(parse_int(&s(arg(0)?)?, base)? as f64)
        }
        "tolist" | "toset" | "list" => match arg(0)? {
            Val::List(l) => {
                let mut l = l.clone();
                if name == "toset" {
                    dedup(&mut l);
                }
                Val::List(l)
            }
            Val::Null => Val::Null,
            _ if name == "list" => Val::List(a.to_vec()),
            _ => return None,
        },
        "tomap" | "map" => match arg(0)? {
            Val::Map(m) => Val::Map(m.clone()),
            _ => return None,
        },
        "length" => match arg(0)? {
            Val::List(l) => num(l.len() as f64),
            Val::Map(m) => num(m.len() as f64),
            Val::Str(x) => num(x.chars().count() as f64),
            _ => return None,
        },
        "concat" => {
            let mut out = Vec::new();
            for l in a {
                out.extend_from_slice(list(l)?);
            }
            Val::List(out)
        }
        "flatten" => {
            fn flat(v: &[Val], out: &mut Vec<Val>) {
                for x in v {
                    match x {
                        Val::List(l) => flat(l, out),
                        x => out.push(x.clone()),
                    }
                }
            }
            let mut out = Vec::new();
            flat(list(arg(0)?)?, &mut out);
            Val::List(out)
        }
        "compact" => Val::List(
            list(arg(0)?)?
                .iter()
                .filter(|v| !matches!(v, Val::Null) && v.as_str() != Some(""))
                .cloned()
                .collect(),
        ),
        "distinct" => {
            let mut l = list(arg(0)?)?.to_vec();
            dedup(&mut l);
            Val::List(l)
        }
        "reverse" => Val::List(list(arg(0)?)?.iter().rev().cloned().collect()),
        "sort" => {
            let mut l: Vec<String> = list(arg(0)?)?.iter().map(s).collect::<Option<_>>()?;
            l.sort();
            Val::List(l.into_iter().map(Val::Str).collect())
        }
        "slice" => {
            let l = list(arg(0)?)?;
            let (from, to) = (arg(1)?.as_num()? as usize, arg(2)?.as_num()? as usize);
            Val::List(l.get(from..to)?.to_vec())
        }
        "element" => {
            let l = list(arg(0)?)?;
            if l.is_empty() {
                return None;
            }
            l[arg(1)?.as_num()? as usize % l.len()].clone()
        }
        "one" => match list(arg(0)?)? {
            [] => Val::Null,
            [x] => x.clone(),
            _ => return None,
        },
        "chunklist" => {
            let size = arg(1)?.as_num()? as usize;
            if size == 0 {
                return None;
            }
            Val::List(list(arg(0)?)?.chunks(size).map(|c| Val::List(c.to_vec())).collect())
        }
        "contains" => {
            let l = list(arg(0)?)?;
            let x = arg(1)?;
            // An unknown value equals nothing known (and `Unknown == Unknown`
            // would say it is in a list of unknowns).
            if x.has_unknown() {
                return None;
            }
            if l.iter().any(|v| v == x) {
                Val::Bool(true)
            } else if x.has_unknown() || l.iter().any(Val::has_unknown) {
                return None;
            } else {
                Val::Bool(false)
            }
        }
        // Terraform orders a map's keys lexically, whatever the source order.
        "keys" => Val::List(sorted(arg(0)?.as_map()?).map(|(k, _)| Val::Str(k.clone())).collect()),
        "values" => Val::List(sorted(arg(0)?.as_map()?).map(|(_, v)| v.clone()).collect()),
        "lookup" => {
            let key = s(arg(1)?)?;
            match arg(0)? {
                Val::Map(m) => match m.get(&key) {
                    Some(v) => v.clone(),
                    None => arg(2)?.clone(),
                },
                _ => return None,
            }
        }
        "merge" => {
            let mut out = IndexMap::new();
            for m in a {
                match m {
                    Val::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    Val::Null => {}
                    _ => return None,
                }
            }
            Val::Map(out)
        }
        "zipmap" => {
            let (k, v) = (list(arg(0)?)?, list(arg(1)?)?);
            Val::Map(
                k.iter()
                    .zip(v)
                    .map(|(k, v)| Some((s(k)?, v.clone())))
                    .collect::<Option<_>>()?,
            )
        }
        "transpose" => {
            let mut out: IndexMap<String, Val> = IndexMap::new();
            for (k, l) in arg(0)?.as_map()? {
                for v in list(l)? {
                    if let Val::List(e) = out.entry(s(v)?).or_insert_with(|| Val::List(Vec::new())) {
                        e.push(Val::Str(k.clone()));
                    }
                }
            }
            Val::Map(out)
        }
        "coalesce" => a
            .iter()
            .find(|v| !matches!(v, Val::Null) && v.as_str() != Some(""))
            .filter(|v| !v.is_unknown())
            .cloned()?,
        "coalescelist" => a.iter().find(|v| v.as_list().is_some_and(|l| !l.is_empty())).cloned()?,
        "setunion" => {
            let mut out = Vec::new();
            for l in a {
                out.extend_from_slice(list(l)?);
            }
            dedup(&mut out);
            Val::List(out)
        }
        "setintersection" => {
            let mut out = list(arg(0)?)?.to_vec();
            for l in &a[1..] {
                let l = list(l)?;
                out.retain(|x| l.contains(x));
            }
            dedup(&mut out);
            Val::List(out)
        }
        "setsubtract" => {
            let b = list(arg(1)?)?;
            Val::List(list(arg(0)?)?.iter().filter(|x| !b.contains(x)).cloned().collect())
        }
        "alltrue" => Val::Bool(
            list(arg(0)?)?
                .iter()
                .map(Val::as_bool)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .all(|b| b),
        ),
        "anytrue" => Val::Bool(
            list(arg(0)?)?
                .iter()
                .map(Val::as_bool)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .any(|b| b),
        ),
        "range" => {
            let n: Vec<f64> = a.iter().map(Val::as_num).collect::<Option<_>>()?;
            let (start, end, step) = match n.as_slice() {
                [e] => (0.0, *e, 1.0),
                [s, e] => (*s, *e, if e >= s { 1.0 } else { -1.0 }),
                [s, e, st] => (*s, *e, *st),
                _ => return None,
            };
            if step == 0.0 {
                return None;
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(num(x));
                x += step;
                if out.len() > 1024 {
                    return None;
                }
            }
            Val::List(out)
        }
        "max" | "min" => {
            let n: Vec<f64> = a.iter().map(Val::as_num).collect::<Option<_>>()?;
            let it = n.into_iter();
            num(if name == "max" {
                it.fold(f64::MIN, f64::max)
            } else {
                it.fold(f64::MAX, f64::min)
            })
        }
        "sum" => num(list(arg(0)?)?.iter().map(Val::as_num).sum::<Option<f64>>()?),
        "abs" => num(arg(0)?.as_num()?.abs()),
        "ceil" => num(arg(0)?.as_num()?.ceil()),
        "floor" => num(arg(0)?.as_num()?.floor()),
        "signum" => num(arg(0)?.as_num()?.signum()),
        "jsonencode" => Val::Str(sorted_json(arg(0)?.to_json()).to_string()),
        "jsondecode" => Val::from_json(&serde_json::from_str(&s(arg(0)?)?).ok()?),
        "base64encode" => Val::Str(base64::engine::general_purpose::STANDARD.encode(s(arg(0)?)?)),
        "base64decode" => {
            Val::Str(String::from_utf8(base64::engine::general_purpose::STANDARD.decode(s(arg(0)?)?).ok()?).ok()?)
        }
        "cidrsubnet" => {
            let (ip, len) = parse_cidr(&s(arg(0)?)?)?;
            let (bits, netnum) = (arg(1)?.as_num()? as u32, arg(2)?.as_num()? as u64);
            let new = len.checked_add(bits)?;
            if new > 32 || netnum >= (1u64 << bits) {
                return None;
            }
            let host = 32 - new;
            let net = (ip & mask(len)) | ((netnum as u32) << host);
            Val::Str(format!("{}/{new}", fmt_ip(net)))
        }
        "cidrhost" => {
            let (ip, len) = parse_cidr(&s(arg(0)?)?)?;
            let n = arg(1)?.as_num()? as i64;
            let size = 1i64 << (32 - len);
            let n = if n < 0 { size + n } else { n };
            if n < 0 || n >= size {
                return None;
            }
            Val::Str(fmt_ip((ip & mask(len)) + n as u32))
        }
        "cidrnetmask" => Val::Str(fmt_ip(mask(parse_cidr(&s(arg(0)?)?)?.1))),
        _ => return None,
    })
}

/// A map's entries in Terraform's order (keys sorted lexically).
fn sorted(m: &IndexMap<String, Val>) -> impl Iterator<Item = (&String, &Val)> {
    let mut e: Vec<(&String, &Val)> = m.iter().collect();
    e.sort_by(|a, b| a.0.cmp(b.0));
    e.into_iter()
}

/// JSON with object keys sorted at every level, as Terraform's `jsonencode`
/// writes them (serde_json here preserves insertion order).
fn sorted_json(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Object(o) => {
            let mut e: Vec<(String, J)> = o.into_iter().map(|(k, v)| (k, sorted_json(v))).collect();
            e.sort_by(|a, b| a.0.cmp(&b.0));
            J::Object(e.into_iter().collect())
        }
        J::Array(a) => J::Array(a.into_iter().map(sorted_json).collect()),
        x => x,
    }
}

/// `parseint`: digits 0-9, then a-z, then A-Z for bases over 36 (below 37,
/// letters of either case), with an optional sign.
fn parse_int(text: &str, base: u32) -> Option<i64> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        n = n.checked_mul(base as i64)?.checked_add(d as i64)?;
    }
    Some(if neg { -n } else { n })
}

fn dedup(l: &mut Vec<Val>) {
    let mut seen: Vec<Val> = Vec::new();
    l.retain(|x| {
        if seen.contains(x) {
            false
        } else {
            seen.push(x.clone());
            true
        }
    });
}

fn mask(len: u32) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - len) }
}

fn parse_cidr(c: &str) -> Option<(u32, u32)> {
    let (ip, len) = c.split_once('/')?;
    let ip: std::net::Ipv4Addr = ip.parse().ok()?;
    let len: u32 = len.parse().ok()?;
    (len <= 32).then_some((u32::from(ip), len))
}

fn fmt_ip(ip: u32) -> String {
    std::net::Ipv4Addr::from(ip).to_string()
}

/// Terraform's `format` verbs: %s %d %f %q %v %t %%, with optional width.
fn format(f: &str, args: &[Val]) -> Option<String> {
    let mut out = String::new();
    let mut it = f.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = it.peek() {
            if d.is_ascii_digit() || d == '.' || d == '-' || d == '+' || d == '#' || d == ' ' {
                spec.push(d);
                it.next();
            } else {
                break;
            }
        }
        let verb = it.next()?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let v = args.get(next)?;
        next += 1;
        let text = match verb {
            's' | 'v' => match v {
                Val::List(_) | Val::Map(_) => v.to_json().to_string(),
                _ => s(v)?,
            },
            'd' => format!("{}", v.as_num()? as i64),
            'f' => {
                let prec = spec.split_once('.').and_then(|(_, p)| p.parse().ok()).unwrap_or(6);
                if prec > MAX_PAD {
                    return None;
                }
                format!("{:.*}", prec, v.as_num()?)
            }
            'q' => serde_json::to_string(&s(v)?).ok()?,
            't' => v.as_bool()?.to_string(),
            _ => return None,
        };
        let width: usize = spec
            .trim_start_matches('-')
            .split('.')
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or(0);
        if width > MAX_PAD {
            return None;
        }
        if text.chars().count() < width {
            if spec.starts_with('0') && matches!(verb, 'd' | 'f') {
                let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |d| ("-", d));
                out.push_str(&format!("{sign}{digits:0>w$}", w = width - sign.len()));
            } else if spec.starts_with('-') {
                out.push_str(&format!("{text:<width$}"));
            } else {
                out.push_str(&format!("{text:>width$}"));
            }
        } else {
            out.push_str(&text);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(x: &str) -> Val {
        Val::Str(x.into())
    }

    #[test]
    fn cidr_functions() {
        assert_eq!(
            call("cidrsubnet", vec![st("10.0.0.0/16"), Val::Num(8.0), Val::Num(2.0)], "."),
            st("10.0.2.0/24")
        );
        assert_eq!(
            call("cidrhost", vec![st("10.12.112.0/20"), Val::Num(16.0)], "."),
            st("10.12.112.16")
        );
        assert_eq!(call("cidrnetmask", vec![st("172.16.0.0/12")], "."), st("255.240.0.0"));
    }

    #[test]
    fn strings_and_collections() {
        assert_eq!(
            call("format", vec![st("%s-%03d"), st("web"), Val::Num(7.0)], "."),
            st("web-007")
        );
        assert_eq!(
            call("join", vec![st(","), Val::List(vec![st("a"), st("b")])], "."),
            st("a,b")
        );
        assert_eq!(call("coalesce", vec![Val::Null, st(""), st("x")], "."), st("x"));
        assert_eq!(call("lower", vec![Val::Unknown], "."), Val::Unknown);
        let m = call(
            "merge",
            vec![
                Val::Map([("a".into(), Val::Num(1.0))].into()),
                Val::Map([("a".into(), Val::Num(2.0))].into()),
            ],
            ".",
        );
        assert_eq!(call("lookup", vec![m, st("a"), Val::Null], "."), Val::Num(2.0));
        assert_eq!(
            call(
                "jsonencode",
                vec![Val::Map([("k".into(), Val::Bool(true))].into())],
                "."
            ),
            st(r#"{"k":true}"#)
        );
        assert_eq!(call("nosuchfunction", vec![], "."), Val::Unknown);
    }

    const U: Val = Val::Unknown;

    fn n(x: f64) -> Val {
        Val::Num(x)
    }

    fn l(items: &[Val]) -> Val {
        Val::List(items.to_vec())
    }

    fn m(entries: &[(&str, Val)]) -> Val {
        Val::Map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    fn f(name: &str, args: &[Val]) -> Val {
        call(name, args.to_vec(), ".")
    }

    /// An HCL expression evaluated with `bindings` as its variables (`try`
    /// and `can` are evaluated lazily by the evaluator, not by `call`).
    fn eval(src: &str, bindings: &[(&str, Val)]) -> Val {
        let e = hcl_edit::parser::parse_expr(src).unwrap();
        let inst = crate::policy::terraform::module::Instance::empty();
        let b = bindings.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        crate::policy::terraform::eval::Eval::new(&inst, b).expr(&e)
    }

    fn obj() -> Vec<(&'static str, Val)> {
        vec![("obj", m(&[("a", st("x")), ("n", Val::Null)])), ("u", U)]
    }

    #[test]
    fn try_returns_the_first_argument_that_evaluates() {
        let b = obj();
        assert_eq!(eval(r#"try(obj.a, "fallback")"#, &b), st("x"));
        assert_eq!(eval(r#"try(obj.missing, "fallback")"#, &b), st("fallback"));
        assert_eq!(eval(r#"try(obj.missing.deeper, obj.a, "fallback")"#, &b), st("x"));
        assert_eq!(eval("try(obj.n, obj.a)", &b), Val::Null, "null is a value");
        assert_eq!(eval("try(obj.missing, u)", &b), U);
        assert_eq!(eval("try(u)", &b), U);
    }

    #[test]
    fn can_is_true_for_a_value_and_unknown_otherwise_never_false() {
        let b = obj();
        assert_eq!(eval("can(obj.a)", &b), Val::Bool(true));
        assert_eq!(eval("can(obj.n)", &b), Val::Bool(true));
        // An error and an apply-time value look alike here, so `can` does
        // not claim false: a rule must not fire on it.
        assert_eq!(eval("can(obj.missing)", &b), U);
        assert_eq!(eval("can(u)", &b), U);
    }

    #[test]
    fn contains_is_unknown_unless_the_answer_is_certain() {
        let abc = l(&[st("a"), st("b")]);
        assert_eq!(f("contains", &[abc.clone(), st("b")]), Val::Bool(true));
        assert_eq!(f("contains", &[abc, st("c")]), Val::Bool(false));
        assert_eq!(f("contains", &[l(&[st("a"), U]), st("a")]), Val::Bool(true));
        assert_eq!(f("contains", &[l(&[st("a"), U]), st("c")]), U);
        assert_eq!(f("contains", &[l(&[st("a")]), U]), U);
        // Two unknown values are not known to be equal.
        assert_eq!(f("contains", &[l(&[U]), U]), U);
        assert_eq!(f("contains", &[l(&[st("a"), m(&[("k", U)])]), m(&[("k", U)])]), U);
        assert_eq!(f("contains", &[U, st("a")]), U);
    }

    #[test]
    fn length_and_concat_keep_unknown_elements() {
        assert_eq!(f("length", &[l(&[st("a"), st("b"), st("c")])]), n(3.0));
        assert_eq!(f("length", &[m(&[("a", n(1.0)), ("b", n(2.0))])]), n(2.0));
        assert_eq!(f("length", &[st("héllo")]), n(5.0), "characters, not bytes");
        assert_eq!(f("length", &[l(&[U, st("a")])]), n(2.0));
        assert_eq!(f("length", &[U]), U);
        assert_eq!(f("length", &[n(3.0)]), U);
        assert_eq!(
            f("concat", &[l(&[st("a")]), l(&[st("b"), st("c")]), l(&[])]),
            l(&[st("a"), st("b"), st("c")])
        );
        assert_eq!(f("concat", &[l(&[st("a")]), l(&[U])]), l(&[st("a"), U]));
        assert_eq!(f("concat", &[l(&[st("a")]), U]), U);
    }

    #[test]
    fn tostring_converts_primitives_only() {
        assert_eq!(f("tostring", &[n(5.0)]), st("5"));
        assert_eq!(f("tostring", &[n(1.5)]), st("1.5"));
        assert_eq!(f("tostring", &[Val::Bool(true)]), st("true"));
        assert_eq!(f("tostring", &[st("x")]), st("x"));
        assert_eq!(f("tostring", &[Val::Null]), Val::Null);
        assert_eq!(f("tostring", &[l(&[st("x")])]), U);
        assert_eq!(f("tostring", &[U]), U);
    }

    #[test]
    fn lookup_merge_and_coalesce() {
        let tags = m(&[("env", st("prod")), ("team", st("data"))]);
        assert_eq!(f("lookup", &[tags.clone(), st("env"), st("dev")]), st("prod"));
        assert_eq!(f("lookup", &[tags.clone(), st("owner"), st("nobody")]), st("nobody"));
        assert_eq!(f("lookup", &[tags.clone(), st("owner")]), U, "no default: an error");
        assert_eq!(f("lookup", &[tags.clone(), U, st("dev")]), U);
        assert_eq!(f("lookup", &[U, st("env"), st("dev")]), U);
        assert_eq!(f("lookup", &[m(&[("env", U)]), st("env"), st("dev")]), U);

        let merged = f(
            "merge",
            &[tags.clone(), Val::Null, m(&[("env", st("dev")), ("cost", U)])],
        );
        assert_eq!(
            merged,
            m(&[("env", st("dev")), ("team", st("data")), ("cost", U)]),
            "later maps win; unknown values stay unknown"
        );
        assert_eq!(f("merge", &[tags, U]), U);
        assert_eq!(f("merge", &[st("x")]), U);

        assert_eq!(f("coalesce", &[Val::Null, st(""), st("x"), st("y")]), st("x"));
        assert_eq!(f("coalesce", &[st("a"), U]), st("a"));
        assert_eq!(f("coalesce", &[Val::Null, U, st("x")]), U);
        assert_eq!(f("coalesce", &[Val::Null, st("")]), U, "nothing to return: an error");
    }

    #[test]
    fn format_join_and_lower() {
        assert_eq!(f("format", &[st("%s-%03d"), st("web"), n(7.0)]), st("web-007"));
        assert_eq!(f("format", &[st("%q"), st("a\"b")]), st(r#""a\"b""#));
        assert_eq!(f("format", &[st("[%5s|%-4s]"), st("x"), st("y")]), st("[    x|y   ]"));
        assert_eq!(f("format", &[st("[%2s]"), st("é")]), st("[ é]"), "width in characters");
        assert_eq!(f("format", &[st("%.2f%%"), n(12.3456)]), st("12.35%"));
        assert_eq!(
            f("format", &[st("%t/%v/%v"), Val::Bool(true), n(2.0), l(&[st("a")])]),
            st(r#"true/2/["a"]"#)
        );
        assert_eq!(f("format", &[st("%s and %s"), st("one")]), U, "too few arguments");
        assert_eq!(f("format", &[st("%s"), U]), U);
        assert_eq!(f("format", &[st("%999999999d"), n(1.0)]), U, "no unbounded padding");

        assert_eq!(f("join", &[st(","), l(&[st("a"), st("b")])]), st("a,b"));
        assert_eq!(f("join", &[st("-"), l(&[st("a")]), l(&[st("b"), n(1.0)])]), st("a-b-1"));
        assert_eq!(f("join", &[st(","), l(&[])]), st(""));
        assert_eq!(f("join", &[st(","), l(&[st("a"), U])]), U);

        assert_eq!(f("lower", &[st("AES256")]), st("aes256"));
        assert_eq!(eval("lower(u)", &obj()), U);
    }

    #[test]
    fn jsonencode_sorts_object_keys_like_terraform() {
        assert_eq!(
            f(
                "jsonencode",
                &[m(&[
                    ("Version", st("2012-10-17")),
                    ("Statement", l(&[m(&[("Effect", st("Allow")), ("Action", st("s3:*"))])])),
                ])]
            ),
            st(r#"{"Statement":[{"Action":"s3:*","Effect":"Allow"}],"Version":"2012-10-17"}"#)
        );
        assert_eq!(f("jsonencode", &[l(&[n(1.5), n(2.0), Val::Null])]), st("[1.5,2,null]"));
        assert_eq!(f("jsonencode", &[m(&[("k", U)])]), U);
        assert_eq!(f("keys", &[m(&[("b", n(1.0)), ("a", n(2.0))])]), l(&[st("a"), st("b")]));
        assert_eq!(f("values", &[m(&[("b", n(1.0)), ("a", n(2.0))])]), l(&[n(2.0), n(1.0)]));
    }

    #[test]
    fn cidrsubnet_computes_and_rejects_without_panicking() {
        assert_eq!(
            f("cidrsubnet", &[st("172.16.0.0/12"), n(4.0), n(2.0)]),
            st("172.18.0.0/16")
        );
        assert_eq!(
            f("cidrsubnet", &[st("10.1.2.0/24"), n(4.0), n(15.0)]),
            st("10.1.2.240/28")
        );
        assert_eq!(f("cidrsubnet", &[st("10.0.0.0/16"), n(0.0), n(0.0)]), st("10.0.0.0/16"));
        assert_eq!(
            f("cidrsubnet", &[st("10.0.0.0/16"), n(8.0), n(256.0)]),
            U,
            "netnum too large"
        );
        assert_eq!(
            f("cidrsubnet", &[st("10.0.0.0/30"), n(4.0), n(0.0)]),
            U,
            "longer than /32"
        );
        assert_eq!(f("cidrsubnet", &[st("10.0.0.0/16"), n(4294967295.0), n(0.0)]), U);
        assert_eq!(f("cidrsubnet", &[st("not-a-cidr"), n(8.0), n(0.0)]), U);
        assert_eq!(f("cidrsubnet", &[U, n(8.0), n(1.0)]), U);
        assert_eq!(f("cidrsubnet", &[st("10.0.0.0/16"), n(8.0), U]), U);
    }

    #[test]
    fn parseint_substr_and_indent_take_any_input_without_panicking() {
        assert_eq!(f("parseint", &[st("FF"), n(16.0)]), n(255.0));
        assert_eq!(f("parseint", &[st("-1010"), n(2.0)]), n(-10.0));
        assert_eq!(f("parseint", &[st("zz"), n(36.0)]), n(1295.0));
        assert_eq!(
            f("parseint", &[st("aA"), n(62.0)]),
            n(656.0),
            "bases over 36 use A-Z as 36-61"
        );
        assert_eq!(f("parseint", &[st("9"), n(8.0)]), U);
        assert_eq!(f("parseint", &[st("1"), n(63.0)]), U);
        assert_eq!(f("parseint", &[st("zzzzzzzzzzzzzzzzzzzz"), n(62.0)]), U, "overflow");
        assert_eq!(f("substr", &[st("hello"), n(1.0), n(1e19)]), st("ello"));
        assert_eq!(f("substr", &[st("hello"), n(-3.0), n(2.0)]), st("ll"));
        assert_eq!(f("indent", &[n(2.0), st("a\nb")]), st("a\n  b"));
        assert_eq!(f("indent", &[n(1e18), st("a\nb")]), U);
    }

    #[test]
    fn an_unknown_argument_makes_the_result_unknown() {
        let cases: Vec<(&str, Vec<Val>)> = vec![
            ("lower", vec![U]),
            ("upper", vec![U]),
            ("tostring", vec![U]),
            ("format", vec![st("%s-%s"), st("a"), U]),
            ("join", vec![st(","), U]),
            ("join", vec![U, l(&[st("a")])]),
            ("jsonencode", vec![U]),
            ("cidrsubnet", vec![st("10.0.0.0/16"), U, n(1.0)]),
            ("length", vec![U]),
            ("concat", vec![U, l(&[])]),
            ("lookup", vec![U, st("k"), st("d")]),
            ("merge", vec![m(&[]), U]),
            ("coalesce", vec![U, st("x")]),
            ("contains", vec![l(&[st("a")]), U]),
            ("split", vec![st(","), U]),
            ("replace", vec![st("a"), U, st("b")]),
            ("keys", vec![U]),
            ("element", vec![l(&[st("a")]), U]),
            ("file", vec![st("policy.json")]),
        ];
        for (name, args) in cases {
            assert_eq!(call(name, args.clone(), "."), U, "{name}({args:?})");
        }
    }
}
