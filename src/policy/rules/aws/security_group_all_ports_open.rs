//! # Security groups do not open all ports to the internet
//!
//! ## What it checks
//! Ingress rules of `aws_security_group` (inline `ingress` blocks, also from
//! `dynamic` blocks), `aws_security_group_rule` with `type = "ingress"` and
//! `aws_vpc_security_group_ingress_rule` that allow every protocol
//! (`protocol = "-1"`/`"all"`) or the whole TCP/UDP port range (0-65535) from
//! `0.0.0.0/0` or `::/0`. Rules limited to `self`, security groups or prefix
//! lists are not internet-facing. Unknown values do not fire.
//!
//! ## Why it matters
//! An all-ports rule exposes every service on the instances (databases,
//! admin consoles, debug ports, SMB/RDP/SSH) to the whole internet, including
//! services started later by someone unaware of the rule. It defeats the
//! purpose of the security group.
//!
//! ## Example
//! ```hcl
//! resource "aws_security_group_rule" "any" {
//!   type              = "ingress"
//!   from_port         = 0
//!   to_port           = 0
//!   protocol          = "-1"
//!   cidr_blocks       = ["0.0.0.0/0"]
//!   security_group_id = aws_security_group.web.id
//! }
//! ```
//!
//! ## Fix
//! Open only the ports the service needs (for example 443), from the
//! narrowest source ranges possible.
//!
//! ## References
//! - https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
//! - CIS AWS Foundations Benchmark 5.2

use crate::policy::model::{Body, Get, Resource, Span};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail, is_public_cidr};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-AWS-069",
    title: "Security groups do not open all ports to the internet",
    severity: Severity::Critical,
    resources: &[
        "aws_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
    ],
    frameworks: &["cis-aws:5.2", "pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AWS_277"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut unknown = false;
    match r.kind.as_str() {
        "aws_security_group" => {
            for b in r.body.blocks("ingress") {
                match all_open(&b.body, "protocol", &["cidr_blocks", "ipv6_cidr_blocks"]) {
                    Some(true) => return report(Some(b.span)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if let Some(a) = r.body.attr("ingress") {
                for item in a.value.as_list().unwrap_or_default() {
                    let Val::Map(m) = item else {
                        unknown |= item.has_unknown();
                        continue;
                    };
                    let mut body = Body::default();
                    for (k, v) in m {
                        body.attrs.push((
                            k.clone(),
                            crate::policy::model::Attr {
                                value: v.clone(),
                                span: a.span,
                                refs: Vec::new(),
                            },
                        ));
                    }
                    match all_open(&body, "protocol", &["cidr_blocks", "ipv6_cidr_blocks"]) {
                        Some(true) => return report(Some(a.span)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
            }
        }
        "aws_security_group_rule" => match r.get("type") {
            Get::Unknown(_) => unknown = true,
            g if g.str() == Some("ingress") => {
                match all_open(&r.body, "protocol", &["cidr_blocks", "ipv6_cidr_blocks"]) {
                    Some(true) => return report(None),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            _ => {}
        },
        _ => match all_open(&r.body, "ip_protocol", &["cidr_ipv4", "cidr_ipv6"]) {
            Some(true) => return report(None),
            None => unknown = true,
            Some(false) => {}
        },
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}

fn report(span: Option<Span>) -> Outcome {
    fail(span, "all ports are open to the internet")
}

/// Whether one ingress permission opens every port to a public range;
/// `None` when that depends on unknown values.
fn all_open(b: &Body, proto_key: &str, cidr_keys: &[&str]) -> Option<bool> {
    let proto = match b.get(proto_key) {
        Get::Unknown(_) => return None,
        g => g
            .val()
            .and_then(Val::to_string_lossy)
            .unwrap_or_default()
            .to_ascii_lowercase(),
    };
    let every_protocol = proto == "-1" || proto == "all";
    let every_port = if every_protocol {
        true
    } else if matches!(proto.as_str(), "tcp" | "udp" | "6" | "17") {
        let (f, t) = (b.get("from_port"), b.get("to_port"));
        if f.is_unknown() || t.is_unknown() {
            return None;
        }
        matches!((f.num(), t.num()), (Some(f), Some(t)) if f <= 0.0 && t >= 65535.0)
    } else {
        false
    };
    if !every_port {
        return Some(false);
    }
    let mut unknown = false;
    for key in cidr_keys {
        match b.get(key) {
            Get::Unknown(_) => unknown = true,
            g => match g.val() {
                Some(Val::List(l)) => {
                    if l.iter().filter_map(Val::as_str).any(is_public_cidr) {
                        return Some(true);
                    }
                    unknown |= l.iter().any(Val::has_unknown);
                }
                Some(Val::Str(s)) if is_public_cidr(s) => return Some(true),
                _ => {}
            },
        }
    }
    if unknown { None } else { Some(false) }
}
