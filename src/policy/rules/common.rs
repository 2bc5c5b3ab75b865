//! Checks shared by several rules (not a rule: `build.rs` only collects the
//! provider folders).

use crate::policy::model::{Body, Get, Resource};
use crate::policy::rule::{Outcome, fail, is_public_cidr, port_in};
use crate::policy::terraform::value::Val;

/// One ingress permission, from whichever resource shape declared it.
struct Ingress<'a> {
    body: &'a Body,
    span: Option<crate::policy::model::Span>,
    protocol: &'static str,
    from: &'static str,
    to: &'static str,
    cidrs: &'static [&'static str],
}

fn ingresses(r: &Resource) -> Vec<Ingress<'_>> {
    const SG: &[&str] = &["cidr_blocks", "ipv6_cidr_blocks"];
    match r.kind.as_str() {
        "aws_security_group" => r
            .body
            .blocks("ingress")
            .map(|b| Ingress {
                body: &b.body,
                span: Some(b.span),
                protocol: "protocol",
                from: "from_port",
                to: "to_port",
                cidrs: SG,
            })
            .collect(),
        "aws_security_group_rule" => {
            if r.get("type").str() == Some("ingress") {
                vec![Ingress {
                    body: &r.body,
                    span: None,
                    protocol: "protocol",
                    from: "from_port",
                    to: "to_port",
                    cidrs: SG,
                }]
            } else {
                Vec::new()
            }
        }
        "aws_vpc_security_group_ingress_rule" => vec![Ingress {
            body: &r.body,
            span: None,
            protocol: "ip_protocol",
            from: "from_port",
            to: "to_port",
            cidrs: &["cidr_ipv4", "cidr_ipv6"],
        }],
        _ => Vec::new(),
    }
}

/// Whether `port` over TCP is open to the internet in any ingress of `r`.
pub fn open_ingress(r: &Resource, port: u32, what: &str) -> Outcome {
    let mut unknown = false;
    // `ingress = [{...}]` written as an attribute: treat like blocks.
    if let Some(a) = r.body.attr("ingress") {
        if a.value.has_unknown() {
            unknown = true;
        }
        if let Val::List(items) = &a.value {
            for item in items {
                let Val::Map(m) = item else { continue };
                let num = |k: &str| m.get(k).and_then(Val::as_num);
                let cidrs: Vec<&str> = ["cidr_blocks", "ipv6_cidr_blocks"]
                    .iter()
                    .filter_map(|k| m.get(*k))
                    .flat_map(|v| v.as_list().unwrap_or_default().iter().filter_map(Val::as_str))
                    .collect();
                let proto = m.get("protocol").and_then(Val::to_string_lossy).unwrap_or_default();
                if let (Some(f), Some(t)) = (num("from_port"), num("to_port"))
                    && tcp(&proto)
                    && port_in(f, t, port as f64)
                    && cidrs.iter().any(|c| is_public_cidr(c))
                {
                    return fail(Some(a.span), format!("{what} is open to the internet"));
                }
            }
        }
    }
    for ing in ingresses(r) {
        let proto = match ing.body.get(ing.protocol) {
            Get::Unknown(_) => {
                unknown = true;
                continue;
            }
            g => g.val().and_then(Val::to_string_lossy).unwrap_or_default(),
        };
        if !tcp(&proto) {
            continue;
        }
        let all_ports = proto == "-1" || proto.eq_ignore_ascii_case("all");
        let (from, to) = (ing.body.get(ing.from), ing.body.get(ing.to));
        let ports_open = if all_ports {
            true
        } else {
            match (from.num(), to.num()) {
                (Some(f), Some(t)) => port_in(f, t, port as f64),
                _ if from.is_unknown() || to.is_unknown() => {
                    unknown = true;
                    continue;
                }
                _ => false,
            }
        };
        if !ports_open {
            continue;
        }
        for key in ing.cidrs {
            match ing.body.get(key) {
                Get::Unknown(_) => unknown = true,
                g => {
                    let public = match g.val() {
                        Some(Val::List(l)) => {
                            if l.iter().any(Val::is_unknown) {
                                unknown = true;
                            }
                            l.iter().filter_map(Val::as_str).any(is_public_cidr)
                        }
                        Some(Val::Str(s)) => is_public_cidr(s),
                        _ => false,
                    };
                    if public {
                        return fail(
                            ing.span.or(g.span()),
                            format!("{what} is open to the internet ({})", key),
                        );
                    }
                }
            }
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}

fn tcp(proto: &str) -> bool {
    matches!(proto.to_ascii_lowercase().as_str(), "tcp" | "6" | "-1" | "all")
}

/// Tags of a resource as known keys, `None` when unknown.
pub fn tag_keys(r: &Resource) -> Option<Vec<String>> {
    match r.get("tags") {
        Get::Unknown(_) => None,
        Get::Missing => Some(Vec::new()),
        Get::Val(v, _) => match v {
            Val::Map(m) => Some(m.keys().cloned().collect()),
            Val::Null => Some(Vec::new()),
            _ => None,
        },
    }
}
