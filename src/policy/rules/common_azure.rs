//! Checks shared by several azure rules.

use indexmap::IndexMap;

use crate::policy::model::{Body, Get, Resource, Span};
use crate::policy::rule::{Ctx, Outcome, fail, port_spec_includes};
use crate::policy::terraform::value::Val;

/// A value known to be a string, list of strings, or unknown.
enum Field {
    Absent,
    Unknown,
    Strs(Vec<String>),
}

fn strs_of(v: &Val) -> Option<Vec<String>> {
    match v {
        Val::List(l) => {
            let mut out = Vec::new();
            for x in l {
                match x {
                    Val::Unknown => return None,
                    Val::Null => {}
                    x => out.push(x.to_string_lossy()?),
                }
            }
            Some(out)
        }
        Val::Unknown => None,
        Val::Null => Some(Vec::new()),
        v => v.to_string_lossy().map(|s| vec![s]),
    }
}

fn field_body(b: &Body, key: &str) -> Field {
    match b.get(key) {
        Get::Missing => Field::Absent,
        Get::Unknown(_) => Field::Unknown,
        Get::Val(v, _) => match strs_of(v) {
            Some(s) => Field::Strs(s),
            None => Field::Unknown,
        },
    }
}

fn field_map(m: &IndexMap<String, Val>, key: &str) -> Field {
    match m.get(key) {
        None | Some(Val::Null) => Field::Absent,
        Some(v) => match strs_of(v) {
            Some(s) => Field::Strs(s),
            None => Field::Unknown,
        },
    }
}

/// Whether an NSG source prefix stands for the whole internet.
pub fn nsg_source_is_internet(s: &str) -> bool {
    let s = s.trim().to_ascii_lowercase();
    matches!(s.as_str(), "*" | "0.0.0.0" | "internet" | "any") || s.ends_with("/0")
}

/// Tri-state: Some(true) known yes, Some(false) known no, None unknown.
type Tri = Option<bool>;

fn tri_any(fields: [Field; 2], pred: impl Fn(&str) -> bool) -> Tri {
    let mut unknown = false;
    for f in fields {
        match f {
            Field::Absent => {}
            Field::Unknown => unknown = true,
            Field::Strs(s) => {
                if s.iter().any(|x| pred(x)) {
                    return Some(true);
                }
            }
        }
    }
    if unknown { None } else { Some(false) }
}

/// Evaluate one NSG rule given a field accessor; returns Some(true) when the
/// rule opens `port` over TCP to the internet.
fn nsg_rule_opens(get: impl Fn(&str) -> Field, port: u32) -> Tri {
    let one = |k: &str| -> Option<Option<String>> {
        match get(k) {
            Field::Absent => Some(None),
            Field::Unknown => None,
            Field::Strs(s) => Some(s.into_iter().next().map(|x| x.to_ascii_lowercase())),
        }
    };
    let (Some(access), Some(direction), Some(protocol)) = (one("access"), one("direction"), one("protocol")) else {
        return None;
    };
    if access.as_deref() != Some("allow") || direction.as_deref() != Some("inbound") {
        return Some(false);
    }
    if !matches!(protocol.as_deref(), Some("tcp" | "*")) {
        return Some(false);
    }
    let ports = tri_any([get("destination_port_range"), get("destination_port_ranges")], |p| {
        port_spec_includes(p, port)
    });
    let sources = tri_any(
        [get("source_address_prefix"), get("source_address_prefixes")],
        nsg_source_is_internet,
    );
    match (ports, sources) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Whether an `azurerm_network_security_group` (its `security_rule` blocks
/// or list attribute) or an `azurerm_network_security_rule` allows inbound
/// TCP `port` from the internet (`*`, `Internet`, `Any`, `0.0.0.0/0`).
pub fn nsg_open_port(r: &Resource, port: u32, what: &str) -> Outcome {
    let mut unknown = false;
    let msg = || format!("{what} is allowed inbound from the internet");
    match r.kind.as_str() {
        "azurerm_network_security_rule" => {
            return match nsg_rule_opens(|k| field_body(&r.body, k), port) {
                Some(true) => fail(None, msg()),
                Some(false) => Outcome::Pass,
                None => Outcome::Unknown,
            };
        }
        _ => {
            if let Some(a) = r.body.attr("security_rule") {
                match &a.value {
                    Val::List(items) => {
                        for it in items {
                            match it {
                                Val::Map(m) => match nsg_rule_opens(|k| field_map(m, k), port) {
                                    Some(true) => return fail(Some(a.span), msg()),
                                    Some(false) => {}
                                    None => unknown = true,
                                },
                                _ => unknown = true,
                            }
                        }
                    }
                    Val::Null => {}
                    _ => unknown = true,
                }
            }
            for b in r.body.blocks("security_rule") {
                match nsg_rule_opens(|k| field_body(&b.body, k), port) {
                    Some(true) => return fail(Some(b.span), msg()),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}

/// The first resource of `kind` linked to `r` through any of `attrs`.
pub fn linked_any<'a>(cx: &Ctx<'a>, r: &Resource, kind: &str, attrs: &[&str]) -> Vec<&'a Resource> {
    let mut out: Vec<&Resource> = Vec::new();
    for a in attrs {
        for o in cx.linked(r, kind, a) {
            if !out.iter().any(|x| std::ptr::eq(*x, o)) {
                out.push(o);
            }
        }
    }
    out
}

/// Whether some resource of `kind` might link to `r` through an unknown value
/// in any of `attrs`.
pub fn maybe_linked_any(cx: &Ctx, kind: &str, attrs: &[&str]) -> bool {
    attrs.iter().any(|a| cx.maybe_linked(kind, a))
}

/// A string setting: `None` when unknown, `Some(None)` when absent, else
/// the value and its span.
pub fn str_setting(r: &Resource, path: &str) -> Option<Option<(String, Option<Span>)>> {
    match r.get(path) {
        Get::Unknown(_) => None,
        g if g.is_missing() => Some(None),
        g => g.val().and_then(Val::to_string_lossy).map(|s| Some((s, g.span()))),
    }
}
