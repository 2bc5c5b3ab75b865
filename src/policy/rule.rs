//! What a rule is, and the small vocabulary rules are written in.
//!
//! A rule lives in its own file under `src/policy/rules/<provider>/`: a
//! module doc comment with the sections What it checks / Why it matters /
//! Example / Fix / References (it becomes `docs/rules/<ID>.md` and
//! `lockgate rules explain`), one `pub static RULE: Rule` and one check
//! function. `build.rs` collects the files into the registry.

use std::collections::HashMap;

use serde::Serialize;

use super::model::{Get, Resource, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|x| x.as_str().eq_ignore_ascii_case(s))
    }

    /// GitHub code scanning's `security-severity` score.
    pub fn score(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "0.0",
        }
    }
}

pub type Check = fn(&Resource, &Ctx) -> Outcome;

pub struct Rule {
    /// `LG-AWS-001`.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Resource types checked (`aws_s3_bucket`, `data.aws_iam_policy_document`,
    /// `provider.aws`).
    pub resources: &'static [&'static str],
    /// Framework controls, `framework:control`: `cis-aws:2.1.1`,
    /// `pci-dss:3.5.1`, `hipaa:164.312(a)(2)(iv)`, `soc2:CC6.1`,
    /// `sox:itgc-access`, `gdpr:art-32`.
    pub frameworks: &'static [&'static str],
    /// Ids of other scanners' checks for the same thing (`CKV_AWS_19`,
    /// `AVD-AWS-0088`, `aws-s3-enable-bucket-encryption`); their inline
    /// suppressions are honoured for this rule.
    pub equivalent: &'static [&'static str],
    pub check: Check,
}

/// Known framework ids (the part before the colon in `frameworks`).
pub const FRAMEWORKS: &[(&str, &str)] = &[
    ("cis-aws", "CIS Amazon Web Services Foundations Benchmark"),
    ("cis-azure", "CIS Microsoft Azure Foundations Benchmark"),
    ("cis-gcp", "CIS Google Cloud Platform Foundation Benchmark"),
    ("cis-k8s", "CIS Kubernetes Benchmark"),
    ("cis-docker", "CIS Docker Benchmark"),
    ("pss", "Kubernetes Pod Security Standards"),
    ("nsa-k8s", "NSA/CISA Kubernetes Hardening Guide"),
    ("slsa", "SLSA supply-chain levels"),
    ("pci-dss", "PCI DSS v4.0"),
    ("hipaa", "HIPAA Security Rule (45 CFR 164)"),
    ("soc2", "SOC 2 Trust Services Criteria"),
    ("sox", "SOX IT general controls"),
    ("gdpr", "GDPR"),
];

/// Frameworks whose controls are cumulative levels, lowest first. A level
/// (`pss:restricted`) selects the rules tagged with it or with a level below
/// it: the Pod Security Standards' Restricted profile includes Baseline.
pub const LEVELS: &[(&str, &[&str])] = &[("pss", &["baseline", "restricted"])];

/// What `--framework` (and lockgate.yaml's `policy.frameworks`) selects: a
/// framework id (`pci-dss`), `cis` for every CIS benchmark, or a level of a
/// framework with levels (`pss:baseline`, `pss:restricted`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameworkFilter {
    name: String,
    /// The tags (`pss:baseline`, …) a level selects; none for a whole
    /// framework.
    tags: Option<Vec<String>>,
}

/// Why a `--framework` value selects nothing: the message and a hint that
/// lists what would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFramework {
    pub message: String,
    pub hint: String,
}

impl FrameworkFilter {
    pub fn parse(value: &str) -> Result<FrameworkFilter, UnknownFramework> {
        let lower = value.trim().to_ascii_lowercase();
        let (name, level) = match lower.split_once(':') {
            Some((n, l)) => (n.to_string(), Some(l.to_string())),
            None => (lower.clone(), None),
        };
        let known = FRAMEWORKS
            .iter()
            .any(|(id, _)| *id == name || id.starts_with(&format!("{name}-")));
        if !known || name.is_empty() {
            return Err(UnknownFramework {
                message: format!("{value:?} is not a known framework"),
                hint: format!("use one of: {}", Self::valid().join(", ")),
            });
        }
        let Some(level) = level else {
            return Ok(FrameworkFilter { name, tags: None });
        };
        let Some((_, levels)) = LEVELS.iter().find(|(id, _)| *id == name) else {
            return Err(UnknownFramework {
                message: format!("{value:?}: {name} has no levels to select"),
                hint: format!(
                    "use {name} for all its rules; frameworks with levels: {}",
                    Self::levelled().join(", ")
                ),
            });
        };
        let Some(i) = levels.iter().position(|l| *l == level) else {
            let valid: Vec<String> = levels.iter().map(|l| format!("{name}:{l}")).collect();
            return Err(UnknownFramework {
                message: format!(
                    "{value:?} is not a level of {name}: its levels are {}",
                    levels.join(", ")
                ),
                hint: format!("use one of: {name}, {}", valid.join(", ")),
            });
        };
        Ok(FrameworkFilter {
            tags: Some(levels[..=i].iter().map(|l| format!("{name}:{l}")).collect()),
            name,
        })
    }

    /// Every value `parse` accepts, for hints: `cis`, the framework ids and
    /// their levels.
    pub fn valid() -> Vec<String> {
        let mut out = vec!["cis".to_string()];
        for (id, _) in FRAMEWORKS {
            out.push(id.to_string());
            if let Some((_, levels)) = LEVELS.iter().find(|(l, _)| l == id) {
                out.extend(levels.iter().map(|l| format!("{id}:{l}")));
            }
        }
        out
    }

    fn levelled() -> Vec<String> {
        LEVELS
            .iter()
            .flat_map(|(id, levels)| levels.iter().map(move |l| format!("{id}:{l}")))
            .collect()
    }

    /// Whether a rule's framework tags (`pss:baseline`, `pci-dss:3.5.1`)
    /// fall under this selection.
    pub fn matches_tags<'t>(&self, tags: impl IntoIterator<Item = &'t str>) -> bool {
        tags.into_iter().any(|t| {
            let t = t.to_ascii_lowercase();
            match &self.tags {
                Some(levels) => levels.contains(&t),
                None => {
                    let name = t.split(':').next().unwrap_or("");
                    name == self.name || name.starts_with(&format!("{}-", self.name))
                }
            }
        })
    }

    pub fn matches(&self, rule: &Rule) -> bool {
        self.matches_tags(rule.frameworks.iter().copied())
    }
}

impl Rule {
    pub fn provider(&self) -> &'static str {
        let mut parts = self.id.split('-');
        parts.next();
        match parts.next() {
            Some("AWS") => "aws",
            Some("AZURE") => "azure",
            Some("GCP") => "gcp",
            Some("K8S") => "kubernetes",
            Some("DOCKER") => "docker",
            Some("CI") => "ci",
            Some("PKG") => "packages",
            Some("SECRET") => "secrets",
            _ => "other",
        }
    }

    /// Whether the rule maps to `framework` (`pci-dss`, `cis` for every CIS
    /// benchmark, `pss:restricted` for the rules of that level and those
    /// below it); false for a framework `FrameworkFilter::parse` rejects.
    pub fn in_framework(&self, framework: &str) -> bool {
        FrameworkFilter::parse(framework).is_ok_and(|f| f.matches(self))
    }
}

pub enum Outcome {
    Pass,
    /// `span` is the offending attribute or block; none means the resource.
    Fail {
        span: Option<Span>,
        message: String,
    },
    /// Depends on a value known only at apply time: no finding.
    Unknown,
}

pub fn fail(span: Option<Span>, message: impl Into<String>) -> Outcome {
    Outcome::Fail {
        span,
        message: message.into(),
    }
}

/// The resources of one evaluation (a root module with its modules), for
/// rules that look across resources.
pub struct Ctx<'a> {
    resources: &'a [Resource],
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// The organisation's package managers (`javascript` → `npm`), from
    /// lockgate.yaml's `policy.toolchain`.
    pub toolchain: std::collections::BTreeMap<String, String>,
}

impl<'a> Ctx<'a> {
    pub fn new(resources: &'a [Resource]) -> Self {
        let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            by_kind.entry(r.kind.as_str()).or_default().push(i);
        }
        Ctx {
            resources,
            by_kind,
            toolchain: Default::default(),
        }
    }

    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &'a Resource> + '_ {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(|i| &self.resources[*i])
    }

    /// Resources of `kind` whose `attr` refers to `r`: by reference
    /// (`bucket = aws_s3_bucket.b.id`) or by the same name
    /// (`bucket = "my-bucket"` where `r.bucket == "my-bucket"`).
    pub fn linked<'s>(
        &'s self,
        r: &'s Resource,
        kind: &'s str,
        attr: &'s str,
    ) -> impl Iterator<Item = &'a Resource> + 's {
        let names: Vec<&str> = ["bucket", "name", "id", "arn"]
            .iter()
            .filter_map(|k| r.get(k).str())
            .collect();
        self.of_kind(kind).filter(move |o| {
            let Some(a) = o.body.attr(attr) else { return false };
            a.refs.contains(&r.base) || a.value.as_str().is_some_and(|v| names.contains(&v))
        })
    }

    /// The package manager expected for `ecosystem`, else `default`.
    pub fn tool(&self, ecosystem: &str, default: &'static str) -> String {
        self.toolchain
            .get(ecosystem)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    /// Whether some resource of `kind` has an `attr` that is unknown and
    /// could refer to `r` (a data source, a variable): then a missing
    /// companion resource is not certain.
    pub fn maybe_linked(&self, kind: &str, attr: &str) -> bool {
        self.of_kind(kind).any(|o| {
            o.body
                .attr(attr)
                .is_some_and(|a| a.value.has_unknown() && a.refs.is_empty())
        })
    }
}

/// Index rules by the resource types they check.
pub fn index(rules: &[&'static Rule]) -> HashMap<&'static str, Vec<&'static Rule>> {
    let mut m: HashMap<&str, Vec<&Rule>> = HashMap::new();
    for r in rules {
        for k in r.resources {
            m.entry(*k).or_default().push(*r);
        }
    }
    m
}

// ---- the vocabulary -------------------------------------------------------

/// A boolean setting that must be `want`. `default` is the provider's
/// default when the setting is absent.
pub fn expect_bool(r: &Resource, path: &str, want: bool, default: bool, message: &str) -> Outcome {
    match r.get(path) {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => {
            if default == want {
                Outcome::Pass
            } else {
                fail(None, message)
            }
        }
        g => match g.bool() {
            Some(b) if b == want => Outcome::Pass,
            Some(_) => fail(g.span(), message),
            None => Outcome::Unknown,
        },
    }
}

/// A setting that must be present (and not null, empty string or empty list).
pub fn expect_set(r: &Resource, path: &str, message: &str) -> Outcome {
    match r.get(path) {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => fail(None, message),
        g => match g.val() {
            Some(v) if v.as_str() == Some("") => fail(g.span(), message),
            Some(v) if v.as_list().is_some_and(<[_]>::is_empty) => fail(g.span(), message),
            _ => Outcome::Pass,
        },
    }
}

/// A string setting that must be one of `allowed` (case-insensitive);
/// `default` is what the provider uses when it is absent.
pub fn expect_one_of(r: &Resource, path: &str, allowed: &[&str], default: Option<&str>, message: &str) -> Outcome {
    let ok = |s: &str| allowed.iter().any(|a| a.eq_ignore_ascii_case(s));
    match r.get(path) {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => match default {
            Some(d) if ok(d) => Outcome::Pass,
            _ => fail(None, message),
        },
        g => match g.val().and_then(|v| v.to_string_lossy()) {
            Some(s) if ok(&s) => Outcome::Pass,
            Some(_) => fail(g.span(), message),
            None => Outcome::Unknown,
        },
    }
}

/// A string setting that must not be one of `denied`.
pub fn expect_none_of(r: &Resource, path: &str, denied: &[&str], message: &str) -> Outcome {
    match r.get(path) {
        Get::Unknown(_) => Outcome::Unknown,
        g => match g.val().and_then(|v| v.to_string_lossy()) {
            Some(s) if denied.iter().any(|d| d.eq_ignore_ascii_case(&s)) => fail(g.span(), message),
            _ => Outcome::Pass,
        },
    }
}

/// A number that must be at least `min`; `default` when absent.
pub fn expect_at_least(r: &Resource, path: &str, min: f64, default: Option<f64>, message: &str) -> Outcome {
    match r.get(path) {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => match default {
            Some(d) if d >= min => Outcome::Pass,
            _ => fail(None, message),
        },
        g => match g.num() {
            Some(n) if n >= min => Outcome::Pass,
            Some(_) => fail(g.span(), message),
            None => Outcome::Unknown,
        },
    }
}

/// The first failing outcome, else unknown if any was unknown, else pass.
pub fn all(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    let mut unknown = false;
    for o in outcomes {
        match o {
            Outcome::Fail { .. } => return o,
            Outcome::Unknown => unknown = true,
            Outcome::Pass => {}
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}

/// Pass if any outcome passes; else unknown if any is; else the first failure.
pub fn any(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    let mut unknown = false;
    let mut first = None;
    for o in outcomes {
        match o {
            Outcome::Pass => return Outcome::Pass,
            Outcome::Unknown => unknown = true,
            f @ Outcome::Fail { .. } => {
                if first.is_none() {
                    first = Some(f);
                }
            }
        }
    }
    if unknown {
        Outcome::Unknown
    } else {
        first.unwrap_or(Outcome::Pass)
    }
}

/// Whether a CIDR (or list of CIDRs) opens to the whole internet.
pub fn is_public_cidr(s: &str) -> bool {
    matches!(
        s.trim(),
        "0.0.0.0/0" | "::/0" | "*" | "0.0.0.0" | "Internet" | "internet" | "Any" | "any"
    )
}

/// Whether a port range `from..=to` includes `port`.
pub fn port_in(from: f64, to: f64, port: f64) -> bool {
    (from == -1.0 && to == -1.0) || (from <= port && port <= to) || (from == 0.0 && to == 0.0)
}

/// Whether a port spec string (`22`, `20-30`, `*`) includes `port`.
pub fn port_spec_includes(spec: &str, port: u32) -> bool {
    let spec = spec.trim();
    if spec == "*" {
        return true;
    }
    match spec.split_once('-') {
        Some((a, b)) => match (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
            (Ok(a), Ok(b)) => a <= port && port <= b,
            _ => false,
        },
        None => spec.parse::<u32>() == Ok(port),
    }
}

#[cfg(test)]
mod tests {
    use super::{FrameworkFilter, LEVELS};
    use crate::policy::rules;

    fn ids(fw: &str) -> Vec<&'static str> {
        let f = FrameworkFilter::parse(fw).unwrap();
        let mut v: Vec<&str> = rules::all().iter().filter(|r| f.matches(r)).map(|r| r.id).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn a_level_selects_itself_and_the_levels_below() {
        let baseline = ids("pss:baseline");
        let restricted = ids("PSS:Restricted");
        let all = ids("pss");
        assert!(!baseline.is_empty());
        assert!(
            baseline.iter().all(|id| restricted.contains(id)),
            "restricted includes baseline"
        );
        assert!(restricted.len() > baseline.len());
        assert_eq!(restricted, all, "every pss tag is a level");
        for r in rules::all().iter().filter(|r| baseline.contains(&r.id)) {
            assert!(r.frameworks.contains(&"pss:baseline"), "{}", r.id);
        }
    }

    #[test]
    fn every_level_tag_names_a_known_level() {
        for r in rules::all() {
            for tag in r.frameworks {
                let (name, level) = tag.split_once(':').unwrap_or((tag, ""));
                if let Some((_, levels)) = LEVELS.iter().find(|(id, _)| *id == name) {
                    assert!(levels.contains(&level), "{}: {tag} is not a level of {name}", r.id);
                }
            }
        }
    }

    #[test]
    fn unknown_frameworks_and_levels_say_what_is_valid() {
        assert!(FrameworkFilter::parse("cis").is_ok());
        assert!(FrameworkFilter::parse("pci-dss").is_ok());
        let e = FrameworkFilter::parse("pss:foo").unwrap_err();
        assert_eq!(
            e.message,
            "\"pss:foo\" is not a level of pss: its levels are baseline, restricted"
        );
        assert_eq!(e.hint, "use one of: pss, pss:baseline, pss:restricted");
        let e = FrameworkFilter::parse("iso-27001").unwrap_err();
        assert!(
            e.hint.contains("cis, cis-aws,") && e.hint.contains("pss:restricted"),
            "{}",
            e.hint
        );
        let e = FrameworkFilter::parse("pci-dss:3.5.1").unwrap_err();
        assert!(e.message.contains("pci-dss has no levels"), "{}", e.message);
        assert!(FrameworkFilter::parse("").is_err());
        assert!(FrameworkFilter::parse(":baseline").is_err());
    }
}
