//! Checks shared by several gcp rules.

use crate::policy::model::{Body, Get, Resource};
use crate::policy::rule::{Outcome, fail, is_public_cidr, port_spec_includes};
use crate::policy::terraform::value::Val;

/// The body reached through a chain of nested blocks (`settings`,
/// `ip_configuration`), the first block of each name.
pub fn sub<'a>(body: &'a Body, path: &[&str]) -> Option<&'a Body> {
    let mut b = body;
    for p in path {
        b = &b.block(p)?.body;
    }
    Some(b)
}

/// A GCE metadata boolean (`"TRUE"`, `"true"`, `true`, `"1"`), `None` when
/// it is not a recognisable boolean.
pub fn meta_bool(v: &Val) -> Option<bool> {
    match v {
        Val::Bool(b) => Some(*b),
        Val::Num(n) => Some(*n != 0.0),
        Val::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "on" => Some(true),
            "false" | "0" | "no" | "n" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the instance resource takes its settings from a template
/// (`google_compute_instance_from_template`), so an absent setting is
/// inherited and not known here.
pub fn from_template(r: &Resource) -> bool {
    r.kind == "google_compute_instance_from_template"
}

/// A boolean key of an instance's `metadata` map. `absent_ok` says whether
/// the key being absent is acceptable; `want` is the required value.
pub fn instance_metadata(r: &Resource, key: &str, want: bool, absent_ok: bool, message: &str) -> Outcome {
    let meta = r.get("metadata");
    if meta.is_unknown() {
        return Outcome::Unknown;
    }
    let g = r.get(&format!("metadata.{key}"));
    match g {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => {
            if absent_ok {
                Outcome::Pass
            } else if from_template(r) {
                Outcome::Unknown
            } else {
                fail(meta.span(), message)
            }
        }
        g => match g.val().and_then(meta_bool) {
            Some(b) if b == want => Outcome::Pass,
            Some(_) => fail(g.span(), message),
            None => Outcome::Unknown,
        },
    }
}

/// Whether a Cloud SQL instance runs `engine` (`POSTGRES`, `MYSQL`,
/// `SQLSERVER`): `None` when the version is unknown.
pub fn sql_engine_is(r: &Resource, engine: &str) -> Option<bool> {
    match r.get("database_version") {
        Get::Unknown(_) => None,
        g => match g.str() {
            Some(v) => Some(v.to_ascii_uppercase().starts_with(engine)),
            None if g.is_missing() => Some(false),
            None => None,
        },
    }
}

/// A PostgreSQL database flag of a `google_sql_database_instance` that must
/// be set explicitly to one of `ok` (case-insensitive). Instances of other
/// engines pass.
pub fn pg_flag(r: &Resource, flag: &str, ok: &[&str], why: &str) -> Outcome {
    match sql_engine_is(r, "POSTGRES") {
        None => return Outcome::Unknown,
        Some(false) => return Outcome::Pass,
        Some(true) => {}
    }
    let Some(settings) = r.body.block("settings") else {
        return fail(None, format!("database flag {flag} is not set: {why}"));
    };
    let mut unknown = false;
    if let Some(a) = settings.body.attr("database_flags") {
        unknown |= a.value.has_unknown();
    }
    for b in settings.body.blocks("database_flags") {
        let name = b.body.get("name");
        let Some(n) = name.str() else {
            unknown |= name.is_unknown();
            continue;
        };
        if n != flag {
            continue;
        }
        let v = b.body.get("value");
        match v.val().and_then(Val::to_string_lossy) {
            Some(s) if ok.iter().any(|o| o.eq_ignore_ascii_case(s.trim())) => return Outcome::Pass,
            Some(s) => {
                return fail(Some(b.span), format!("database flag {flag} is {s:?}: {why}"));
            }
            None => {
                if v.is_unknown() {
                    unknown = true;
                } else {
                    return fail(Some(b.span), format!("database flag {flag} has no value: {why}"));
                }
            }
        }
    }
    if unknown {
        return Outcome::Unknown;
    }
    fail(Some(settings.span), format!("database flag {flag} is not set: {why}"))
}

/// Whether a `google_compute_firewall` admits `port` over TCP from the whole
/// internet: an ingress rule (the default direction), not disabled, whose
/// `source_ranges` include `0.0.0.0/0` or `::/0` (or that names no source at
/// all, which GCP treats as `0.0.0.0/0`), with an `allow` block for TCP (or
/// `all`) whose `ports` include `port` or are absent (every port).
pub fn firewall_open(r: &Resource, port: u32, what: &str) -> Outcome {
    let mut unknown = false;
    match r.get("direction") {
        Get::Unknown(_) => return Outcome::Unknown,
        g => {
            if g.str().is_some_and(|d| d.eq_ignore_ascii_case("EGRESS")) {
                return Outcome::Pass;
            }
        }
    }
    match r.get("disabled") {
        Get::Unknown(_) => return Outcome::Unknown,
        g => {
            if g.bool() == Some(true) {
                return Outcome::Pass;
            }
        }
    }
    let ranges = r.get("source_ranges");
    let source: Option<&str> = match ranges {
        Get::Unknown(_) => return Outcome::Unknown,
        g if g.is_missing() || g.val().and_then(Val::as_list).is_some_and(<[_]>::is_empty) => {
            let other = ["source_tags", "source_service_accounts"]
                .iter()
                .map(|k| r.get(k))
                .any(|g| !g.is_missing());
            (!other).then_some("no source is named, so GCP admits 0.0.0.0/0")
        }
        g => match g.val() {
            Some(Val::List(l)) => {
                unknown |= l.iter().any(Val::is_unknown);
                l.iter()
                    .filter_map(Val::as_str)
                    .any(is_public_cidr)
                    .then_some("source_ranges include the whole internet")
            }
            Some(Val::Str(s)) if is_public_cidr(s) => Some("source_ranges include the whole internet"),
            _ => None,
        },
    };
    let Some(source) = source else {
        return if unknown { Outcome::Unknown } else { Outcome::Pass };
    };
    for b in r.body.blocks("allow") {
        let proto = match b.body.get("protocol") {
            Get::Unknown(_) => {
                unknown = true;
                continue;
            }
            g => g
                .val()
                .and_then(Val::to_string_lossy)
                .unwrap_or_default()
                .to_ascii_lowercase(),
        };
        if !matches!(proto.as_str(), "tcp" | "6" | "all") {
            continue;
        }
        let open = match b.body.get("ports") {
            Get::Unknown(_) => {
                unknown = true;
                continue;
            }
            g if g.is_missing() => true,
            g => match g.val() {
                Some(Val::List(l)) if l.is_empty() => true,
                Some(Val::List(l)) => {
                    unknown |= l.iter().any(Val::is_unknown);
                    l.iter()
                        .filter_map(Val::to_string_lossy)
                        .any(|s| port_spec_includes(&s, port))
                }
                Some(v) => v.to_string_lossy().is_some_and(|s| port_spec_includes(&s, port)),
                None => false,
            },
        };
        if open {
            return fail(Some(b.span), format!("{what} is open to the internet: {source}"));
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}

/// Whether an IAM member string grants access to everyone.
pub fn is_public_member(m: &str) -> bool {
    matches!(m.trim(), "allUsers" | "allAuthenticatedUsers")
}

/// For `*_iam_member` / `*_iam_binding` resources: fail when `member` or
/// `members` names `allUsers` or `allAuthenticatedUsers`.
pub fn iam_public_members(r: &Resource, what: &str) -> Outcome {
    let mut unknown = false;
    for key in ["member", "members"] {
        let g = r.get(key);
        match g {
            Get::Unknown(_) => unknown = true,
            g => {
                let vals: Vec<&Val> = match g.val() {
                    Some(Val::List(l)) => l.iter().collect(),
                    Some(v) => vec![v],
                    None => Vec::new(),
                };
                unknown |= vals.iter().any(|v| v.is_unknown());
                if let Some(m) = vals.iter().filter_map(|v| v.as_str()).find(|m| is_public_member(m)) {
                    return fail(g.span(), format!("{key} grants {m} access: {what}"));
                }
            }
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}

/// Whether the configuration enforces the boolean organization-policy
/// constraint `constraint` (`storage.uniformBucketLevelAccess`) through
/// `google_project_organization_policy`, `google_folder_organization_policy`,
/// `google_organization_policy` or `google_org_policy_policy`.
pub fn org_policy_enforced(cx: &crate::policy::rule::Ctx, constraint: &str) -> bool {
    let named = |g: Get| g.str().is_some_and(|s| s.ends_with(constraint));
    let legacy = [
        "google_project_organization_policy",
        "google_folder_organization_policy",
        "google_organization_policy",
    ];
    let old = legacy.iter().flat_map(|k| cx.of_kind(k)).any(|p| {
        named(p.get("constraint")) && p.get("boolean_policy.enforced").val().and_then(meta_bool) == Some(true)
    });
    old || cx.of_kind("google_org_policy_policy").any(|p| {
        named(p.get("name"))
            && sub(&p.body, &["spec"]).is_some_and(|s| {
                s.blocks("rules")
                    .any(|b| b.body.get("enforce").val().and_then(meta_bool) == Some(true))
            })
    })
}

/// The `google_container_cluster` a `google_container_node_pool` belongs to
/// (by reference or by name), if it is in the configuration.
pub fn pool_cluster<'a>(cx: &crate::policy::rule::Ctx<'a>, pool: &Resource) -> Option<&'a Resource> {
    let a = pool.body.attr("cluster")?;
    let name = a.value.as_str();
    cx.of_kind("google_container_cluster")
        .find(|c| a.refs.contains(&c.base) || (name.is_some() && c.get("name").str() == name))
}

/// Whether a GKE cluster is an Autopilot cluster (`None` when unknown).
pub fn autopilot(r: &Resource) -> Option<bool> {
    match r.get("enable_autopilot") {
        Get::Unknown(_) => None,
        g if g.is_missing() => Some(false),
        g => g.bool(),
    }
}

/// Whether a subnetwork is proxy-only (no flow logs, no Private Google
/// Access); `None` when `purpose` is unknown.
pub fn proxy_only_subnet(r: &Resource) -> Option<bool> {
    match r.get("purpose") {
        Get::Unknown(_) => None,
        g => Some(g.str().is_some_and(|p| {
            [
                "REGIONAL_MANAGED_PROXY",
                "GLOBAL_MANAGED_PROXY",
                "INTERNAL_HTTPS_LOAD_BALANCER",
            ]
            .iter()
            .any(|x| x.eq_ignore_ascii_case(p))
        })),
    }
}

/// A database flag of a Cloud SQL instance running `engine` that must not be
/// set to one of `bad` (case-insensitive); absent passes (the engine's
/// default is safe). Instances of other engines pass.
pub fn sql_flag_not(r: &Resource, engine: &str, flag: &str, bad: &[&str], why: &str) -> Outcome {
    match sql_engine_is(r, engine) {
        None => return Outcome::Unknown,
        Some(false) => return Outcome::Pass,
        Some(true) => {}
    }
    let Some(settings) = r.body.block("settings") else {
        return Outcome::Pass;
    };
    let mut unknown = false;
    for b in settings.body.blocks("database_flags") {
        let name = b.body.get("name");
        let Some(n) = name.str() else {
            unknown |= name.is_unknown();
            continue;
        };
        if !n.eq_ignore_ascii_case(flag) {
            continue;
        }
        let v = b.body.get("value");
        match v.val().and_then(Val::to_string_lossy) {
            Some(s) if bad.iter().any(|x| x.eq_ignore_ascii_case(s.trim())) => {
                return fail(Some(b.span), format!("database flag {flag} is {s:?}: {why}"));
            }
            Some(_) => {}
            None => unknown |= v.is_unknown(),
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}
